//! SQLite: a file database with WAL, `synchronous=FULL` (an acknowledged
//! write survives a crash), enforced foreign keys and a busy timeout, set on
//! every connection.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use deadpool::Runtime;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use super::{PoolSettings, SqliteConn, StatementCounter};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Per-connection settings. A writer waits up to the configured bound for
/// another's lock before failing with "database is locked" (a 503).
/// The busy timeout comes first: switching to WAL itself may wait for a lock.
fn pragmas(busy_timeout: Duration) -> String {
    format!(
        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; \
         PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
        busy_timeout.as_millis().max(1)
    )
}

/// How long opening a connection keeps retrying a busy database.
const SETUP_PATIENCE: Duration = Duration::from_secs(5);

/// Applies [`pragmas`], retrying while the file is busy: SQLite answers
/// `PRAGMA journal_mode` with "database is locked" at once, without waiting
/// out the busy timeout, while another process holds a lock (say, migrating).
fn apply_pragmas(conn: &mut SqliteConnection, busy_timeout: Duration) -> diesel::QueryResult<()> {
    let started = Instant::now();
    let pragmas = pragmas(busy_timeout);
    loop {
        match conn.batch_execute(&pragmas) {
            Err(error) if is_busy(&error) && started.elapsed() < SETUP_PATIENCE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            outcome => return outcome,
        }
    }
}

fn is_busy(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(_, info)
        if info.message().contains("database is locked"))
}

/// The file a `sqlite://PATH` (or plain `PATH`) URL names.
pub fn path_of(url: &str) -> PathBuf {
    PathBuf::from(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    )
}

pub async fn connect(
    path: &Path,
    settings: &PoolSettings,
    statements: StatementCounter,
) -> anyhow::Result<Pool<SqliteConn>> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let location = path
        .to_str()
        .context("the SQLite path is not UTF-8")?
        .to_owned();
    migrate(&location).await?;
    let mut config = ManagerConfig::default();
    // A file connection does not go away: no test query on checkout.
    config.recycling_method = RecyclingMethod::Fast;
    let busy_timeout = settings.timeout;
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        let statements = statements.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = SqliteConnection::establish(&url)?;
                apply_pragmas(&mut conn, busy_timeout)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                statements.instrument(&mut conn);
                Ok(SyncConnectionWrapper::new(conn))
            })
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(location, config);
    Pool::builder(manager)
        .max_size(settings.max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(settings.timeout))
        .create_timeout(Some(settings.timeout))
        .recycle_timeout(Some(settings.timeout))
        .build()
        .context("cannot build the SQLite pool")
}

/// Applies the migrations in one exclusive transaction each, so that two
/// processes opening the same file do not apply one twice.
async fn migrate(location: &str) -> anyhow::Result<()> {
    let location = location.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = SqliteConnection::establish(&location)
            .with_context(|| format!("cannot open the SQLite database {location}"))?;
        // Another instance may be migrating the same file: wait as long as
        // opening a connection keeps retrying.
        apply_pragmas(&mut conn, SETUP_PATIENCE)?;
        conn.exclusive_transaction(|conn| {
            conn.run_pending_migrations(MIGRATIONS)
                .map(|_| ())
                .map_err(diesel::result::Error::QueryBuilderError)
        })
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
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

    /// Every table, index and trigger as its `CREATE` statement.
    fn schema(conn: &mut SqliteConnection) -> Vec<String> {
        diesel::sql_query(
            "SELECT coalesce(sql, name) AS line FROM sqlite_master \
              WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> '__diesel_schema_migrations' \
              ORDER BY name",
        )
        .load::<Line>(conn)
        .expect("the schema")
        .into_iter()
        .map(|row| row.line)
        .collect()
    }

    /// Migrations run up, down and up again, and give the same schema.
    #[test]
    fn migrations_run_up_down_up_to_the_same_schema() {
        if TestBackend::current() != TestBackend::Sqlite {
            return;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let db = runtime.block_on(TestDb::create());
        let mut conn =
            SqliteConnection::establish(&path_of(db.url()).display().to_string()).expect("open");
        apply_pragmas(&mut conn, SETUP_PATIENCE).expect("pragmas");
        conn.run_pending_migrations(MIGRATIONS).expect("up");
        let first = schema(&mut conn);
        assert!(
            first
                .iter()
                .any(|line| line.contains("CREATE TABLE accounts"))
        );
        conn.revert_all_migrations(MIGRATIONS).expect("down");
        assert_eq!(
            schema(&mut conn),
            Vec::<String>::new(),
            "down leaves nothing"
        );
        conn.run_pending_migrations(MIGRATIONS).expect("up again");
        assert_eq!(schema(&mut conn), first);
    }
}
