//! `AccountRepository`, one code base for both backends: prospects and
//! customers are rows of one table, told apart by `kind`.

use async_trait::async_trait;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::input::{ValidCreate, ValidUpdate};
use prospects_domain::{
    Account, AccountDetails, AccountId, AccountKind, AccountRepository, Action, Actor, Expected,
    FieldChange, FileKey, ListQuery, Page, ProspectFields, Receipt, Recorded, Reference,
    ReferenceLookup, RepositoryError, Scope, Seek, Subject, UserId, Value,
};

use super::history::{EntryWrite, record};
use super::idempotency::keep_response;
use super::query::{Tier, filtered, page, seek as sorted_seek, tier as relevance_tier};
use super::{Accounts, Conn, with_conn, write_transaction};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{AccountRow, AccountWrite, ContactRow, DocumentRow, PaymentPlanRow, now};
use crate::schema::{account_counts, accounts, contacts, documents, notes, payment_plans};

/// The door every write to an existing account, or to what it owns, goes
/// through: adds one to the row's version, which takes the row's write lock
/// (PostgreSQL) or the database's (SQLite) and returns the row as it
/// stands, in one statement; then checks the caller's scope. So a
/// read-modify-write can neither lose a concurrent update nor deadlock on a
/// lock upgrade. Fails with `NotFound` when there is no such row of that
/// kind, `OutOfScope` outside `scope`, then `Converted` for a converted
/// prospect, then `Stale` when the version found is not `$expected`.
macro_rules! locked_in_scope {
    ($c:expr, $kind:expr, $id:expr, $scope:expr) => {
        locked_in_scope!($c, $kind, $id, $scope, &prospects_domain::Expected::Any)
    };
    ($c:expr, $kind:expr, $id:expr, $scope:expr, $expected:expr) => {{
        use $crate::schema::accounts;
        let row: Option<$crate::rows::AccountRow> = diesel::update(
            accounts::table
                .find($id)
                .filter(accounts::kind.eq($kind.as_str())),
        )
        .set(accounts::version.eq(accounts::version + 1))
        .returning($crate::rows::AccountRow::as_returning())
        .get_result($c)
        .await
        .optional()?;
        let row = row.ok_or($crate::errors::StoreError::Domain(
            prospects_domain::RepositoryError::NotFound,
        ))?;
        let representative = row.fields.representative_id.map(prospects_domain::UserId);
        if !$scope.contains(representative) {
            return Err(prospects_domain::RepositoryError::OutOfScope.into());
        }
        if row.converted_at.is_some() {
            return Err(prospects_domain::RepositoryError::Converted.into());
        }
        if !$expected.admits(prospects_domain::Version(row.version - 1)) {
            return Err(prospects_domain::RepositoryError::Stale.into());
        }
        row
    }};
}
pub(super) use locked_in_scope;

/// The read-side check of what hangs on an account (its notes, its plan):
/// `NotFound` when there is no account `$owner`, `OutOfScope` outside
/// `$scope`. Takes no lock.
macro_rules! readable_in_scope {
    ($c:expr, $owner:expr, $scope:expr) => {{
        use $crate::schema::accounts;
        let representative: Option<i64> = accounts::table
            .find($owner.id.0)
            .filter(accounts::kind.eq($owner.kind.as_str()))
            .select(accounts::representative_id)
            .first($c)
            .await?;
        if !$scope.contains(representative.map(prospects_domain::UserId)) {
            return Err(prospects_domain::RepositoryError::OutOfScope.into());
        }
    }};
}
pub(super) use readable_in_scope;

/// An account's row and what hangs off it, four reads written once; `$all`
/// runs the four futures (at once on PostgreSQL, in turn on SQLite).
macro_rules! details_reads {
    ($c:expr, $kind:expr, $id:expr, $($all:ident)::+) => {
        $($all)::+!(
            accounts::table
                .find($id.0)
                .filter(accounts::kind.eq($kind.as_str()))
                .select(AccountRow::as_select())
                .first::<AccountRow>($c),
            contacts::table
                .filter(contacts::account_id.eq($id.0))
                .order(contacts::id)
                .select(ContactRow::as_select())
                .load::<ContactRow>($c),
            documents::table
                .filter(documents::account_id.eq($id.0))
                .order(documents::id)
                .select(DocumentRow::as_select())
                .load::<DocumentRow>($c),
            // At most one: `account_id` is unique.
            payment_plans::table
                .filter(payment_plans::account_id.eq($id.0))
                .select(PaymentPlanRow::as_select())
                .load::<PaymentPlanRow>($c),
        )
    };
}

/// A list's exact total, as a future: from the counts the triggers keep
/// (migration 000011) when nothing is filtered, else counted over the
/// filter's indexes.
macro_rules! list_total {
    ($c:expr, $kind:expr, $query:expr, $scope:expr) => {
        async {
            if $query.filters_nothing() {
                let mut counts = account_counts::table
                    .filter(account_counts::kind.eq($kind.as_str()))
                    .into_boxed();
                if let Scope::RepresentedBy(user) = $scope {
                    counts = counts.filter(account_counts::representative_id.eq(user.0));
                }
                counts
                    .select(sql::<BigInt>("CAST(coalesce(sum(n), 0) AS BIGINT)"))
                    .get_result::<i64>($c)
                    .await
            } else {
                filtered($c, $kind, $query, $scope)
                    .count()
                    .get_result::<i64>($c)
                    .await
            }
        }
    };
}

/// Awaits each future in turn, stopping at the first error.
macro_rules! in_turn {
    ($($future:expr),* $(,)?) => {
        async { Ok::<_, diesel::result::Error>(($($future.await?,)*)) }.await
    };
}

/// Where record `$id` of `$table` (notes, contacts) hangs: its account's id
/// and kind, read before the write's transaction begins. On SQLite a
/// transaction must write first, or a concurrent writer could make its
/// later write fail at once rather than wait.
macro_rules! owner_of {
    ($c:expr, $table:ident, $id:expr) => {{
        use $crate::schema::{accounts, $table};
        let (account_id, stored_kind): (i64, String) = $table::table
            .inner_join(accounts::table)
            .filter($table::id.eq($id))
            .select(($table::account_id, accounts::kind))
            .first($c)
            .await
            .optional()?
            .ok_or($crate::errors::StoreError::Domain(
                prospects_domain::RepositoryError::NotFound,
            ))?;
        (account_id, $crate::rows::account_kind(&stored_kind))
    }};
}
pub(super) use owner_of;

/// Locks the account of record `$id` of `$table` (`locked_in_scope!`),
/// then reads the record as it stands, as a `$row`: a conversion that moved
/// it first left its prospect converted (409), and a record gone meanwhile
/// is `NotFound`.
macro_rules! locked_record {
    ($c:expr, $table:ident, $row:ty, $id:expr, $account_id:expr, $kind:expr, $scope:expr) => {{
        locked_in_scope!($c, $kind, $account_id, $scope);
        let row: $row = $crate::schema::$table::table
            .find($id)
            .filter($crate::schema::$table::account_id.eq($account_id))
            .select(<$row>::as_select())
            .first($c)
            .await
            .optional()?
            .ok_or($crate::errors::StoreError::Domain(
                prospects_domain::RepositoryError::NotFound,
            ))?;
        row
    }};
}
pub(super) use locked_record;

/// `Stale` unless a record found at `version` meets `expected`.
pub(super) fn ensure_version(expected: &Expected, version: i64) -> Result<(), StoreError> {
    match expected.admits(prospects_domain::Version(version)) {
        true => Ok(()),
        false => Err(RepositoryError::Stale.into()),
    }
}

/// The ids of up to `$wanted` rows of a relevance-ordered list, from its
/// start or beyond a cursor's position (`$from`), tier by tier, each read
/// only as far as the page reaches; then those rows, in that order.
macro_rules! by_relevance {
    ($c:expr, $kind:expr, $query:expr, $scope:expr, $term:expr, $from:expr, $wanted:expr, $skip:expr) => {{
        let mut ids: Vec<i64> = Vec::new();
        for read in Tier::reads($from) {
            let missing = $wanted.saturating_sub(i64::try_from(ids.len()).unwrap_or(i64::MAX));
            if missing <= 0 {
                break;
            }
            let more: Vec<i64> = relevance_tier($c, $kind, $query, $scope, $term, read)
                .select(accounts::id)
                .limit(missing)
                .load($c)
                .await?;
            ids.extend(more);
        }
        let ids: Vec<i64> = ids.into_iter().skip($skip).collect();
        let mut rows: Vec<AccountRow> = accounts::table
            .filter(accounts::id.eq_any(&ids))
            .select(AccountRow::as_select())
            .load($c)
            .await?;
        rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
        rows
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
    async fn create(
        &self,
        kind: AccountKind,
        by: &Actor,
        input: ValidCreate,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, RepositoryError> {
        self.0
            .bounded(async {
                let references = input.input().references();
                let fields = input.into_fields();
                let mut conn = self.0.conn().await?;
                // The database assigns the id and the account number.
                let insert = diesel::insert_into(accounts::table).values(AccountWrite::insert(
                    kind,
                    None,
                    &fields,
                    now(),
                ));
                let created: Result<Account, StoreError> = with_conn!(&mut conn, |c| {
                    write_transaction!(c, {
                        let created: Account = insert
                            .returning(AccountRow::as_returning())
                            .get_result::<AccountRow>(c)
                            .await?
                            .into();
                        record!(
                            c,
                            &EntryWrite::new(
                                (created.id.0, kind),
                                Action::Created,
                                Subject::Account,
                                by,
                                &created.fields.as_created(),
                            )
                        );
                        keep_response!(c, receipt, &created);
                        Ok::<_, StoreError>(created)
                    })
                });
                drop(conn);
                match created {
                    Ok(account) => Ok(account),
                    Err(error) => Err(self.explain(error, &references).await),
                }
            })
            .await
    }

    async fn representative_of(
        &self,
        kind: AccountKind,
        id: AccountId,
    ) -> Result<Option<UserId>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let representative: Option<i64> = with_conn!(&mut conn, |c| {
                    accounts::table
                        .find(id.0)
                        .filter(accounts::kind.eq(kind.as_str()))
                        .select(accounts::representative_id)
                        .first(c)
                        .await
                })
                .map_err(from_diesel)?;
                Ok(representative.map(UserId))
            })
            .await
    }

    async fn find(
        &self,
        kind: AccountKind,
        id: AccountId,
    ) -> Result<AccountDetails, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (row, contacts, documents, payment_plan) = match &mut conn {
                    // Pipelined: the four statements leave together and their
                    // answers come back together, one round trip. No
                    // transaction: at READ COMMITTED each statement would
                    // take its own snapshot anyway, and BEGIN and COMMIT
                    // would be two more round trips.
                    Conn::Postgres(c) => {
                        let c: &diesel_async::AsyncPgConnection = c;
                        details_reads!(&mut &*c, kind, id, futures_util::try_join)
                    }
                    // In process, so no round trips; the transaction gives
                    // the four reads one snapshot.
                    Conn::Sqlite(c) => {
                        c.transaction(async |c| details_reads!(&mut *c, kind, id, in_turn))
                            .await
                    }
                }
                .map_err(from_diesel)?;
                Ok(AccountDetails {
                    account: row.into(),
                    payment_plan: payment_plan.into_iter().next().map(Into::into),
                    contacts: contacts
                        .into_iter()
                        .map(|contact| contact.into_contact(kind))
                        .collect(),
                    documents: documents
                        .into_iter()
                        .map(|document| document.into_document(kind))
                        .collect(),
                })
            })
            .await
    }

    async fn list(
        &self,
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
    ) -> Result<Page<Account>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (total, rows) = match (&mut conn, query.relevance_term()) {
                    // Pipelined: the count and the page in one round trip.
                    (Conn::Postgres(c), None) => {
                        let c: &diesel_async::AsyncPgConnection = c;
                        futures_util::try_join!(
                            list_total!(&mut &*c, kind, query, scope),
                            page(c, kind, query, scope)
                                .select(AccountRow::as_select())
                                .load::<AccountRow>(&mut &*c)
                        )
                    }
                    // SQLite, and relevance-ordered lists on either backend:
                    // the count, then the page (a relevance page reads its
                    // tiers only as far as it needs).
                    (conn, term) => with_conn!(conn, |c| {
                        async {
                            let total = list_total!(&mut *c, kind, query, scope).await?;
                            let rows: Vec<AccountRow> = match term {
                                Some(term) => {
                                    let offset = query.offset();
                                    let wanted = offset.saturating_add(i64::from(query.per_page));
                                    let skipped = usize::try_from(offset).unwrap_or(usize::MAX);
                                    by_relevance!(
                                        c, kind, query, scope, term, None, wanted, skipped
                                    )
                                }
                                None => {
                                    page(c, kind, query, scope)
                                        .select(AccountRow::as_select())
                                        .load(c)
                                        .await?
                                }
                            };
                            Ok::<_, diesel::result::Error>((total, rows))
                        }
                        .await
                    }),
                }
                .map_err(from_diesel)?;
                Ok(Page {
                    items: rows.into_iter().map(Into::into).collect(),
                    total: u64::try_from(total).unwrap_or_default(),
                })
            })
            .await
    }

    async fn seek(
        &self,
        kind: AccountKind,
        query: &ListQuery,
        from: Option<Seek>,
        limit: u32,
        scope: Scope,
    ) -> Result<Vec<Account>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let rows = with_conn!(&mut conn, |c| {
                    async {
                        let rows: Vec<AccountRow> = match query.relevance_term() {
                            Some(term) => {
                                by_relevance!(
                                    c,
                                    kind,
                                    query,
                                    scope,
                                    term,
                                    from,
                                    i64::from(limit),
                                    0
                                )
                            }
                            None => {
                                sorted_seek(c, kind, query, scope, from, limit)
                                    .select(AccountRow::as_select())
                                    .load(c)
                                    .await?
                            }
                        };
                        Ok::<_, diesel::result::Error>(rows)
                    }
                    .await
                })
                .map_err(from_diesel)?;
                Ok(rows.into_iter().map(Into::into).collect())
            })
            .await
    }

    async fn update(
        &self,
        kind: AccountKind,
        id: AccountId,
        by: &Actor,
        changes: ValidUpdate,
        expected: &Expected,
    ) -> Result<Account, RepositoryError> {
        self.0
            .bounded(async {
                let references = changes.input().references();
                let mut conn = self.0.conn().await?;
                let updated: Result<Account, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        let locked = locked_in_scope!(c, kind, id.0, by.scope(), expected);
                        let mut account = Account::from(locked);
                        let before = account.fields.clone();
                        if !changes.apply_to(&mut account.fields) {
                            // Nothing changes, so neither does the version.
                            account.version.0 -= 1;
                            return Err(StoreError::RolledBack(Box::new(account)));
                        }
                        let row: AccountRow = diesel::update(accounts::table.find(id.0))
                            .set(AccountWrite::update(&account.fields, now()))
                            .returning(AccountRow::as_returning())
                            .get_result(c)
                            .await?;
                        record!(
                            c,
                            &EntryWrite::new(
                                (id.0, kind),
                                Action::Updated,
                                Subject::Account,
                                by,
                                &before.changes_to(&account.fields),
                            )
                        );
                        Ok::<_, StoreError>(row.into())
                    })
                    .await
                });
                drop(conn);
                match updated {
                    Ok(account) => Ok(account),
                    Err(StoreError::RolledBack(unchanged)) => Ok(*unchanged),
                    Err(error) => Err(self.explain(error, &references).await),
                }
            })
            .await
    }

    async fn delete(
        &self,
        kind: AccountKind,
        id: AccountId,
        by: &Actor,
        expected: &Expected,
    ) -> Result<Vec<FileKey>, RepositoryError> {
        self.0
            .bounded(async {
                let scope = by.scope();
                let mut conn = self.0.conn().await?;
                // The files' keys, then one statement: the schema deletes
                // contacts, notes, documents and the payment plan with the
                // account (ON DELETE CASCADE). A document added in between
                // leaves a file no row holds, which the sweep removes.
                let of_kind = accounts::table
                    .find(id.0)
                    .filter(accounts::kind.eq(kind.as_str()));
                // A condition on the version is one more filter: a row not
                // at a version asked for is not deleted.
                let versions: Vec<i64> = expected
                    .versions()
                    .map(|versions| versions.iter().map(|v| v.0).collect())
                    .unwrap_or_default();
                let conditional = expected.versions().is_some();
                let (keys, deleted) = with_conn!(&mut conn, |c| {
                    write_transaction!(c, {
                        let keys: Vec<String> = documents::table
                            .filter(documents::account_id.eq(id.0))
                            .select(documents::storage_key)
                            .load(c)
                            .await?;
                        let returning = AccountRow::as_returning();
                        let deleted: Vec<AccountRow> = match (scope, conditional) {
                            (Scope::All, false) => {
                                diesel::delete(of_kind).returning(returning).load(c).await?
                            }
                            (Scope::All, true) => {
                                diesel::delete(of_kind.filter(accounts::version.eq_any(&versions)))
                                    .returning(returning)
                                    .load(c)
                                    .await?
                            }
                            (Scope::RepresentedBy(user), false) => {
                                diesel::delete(
                                    of_kind.filter(accounts::representative_id.eq(user.0)),
                                )
                                .returning(returning)
                                .load(c)
                                .await?
                            }
                            (Scope::RepresentedBy(user), true) => {
                                diesel::delete(
                                    of_kind
                                        .filter(accounts::representative_id.eq(user.0))
                                        .filter(accounts::version.eq_any(&versions)),
                                )
                                .returning(returning)
                                .load(c)
                                .await?
                            }
                        };
                        let count = deleted.len();
                        if let Some(gone) = deleted.into_iter().next() {
                            // What it held, so that a deletion loses nothing.
                            record!(
                                c,
                                &EntryWrite::new(
                                    (id.0, kind),
                                    Action::Deleted,
                                    Subject::Account,
                                    by,
                                    &ProspectFields::from(gone.fields).as_deleted(),
                                )
                            );
                        }
                        Ok::<_, StoreError>((keys, count))
                    })
                })?;
                drop(conn);
                if deleted == 1 {
                    return Ok(keys.into_iter().map(FileKey).collect());
                }
                // Nothing deleted: absent, someone else's, or not at a
                // version asked for.
                match self.representative_of(kind, id).await {
                    Ok(representative) if conditional && scope.contains(representative) => {
                        Err(RepositoryError::Stale)
                    }
                    Ok(_) => Err(RepositoryError::OutOfScope),
                    Err(error) => Err(error),
                }
            })
            .await
    }

    async fn convert(
        &self,
        id: AccountId,
        by: &Actor,
        dry_run: bool,
        expected: &Expected,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let converted: Result<Account, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        let prospect =
                            locked_in_scope!(c, AccountKind::Prospect, id.0, by.scope(), expected);
                        let fields = ProspectFields::from(prospect.fields);
                        let at = now();
                        let customer: AccountRow = diesel::insert_into(accounts::table)
                            .values(AccountWrite::insert(
                                AccountKind::Customer,
                                Some(id),
                                &fields,
                                at,
                            ))
                            .returning(AccountRow::as_returning())
                            .get_result(c)
                            .await?;
                        diesel::update(contacts::table.filter(contacts::account_id.eq(id.0)))
                            .set(contacts::account_id.eq(customer.id))
                            .execute(c)
                            .await?;
                        diesel::update(documents::table.filter(documents::account_id.eq(id.0)))
                            .set(documents::account_id.eq(customer.id))
                            .execute(c)
                            .await?;
                        diesel::update(
                            payment_plans::table.filter(payment_plans::account_id.eq(id.0)),
                        )
                        .set(payment_plans::account_id.eq(customer.id))
                        .execute(c)
                        .await?;
                        diesel::update(notes::table.filter(notes::account_id.eq(id.0)))
                            .set(notes::account_id.eq(customer.id))
                            .execute(c)
                            .await?;
                        diesel::update(accounts::table.find(id.0))
                            .set((
                                accounts::converted_customer_id.eq(customer.id),
                                accounts::converted_at.eq(at),
                            ))
                            .execute(c)
                            .await?;
                        let customer = Account::from(customer);
                        // Each account's history tells where the other went.
                        let link = |field: &str, to: AccountId| {
                            vec![FieldChange {
                                field: field.to_owned(),
                                old: Value::Null,
                                new: Value::Integer(to.0),
                            }]
                        };
                        record!(
                            c,
                            &EntryWrite::new(
                                (id.0, AccountKind::Prospect),
                                Action::Converted,
                                Subject::Account,
                                by,
                                &link("converted_customer_id", customer.id),
                            )
                        );
                        record!(
                            c,
                            &EntryWrite::new(
                                (customer.id.0, AccountKind::Customer),
                                Action::Converted,
                                Subject::Account,
                                by,
                                &link("prospect_id", id),
                            )
                        );
                        if dry_run {
                            return Err(StoreError::RolledBack(Box::new(customer)));
                        }
                        keep_response!(c, receipt, &customer);
                        Ok::<_, StoreError>(customer)
                    })
                    .await
                });
                match converted {
                    Ok(customer) => Ok(customer),
                    Err(StoreError::RolledBack(customer)) => Ok(*customer),
                    Err(error) => Err(error.into()),
                }
            })
            .await
    }
}

impl Accounts {
    /// Writes many accounts at once, in one transaction, with exactly the
    /// columns [`AccountRepository::create`] would write (the folded name,
    /// the search document); `created_at` is the caller's, so that a
    /// benchmark's data can span years. No validation and no reference
    /// checks beyond the schema's: the caller vouches for the fields. For
    /// seeding benchmarks and imports, never for requests.
    pub async fn import(
        &self,
        kind: AccountKind,
        accounts: &[(ProspectFields, chrono::NaiveDateTime)],
    ) -> Result<(), RepositoryError> {
        // Below both backends' limits on bound values per statement.
        const ROWS_PER_STATEMENT: usize = 400;
        let rows: Vec<AccountWrite> = accounts
            .iter()
            .map(|(fields, at)| AccountWrite::insert(kind, None, fields, *at))
            .collect();
        let mut conn = self.0.conn().await?;
        match &mut conn {
            // Many rows per statement.
            Conn::Postgres(c) => {
                c.transaction(async |c| {
                    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                        diesel::insert_into(accounts::table)
                            .values(chunk)
                            .execute(c)
                            .await?;
                    }
                    Ok::<_, diesel::result::Error>(())
                })
                .await
            }
            // SQLite has no DEFAULT in a multi-row VALUES list (the row's
            // `prospect_id` is one); one prepared statement per row costs
            // little there, all in one transaction.
            Conn::Sqlite(c) => {
                c.transaction(async |c| {
                    for row in &rows {
                        diesel::insert_into(accounts::table)
                            .values(row)
                            .execute(c)
                            .await?;
                    }
                    Ok::<_, diesel::result::Error>(())
                })
                .await
            }
        }
        .map_err(from_diesel)
    }
}
