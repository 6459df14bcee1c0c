//! The ports: what the domain needs from storage, password hashing and tokens.
//! Adapters in `prospects-infra` implement them; tests mock them.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::input::{ValidCreate, ValidUpdate};
use crate::{
    Account, AccountDetails, AccountId, AccountKind, Actor, Expected, FileKey, ListQuery, Page,
    Receipt, Role, Scope, Seek, UserId,
};

/// Why storage could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error("no such row")]
    NotFound,
    /// The row exists but lies outside the caller's scope.
    #[error("the row is outside the caller's scope")]
    OutOfScope,
    /// A foreign key names a row that does not exist (it may have vanished
    /// between validation and the write).
    #[error("unknown {0:?}")]
    UnknownReference(Reference),
    /// Rows of this table still point at the row to delete.
    #[error("still referenced by {0}")]
    StillReferenced(&'static str),
    /// The prospect has been converted to a customer and takes no more writes.
    #[error("the prospect has already been converted")]
    Converted,
    /// A row with the same unique key (say, a user's email) exists.
    #[error("already exists")]
    AlreadyExists,
    /// The record is not at a version the write required (`Expected`);
    /// nothing was written.
    #[error("the record has changed since it was read")]
    Stale,
    /// The idempotency key the write was to store its response under was
    /// taken over by a retry (its lease ran out); nothing was written.
    #[error("another request holds the idempotency key")]
    InFlight,
    /// The database cannot be reached in time; worth retrying later.
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// A reference a prospect may hold to another table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    Brand,
    Representative,
    Sector,
    Cluster,
    Batch,
    ProspectionCode,
}

impl Reference {
    /// The field that holds this reference on the wire.
    pub fn field(self) -> &'static str {
        match self {
            Reference::Brand => "brand_id",
            Reference::Representative => "representative_id",
            Reference::Sector => "sector_id",
            Reference::Cluster => "cluster_id",
            Reference::Batch => "batch_id",
            Reference::ProspectionCode => "prospection_code_id",
        }
    }
}

/// Storage of accounts (prospects or customers, by `kind`) and the records
/// they own. An account of another kind than the one asked for is `NotFound`.
/// A write is decided within the scope of its actor (`by`), and recorded in
/// the account's history, with the actor as its author, in the write's own
/// transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Inserts an account; the database assigns its id and account number in
    /// the same transaction, and the `receipt`'s response is stored in it.
    /// `UnknownReference` when a reference is dangling, `InFlight` when the
    /// receipt's lease was lost.
    async fn create(
        &self,
        kind: AccountKind,
        by: &Actor,
        input: ValidCreate,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, RepositoryError>;

    /// Who represents the account (one column: the caller decides between
    /// 404, 403 and 422 cheaply). `NotFound` when there is no such id.
    async fn representative_of(
        &self,
        kind: AccountKind,
        id: AccountId,
    ) -> Result<Option<UserId>, RepositoryError>;

    /// The account with what it owns, whatever the scope (the caller decides
    /// between 403 and 404). `NotFound` when there is no such id.
    async fn find(
        &self,
        kind: AccountKind,
        id: AccountId,
    ) -> Result<AccountDetails, RepositoryError>;

    /// One page of the accounts inside `scope` that match `query`, and their total.
    async fn list(
        &self,
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
    ) -> Result<Page<Account>, RepositoryError>;

    /// Up to `limit` accounts inside `scope` that match `query`, in the
    /// list's order from its start, or strictly beyond `from` in its
    /// direction, nearest first. Constant cost at any depth: the position's
    /// values bound an index walk; nothing is counted.
    async fn seek(
        &self,
        kind: AccountKind,
        query: &ListQuery,
        from: Option<Seek>,
        limit: u32,
        scope: Scope,
    ) -> Result<Vec<Account>, RepositoryError>;

    /// Writes the sent fields atomically; `updated_at` moves only when a value
    /// changed. `NotFound`, `OutOfScope` (nothing written), `Converted`,
    /// `Stale` (not at an `expected` version), `UnknownReference`.
    async fn update(
        &self,
        kind: AccountKind,
        id: AccountId,
        by: &Actor,
        changes: ValidUpdate,
        expected: &Expected,
    ) -> Result<Account, RepositoryError>;

    /// Deletes the account with its contacts, notes, documents and payment
    /// plan in one transaction; answers the keys of the documents' files.
    /// `NotFound`, `OutOfScope`, `Stale` (nothing deleted).
    async fn delete(
        &self,
        kind: AccountKind,
        id: AccountId,
        by: &Actor,
        expected: &Expected,
    ) -> Result<Vec<FileKey>, RepositoryError>;

    /// Converts prospect `id` in one transaction: a customer with its fields,
    /// what it owns moved to the customer, the prospect marked converted.
    /// Returns the customer. With `dry_run` the transaction is rolled back:
    /// the customer is what would have been created. `NotFound`,
    /// `OutOfScope`, `Converted`, `Stale`, `InFlight` (nothing written). The
    /// `receipt`'s response is stored in the conversion's transaction.
    async fn convert(
        &self,
        id: AccountId,
        by: &Actor,
        dry_run: bool,
        expected: &Expected,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, RepositoryError>;
}

/// Checks that referenced rows exist, so that a request gets every bad
/// reference in one 422 rather than one foreign-key failure.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ReferenceLookup: Send + Sync {
    /// The references among `wanted` that name no existing row.
    async fn missing(&self, wanted: &[(Reference, i64)])
    -> Result<Vec<Reference>, RepositoryError>;
}

/// A person who can log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user to create; the password is already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub password_hash: String,
}

/// The changes to a user: each `Some` is written, each `None` kept. The
/// password is already hashed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

/// Which users a list shows: those whose name and email contain these
/// (case-insensitively), one page of them, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub name: Option<String>,
    pub email: Option<String>,
    pub page: u64,
    pub per_page: u32,
}

impl UserQuery {
    /// Rows to skip before the page.
    pub fn offset(&self) -> i64 {
        i64::try_from((self.page - 1).saturating_mul(u64::from(self.per_page))).unwrap_or(i64::MAX)
    }
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// The user and their password hash. `Ok(None)` for an unknown email.
    async fn find_with_password(
        &self,
        email: &str,
    ) -> Result<Option<(User, String)>, RepositoryError>;

    /// `Ok(None)` when the user was deleted.
    async fn find(&self, id: UserId) -> Result<Option<User>, RepositoryError>;

    /// `AlreadyExists` when the email is taken.
    async fn create(&self, user: NewUser) -> Result<User, RepositoryError>;

    /// The page of users the query selects, and how many it selects in all.
    async fn list(&self, query: &UserQuery) -> Result<Page<User>, RepositoryError>;

    /// Writes the changes (and moves `updated_at`). `NotFound` when there is
    /// no such user; `AlreadyExists` when the new email is taken.
    async fn update(&self, id: UserId, changes: UserUpdate) -> Result<User, RepositoryError>;

    /// `NotFound` when there is no such user. The prospects they represent
    /// are left without a representative.
    async fn delete(&self, id: UserId) -> Result<(), RepositoryError>;

    async fn count(&self) -> Result<u64, RepositoryError>;
}

/// Password hashing (Argon2id in production). Slow on purpose, so async:
/// an adapter runs it off the request threads.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &str) -> anyhow::Result<String>;
    /// `false` for a wrong password or an unreadable hash. With `None` (an
    /// unknown email) it does the same work against a decoy hash, so both
    /// failures take the same time.
    async fn verify(&self, password: &str, hash: Option<String>) -> bool;
}

/// What a request does, as the token authorizer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Read,
    Write,
}

/// The request a token must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub operation: Operation,
    /// The prospect addressed, if the request names one.
    pub prospect: Option<AccountId>,
}

/// Why a token was not accepted. Deliberately says no more: the client gets
/// the same 401 whatever the reason.
#[derive(Debug, thiserror::Error)]
#[error("token rejected: {reason}")]
pub struct TokenRejected {
    pub reason: String,
}

/// A token that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// Who the token speaks for.
    pub user: UserId,
    /// One id per block, oldest first; the last one names this very token,
    /// the earlier ones the tokens it was derived from.
    pub revocation_ids: Vec<String>,
    /// Whether the token's own checks allow the access asked about. `false`
    /// for a live token narrowed against it (say, read-only asked to write):
    /// a 403 once the token is known not to be revoked, never a 401.
    pub permits: bool,
}

impl VerifiedToken {
    /// The id that revokes this token and every token derived from it.
    pub fn own_revocation_id(&self) -> Option<&str> {
        self.revocation_ids.last().map(String::as_str)
    }

    /// The id of the authority block: shared by every token attenuated from
    /// the same issued token.
    pub fn issued_revocation_id(&self) -> Option<&str> {
        self.revocation_ids.first().map(String::as_str)
    }
}

/// Issues and checks bearer tokens.
#[cfg_attr(test, mockall::automock)]
pub trait TokenAuthority: Send + Sync {
    fn issue(&self, user: UserId, lifetime: Duration) -> anyhow::Result<String>;
    /// The token's user and revocation ids, and whether it allows `access`.
    /// `TokenRejected` when it is not one well-formed token of ours, or it
    /// has expired.
    fn verify(&self, token: &str, access: Access) -> Result<VerifiedToken, TokenRejected>;
    /// The revocation ids of a genuine token, whatever it allows (to revoke it).
    fn revocation_ids(&self, token: &str) -> Result<Vec<String>, TokenRejected>;
    /// Forgets what verifying tokens taught this process (after a logout or
    /// a revocation here, so that no revoked token stays in a cache).
    fn forget_verified(&self);
}

/// Revoked token ids, checked on every request.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait RevocationList: Send + Sync {
    /// Records the ids as revoked; revoking twice is harmless.
    async fn revoke(&self, ids: &[String]) -> Result<(), RepositoryError>;
    /// Whether any of the ids was revoked.
    async fn any_revoked(&self, ids: &[String]) -> Result<bool, RepositoryError>;
}

/// Whether the storage behind the service answers.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    async fn ping(&self) -> Result<(), RepositoryError>;
}
