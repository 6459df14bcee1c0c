//! `PaymentPlanRepository`, one code base for both backends. Writes lock the
//! plan's account first (`locked_in_scope!`), so a plan is never written to
//! a prospect being converted, nor two plans to one account.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    Expected, Owner, PaymentPlan, PaymentPlanRepository, PaymentTerms, Put, RepositoryError, Scope,
};

use super::accounts::{ensure_version, locked_in_scope, readable_in_scope};
use super::{PaymentPlans, with_conn};
use crate::errors::StoreError;
use crate::rows::{PaymentPlanRow, now};
use crate::schema::payment_plans;

#[async_trait]
impl PaymentPlanRepository for PaymentPlans {
    async fn find(
        &self,
        owner: Owner,
        scope: Scope,
    ) -> Result<Option<PaymentPlan>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let row: Result<Option<PaymentPlanRow>, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        readable_in_scope!(c, owner, scope);
                        Ok::<_, StoreError>(
                            payment_plans::table
                                .filter(payment_plans::account_id.eq(owner.id.0))
                                .select(PaymentPlanRow::as_select())
                                .first(c)
                                .await
                                .optional()?,
                        )
                    }
                    .await
                });
                Ok(row?.map(Into::into))
            })
            .await
    }

    async fn put(
        &self,
        owner: Owner,
        scope: Scope,
        terms: PaymentTerms,
        expected: &Expected,
    ) -> Result<(PaymentPlan, Put), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let put: Result<(PaymentPlanRow, Put), StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, scope);
                        let at = now();
                        let values = (
                            payment_plans::payment_method.eq(&terms.payment_method),
                            payment_plans::payment_terms_days.eq(terms.payment_terms_days),
                            payment_plans::updated_at.eq(at),
                        );
                        // The account's lock makes the read and the write one step.
                        let replaced: Option<PaymentPlanRow> = diesel::update(
                            payment_plans::table.filter(payment_plans::account_id.eq(owner.id.0)),
                        )
                        .set((
                            values,
                            payment_plans::version.eq(payment_plans::version + 1),
                        ))
                        .returning(PaymentPlanRow::as_returning())
                        .get_result(c)
                        .await
                        .optional()?;
                        if let Some(row) = replaced {
                            // The version before this write.
                            ensure_version(expected, row.version - 1)?;
                            return Ok((row, Put::Replaced));
                        }
                        if !expected.admits_none() {
                            return Err(RepositoryError::Stale.into());
                        }
                        let row = diesel::insert_into(payment_plans::table)
                            .values((
                                payment_plans::account_id.eq(owner.id.0),
                                payment_plans::created_at.eq(at),
                                values,
                            ))
                            .returning(PaymentPlanRow::as_returning())
                            .get_result(c)
                            .await?;
                        Ok::<_, StoreError>((row, Put::Created))
                    })
                    .await
                });
                let (row, outcome) = put?;
                Ok((row.into(), outcome))
            })
            .await
    }

    async fn delete(
        &self,
        owner: Owner,
        scope: Scope,
        expected: &Expected,
    ) -> Result<bool, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<usize, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, scope);
                        let plan =
                            payment_plans::table.filter(payment_plans::account_id.eq(owner.id.0));
                        if expected.admits_none() {
                            return Ok(diesel::delete(plan).execute(c).await?);
                        }
                        // Conditional: the plan must exist, at a version asked for.
                        let version: Option<i64> = plan
                            .select(payment_plans::version)
                            .first(c)
                            .await
                            .optional()?;
                        ensure_version(expected, version.ok_or(RepositoryError::Stale)?)?;
                        Ok::<_, StoreError>(diesel::delete(plan).execute(c).await?)
                    })
                    .await
                });
                Ok(deleted? > 0)
            })
            .await
    }
}
