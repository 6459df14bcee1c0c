//! Request budgets behind SPEC §4's 429: per token on `/api/v1`, and per
//! email and per client address on login. GCRA limiters, in a store every
//! instance shares when one is configured (`PROSPECTS_REDIS_URL`), and in
//! this process's memory otherwise or while that store does not answer.

use std::fmt;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::metrics;

/// A budget: `N/PERIOD` (e.g. `60/1m`) allows bursts of N requests, refilled
/// evenly over PERIOD; `off` allows everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    Off,
    Every {
        requests: NonZeroU32,
        period: Duration,
    },
}

impl RateLimit {
    pub const fn per_minute(requests: NonZeroU32) -> Self {
        RateLimit::Every {
            requests,
            period: Duration::from_secs(60),
        }
    }

    fn quota(self) -> Option<(u32, Quota)> {
        match self {
            RateLimit::Off => None,
            RateLimit::Every { requests, period } => {
                let quota = Quota::with_period(period / requests.get())?.allow_burst(requests);
                Some((requests.get(), quota))
            }
        }
    }
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(RateLimit::Off);
        }
        let (requests, period) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not `N/PERIOD` (e.g. `60/1m`) or `off`"))?;
        let requests: NonZeroU32 = requests
            .trim()
            .parse()
            .map_err(|_| format!("`{requests}` is not a positive number of requests"))?;
        let period = humantime::parse_duration(period.trim())
            .map_err(|error| format!("`{period}` is not a period: {error}"))?;
        let limit = RateLimit::Every { requests, period };
        limit
            .quota()
            .map(|_| limit)
            .ok_or_else(|| format!("`{text}` refills faster than once a nanosecond"))
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateLimit::Off => f.write_str("off"),
            RateLimit::Every { requests, period } => {
                write!(f, "{requests}/{}", humantime::format_duration(*period))
            }
        }
    }
}

/// What is left of a budget after a request: Laravel's `X-RateLimit-Limit`
/// and `X-RateLimit-Remaining`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
}

/// A spent budget: how long until the next request is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    pub limit: u32,
    pub retry_after: Duration,
}

impl Exhausted {
    /// `Retry-After` in whole seconds, rounded up so a client that waits
    /// exactly that long is let through.
    pub fn retry_after_seconds(&self) -> u64 {
        let seconds = self.retry_after.as_secs();
        let rounded = if self.retry_after.subsec_nanos() > 0 {
            seconds + 1
        } else {
            seconds
        };
        rounded.max(1)
    }
}

/// Forget keys whose budgets are full again every this many requests, so
/// memory follows the keys active within one period, not every key ever seen.
const HOUSEKEEPING_EVERY: u32 = 1024;

/// Budgets kept outside the process, shared by every instance behind one
/// address (Redis, in the binary): one atomic GCRA step per request.
pub trait SharedBudgets: Send + Sync {
    /// Spends one request of `key`'s budget: at most `limit` at once,
    /// refilled one per `interval`. An error means the store did not answer
    /// (in time); the caller then counts on its own.
    fn spend<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        interval: Duration,
    ) -> BoxFuture<'a, anyhow::Result<Spent>>;
}

/// One step of a shared budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Allowed { remaining: u32 },
    Refused { retry_after: Duration },
}

/// How long a failed shared store is left alone before it is tried again:
/// meanwhile requests are not delayed by it.
const SHARED_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The shared store and whether it is currently failing; one per process,
/// so the fallback is logged once, not per budget or per request.
pub struct SharedStore {
    budgets: Arc<dyn SharedBudgets>,
    failing_since: Mutex<Option<Instant>>,
}

impl SharedStore {
    pub fn new(budgets: Arc<dyn SharedBudgets>) -> Arc<Self> {
        Arc::new(Self {
            budgets,
            failing_since: Mutex::new(None),
        })
    }

    /// `None` when the store failed now or recently: count locally.
    async fn spend(&self, key: &str, limit: u32, interval: Duration) -> Option<Spent> {
        let failing = *self.failing_since.lock().unwrap_or_else(|e| e.into_inner());
        if failing.is_some_and(|since| since.elapsed() < SHARED_RETRY_AFTER) {
            return None;
        }
        let outcome = self.budgets.spend(key, limit, interval).await;
        let mut failing_since = self.failing_since.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(spent) => {
                if failing_since.take().is_some() {
                    tracing::info!("shared rate-limit budgets are reachable again");
                }
                Some(spent)
            }
            Err(error) => {
                if failing_since.is_none() {
                    tracing::warn!(error = %format!("{error:#}"), "shared rate-limit budgets unreachable: each process counts its own until they are back");
                }
                *failing_since = Some(Instant::now());
                None
            }
        }
    }
}

/// One budget per key: in the shared store when there is one and it
/// answers, else in this process's memory.
pub struct Throttle<K: Hash + Eq + Clone> {
    /// The budget's name, in metrics and in shared keys.
    name: &'static str,
    limiter: Option<(u32, DefaultKeyedRateLimiter<K, StateInformationMiddleware>)>,
    /// The emission interval of `limiter`'s quota (one request refilled).
    interval: Duration,
    shared: Option<Arc<SharedStore>>,
    hits: AtomicU32,
}

impl<K: Hash + Eq + Clone + fmt::Display> Throttle<K> {
    pub fn new(name: &'static str, limit: RateLimit) -> Self {
        let quota = limit.quota();
        let interval = quota
            .map(|(_, quota)| quota.replenish_interval())
            .unwrap_or_default();
        let limiter = quota.map(|(requests, quota)| {
            (
                requests,
                DefaultKeyedRateLimiter::keyed(quota)
                    .with_middleware::<StateInformationMiddleware>(),
            )
        });
        Self {
            name,
            limiter,
            interval,
            shared: None,
            hits: AtomicU32::new(0),
        }
    }

    fn sharing(mut self, shared: Option<Arc<SharedStore>>) -> Self {
        self.shared = shared;
        self
    }

    /// Spends one request of `key`'s budget. `Ok(None)` when unlimited.
    pub async fn hit(&self, key: &K) -> Result<Option<Budget>, Exhausted> {
        let Some((limit, limiter)) = &self.limiter else {
            return Ok(None);
        };
        let limit = *limit;
        if let Some(shared) = &self.shared {
            let key = self.shared_key(key);
            match shared.spend(&key, limit, self.interval).await {
                Some(Spent::Allowed { remaining }) => {
                    return Ok(Some(Budget { limit, remaining }));
                }
                Some(Spent::Refused { retry_after }) => {
                    metrics::rate_limited(self.name);
                    return Err(Exhausted { limit, retry_after });
                }
                None => {}
            }
        }
        if self
            .hits
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(HOUSEKEEPING_EVERY)
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        match limiter.check_key(key) {
            Ok(snapshot) => Ok(Some(Budget {
                limit,
                remaining: snapshot.remaining_burst_capacity(),
            })),
            Err(not_until) => {
                metrics::rate_limited(self.name);
                Err(Exhausted {
                    limit,
                    retry_after: not_until.wait_time_from(DefaultClock::default().now()),
                })
            }
        }
    }

    /// `name:digest`: keys of any length (an email) and no personal data
    /// (an email, an address) stored outside the process.
    fn shared_key(&self, key: &K) -> String {
        let digest = Sha256::digest(key.to_string().as_bytes());
        format!("{}:{}", self.name, URL_SAFE_NO_PAD.encode(&digest[..18]))
    }
}

/// The configured budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests per token; tokens attenuated from one issued token share it.
    pub per_token: RateLimit,
    /// Login attempts per email address.
    pub login_per_email: RateLimit,
    /// Login attempts per client address.
    pub login_per_address: RateLimit,
}

/// `60/1m`, Laravel's default `api` throttle.
const PER_TOKEN: NonZeroU32 = NonZeroU32::new(60).expect("non-zero");
/// `5/1m`, Laravel's default login throttle.
const LOGIN_PER_EMAIL: NonZeroU32 = NonZeroU32::new(5).expect("non-zero");
/// `20/1m`: a few people behind one address may log in together.
const LOGIN_PER_ADDRESS: NonZeroU32 = NonZeroU32::new(20).expect("non-zero");

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_token: RateLimit::per_minute(PER_TOKEN),
            login_per_email: RateLimit::per_minute(LOGIN_PER_EMAIL),
            login_per_address: RateLimit::per_minute(LOGIN_PER_ADDRESS),
        }
    }
}

impl RateLimits {
    /// No limits at all (tests that are not about limits).
    pub const OFF: RateLimits = RateLimits {
        per_token: RateLimit::Off,
        login_per_email: RateLimit::Off,
        login_per_address: RateLimit::Off,
    };
}

/// The live budgets of one process.
pub struct Throttles {
    pub per_token: Throttle<String>,
    pub login_per_email: Throttle<String>,
    pub login_per_address: Throttle<IpAddr>,
}

impl Throttles {
    /// Budgets counted in this process only.
    pub fn new(limits: RateLimits) -> Self {
        Self::sharing(limits, None)
    }

    /// Budgets counted in `shared` while it answers (every process then
    /// spends the same budgets), in this process while it does not.
    pub fn sharing(limits: RateLimits, shared: Option<Arc<SharedStore>>) -> Self {
        Self {
            per_token: Throttle::new("token", limits.per_token).sharing(shared.clone()),
            login_per_email: Throttle::new("login_email", limits.login_per_email)
                .sharing(shared.clone()),
            login_per_address: Throttle::new("login_address", limits.login_per_address)
                .sharing(shared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(text: &str) -> RateLimit {
        text.parse().expect("a rate limit")
    }

    #[test]
    fn limits_read_as_requests_per_period_or_off() {
        assert_eq!(limit("off"), RateLimit::Off);
        assert_eq!(
            limit(" 60 / 1m "),
            RateLimit::per_minute(NonZeroU32::new(60).expect("non-zero"))
        );
        assert_eq!(limit("5/1m").to_string(), "5/1m");
        for bad in [
            "",
            "60",
            "0/1m",
            "-1/1m",
            "x/1m",
            "60/",
            "60/forever",
            "2/1ns",
        ] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_budget_counts_down_then_says_how_long_to_wait() {
        let throttle = Throttle::new("token", limit("3/1h"));
        let key = "token".to_owned();
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let budget = throttle.hit(&key).await.expect("allowed");
            remaining.push(budget.expect("limited").remaining);
        }
        assert_eq!(remaining, [2, 1, 0]);
        let exhausted = throttle.hit(&key).await.expect_err("over budget");
        assert_eq!(exhausted.limit, 3);
        // One request is refilled every 20 minutes.
        let wait = exhausted.retry_after_seconds();
        assert!((1_190..=1_200).contains(&wait), "{wait}");
        assert!(throttle.hit(&"another token".to_owned()).await.is_ok());
    }

    #[tokio::test]
    async fn off_never_limits() {
        let throttle = Throttle::new("token", RateLimit::Off);
        for _ in 0..10_000 {
            assert_eq!(throttle.hit(&1).await, Ok(None));
        }
    }

    /// A shared store that answers `answer` (an error when `None`) and
    /// counts its calls.
    struct Scripted {
        answer: Option<Spent>,
        calls: AtomicU32,
        keys: Mutex<Vec<String>>,
    }

    impl SharedBudgets for Scripted {
        fn spend<'a>(
            &'a self,
            key: &'a str,
            _limit: u32,
            _interval: Duration,
        ) -> BoxFuture<'a, anyhow::Result<Spent>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.keys.lock().expect("keys").push(key.to_owned());
            let answer = self
                .answer
                .ok_or_else(|| anyhow::anyhow!("connection refused"));
            Box::pin(async move { answer })
        }
    }

    fn scripted(answer: Option<Spent>) -> (Arc<Scripted>, Throttle<String>) {
        let store = Arc::new(Scripted {
            answer,
            calls: AtomicU32::new(0),
            keys: Mutex::new(Vec::new()),
        });
        let throttle = Throttle::new("login_email", limit("2/1h"))
            .sharing(Some(SharedStore::new(store.clone())));
        (store, throttle)
    }

    #[tokio::test]
    async fn a_shared_store_that_answers_decides_and_never_sees_the_key_itself() {
        let refused = Spent::Refused {
            retry_after: Duration::from_secs(7),
        };
        let (store, throttle) = scripted(Some(refused));
        let key = "ann@example.test".to_owned();
        let exhausted = throttle.hit(&key).await.expect_err("the store refused");
        assert_eq!(exhausted.retry_after_seconds(), 7);
        let keys = store.keys.lock().expect("keys").clone();
        assert_eq!(keys.len(), 1);
        assert!(keys[0].starts_with("login_email:"), "{keys:?}");
        assert!(!keys[0].contains("ann"), "{keys:?}");
        assert_eq!(keys[0].len(), "login_email:".len() + 24);

        let (_, throttle) = scripted(Some(Spent::Allowed { remaining: 41 }));
        let budget = throttle.hit(&key).await.expect("allowed");
        assert_eq!(
            budget,
            Some(Budget {
                limit: 2,
                remaining: 41
            })
        );
    }

    #[tokio::test]
    async fn an_unreachable_store_falls_back_to_local_budgets_and_is_left_alone_a_while() {
        let (store, throttle) = scripted(None);
        let key = "ann@example.test".to_owned();
        assert!(throttle.hit(&key).await.is_ok());
        assert!(throttle.hit(&key).await.is_ok());
        assert!(
            throttle.hit(&key).await.is_err(),
            "the local budget applies"
        );
        assert_eq!(
            store.calls.load(Ordering::SeqCst),
            1,
            "tried once, then skipped"
        );
    }

    #[test]
    fn retry_after_rounds_up_to_at_least_a_second() {
        let wait = |millis| {
            Exhausted {
                limit: 1,
                retry_after: Duration::from_millis(millis),
            }
            .retry_after_seconds()
        };
        assert_eq!(wait(0), 1);
        assert_eq!(wait(1), 1);
        assert_eq!(wait(1000), 1);
        assert_eq!(wait(1001), 2);
    }
}
