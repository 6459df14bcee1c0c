//! PostgreSQL: the pool and the migrations (under an advisory lock, so that
//! instances starting together apply each migration once).

use anyhow::Context;
use deadpool::Runtime;
use diesel::Connection;
use diesel_async::AsyncPgConnection;
use diesel_async::SimpleAsyncConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use super::{PoolSettings, StatementCounter};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any fixed number: the advisory lock that serializes migrations.
const MIGRATION_LOCK: i64 = 0x7072_6f73_7065_6374;

/// Every statement is planned with its values (custom plans), never once
/// for all values: a generic plan cannot tell a LIKE pattern or a LIMIT,
/// and at 100k rows it walks the id index filtering every row, or scans the
/// table (tests/plans.rs). Planning a list statement costs well under a
/// millisecond.
pub const PLANNING: &str = "SET plan_cache_mode = force_custom_plan;";

pub async fn connect(
    url: &str,
    settings: &PoolSettings,
    statements: StatementCounter,
) -> anyhow::Result<Pool<AsyncPgConnection>> {
    migrate(url).await?;
    let mut config = ManagerConfig::default();
    config.recycling_method =
        RecyclingMethod::CustomFunction(Box::new(|conn| refuse_closed(conn).boxed()));
    let statement_timeout = format!(
        "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {0}; {PLANNING}",
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

/// The pool's check of an idle connection before handing it out, without a
/// round trip (a test query would be one more per request): first lets the
/// runtime read what has come in on the connection's socket, so that a
/// close that has reached this machine (a server shut down or restarted,
/// the connection ended by an operator) is seen, then refuses the connection
/// if it is closed. The pool then takes another or opens one. A close still
/// on its way fails the request's first statement instead: a 503
/// (outages.rs), never a wrong answer.
async fn refuse_closed(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    tokio::task::yield_now().await;
    if PoolableConnection::is_broken(conn) {
        return Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new("the connection was closed while idle".to_owned()),
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl as _;
    use prospects_testkit::{TestBackend, TestDb};

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }

    /// Tables, columns, constraints and indexes, one per line.
    fn schema(conn: &mut AsyncConnectionWrapper<AsyncPgConnection>) -> Vec<String> {
        let query = "\
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
                   || ' ' || coalesce(column_default, '') || ' ' || is_identity AS line \
              FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
            UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
               AND conrelid::regclass::text <> '__diesel_schema_migrations' \
            UNION ALL SELECT indexdef FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations' \
            ORDER BY 1";
        diesel::sql_query(query)
            .load::<Line>(conn)
            .expect("the schema")
            .into_iter()
            .map(|row| row.line)
            .collect()
    }

    /// Migrations run up, down and up again, and give the same schema.
    #[tokio::test(flavor = "multi_thread")]
    async fn migrations_run_up_down_up_to_the_same_schema() {
        if TestBackend::current() != TestBackend::Postgres {
            return;
        }
        let db = TestDb::create().await;
        let url = db.url().to_owned();
        tokio::task::spawn_blocking(move || {
            let mut conn =
                AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).expect("connect");
            conn.run_pending_migrations(MIGRATIONS).expect("up");
            let first = schema(&mut conn);
            assert!(first.iter().any(|line| line.starts_with("accounts.name ")));
            conn.revert_all_migrations(MIGRATIONS).expect("down");
            assert_eq!(
                schema(&mut conn),
                Vec::<String>::new(),
                "down leaves nothing"
            );
            conn.run_pending_migrations(MIGRATIONS).expect("up again");
            assert_eq!(schema(&mut conn), first);
        })
        .await
        .expect("the migration task");
    }
}
