//! Versions of records, for conditional writes: a client that read version
//! N may ask that its write happen only if the record is still at N
//! (`If-Match`), so that of two clients that read the same version and
//! write it back, one wins and the other is told, rather than one silently
//! undoing the other.

/// How many writes a record has seen: 1 when created, one more with every
/// write to it or to what it owns (an account's contacts, notes, documents,
/// payment plan: they are part of what it shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub i64);

/// What a conditional write requires of the record's version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Expected {
    /// Any version, or none: no condition.
    #[default]
    Any,
    /// Any version of a record that exists (`If-Match: *`): a write that
    /// would create the record (a payment plan's first PUT) is refused.
    Existing,
    /// One of these versions; none (an `If-Match` naming no version of
    /// ours) is never met.
    OneOf(Vec<Version>),
}

impl Expected {
    pub fn admits(&self, version: Version) -> bool {
        match self {
            Expected::Any | Expected::Existing => true,
            Expected::OneOf(versions) => versions.contains(&version),
        }
    }

    /// Whether a write may create the record when there is none.
    pub fn admits_none(&self) -> bool {
        matches!(self, Expected::Any)
    }

    /// The versions a write may find, when it is restricted to some.
    pub fn versions(&self) -> Option<&[Version]> {
        match self {
            Expected::Any | Expected::Existing => None,
            Expected::OneOf(versions) => Some(versions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_admits_every_version_and_one_of_only_its_own() {
        assert!(Expected::Any.admits(Version(7)));
        assert!(Expected::Existing.admits(Version(7)));
        assert!(Expected::Any.admits_none());
        assert!(!Expected::Existing.admits_none());
        assert!(!Expected::OneOf(vec![Version(1)]).admits_none());
        let expected = Expected::OneOf(vec![Version(2), Version(3)]);
        assert!(expected.admits(Version(3)));
        assert!(!expected.admits(Version(4)));
        assert!(!Expected::OneOf(vec![]).admits(Version(1)));
    }
}
