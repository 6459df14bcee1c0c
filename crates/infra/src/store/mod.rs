//! The storage adapter: one code base over PostgreSQL (production, several
//! processes) and SQLite (the embedded zero-configuration default).
//!
//! Queries are written once. [`with_conn!`] runs the same block of diesel
//! code on whichever connection the store holds; the compiler checks it for
//! both backends. Only connection setup and migrations differ per backend.

mod accounts;
mod contacts;
mod documents;
mod history;
mod idempotency;
mod notes;
mod payment_plans;
mod postgres;
mod query;
mod reference_data;
mod references;
mod refold;
mod revocations;
mod sqlite;
mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool::managed::Timeouts;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::{AsyncConnection, SimpleAsyncConnection, TransactionManager};
use tokio::time::Instant;

use async_trait::async_trait;
use diesel::sqlite::SqliteConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use prospects_domain::{HealthCheck, RepositoryError};

use crate::errors::from_diesel;

pub use postgres::PLANNING as POSTGRES_PLANNING;
pub use query::{list_sql, seek_sql};

tokio::task_local! {
    /// When the storage call running on this task must be done by.
    static DEADLINE: Instant;
}

/// SQLite behind diesel-async: each call runs on tokio's blocking pool.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// How a transaction that writes at once begins on each backend.
pub(crate) trait BeginWrite: AsyncConnection {
    /// `BEGIN`; on SQLite `BEGIN IMMEDIATE`, which takes the write lock
    /// first: a deferred transaction whose first statement writes to the
    /// FTS5 index (an insert into `accounts`) fails at once with "database
    /// is locked" when another writer holds the lock, instead of waiting.
    async fn begin_write(&mut self) -> diesel::QueryResult<()>;
}

impl BeginWrite for AsyncPgConnection {
    async fn begin_write(&mut self) -> diesel::QueryResult<()> {
        <Self as AsyncConnection>::TransactionManager::begin_transaction(self).await
    }
}

impl BeginWrite for SqliteConn {
    async fn begin_write(&mut self) -> diesel::QueryResult<()> {
        self.spawn_blocking(|inner| {
            diesel::connection::AnsiTransactionManager::begin_transaction_sql(
                inner,
                "BEGIN IMMEDIATE",
            )
        })
        .await
    }
}

/// Runs `$body` (which returns `Result<_, StoreError>` and may `return`
/// early) in a transaction begun with [`BeginWrite::begin_write`] on
/// connection `$c`: committed when it succeeds, rolled back when it fails.
macro_rules! write_transaction {
    ($c:ident, $body:expr) => {
        async {
            $crate::store::BeginWrite::begin_write(&mut *$c).await?;
            let outcome: Result<_, $crate::errors::StoreError> = async { $body }.await;
            match outcome {
                Ok(value) => {
                    $crate::store::commit(&mut *$c).await?;
                    Ok(value)
                }
                Err(error) => {
                    // The write's own error says more than a failed rollback.
                    let _ = $crate::store::rollback(&mut *$c).await;
                    Err(error)
                }
            }
        }
        .await
    };
}
pub(crate) use write_transaction;

pub(crate) async fn commit<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::commit_transaction(c).await
}

pub(crate) async fn rollback<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::rollback_transaction(c).await
}

/// How the pool waits. One bound covers every wait on the database, so a
/// dead or frozen database becomes a 503 within it rather than a hung request.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    /// The longest one storage call may take, all its waits together:
    /// for a free connection, opening or checking one, and its statements
    /// (also PostgreSQL's `statement_timeout`, SQLite's busy timeout).
    pub timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            timeout: Duration::from_secs(5),
        }
    }
}

/// How many statements this store's connections have sent (every query,
/// `BEGIN` and `COMMIT`; not connection settings): what tests count a
/// request's cost in. The pool checks a connection without sending any.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        AtomicU64::load(&self.0, Ordering::Relaxed)
    }

    /// Takes back the count of a connection setting just sent (SQLite's
    /// per-call busy timeout, see `Store::conn`): no work asked of the
    /// database.
    fn uncount(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    /// Counts for one connection from now on.
    pub(crate) fn instrument(&self, conn: &mut impl diesel::connection::Connection) {
        conn.set_instrumentation(self.clone());
    }
}

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        // Never renders the statement: rendering each one (its SQL and
        // values) took 8 % of the server's CPU time in GET one (perf).
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout";

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgresql` or `sqlite` (logs, metrics).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgresql",
            Backend::Sqlite => "sqlite",
        }
    }

    /// `postgres://` or `postgresql://` is PostgreSQL; `sqlite://PATH` or a
    /// plain file path is SQLite.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Clone)]
enum Pools {
    Postgres(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>),
}

/// A checked-out connection of either backend.
#[expect(
    clippy::large_enum_variant,
    reason = "one lives briefly on a request's stack; boxing would cost an allocation per query"
)]
pub(crate) enum Conn {
    Postgres(Object<AsyncPgConnection>),
    Sqlite(Object<SqliteConn>),
}

/// Runs `$body` with `$c` bound to the `&mut` connection of whichever backend
/// `$conn` holds. The body is compiled once per backend.
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Postgres(object) => {
                let $c: &mut diesel_async::AsyncPgConnection = &mut *object;
                $body
            }
            $crate::store::Conn::Sqlite(object) => {
                let $c: &mut $crate::store::SqliteConn = &mut *object;
                $body
            }
        }
    };
}
pub(crate) use with_conn;

/// A snapshot of the connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max_size: usize,
    pub in_use: usize,
    pub idle: usize,
    /// Calls waiting for a connection.
    pub waiting: usize,
}

/// Failed storage calls, by kind: `unavailable` (not reached in time, or
/// the connection was lost) or `unexpected` (a statement failed for no
/// reason the domain knows). Rows not found, conflicts and the like are
/// answers, not failures.
pub const DATABASE_ERRORS: &str = "prospects_database_errors_total";

fn count_failure(error: &RepositoryError) {
    let kind = match error {
        RepositoryError::Unavailable(_) => "unavailable",
        RepositoryError::Unknown(_) => "unexpected",
        _ => return,
    };
    metrics::counter!(DATABASE_ERRORS, "kind" => kind).increment(1);
}

/// The store; hands out one adapter per port, all sharing its pool.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
    timeout: Duration,
    statements: StatementCounter,
}

impl Store {
    /// Applies pending migrations, then opens the pool. `url` is a
    /// `postgres://` URL or a SQLite file (`sqlite://PATH` or `PATH`).
    pub async fn connect(url: &str, settings: &PoolSettings) -> anyhow::Result<Self> {
        let statements = StatementCounter::default();
        let pools = match Backend::of_url(url) {
            Backend::Postgres => {
                Pools::Postgres(postgres::connect(url, settings, statements.clone()).await?)
            }
            Backend::Sqlite => Pools::Sqlite(
                sqlite::connect(&sqlite::path_of(url), settings, statements.clone()).await?,
            ),
        };
        let store = Self {
            pools,
            timeout: settings.timeout,
            statements,
        };
        refold::refold(&store)
            .await
            .map_err(|e| anyhow::anyhow!("cannot re-fold the search columns: {e}"))?;
        Ok(store)
    }

    /// The statements sent so far.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// Runs one storage call, checking out its connection included, within
    /// the configured bound; past it, `Unavailable`.
    ///
    /// On PostgreSQL the call is abandoned at the deadline: a connection left
    /// inside a transaction is reported broken and discarded when it returns
    /// to the pool, one that stopped answering fails its check on the next
    /// checkout, and the server's own `statement_timeout` ends the work.
    /// A SQLite call is never abandoned midway (diesel-async's SQLite wrapper
    /// blocks the thread, or panics on a current-thread runtime, when a
    /// running statement's future is dropped); its waits are bounded instead:
    /// the checkout by the deadline, and its statements by a busy timeout set
    /// to what remains of it (see [`Store::conn`]).
    pub(crate) async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, RepositoryError>>,
    ) -> Result<T, RepositoryError> {
        // A call made inside another (say, explaining a failed write) shares its deadline.
        let deadline = DEADLINE
            .try_with(|deadline| *deadline)
            .unwrap_or_else(|_| Instant::now() + self.timeout);
        let call = DEADLINE.scope(deadline, call);
        let outcome = match self.pools {
            Pools::Postgres(_) => tokio::time::timeout_at(deadline, call)
                .await
                .unwrap_or_else(|_| Err(self.timed_out())),
            Pools::Sqlite(_) => call.await,
        };
        if let Err(error) = &outcome {
            count_failure(error);
        }
        outcome
    }

    /// The pool's connections now (for metrics).
    pub fn pool_status(&self) -> PoolStatus {
        let status = match &self.pools {
            Pools::Postgres(pool) => pool.status(),
            Pools::Sqlite(pool) => pool.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            in_use: status.size.saturating_sub(status.available),
            idle: status.available,
            waiting: status.waiting,
        }
    }

    fn timed_out(&self) -> RepositoryError {
        RepositoryError::Unavailable(anyhow::anyhow!(
            "the database did not answer within {:?}",
            self.timeout
        ))
    }

    /// A pooled connection, within what remains of the current call's bound.
    pub(crate) async fn conn(&self) -> Result<Conn, RepositoryError> {
        let deadline = DEADLINE
            .try_with(|deadline| *deadline)
            .unwrap_or_else(|_| Instant::now() + self.timeout);
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.timed_out());
        }
        let timeouts = Timeouts {
            wait: Some(remaining),
            create: Some(remaining),
            recycle: Some(remaining),
        };
        let unavailable = |e: &dyn std::fmt::Display| {
            RepositoryError::Unavailable(anyhow::anyhow!("no database connection: {e}"))
        };
        match &self.pools {
            Pools::Postgres(pool) => pool
                .timeout_get(&timeouts)
                .await
                .map(Conn::Postgres)
                .map_err(|e| unavailable(&e)),
            Pools::Sqlite(pool) => {
                let mut conn = pool
                    .timeout_get(&timeouts)
                    .await
                    .map_err(|e| unavailable(&e))?;
                let remaining = deadline.saturating_duration_since(Instant::now());
                let busy_timeout = format!("{BUSY_TIMEOUT} = {}", remaining.as_millis().max(1));
                let set = conn.batch_execute(&busy_timeout).await;
                self.statements.uncount();
                set.map_err(from_diesel)?;
                Ok(Conn::Sqlite(conn))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Postgres(_) => Backend::Postgres,
            Pools::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The prospects table and what hangs off it.
    pub fn accounts(&self) -> Accounts {
        Accounts(self.clone())
    }

    /// The people at accounts.
    pub fn contacts(&self) -> Contacts {
        Contacts(self.clone())
    }

    /// Documents' metadata (their bytes are in a `FileStore`).
    pub fn documents(&self) -> Documents {
        Documents(self.clone())
    }

    /// Notes on accounts.
    pub fn notes(&self) -> Notes {
        Notes(self.clone())
    }

    /// Accounts' payment plans.
    pub fn payment_plans(&self) -> PaymentPlans {
        PaymentPlans(self.clone())
    }

    pub fn users(&self) -> Users {
        Users(self.clone())
    }

    /// Existence checks on the tables a prospect references.
    pub fn references(&self) -> References {
        References(self.clone())
    }

    /// Revoked token ids.
    pub fn revocations(&self) -> Revocations {
        Revocations(self.clone())
    }

    /// Idempotency keys and the responses stored under them.
    pub fn idempotency_keys(&self) -> IdempotencyKeys {
        IdempotencyKeys(self.clone())
    }

    pub fn history(&self) -> History {
        History(self.clone())
    }
}

/// `AccountRepository` on either backend.
#[derive(Clone)]
pub struct Accounts(Store);

/// `ContactRepository` on either backend.
#[derive(Clone)]
pub struct Contacts(Store);

/// `DocumentRepository` on either backend.
#[derive(Clone)]
pub struct Documents(Store);

/// `NoteRepository` on either backend.
#[derive(Clone)]
pub struct Notes(Store);

/// `PaymentPlanRepository` on either backend.
#[derive(Clone)]
pub struct PaymentPlans(Store);

/// `UserRepository` on either backend.
#[derive(Clone)]
pub struct Users(Store);

/// `ReferenceLookup` on either backend.
#[derive(Clone)]
pub struct References(Store);

/// `RevocationList` on either backend.
#[derive(Clone)]
pub struct Revocations(Store);

/// `IdempotencyRepository` on either backend.
#[derive(Clone)]
pub struct IdempotencyKeys(Store);

/// `HistoryRepository` on either backend.
#[derive(Clone)]
pub struct History(Store);

#[async_trait]
impl HealthCheck for Store {
    async fn ping(&self) -> Result<(), RepositoryError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            with_conn!(&mut conn, |c| diesel::sql_query("SELECT 1")
                .execute(c)
                .await)
            .map(|_| ())
            .map_err(|e| RepositoryError::Unavailable(e.into()))
        })
        .await
    }
}
