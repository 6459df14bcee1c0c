//! Idempotency keys (the IETF draft "The Idempotency-Key HTTP Header Field",
//! with Stripe's semantics): a creating request sent again under the same
//! key gets the first one's response, never a second record.
//!
//! A key is first *claimed* (a short transaction of its own, so that a
//! retry arriving meanwhile sees it in flight); the write then stores its
//! response under the claim in the write's own transaction ([`Receipt`]),
//! so a record and the response that announced it are kept or lost together.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::{RepositoryError, UserId};

/// The longest key a client may send.
pub const MAX_KEY_CHARS: usize = 255;

/// A client's key, scoped to the user who sent it: two users' equal keys
/// are two keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub user: UserId,
    pub key: String,
}

/// What identifies the request a key was first sent with (a digest of its
/// method, path and body): the same key with another request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(pub String);

/// A response as first sent, to send again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub status: u16,
    /// The headers that matter to a client (`Location`, `ETag`).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A key held by one request while it runs; whoever holds the lease may
/// store the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub key: IdempotencyKey,
    /// Unique to the claim, so a request whose lease expired and was taken
    /// over cannot store its response over the new holder's.
    pub holder: String,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or expired, or left by a request that died): this
    /// request runs, under the lease.
    Leased(Lease),
    /// A request with this key and fingerprint completed: its response.
    Completed(Replay),
    /// A request with this key is still running.
    InFlight,
    /// The key was first sent with another request.
    Mismatch,
}

/// How long keys live and leases last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencySettings {
    /// How long a completed response is kept for retries (default 24 h);
    /// older keys are purged and may be used again.
    pub retention: Duration,
    /// How long a claim holds a key before a retry may take it over (the
    /// request that took it is then presumed dead). Longer than any write.
    pub lease: Duration,
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(24 * 60 * 60),
            lease: Duration::from_secs(60),
        }
    }
}

/// A write's promise to store its response under `lease`, in its own
/// transaction: `render` turns what was created into the response.
pub struct Receipt<T> {
    pub lease: Lease,
    render: Arc<dyn Fn(&T) -> Replay + Send + Sync>,
}

impl<T> Receipt<T> {
    pub fn new(lease: Lease, render: Arc<dyn Fn(&T) -> Replay + Send + Sync>) -> Self {
        Self { lease, render }
    }

    /// The response `created` gets.
    pub fn render(&self, created: &T) -> Replay {
        (self.render)(created)
    }
}

impl<T> fmt::Debug for Receipt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt")
            .field("lease", &self.lease)
            .finish()
    }
}

/// Storage of idempotency keys.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `key` for a request with `fingerprint`, atomically: of two
    /// requests claiming one key at once, one gets the lease and the other
    /// sees it in flight. A key older than `settings.retention`, or whose
    /// lease ran out without a response, is claimed anew.
    async fn claim(
        &self,
        key: &IdempotencyKey,
        fingerprint: &Fingerprint,
        settings: IdempotencySettings,
    ) -> Result<Claim, RepositoryError>;

    /// Gives the key up after a write that failed, so that the request may
    /// be retried under it; only while `lease` still holds it.
    async fn release(&self, lease: &Lease) -> Result<(), RepositoryError>;

    /// Deletes the keys older than `retention`; answers how many.
    async fn purge(&self, retention: Duration) -> Result<u64, RepositoryError>;
}

/// Why a key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl From<RepositoryError> for IdempotencyError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(cause) => IdempotencyError::Unavailable(cause),
            other => IdempotencyError::Unknown(other.into()),
        }
    }
}

/// Claims, releases and purges keys under the configured settings.
#[derive(Clone)]
pub struct IdempotencyService {
    keys: Arc<dyn IdempotencyRepository>,
    settings: IdempotencySettings,
}

impl IdempotencyService {
    pub fn new(keys: Arc<dyn IdempotencyRepository>, settings: IdempotencySettings) -> Self {
        Self { keys, settings }
    }

    pub async fn claim(
        &self,
        key: &IdempotencyKey,
        fingerprint: &Fingerprint,
    ) -> Result<Claim, IdempotencyError> {
        Ok(self.keys.claim(key, fingerprint, self.settings).await?)
    }

    /// Best effort: a key not released stays claimed until its lease ends.
    pub async fn release(&self, lease: &Lease) {
        let _ = self.keys.release(lease).await;
    }

    /// Deletes the expired keys; answers how many.
    pub async fn purge(&self) -> Result<u64, IdempotencyError> {
        Ok(self.keys.purge(self.settings.retention).await?)
    }

    pub fn settings(&self) -> IdempotencySettings {
        self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> IdempotencyKey {
        IdempotencyKey {
            user: UserId(7),
            key: "k-1".to_owned(),
        }
    }

    #[tokio::test]
    async fn a_claim_reaches_the_store_with_the_configured_settings() {
        let settings = IdempotencySettings {
            retention: Duration::from_secs(3600),
            lease: Duration::from_secs(30),
        };
        let mut keys = MockIdempotencyRepository::new();
        keys.expect_claim()
            .withf(move |k, f, s| *k == key() && f.0 == "f" && *s == settings)
            .returning(|_, _, _| Ok(Claim::InFlight));
        let service = IdempotencyService::new(Arc::new(keys), settings);
        let claim = service.claim(&key(), &Fingerprint("f".to_owned())).await;
        assert_eq!(claim.expect("claimed"), Claim::InFlight);
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable_and_a_failed_release_is_not_an_error() {
        let mut keys = MockIdempotencyRepository::new();
        keys.expect_claim()
            .returning(|_, _, _| Err(RepositoryError::Unavailable(anyhow::anyhow!("down"))));
        keys.expect_release()
            .returning(|_| Err(RepositoryError::Unavailable(anyhow::anyhow!("down"))));
        let service = IdempotencyService::new(Arc::new(keys), IdempotencySettings::default());
        let claim = service.claim(&key(), &Fingerprint("f".to_owned())).await;
        assert!(matches!(claim, Err(IdempotencyError::Unavailable(_))));
        let lease = Lease {
            key: key(),
            holder: "h".to_owned(),
        };
        service.release(&lease).await;
    }

    #[test]
    fn a_receipt_renders_what_was_created() {
        let lease = Lease {
            key: key(),
            holder: "h".to_owned(),
        };
        let receipt: Receipt<i64> = Receipt::new(
            lease,
            Arc::new(|id: &i64| Replay {
                status: 201,
                headers: vec![("ETag".to_owned(), "\"1\"".to_owned())],
                body: format!("{{\"id\":{id}}}"),
            }),
        );
        assert_eq!(receipt.render(&42).body, "{\"id\":42}");
    }
}
