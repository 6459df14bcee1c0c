//! Rate-limit budgets in Redis (`PROSPECTS_REDIS_URL`), shared by every
//! process: one atomic script per request (GCRA, on Redis's own clock, so
//! the processes' clocks need not agree). Connected lazily: a process starts
//! and serves while Redis is down, counting its own budgets meanwhile (see
//! `prospects_http::throttle::SharedStore`).

use std::time::Duration;

use anyhow::Context;
use futures_util::future::BoxFuture;
use prospects_http::{SharedBudgets, Spent};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

/// The longest one budget check may wait on Redis, connecting included:
/// past it the request is counted locally instead of waiting more.
const BOUND: Duration = Duration::from_millis(250);

/// Every key this service writes starts with it.
const PREFIX: &str = "prospects:budget:";

/// GCRA: the key holds the theoretical arrival time (TAT) in microseconds.
/// A request is allowed when TAT + interval - limit × interval <= now; the
/// key then expires when the budget is full again. Returns {1, remaining}
/// or {0, microseconds to wait}.
const GCRA: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_from = next_tat - limit * interval
if allowed_from > now then
  return {0, allowed_from - now}
end
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil((next_tat - now) / 1000) + 1)
return {1, math.floor((now - allowed_from) / interval)}
";

pub struct RedisBudgets {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    script: redis::Script,
}

impl RedisBudgets {
    /// Reads the URL; connects on first use.
    pub fn open(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("PROSPECTS_REDIS_URL is not a Redis URL")?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
            script: redis::Script::new(GCRA),
        })
    }

    async fn connection(&self) -> anyhow::Result<ConnectionManager> {
        let connection = self
            .connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(BOUND)
                    .set_response_timeout(BOUND)
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .context("cannot connect to Redis")?;
        Ok(connection.clone())
    }

    async fn spend_within(
        &self,
        key: &str,
        limit: u32,
        interval: Duration,
    ) -> anyhow::Result<Spent> {
        let mut connection = self.connection().await?;
        let interval = u64::try_from(interval.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let (allowed, value): (i64, i64) = self
            .script
            .key(format!("{PREFIX}{key}"))
            .arg(interval)
            .arg(limit)
            .invoke_async(&mut connection)
            .await
            .context("the budget script failed")?;
        let value = u64::try_from(value).unwrap_or(0);
        Ok(if allowed == 1 {
            Spent::Allowed {
                remaining: u32::try_from(value).unwrap_or(u32::MAX),
            }
        } else {
            Spent::Refused {
                retry_after: Duration::from_micros(value),
            }
        })
    }
}

impl SharedBudgets for RedisBudgets {
    fn spend<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        interval: Duration,
    ) -> BoxFuture<'a, anyhow::Result<Spent>> {
        Box::pin(async move {
            tokio::time::timeout(BOUND, self.spend_within(key, limit, interval))
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("Redis did not answer within {BOUND:?}")))
        })
    }
}
