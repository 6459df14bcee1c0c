//! The database read directly, beside the server: the counts a scenario's
//! `total` must equal, and maintenance after seeding.

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use tokio_postgres::Client;

pub enum Direct {
    Postgres(Client),
    Sqlite(Arc<Mutex<SqliteConnection>>),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Direct {
    pub async fn postgres(url: &str) -> anyhow::Result<Self> {
        Ok(Self::Postgres(crate::floor::connect(url).await?))
    }

    pub fn sqlite(path: &str) -> anyhow::Result<Self> {
        let conn =
            SqliteConnection::establish(path).with_context(|| format!("cannot open {path}"))?;
        Ok(Self::Sqlite(Arc::new(Mutex::new(conn))))
    }

    /// `SELECT count(*) FROM accounts WHERE {matching}`.
    pub async fn count(&self, matching: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT count(*) AS n FROM accounts WHERE {matching}");
        match self {
            Self::Postgres(client) => Ok(client.query_one(&sql, &[]).await?.get(0)),
            Self::Sqlite(conn) => {
                let conn = Arc::clone(conn);
                tokio::task::spawn_blocking(move || {
                    let mut conn = conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    let count: Count = diesel::sql_query(sql).get_result(&mut *conn)?;
                    Ok(count.n)
                })
                .await?
            }
        }
    }

    /// Runs statements that return nothing (VACUUM, ANALYZE).
    pub async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Postgres(client) => Ok(client.batch_execute(sql).await?),
            Self::Sqlite(conn) => {
                let conn = Arc::clone(conn);
                let sql = sql.to_owned();
                tokio::task::spawn_blocking(move || {
                    let mut conn = conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    Ok(conn.batch_execute(&sql)?)
                })
                .await?
            }
        }
    }

    /// The database's name and version, for the report.
    pub async fn version(&self) -> anyhow::Result<String> {
        match self {
            Self::Postgres(client) => {
                let version: String = client.query_one("SHOW server_version", &[]).await?.get(0);
                Ok(format!("PostgreSQL {version}"))
            }
            Self::Sqlite(conn) => {
                #[derive(QueryableByName)]
                struct Version {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    v: String,
                }
                let conn = Arc::clone(conn);
                tokio::task::spawn_blocking(move || {
                    let mut conn = conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    let version: Version =
                        diesel::sql_query("SELECT sqlite_version() AS v").get_result(&mut *conn)?;
                    Ok(format!("SQLite {}", version.v))
                })
                .await?
            }
        }
    }
}
