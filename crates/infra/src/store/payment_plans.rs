//! `PaymentPlanRepository`, one code base for both backends. Writes lock the
//! plan's account first (`locked_in_scope!`), so a plan is never written to
//! a prospect being converted, nor two plans to one account.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    Action, Actor, Expected, Owner, PaymentPlan, PaymentPlanRepository, PaymentTerms, Put,
    Recorded, RepositoryError, Scope, Subject,
};

use super::accounts::{ensure_version, locked_in_scope, readable_in_scope};
use super::history::{EntryWrite, record};
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
        by: &Actor,
        terms: PaymentTerms,
        expected: &Expected,
    ) -> Result<(PaymentPlan, Put), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let put: Result<(PaymentPlan, Put), StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, by.scope());
                        let at = now();
                        let values = (
                            payment_plans::payment_method.eq(&terms.payment_method),
                            payment_plans::payment_terms_days.eq(terms.payment_terms_days),
                            payment_plans::updated_at.eq(at),
                        );
                        let plan =
                            payment_plans::table.filter(payment_plans::account_id.eq(owner.id.0));
                        // The account's lock makes the read and the write one step.
                        let before: Option<PaymentPlan> = plan
                            .select(PaymentPlanRow::as_select())
                            .first::<PaymentPlanRow>(c)
                            .await
                            .optional()?
                            .map(Into::into);
                        let (after, outcome, changes) = match before {
                            Some(before) => {
                                ensure_version(expected, before.version.0)?;
                                let after: PaymentPlan = diesel::update(plan)
                                    .set((
                                        values,
                                        payment_plans::version.eq(payment_plans::version + 1),
                                    ))
                                    .returning(PaymentPlanRow::as_returning())
                                    .get_result::<PaymentPlanRow>(c)
                                    .await?
                                    .into();
                                let changes = before.changes_to(&after);
                                (after, Put::Replaced, changes)
                            }
                            None if !expected.admits_none() => {
                                return Err(RepositoryError::Stale.into());
                            }
                            None => {
                                let after: PaymentPlan = diesel::insert_into(payment_plans::table)
                                    .values((
                                        payment_plans::account_id.eq(owner.id.0),
                                        payment_plans::created_at.eq(at),
                                        values,
                                    ))
                                    .returning(PaymentPlanRow::as_returning())
                                    .get_result::<PaymentPlanRow>(c)
                                    .await?
                                    .into();
                                let changes = after.as_created();
                                (after, Put::Created, changes)
                            }
                        };
                        let action = match outcome {
                            Put::Created => Action::Created,
                            Put::Replaced => Action::Updated,
                        };
                        // The same terms again move the version (a PUT
                        // always replaces) but change nothing to record.
                        if action == Action::Created || !changes.is_empty() {
                            record!(
                                c,
                                &EntryWrite::new(
                                    (owner.id.0, owner.kind),
                                    action,
                                    Subject::PaymentPlan,
                                    by,
                                    &changes,
                                )
                            );
                        }
                        Ok::<_, StoreError>((after, outcome))
                    })
                    .await
                });
                put.map_err(Into::into)
            })
            .await
    }

    async fn delete(
        &self,
        owner: Owner,
        by: &Actor,
        expected: &Expected,
    ) -> Result<bool, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<bool, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, by.scope());
                        let plan =
                            payment_plans::table.filter(payment_plans::account_id.eq(owner.id.0));
                        if !expected.admits_none() {
                            // Conditional: the plan must exist, at a version asked for.
                            let version: Option<i64> = plan
                                .select(payment_plans::version)
                                .first(c)
                                .await
                                .optional()?;
                            ensure_version(expected, version.ok_or(RepositoryError::Stale)?)?;
                        }
                        let gone: Option<PaymentPlan> = diesel::delete(plan)
                            .returning(PaymentPlanRow::as_returning())
                            .get_result::<PaymentPlanRow>(c)
                            .await
                            .optional()?
                            .map(Into::into);
                        let Some(gone) = gone else {
                            return Ok(false);
                        };
                        record!(
                            c,
                            &EntryWrite::new(
                                (owner.id.0, owner.kind),
                                Action::Deleted,
                                Subject::PaymentPlan,
                                by,
                                &gone.as_deleted(),
                            )
                        );
                        Ok::<_, StoreError>(true)
                    })
                    .await
                });
                deleted.map_err(Into::into)
            })
            .await
    }
}
