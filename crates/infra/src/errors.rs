//! Turning diesel and pool failures into the domain's [`RepositoryError`].

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use prospects_domain::{Reference, RepositoryError};

/// Errors inside an adapter: diesel's own, or a domain outcome decided
/// mid-transaction (which must also roll it back).
#[derive(Debug)]
pub enum StoreError {
    Diesel(DieselError),
    Domain(RepositoryError),
}

impl StoreError {
    /// A foreign-key failure the database did not attribute to a constraint
    /// we know (SQLite never names it).
    pub fn is_unnamed_foreign_key_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Diesel(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info))
                if info.constraint_name().and_then(reference_of_constraint).is_none()
        )
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        StoreError::Diesel(error)
    }
}

impl From<RepositoryError> for StoreError {
    fn from(error: RepositoryError) -> Self {
        StoreError::Domain(error)
    }
}

impl From<StoreError> for RepositoryError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Domain(error) => error,
            StoreError::Diesel(error) => from_diesel(error),
        }
    }
}

/// Maps constraint violations to domain errors by constraint name, and lost
/// connections to `Unavailable`.
pub fn from_diesel(error: DieselError) -> RepositoryError {
    match &error {
        DieselError::NotFound => RepositoryError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            match info.constraint_name().and_then(reference_of_constraint) {
                Some(reference) => RepositoryError::UnknownReference(reference),
                None => RepositoryError::Unknown(error.into()),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::BrokenTransactionManager => RepositoryError::Unavailable(error.into()),
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if is_unavailable_message(info.message()) =>
        {
            RepositoryError::Unavailable(error.into())
        }
        _ => RepositoryError::Unknown(error.into()),
    }
}

fn is_unavailable_message(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "database is locked",
        "connection",
        "terminating",
        "shutting down",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

fn reference_of_constraint(name: &str) -> Option<Reference> {
    Some(match name {
        "prospects_brand_id_fkey" => Reference::Brand,
        "prospects_representative_id_fkey" => Reference::Representative,
        "prospects_sector_id_fkey" => Reference::Sector,
        "prospects_cluster_id_fkey" => Reference::Cluster,
        "prospects_batch_id_fkey" => Reference::Batch,
        "prospects_prospection_code_id_fkey" => Reference::ProspectionCode,
        _ => return None,
    })
}
