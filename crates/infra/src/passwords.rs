//! Argon2id password hashing, run on tokio's blocking pool.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use async_trait::async_trait;
use prospects_domain::PasswordHasher;

/// Argon2id with the crate's recommended parameters.
#[derive(Clone)]
pub struct Argon2Hasher {
    /// A hash of a random password, verified when the email is unknown.
    decoy: Arc<str>,
    /// One hash at a time per core: each takes 19 MiB and a core for tens
    /// of milliseconds, so a burst of logins queues here rather than
    /// taking memory and the blocking pool without bound.
    permits: Arc<tokio::sync::Semaphore>,
}

impl Argon2Hasher {
    pub fn new() -> anyhow::Result<Self> {
        let random = SaltString::generate(&mut OsRng);
        let decoy = hash_now(random.as_str())?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            decoy: decoy.into(),
            permits: Arc::new(tokio::sync::Semaphore::new(cores)),
        })
    }
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        // Held by the work itself, which goes on if the request is dropped.
        let permit = self.permits.clone().acquire_owned().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_now(&password)
        })
        .await?
    }

    async fn verify(&self, password: &str, hash: Option<String>) -> bool {
        let password = password.to_owned();
        // An unknown email, or a user with no usable hash (one created
        // without a password): the same work against the decoy, so that
        // neither can be told from a wrong password by its timing.
        let (hash, real) = match hash {
            Some(hash) if PasswordHash::new(&hash).is_ok() => (hash, true),
            _ => (self.decoy.to_string(), false),
        };
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return false;
        };
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_now(&password, &hash)
        })
        .await
        .unwrap_or(false);
        matched && real
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = Argon2Hasher::new().expect("hasher");
        let hash = hasher.hash("correct horse").await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse", Some(hash.clone())).await);
        assert!(!hasher.verify("wrong", Some(hash)).await);
        assert!(!hasher.verify("anything", None).await);
        assert!(!hasher.verify("x", Some("not a hash".to_owned())).await);
    }
}
