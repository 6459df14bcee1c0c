//! Test support: every test gets a database of its own, dropped when the
//! test ends, on the backend `PROSPECTS_TEST_BACKEND` names (`postgres`,
//! the default, or `sqlite`).
//!
//! PostgreSQL tests create their database on the server `DATABASE_URL`
//! names; `cargo xtask test` sets it, starting a throwaway cluster when none
//! is given. SQLite tests use a file in a temporary directory.

use std::path::PathBuf;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

/// The backend the contract and end-to-end suites run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Postgres,
    Sqlite,
}

impl TestBackend {
    pub fn current() -> Self {
        match std::env::var("PROSPECTS_TEST_BACKEND").as_deref() {
            Ok("sqlite") => TestBackend::Sqlite,
            Ok("postgres") | Ok("") | Err(_) => TestBackend::Postgres,
            Ok(other) => panic!("PROSPECTS_TEST_BACKEND must be postgres or sqlite, not {other}"),
        }
    }
}

/// A fresh, empty database; dropped on drop.
pub struct TestDb {
    url: String,
    place: Place,
}

enum Place {
    Postgres { name: String, server: String },
    Sqlite { dir: PathBuf },
}

/// The PostgreSQL server URL, or a panic that says how to provide one (never a silent skip).
pub fn server_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "These tests need PostgreSQL. Run them with `cargo xtask test`, which uses \
             DATABASE_URL or starts a throwaway cluster from initdb/pg_ctl, or set \
             DATABASE_URL=postgres://USER@HOST:PORT/postgres to a server where USER may \
             create databases (or PROSPECTS_TEST_BACKEND=sqlite to test on SQLite)."
        ),
    }
}

impl TestDb {
    pub async fn create() -> Self {
        match TestBackend::current() {
            TestBackend::Postgres => Self::postgres(Some(template().await)).await,
            TestBackend::Sqlite => Self::sqlite(),
        }
    }

    /// A database with no table at all, for tests of migrating itself.
    pub async fn create_empty() -> Self {
        match TestBackend::current() {
            TestBackend::Postgres => Self::postgres(None).await,
            TestBackend::Sqlite => Self::sqlite(),
        }
    }

    /// PostgreSQL: a copy of the migrated template (see [`template`]), or
    /// of the server's empty default with `None`.
    async fn postgres(template: Option<&str>) -> Self {
        let server = server_url();
        let name = format!("prospects_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to DATABASE_URL's server: {e}"));
        let from = template
            .map(|name| format!(" TEMPLATE {name}"))
            .unwrap_or_default();
        diesel::sql_query(format!("CREATE DATABASE {name}{from}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        Self {
            url: database_url(&server, &name),
            place: Place::Postgres { name, server },
        }
    }

    fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "prospects-test-db-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let url = format!("sqlite://{}", dir.join("test.db").display());
        Self {
            url,
            place: Place::Sqlite { dir },
        }
    }

    /// The URL of this test's database (`postgres://...` or `sqlite://PATH`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> TestBackend {
        match self.place {
            Place::Postgres { .. } => TestBackend::Postgres,
            Place::Sqlite { .. } => TestBackend::Sqlite,
        }
    }

    /// The database's name on the PostgreSQL server.
    pub fn postgres_name(&self) -> Option<&str> {
        match &self.place {
            Place::Postgres { name, .. } => Some(name),
            Place::Sqlite { .. } => None,
        }
    }

    /// Runs SQL statements directly, as a test's setup or inspection.
    pub async fn execute(&self, sql: &str) {
        self.try_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// [`TestDb::execute`], answering the database's refusal (a CHECK, say)
    /// rather than failing the test.
    pub async fn try_execute(&self, sql: &str) -> Result<(), diesel::result::Error> {
        match &self.place {
            Place::Postgres { .. } => {
                let mut conn = AsyncPgConnection::establish(&self.url)
                    .await
                    .expect("connect");
                conn.batch_execute(sql).await
            }
            Place::Sqlite { dir } => {
                let path = dir.join("test.db");
                let mut conn =
                    diesel::SqliteConnection::establish(&path.display().to_string()).expect("open");
                conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                    .expect("pragmas");
                conn.batch_execute(sql)
            }
        }
    }

    /// The single integer a query (`SELECT ... AS n`) returns.
    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        match &self.place {
            Place::Postgres { .. } => {
                let mut conn = AsyncPgConnection::establish(&self.url)
                    .await
                    .expect("connect");
                let row: Count = diesel::sql_query(sql)
                    .get_result(&mut conn)
                    .await
                    .expect("query");
                row.n
            }
            Place::Sqlite { dir } => {
                let path = dir.join("test.db");
                let mut conn =
                    diesel::SqliteConnection::establish(&path.display().to_string()).expect("open");
                let row: Count = diesel::RunQueryDsl::get_result(diesel::sql_query(sql), &mut conn)
                    .expect("query");
                row.n
            }
        }
    }
}

/// `server`'s URL with the database `name`.
fn database_url(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("DATABASE_URL is a URL");
    url.set_path(name);
    url.to_string()
}

const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("../../migrations/postgres");

/// PostgreSQL: a database migrated once per test process, which every test
/// database of the process is copied from (`CREATE DATABASE ... TEMPLATE`),
/// so that no test pays for the migrations. Named after the process; the
/// templates of processes that have ended are dropped here first.
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let server = server_url();
            let name = format!("prospects_template_{}", std::process::id());
            let mut admin = AsyncPgConnection::establish(&server)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to DATABASE_URL's server: {e}"));
            #[derive(diesel::QueryableByName)]
            struct Name {
                #[diesel(sql_type = diesel::sql_types::Text)]
                datname: String,
            }
            let templates: Vec<Name> = diesel::sql_query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'prospects\\_template\\_%'",
            )
            .load(&mut admin)
            .await
            .expect("list templates");
            for Name { datname } in templates {
                let pid = datname.trim_start_matches("prospects_template_");
                let alive = std::path::Path::new("/proc").join(pid).exists();
                if datname == name || !alive {
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await
                        .expect("drop an old template");
                }
            }
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("cannot create the template database: {e}"));
            let url = database_url(&server, &name);
            tokio::task::spawn_blocking(move || {
                use diesel_migrations::MigrationHarness;
                type Wrapper = diesel_async::async_connection_wrapper::AsyncConnectionWrapper<
                    AsyncPgConnection,
                >;
                let mut conn = <Wrapper as diesel::Connection>::establish(&url)
                    .expect("connect to the template");
                conn.run_pending_migrations(MIGRATIONS)
                    .expect("migrate the template");
            })
            .await
            .expect("the migration task");
            name
        })
        .await
}

/// An open transaction holding a lock that every write to `accounts`
/// waits for, until [`WriteLock::release`].
pub enum WriteLock {
    Postgres(Box<AsyncPgConnection>),
    Sqlite(diesel::SqliteConnection),
}

impl WriteLock {
    pub async fn release(self) {
        match self {
            WriteLock::Postgres(mut conn) => {
                conn.batch_execute("ROLLBACK").await.expect("rollback")
            }
            WriteLock::Sqlite(mut conn) => conn.batch_execute("ROLLBACK").expect("rollback"),
        }
    }
}

impl TestDb {
    /// Takes a lock that makes every write to `accounts` wait (reads go on):
    /// `LOCK TABLE ... IN SHARE MODE` on PostgreSQL, the write lock of the
    /// whole file (`BEGIN IMMEDIATE`) on SQLite.
    pub async fn lock_prospects(&self) -> WriteLock {
        match &self.place {
            Place::Postgres { .. } => {
                let mut conn = AsyncPgConnection::establish(&self.url)
                    .await
                    .expect("connect");
                conn.batch_execute("BEGIN; LOCK TABLE accounts IN SHARE MODE;")
                    .await
                    .expect("lock");
                WriteLock::Postgres(Box::new(conn))
            }
            Place::Sqlite { dir } => {
                let path = dir.join("test.db");
                let mut conn =
                    diesel::SqliteConnection::establish(&path.display().to_string()).expect("open");
                conn.batch_execute("PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE;")
                    .expect("lock");
                WriteLock::Sqlite(conn)
            }
        }
    }

    /// PostgreSQL: how many server processes of this database wait for a lock.
    pub async fn count_lock_waiters(&self) -> i64 {
        let Some(name) = self.postgres_name() else {
            return 0;
        };
        self.count(&format!(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = '{name}' AND wait_event_type = 'Lock'"
        ))
        .await
    }

    /// PostgreSQL: ends the server processes of this database that are
    /// waiting for a lock, as a crash or an operator would; how many.
    pub async fn terminate_lock_waiters(&self) -> i64 {
        let Some(name) = self.postgres_name() else {
            return 0;
        };
        self.count(&format!(
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = '{name}' AND wait_event_type = 'Lock'"
        ))
        .await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.place {
            Place::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { name, server } => {
                let server = server.clone();
                let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                // Drop may run inside a runtime that is shutting down: use a thread of our own.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let mut admin = AsyncPgConnection::establish(&server).await.ok()?;
                        diesel::sql_query(statement).execute(&mut admin).await.ok()
                    })
                })
                .join();
                if !matches!(dropped, Ok(Some(_))) {
                    eprintln!("warning: could not drop test database {name}");
                }
            }
        }
    }
}
