//! PostgreSQL: the pool and the migrations (under an advisory lock, so that
//! instances starting together apply each migration once).

use anyhow::Context;
use deadpool::Runtime;
use diesel::Connection;
use diesel_async::AsyncPgConnection;
use diesel_async::SimpleAsyncConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use super::{PoolSettings, StatementCounter};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any fixed number: the advisory lock that serializes migrations.
const MIGRATION_LOCK: i64 = 0x7072_6f73_7065_6374;

pub async fn connect(
    url: &str,
    settings: &PoolSettings,
    statements: StatementCounter,
) -> anyhow::Result<Pool<AsyncPgConnection>> {
    migrate(url).await?;
    let mut config = ManagerConfig::default();
    let statement_timeout = format!(
        "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {0};",
        settings.timeout.as_millis().max(1)
    );
    // The server gives up on a statement within the bound too, so work the
    // service has stopped waiting for does not go on holding locks.
    config.custom_setup = Box::new(move |url| {
        let statement_timeout = statement_timeout.clone();
        let statements = statements.clone();
        let url = url.to_owned();
        async move {
            let mut conn =
                <AsyncPgConnection as diesel_async::AsyncConnection>::establish(&url).await?;
            conn.batch_execute(&statement_timeout)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            <AsyncPgConnection as diesel_async::AsyncConnection>::set_instrumentation(
                &mut conn, statements,
            );
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(settings.max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(settings.timeout))
        .create_timeout(Some(settings.timeout))
        .recycle_timeout(Some(settings.timeout))
        .build()
        .context("cannot build the PostgreSQL pool")
}

async fn migrate(url: &str) -> anyhow::Result<()> {
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
