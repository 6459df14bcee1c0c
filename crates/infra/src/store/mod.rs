//! The storage adapter: one code base over PostgreSQL (production, several
//! processes) and SQLite (the embedded zero-configuration default).
//!
//! Queries are written once. [`with_conn!`] runs the same block of diesel
//! code on whichever connection the store holds; the compiler checks it for
//! both backends. Only connection setup and migrations differ per backend.

mod postgres;
mod prospects;
mod query;
mod references;
mod revocations;
mod sqlite;
mod users;

use std::time::Duration;

use async_trait::async_trait;
use diesel::sqlite::SqliteConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use prospects_domain::{HealthCheck, RepositoryError};

pub use query::list_sql;

/// SQLite behind diesel-async: each call runs on tokio's blocking pool.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

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

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
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

/// The store; hands out one adapter per port, all sharing its pool.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
}

impl Store {
    /// Applies pending migrations, then opens the pool. `url` is a
    /// `postgres://` URL or a SQLite file (`sqlite://PATH` or `PATH`).
    pub async fn connect(url: &str, settings: &PoolSettings) -> anyhow::Result<Self> {
        let pools = match Backend::of_url(url) {
            Backend::Postgres => Pools::Postgres(postgres::connect(url, settings).await?),
            Backend::Sqlite => {
                Pools::Sqlite(sqlite::connect(&sqlite::path_of(url), settings).await?)
            }
        };
        Ok(Self { pools })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Postgres(_) => Backend::Postgres,
            Pools::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The prospects table and what hangs off it.
    pub fn prospects(&self) -> Prospects {
        Prospects(self.clone())
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

    pub(crate) async fn conn(&self) -> Result<Conn, RepositoryError> {
        let unavailable = |e: &dyn std::fmt::Display| {
            RepositoryError::Unavailable(anyhow::anyhow!("no database connection: {e}"))
        };
        match &self.pools {
            Pools::Postgres(pool) => pool
                .get()
                .await
                .map(Conn::Postgres)
                .map_err(|e| unavailable(&e)),
            Pools::Sqlite(pool) => pool
                .get()
                .await
                .map(Conn::Sqlite)
                .map_err(|e| unavailable(&e)),
        }
    }
}

/// `ProspectRepository` on either backend.
#[derive(Clone)]
pub struct Prospects(Store);

/// `UserRepository` on either backend.
#[derive(Clone)]
pub struct Users(Store);

/// `ReferenceLookup` on either backend.
#[derive(Clone)]
pub struct References(Store);

/// `RevocationList` on either backend.
#[derive(Clone)]
pub struct Revocations(Store);

#[async_trait]
impl HealthCheck for Store {
    async fn ping(&self) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| diesel::sql_query("SELECT 1")
            .execute(c)
            .await)
        .map(|_| ())
        .map_err(|e| RepositoryError::Unavailable(e.into()))
    }
}
