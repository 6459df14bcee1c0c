//! Request budgets behind SPEC §4's 429: per token on `/api/v1`, and per
//! email and per client address on login. GCRA limiters held in this
//! process's memory, so each instance behind a load balancer counts on its
//! own (documented in `docs/security.md`).

use std::fmt;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};

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

/// One budget per key.
pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: Option<(u32, DefaultKeyedRateLimiter<K, StateInformationMiddleware>)>,
    hits: AtomicU32,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn new(limit: RateLimit) -> Self {
        let limiter = limit.quota().map(|(requests, quota)| {
            (
                requests,
                DefaultKeyedRateLimiter::keyed(quota)
                    .with_middleware::<StateInformationMiddleware>(),
            )
        });
        Self {
            limiter,
            hits: AtomicU32::new(0),
        }
    }

    /// Spends one request of `key`'s budget. `Ok(None)` when unlimited.
    pub fn hit(&self, key: &K) -> Result<Option<Budget>, Exhausted> {
        let Some((limit, limiter)) = &self.limiter else {
            return Ok(None);
        };
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
                limit: *limit,
                remaining: snapshot.remaining_burst_capacity(),
            })),
            Err(not_until) => Err(Exhausted {
                limit: *limit,
                retry_after: not_until.wait_time_from(DefaultClock::default().now()),
            }),
        }
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
    pub fn new(limits: RateLimits) -> Self {
        Self {
            per_token: Throttle::new(limits.per_token),
            login_per_email: Throttle::new(limits.login_per_email),
            login_per_address: Throttle::new(limits.login_per_address),
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

    #[test]
    fn a_budget_counts_down_then_says_how_long_to_wait() {
        let throttle = Throttle::new(limit("3/1h"));
        let key = "token".to_owned();
        let remaining: Vec<u32> = (0..3)
            .map(|_| {
                throttle
                    .hit(&key)
                    .expect("allowed")
                    .expect("limited")
                    .remaining
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let exhausted = throttle.hit(&key).expect_err("over budget");
        assert_eq!(exhausted.limit, 3);
        // One request is refilled every 20 minutes.
        let wait = exhausted.retry_after_seconds();
        assert!((1_190..=1_200).contains(&wait), "{wait}");
        assert!(throttle.hit(&"another token".to_owned()).is_ok());
    }

    #[test]
    fn off_never_limits() {
        let throttle = Throttle::new(RateLimit::Off);
        for _ in 0..10_000 {
            assert_eq!(throttle.hit(&1), Ok(None));
        }
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
