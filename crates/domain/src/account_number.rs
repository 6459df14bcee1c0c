//! Customer account numbers: `PR` + the prospect id, zero-padded to at least six digits.

use std::fmt;

/// A prospect's account number. Only the database assigns ids, so the only
/// ways to get one are from an id ([`AccountNumber::for_id`]) or from a stored value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber(String);

impl AccountNumber {
    pub const PREFIX: &'static str = "PR";

    /// The account number of prospect `id`; ids past 999,999 keep every digit.
    pub fn for_id(id: i64) -> Self {
        Self(format!("{}{id:06}", Self::PREFIX))
    }

    /// Wraps a value read back from storage, where the database generated it.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_small_ids_to_six_digits() {
        assert_eq!(AccountNumber::for_id(42).as_str(), "PR000042");
        assert_eq!(AccountNumber::for_id(1).as_str(), "PR000001");
        assert_eq!(AccountNumber::for_id(999_999).as_str(), "PR999999");
    }

    #[test]
    fn keeps_every_digit_of_large_ids() {
        assert_eq!(AccountNumber::for_id(1_234_567).as_str(), "PR1234567");
    }
}
