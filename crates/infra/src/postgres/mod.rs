//! The PostgreSQL adapter: a pool with bounded waits, embedded migrations,
//! and the repository ports.

mod prospects;
mod references;
mod users;

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use deadpool::Runtime;
use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use prospects_domain::{HealthCheck, RepositoryError};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any fixed number: the advisory lock that serializes migrations when
/// several instances start at once.
const MIGRATION_LOCK: i64 = 0x7072_6f73_7065_6374;

/// How the pool waits; every wait is bounded so a dead database becomes a
/// 503 rather than a hung request.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    /// How long a request waits for a free connection.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub connect_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL store; implements every repository port.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
}

impl PgStore {
    /// Applies pending migrations, then opens the pool.
    pub async fn connect(url: &str, settings: &PoolSettings) -> anyhow::Result<Self> {
        migrate(url).await?;
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
        let pool = Pool::builder(manager)
            .max_size(settings.max_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.connect_timeout))
            .build()
            .context("cannot build the PostgreSQL pool")?;
        Ok(Self { pool })
    }

    /// The prospects table and what hangs off it.
    pub fn prospects(&self) -> PgProspects {
        PgProspects(self.clone())
    }

    pub fn users(&self) -> PgUsers {
        PgUsers(self.clone())
    }

    /// Existence checks on the tables a prospect references.
    pub fn references(&self) -> PgReferences {
        PgReferences(self.clone())
    }

    async fn conn(&self) -> Result<Object<AsyncPgConnection>, RepositoryError> {
        self.pool.get().await.map_err(|e| {
            RepositoryError::Unavailable(anyhow::anyhow!("no database connection: {e}"))
        })
    }
}

/// `ProspectRepository` on PostgreSQL.
#[derive(Clone)]
pub struct PgProspects(PgStore);

/// `UserRepository` on PostgreSQL.
#[derive(Clone)]
pub struct PgUsers(PgStore);

/// `ReferenceLookup` on PostgreSQL.
#[derive(Clone)]
pub struct PgReferences(PgStore);

/// Runs the embedded migrations under an advisory lock, so that instances
/// starting together apply each migration once.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    let url = url.to_owned();
    // The sync harness needs its own thread: it blocks on the async connection.
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("cannot connect to PostgreSQL")?;
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")),
            &mut conn,
        )?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")),
            &mut conn,
        )?;
        applied
    })
    .await
    .context("the migration task failed")?
}

#[async_trait]
impl HealthCheck for PgStore {
    async fn ping(&self) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| RepositoryError::Unavailable(e.into()))
    }
}
