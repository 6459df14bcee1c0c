//! Typed configuration, read from the environment (or flags) once at start
//! and passed down; secrets are wrapped so they never reach a log.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use prospects_http::{CorsOrigins, PublicUrl, RateLimit, RateLimits, TrustedProxies};

/// A value whose `Debug` output hides it (keys, URLs with passwords).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// Every setting; each flag also reads the environment variable it names.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to serve on.
    #[arg(long, env = "PROSPECTS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// `postgres://user:password@host:port/database`, or `sqlite://PATH`.
    /// Unset: the embedded SQLite database `<data dir>/prospects.db`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Where the embedded database, the root key file and the first
    /// administrator's token live.
    #[arg(long, env = "PROSPECTS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Where documents' files are stored. Unset: `<data dir>/documents`.
    /// Instances behind one load balancer must share it.
    #[arg(long, env = "PROSPECTS_DOCUMENTS_DIR")]
    pub documents_dir: Option<PathBuf>,

    /// The largest document, in bytes (413 above it).
    #[arg(long, env = "PROSPECTS_DOCUMENT_LIMIT", default_value_t = 10 * 1024 * 1024)]
    pub document_limit: u64,

    /// The longest a whole upload may take to arrive (408 past it).
    #[arg(long, env = "PROSPECTS_UPLOAD_TIMEOUT", default_value = "5m", value_parser = humantime::parse_duration)]
    pub upload_timeout: Duration,

    /// The Ed25519 root private key that signs tokens, `ID:HEX` (or `HEX`
    /// for id 0), as `prospects keys generate` prints it; overrides the key file.
    #[arg(long, env = "PROSPECTS_ROOT_KEY", hide_env_values = true)]
    pub root_key: Option<Secret>,

    /// Retired root keys whose tokens are still accepted: comma-separated
    /// `ID:PUBLIC_HEX`. Remove one to end its tokens.
    #[arg(long, env = "PROSPECTS_RETIRED_KEYS", default_value = "")]
    pub retired_keys: String,

    /// How long the response to a request sent with an `Idempotency-Key`
    /// is kept for its retries (at most a year); older keys are purged
    /// hourly and may be used again.
    #[arg(long, env = "PROSPECTS_IDEMPOTENCY_TTL", default_value = "24h", value_parser = idempotency_ttl)]
    pub idempotency_ttl: Duration,

    /// Lifetime of tokens issued at login.
    #[arg(long, env = "PROSPECTS_TOKEN_TTL", default_value = "24h", value_parser = humantime::parse_duration)]
    pub token_ttl: Duration,

    /// The largest `per_page` a list accepts.
    #[arg(long, env = "PROSPECTS_MAX_PER_PAGE", default_value_t = 100)]
    pub max_per_page: u32,

    /// The largest request body in bytes.
    #[arg(long, env = "PROSPECTS_BODY_LIMIT", default_value_t = 64 * 1024)]
    pub body_limit: usize,

    /// Database connections per process.
    #[arg(long, env = "PROSPECTS_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,

    /// Requests per token (tokens attenuated from one token share it):
    /// `N/PERIOD` or `off`. Beyond it: 429 with `Retry-After`.
    #[arg(long, env = "PROSPECTS_RATE_LIMIT", default_value = "60/1m")]
    pub rate_limit: RateLimit,

    /// Login attempts per email address: `N/PERIOD` or `off`.
    #[arg(long, env = "PROSPECTS_LOGIN_RATE_LIMIT_EMAIL", default_value = "5/1m")]
    pub login_rate_limit_email: RateLimit,

    /// Login attempts per client address: `N/PERIOD` or `off`.
    #[arg(
        long,
        env = "PROSPECTS_LOGIN_RATE_LIMIT_ADDRESS",
        default_value = "20/1m"
    )]
    pub login_rate_limit_address: RateLimit,

    /// The longest a request's head may take to arrive from its first byte,
    /// and then its body; past it, a 408 and the connection is closed.
    #[arg(long, env = "PROSPECTS_CLIENT_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub client_timeout: Duration,

    /// The absolute `http(s)` URL clients reach the service at; when set,
    /// every URL the API writes (page links, `Location`) starts with it.
    #[arg(long, env = "PROSPECTS_PUBLIC_URL")]
    pub public_url: Option<PublicUrl>,

    /// Proxies whose `Forwarded` / `X-Forwarded-*` headers are believed:
    /// comma-separated addresses or networks (`10.0.0.0/8`). Empty: none.
    #[arg(long, env = "PROSPECTS_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// After SIGTERM, how long the server keeps serving with `/readyz`
    /// answering 503 (so a load balancer stops sending new requests) before
    /// it stops accepting connections; in-flight requests then finish.
    #[arg(long, env = "PROSPECTS_DRAIN_DELAY", default_value = "2s", value_parser = humantime::parse_duration)]
    pub drain_delay: Duration,

    /// Where Prometheus metrics are served (`GET /metrics`), apart from the
    /// API so that they are not public; `off` serves none.
    #[arg(long, env = "PROSPECTS_METRICS_BIND", default_value = "127.0.0.1:9464")]
    pub metrics_bind: String,

    /// Origins whose browser apps may call the API (CORS): comma-separated
    /// `scheme://host[:port]`, or `*` for any. Empty: none (no CORS headers).
    #[arg(long, env = "PROSPECTS_CORS_ORIGINS", default_value = "")]
    pub cors_origins: CorsOrigins,

    /// `redis://host:port/db`: rate-limit budgets shared by every process
    /// using it. Unset: each process counts its own. While it does not
    /// answer, each process counts its own (and logs so once).
    #[arg(long, env = "PROSPECTS_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<Secret>,

    /// The bound on every wait on the database in one storage call: for a
    /// connection, a lock and the statements together; past it, a 503.
    #[arg(long, env = "PROSPECTS_DB_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub db_timeout: Duration,
}

impl Config {
    /// The database to use: `DATABASE_URL`, else the embedded SQLite file.
    pub fn database_url(&self) -> Secret {
        match &self.database_url {
            Some(url) if !url.expose().trim().is_empty() => url.clone(),
            _ => Secret(format!(
                "sqlite://{}",
                self.data_dir.join("prospects.db").display()
            )),
        }
    }

    /// The configured request budgets.
    pub fn rate_limits(&self) -> RateLimits {
        RateLimits {
            per_token: self.rate_limit,
            login_per_email: self.login_rate_limit_email,
            login_per_address: self.login_rate_limit_address,
        }
    }

    /// Where the first administrator's token is written.
    pub fn admin_token_path(&self) -> PathBuf {
        self.data_dir.join("admin.token")
    }

    /// Where documents' files are stored.
    pub fn documents_path(&self) -> PathBuf {
        self.documents_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("documents"))
    }

    /// The metrics address, unless metrics are off.
    pub fn metrics_address(&self) -> Option<&str> {
        let bind = self.metrics_bind.trim();
        (!bind.is_empty() && !bind.eq_ignore_ascii_case("off")).then_some(bind)
    }

    /// The key file used when `PROSPECTS_ROOT_KEY` is unset.
    pub fn root_key_path(&self) -> PathBuf {
        self.data_dir.join("root.key")
    }
}

/// A retention between a second and a year: timestamps a year back are
/// within every backend's range.
fn idempotency_ttl(text: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if ttl < Duration::from_secs(1) || ttl > Duration::from_secs(366 * 24 * 3600) {
        return Err("must be between 1s and 366days".to_owned());
    }
    Ok(ttl)
}
