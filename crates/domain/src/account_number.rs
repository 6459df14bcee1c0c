//! Account numbers: `PR` (prospects) or `CL` (customers) + the id,
//! zero-padded to at least six digits.

use std::fmt;

use crate::AccountKind;

/// An account's number. Only the database assigns ids, so the only ways to
/// get one are from an id ([`AccountNumber::for_id`]) or from a stored value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber(String);

impl AccountNumber {
    /// The account number of account `id`; ids past 999,999 keep every digit.
    pub fn for_id(kind: AccountKind, id: i64) -> Self {
        let prefix = match kind {
            AccountKind::Prospect => "PR",
            AccountKind::Customer => "CL",
        };
        Self(format!("{prefix}{id:06}"))
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
        let prospect = |id| AccountNumber::for_id(AccountKind::Prospect, id);
        assert_eq!(prospect(42).as_str(), "PR000042");
        assert_eq!(prospect(1).as_str(), "PR000001");
        assert_eq!(prospect(999_999).as_str(), "PR999999");
        let customer = AccountNumber::for_id(AccountKind::Customer, 42);
        assert_eq!(customer.as_str(), "CL000042");
    }

    #[test]
    fn keeps_every_digit_of_large_ids() {
        let number = AccountNumber::for_id(AccountKind::Customer, 1_234_567);
        assert_eq!(number.as_str(), "CL1234567");
    }
}
