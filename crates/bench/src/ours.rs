//! The server's side of a scenario: one keep-alive connection per worker.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;

use crate::data::Rng;
use crate::http::Connection;
use crate::load::Worker;
use crate::scenarios::{Context, Scenario};

pub struct HttpWorker {
    conn: Connection,
    scenario: Arc<Scenario>,
    context: Arc<Context>,
    rng: Rng,
}

impl HttpWorker {
    pub async fn new(
        address: SocketAddr,
        scenario: Arc<Scenario>,
        context: Arc<Context>,
        seed: u64,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            conn: Connection::open(address).await?,
            scenario,
            context,
            rng: Rng::new(seed),
        })
    }
}

#[async_trait]
impl Worker for HttpWorker {
    async fn once(&mut self) -> Result<(), String> {
        let request = self.scenario.request(&self.context, &mut self.rng);
        let answer = self
            .conn
            .send_with(
                request.method,
                &request.path,
                self.context.token(self.scenario.caller),
                request.body,
                &request.headers,
            )
            .await
            .map_err(|e| format!("{}: {e:#}", request.path))?;
        if answer.status != request.expect {
            let body = String::from_utf8_lossy(&answer.body);
            return Err(format!(
                "{}: {} {}",
                request.path,
                answer.status,
                body.chars().take(200).collect::<String>()
            ));
        }
        Ok(())
    }
}
