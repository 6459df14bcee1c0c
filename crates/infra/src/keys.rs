//! The Ed25519 root key that signs tokens: from the environment, or from a
//! key file created (mode 0600) on first use.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use biscuit_auth::builder::Algorithm;
use biscuit_auth::{KeyPair, PrivateKey};

/// The root key pair. `Debug` never shows the private half.
#[derive(Clone)]
pub struct RootKey(pub(crate) std::sync::Arc<KeyPair>);

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey([redacted])")
    }
}

impl RootKey {
    pub fn generate() -> Self {
        Self(std::sync::Arc::new(KeyPair::new()))
    }

    /// Reads a private key in hex (the format `prospects keys generate` prints).
    pub fn from_hex(hex: &str) -> anyhow::Result<Self> {
        let private = PrivateKey::from_bytes_hex(hex.trim(), Algorithm::Ed25519)
            .map_err(|e| anyhow::anyhow!("the root key is not a hex Ed25519 private key: {e}"))?;
        Ok(Self(std::sync::Arc::new(KeyPair::from(&private))))
    }

    pub fn to_hex(&self) -> String {
        self.0.private().to_bytes_hex()
    }

    /// A 32-byte secret for `purpose`, derived from the private key: so
    /// whatever shares the root key (every instance) shares it, and it
    /// changes when the root key does.
    pub fn derived_secret(&self, purpose: &str) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(purpose.len().to_be_bytes());
        hash.update(purpose.as_bytes());
        hash.update(self.0.private().to_bytes());
        hash.finalize().into()
    }

    /// The public half, in hex: what other services, or a rotated
    /// configuration, need to verify tokens signed with this key.
    pub fn public_hex(&self) -> String {
        self.0.public().to_bytes_hex()
    }
}

/// `ID:HEX`, or a bare `HEX` meaning id 0: how keys are written in settings.
pub fn split_key_id(value: &str) -> anyhow::Result<(u32, &str)> {
    match value.trim().split_once(':') {
        Some((id, hex)) => Ok((
            id.trim().parse().context("a key id is a number")?,
            hex.trim(),
        )),
        None => Ok((0, value.trim())),
    }
}

/// A comma-separated list of `ID:PUBLIC_HEX`: retired keys whose tokens are still accepted.
pub fn parse_public_keys(
    list: &str,
) -> anyhow::Result<std::collections::HashMap<u32, biscuit_auth::PublicKey>> {
    list.split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let (id, hex) = split_key_id(entry)?;
            let key = biscuit_auth::PublicKey::from_bytes_hex(hex, Algorithm::Ed25519)
                .map_err(|e| anyhow::anyhow!("key {id} is not a hex Ed25519 public key: {e}"))?;
            Ok((id, key))
        })
        .collect()
}

impl RootKey {
    /// The key in `path`, or a new one written there with mode 0600.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            let hex = fs::read_to_string(path)
                .with_context(|| format!("cannot read the root key file {}", path.display()))?;
            let mode = fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "the root key file is readable by others; chmod 600 it");
            }
            return Self::from_hex(&hex);
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let key = Self::generate();
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("cannot create the root key file {}", path.display()))?;
        file.write_all(key.to_hex().as_bytes())?;
        file.sync_all()?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("prospects-key-{}", std::process::id()));
        let path = dir.join("root.key");
        let _ = fs::remove_file(&path);
        let created = RootKey::load_or_create(&path).expect("created");
        let mode = fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = RootKey::load_or_create(&path).expect("loaded");
        assert_eq!(created.to_hex(), loaded.to_hex());
        fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = RootKey::generate();
        assert_eq!(format!("{key:?}"), "RootKey([redacted])");
    }
}
