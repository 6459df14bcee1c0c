//! What failing on a record an account owns (a note, a contact) means, in
//! domain terms: one error type for every such record, so the web layer
//! maps them once.

use crate::validation::ValidationErrors;
use crate::{AccountId, AccountKind, Owner, RepositoryError};

/// A kind of record that hangs on an account and has its own id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Note,
    Contact,
    Document,
}

impl Record {
    /// The model's name, as the contract's 404 bodies name it.
    pub fn model(self) -> &'static str {
        match self {
            Record::Note => "Note",
            Record::Contact => "Contact",
            Record::Document => "Document",
        }
    }
}

/// Why an operation on an owned record failed.
#[derive(Debug, thiserror::Error)]
pub enum OwnedError {
    #[error("no {0:?} {1}")]
    NotFound(Record, i64),
    #[error("no {0:?} {1:?}")]
    OwnerNotFound(AccountKind, AccountId),
    #[error("forbidden")]
    Forbidden,
    /// The record's prospect has been converted.
    #[error("the prospect has already been converted")]
    Converted,
    /// Not at the version the write required; nothing was written.
    #[error("the record has changed since it was read")]
    Stale,
    /// Its idempotency key was taken over by a retry; nothing was written.
    #[error("another request holds the idempotency key")]
    InFlight,
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl OwnedError {
    /// `missing` is what a `NotFound` means for the operation at hand.
    pub(crate) fn from_repository(missing: OwnedError, error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => missing,
            RepositoryError::OutOfScope => OwnedError::Forbidden,
            RepositoryError::Converted => OwnedError::Converted,
            RepositoryError::Stale => OwnedError::Stale,
            RepositoryError::InFlight => OwnedError::InFlight,
            RepositoryError::Unavailable(cause) => OwnedError::Unavailable(cause),
            other => OwnedError::Unknown(other.into()),
        }
    }

    /// A failure of the storage itself, outside any one record.
    pub(crate) fn failure(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(cause) => OwnedError::Unavailable(cause),
            other => OwnedError::Unknown(other.into()),
        }
    }

    /// A `NotFound` that names the account.
    pub(crate) fn owner_missing(owner: Owner) -> Self {
        OwnedError::OwnerNotFound(owner.kind, owner.id)
    }
}
