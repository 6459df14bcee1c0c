//! Test support: every test gets a database of its own on the PostgreSQL
//! server named by `DATABASE_URL`, dropped when the test ends.
//!
//! `cargo xtask test` sets `DATABASE_URL`, starting a throwaway cluster when
//! none is given; running `cargo test` directly needs it set by hand.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// A fresh, empty database; dropped (with its connections) on drop.
pub struct TestDb {
    url: String,
    name: String,
    server: String,
}

/// The server URL, or a panic that says how to provide one (never a silent skip).
pub fn server_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "These tests need PostgreSQL. Run them with `cargo xtask test`, which uses \
             DATABASE_URL or starts a throwaway cluster from initdb/pg_ctl, or set \
             DATABASE_URL=postgres://USER@HOST:PORT/postgres to a server where USER may \
             create databases."
        ),
    }
}

impl TestDb {
    pub async fn create() -> Self {
        let server = server_url();
        let name = format!("prospects_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to DATABASE_URL's server: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        let mut url = url::Url::parse(&server).expect("DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            name,
            server,
        }
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
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
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}
