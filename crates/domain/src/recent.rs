//! Answers remembered for a short while: what SPEC §5 lets a process
//! believe for up to a second (a user's role, whether a token is revoked)
//! need not cost a database round trip on every request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A bounded map whose entries are forgotten `ttl` after they were read
/// from the source of truth.
pub struct Recent<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value remembered for `key`, unless it is older than the ttl.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(read_at, _)| read_at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    /// Remembers `value`, read from the source at `read_at` (before the
    /// read began, so its age is never understated). When full, stale
    /// entries go first, and everything if none is stale.
    pub fn put(&self, key: K, value: V, read_at: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (read_at, value));
    }

    /// Forgets one entry.
    pub fn forget(&self, key: &K) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Forgets everything (this process just changed the source).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_capacity_is_bounded() {
        let recent = Recent::new(Duration::from_millis(50), 2);
        let now = Instant::now();
        recent.put(1, "one", now);
        assert_eq!(recent.get(&1), Some("one"));
        recent.put(2, "two", now);
        recent.put(3, "three", now);
        assert!(recent.entries.lock().expect("lock").len() <= 2);
        assert_eq!(recent.get(&3), Some("three"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get(&3), None);
    }

    #[test]
    fn the_age_counts_from_the_read_and_zero_remembers_nothing() {
        let recent = Recent::new(Duration::from_millis(50), 8);
        recent.put(1, "old", Instant::now() - Duration::from_millis(60));
        assert_eq!(recent.get(&1), None);
        let never = Recent::new(Duration::ZERO, 8);
        never.put(1, "x", Instant::now());
        assert_eq!(never.get(&1), None);
    }
}
