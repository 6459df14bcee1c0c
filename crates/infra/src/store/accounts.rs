//! `AccountRepository`, one code base for both backends.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::input::{ValidCreate, ValidUpdate};
use prospects_domain::{
    Account, AccountDetails, AccountId, AccountRepository, ListQuery, Page, Reference,
    ReferenceLookup, RepositoryError, Scope, UserId,
};

use super::query::{filtered, sorted};
use super::{Accounts, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{AccountRow, AccountWrite, ContactRow, DocumentRow, PaymentPlanRow, now};
use crate::schema::{contacts, documents, payment_plans, prospects};

/// The door every write to an existing prospect goes through: writes
/// `name = name` to the row, which takes the row's write lock (PostgreSQL)
/// or the database's (SQLite) and returns the row as it stands, in one
/// statement; then checks the caller's scope. So a read-modify-write can
/// neither lose a concurrent update nor deadlock on a lock upgrade. Fails
/// with `NotFound` when there is no such row, `OutOfScope` outside `scope`.
macro_rules! locked_in_scope {
    ($c:expr, $id:expr, $scope:expr) => {{
        let row: Option<AccountRow> = diesel::update(prospects::table.find($id))
            .set(prospects::name.eq(prospects::name))
            .returning(AccountRow::as_returning())
            .get_result($c)
            .await
            .optional()?;
        let row = row.ok_or(StoreError::Domain(RepositoryError::NotFound))?;
        if !$scope.contains(row.fields.representative_id.map(UserId)) {
            return Err(RepositoryError::OutOfScope.into());
        }
        row
    }};
}

impl Accounts {
    /// SQLite does not name the foreign key that failed; find the dangling
    /// reference among those written, so both backends answer alike.
    async fn explain(&self, error: StoreError, written: &[(Reference, i64)]) -> RepositoryError {
        if error.is_unnamed_foreign_key_violation()
            && let Ok(missing) = self.0.references().missing(written).await
            && let Some(reference) = missing.into_iter().next()
        {
            return RepositoryError::UnknownReference(reference);
        }
        error.into()
    }
}

#[async_trait]
impl AccountRepository for Accounts {
    async fn create(&self, input: ValidCreate) -> Result<Account, RepositoryError> {
        self.0
            .bounded(async {
                let references = input.input().references();
                let fields = input.into_fields();
                let mut conn = self.0.conn().await?;
                // One statement: the database assigns the id and the account
                // number; nothing else depends on them.
                let created: Result<AccountRow, StoreError> = with_conn!(&mut conn, |c| {
                    diesel::insert_into(prospects::table)
                        .values(AccountWrite::insert(&fields, now()))
                        .returning(AccountRow::as_returning())
                        .get_result(c)
                        .await
                        .map_err(StoreError::from)
                });
                drop(conn);
                match created {
                    Ok(row) => Ok(row.into()),
                    Err(error) => Err(self.explain(error, &references).await),
                }
            })
            .await
    }

    async fn representative_of(&self, id: AccountId) -> Result<Option<UserId>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let representative: Option<i64> = with_conn!(&mut conn, |c| {
                    prospects::table
                        .find(id.0)
                        .select(prospects::representative_id)
                        .first(c)
                        .await
                })
                .map_err(from_diesel)?;
                Ok(representative.map(UserId))
            })
            .await
    }

    async fn find(&self, id: AccountId) -> Result<AccountDetails, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (row, contacts, documents, payment_plan) = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        let row: AccountRow = prospects::table
                            .find(id.0)
                            .select(AccountRow::as_select())
                            .first(c)
                            .await?;
                        let contacts: Vec<ContactRow> = contacts::table
                            .filter(contacts::prospect_id.eq(id.0))
                            .order(contacts::id)
                            .select(ContactRow::as_select())
                            .load(c)
                            .await?;
                        let documents: Vec<DocumentRow> = documents::table
                            .filter(documents::prospect_id.eq(id.0))
                            .order(documents::id)
                            .select(DocumentRow::as_select())
                            .load(c)
                            .await?;
                        let payment_plan: Option<PaymentPlanRow> = payment_plans::table
                            .filter(payment_plans::prospect_id.eq(id.0))
                            .select(PaymentPlanRow::as_select())
                            .first(c)
                            .await
                            .optional()?;
                        Ok::<_, diesel::result::Error>((row, contacts, documents, payment_plan))
                    })
                    .await
                })
                .map_err(from_diesel)?;
                Ok(AccountDetails {
                    prospect: row.into(),
                    payment_plan: payment_plan.map(Into::into),
                    contacts: contacts.into_iter().map(Into::into).collect(),
                    documents: documents.into_iter().map(Into::into).collect(),
                })
            })
            .await
    }

    async fn list(
        &self,
        query: &ListQuery,
        scope: Scope,
    ) -> Result<Page<Account>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (total, rows) = with_conn!(&mut conn, |c| {
                    async {
                        let total: i64 = filtered(c, query, scope).count().get_result(c).await?;
                        let rows: Vec<AccountRow> = sorted(c, filtered(c, query, scope), query)
                            .select(AccountRow::as_select())
                            .limit(i64::from(query.per_page))
                            .offset(query.offset())
                            .load(c)
                            .await?;
                        Ok::<_, diesel::result::Error>((total, rows))
                    }
                    .await
                })
                .map_err(from_diesel)?;
                Ok(Page {
                    items: rows.into_iter().map(Into::into).collect(),
                    total: u64::try_from(total).unwrap_or_default(),
                })
            })
            .await
    }

    async fn update(
        &self,
        id: AccountId,
        scope: Scope,
        changes: ValidUpdate,
    ) -> Result<Account, RepositoryError> {
        self.0
            .bounded(async {
                let references = changes.input().references();
                let mut conn = self.0.conn().await?;
                let updated: Result<Account, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        let mut prospect = Account::from(locked_in_scope!(c, id.0, scope));
                        if !changes.apply_to(&mut prospect.fields) {
                            return Ok(prospect);
                        }
                        let row: AccountRow = diesel::update(prospects::table.find(id.0))
                            .set(AccountWrite::update(&prospect.fields, now()))
                            .returning(AccountRow::as_returning())
                            .get_result(c)
                            .await?;
                        Ok::<_, StoreError>(row.into())
                    })
                    .await
                });
                drop(conn);
                match updated {
                    Ok(prospect) => Ok(prospect),
                    Err(error) => Err(self.explain(error, &references).await),
                }
            })
            .await
    }

    async fn delete(&self, id: AccountId, scope: Scope) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                // One statement; the schema deletes contacts, documents and
                // the payment plan with it (ON DELETE CASCADE).
                let deleted = with_conn!(&mut conn, |c| match scope {
                    Scope::All => diesel::delete(prospects::table.find(id.0)).execute(c).await,
                    Scope::RepresentedBy(user) => {
                        diesel::delete(
                            prospects::table
                                .find(id.0)
                                .filter(prospects::representative_id.eq(user.0)),
                        )
                        .execute(c)
                        .await
                    }
                })
                .map_err(from_diesel)?;
                drop(conn);
                if deleted == 1 {
                    return Ok(());
                }
                // Nothing deleted: absent, or someone else's.
                match self.representative_of(id).await {
                    Ok(_) => Err(RepositoryError::OutOfScope),
                    Err(error) => Err(error),
                }
            })
            .await
    }
}
