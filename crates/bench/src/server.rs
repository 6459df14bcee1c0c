//! The `prospects` server under test: started on a free loopback port with
//! rate limits off, stopped when dropped.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use hyper::{Method, StatusCode};

use crate::http::Connection;

pub struct Server {
    child: Child,
    pub address: SocketAddr,
}

impl Server {
    /// Starts `binary` on `database_url`, keeping its files and its log in
    /// `data_dir`, and waits until `/readyz` answers.
    pub async fn start(binary: &Path, database_url: &str, data_dir: &Path) -> anyhow::Result<Self> {
        let address = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = std::fs::File::create(data_dir.join("server.log"))?;
        let child = Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("PROSPECTS_BIND", address.to_string())
            // Recorded as in production, served on a free port.
            .env("PROSPECTS_METRICS_BIND", "127.0.0.1:0")
            .env("PROSPECTS_DATA_DIR", data_dir)
            .env("PROSPECTS_RATE_LIMIT", "off")
            .env("PROSPECTS_LOGIN_RATE_LIMIT_EMAIL", "off")
            .env("PROSPECTS_LOGIN_RATE_LIMIT_ADDRESS", "off")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = Self { child, address };
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "the server exited ({status}); see {}",
                    data_dir.join("server.log").display()
                );
            }
            if let Ok(mut conn) = Connection::open(address).await
                && let Ok(answer) = conn.send(Method::GET, "/readyz", "", None).await
                && answer.status == StatusCode::OK
            {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("the server was not ready within 5 minutes");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Resident memory now and at its peak, in KiB (Linux).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
