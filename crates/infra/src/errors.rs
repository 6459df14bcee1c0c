//! Turning diesel and pool failures into the domain's [`RepositoryError`].

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use prospects_domain::{Account, Reference, RepositoryError};

/// Errors inside an adapter: diesel's own, or a domain outcome decided
/// mid-transaction (which must also roll it back).
#[derive(Debug)]
pub enum StoreError {
    Diesel(DieselError),
    Domain(RepositoryError),
    /// An answer carried out of the transaction as an error so that the
    /// transaction rolls back: what a dry run would have written, or an
    /// account an update left as it was (its lock, and the version the
    /// lock moved, undone).
    RolledBack(Box<Account>),
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
            StoreError::RolledBack(_) => {
                RepositoryError::Unknown(anyhow::anyhow!("a rolled-back answer was not unwrapped"))
            }
        }
    }
}

/// Maps constraint violations to domain errors by constraint name, and lost
/// connections to `Unavailable`.
pub fn from_diesel(error: DieselError) -> RepositoryError {
    if is_unavailable(&error) {
        return RepositoryError::Unavailable(error.into());
    }
    match &error {
        DieselError::NotFound => RepositoryError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            match info.constraint_name().and_then(reference_of_constraint) {
                Some(reference) => RepositoryError::UnknownReference(reference),
                None => RepositoryError::Unknown(error.into()),
            }
        }
        _ => RepositoryError::Unknown(error.into()),
    }
}

/// Whether the database could not be reached or gave up, rather than
/// refusing the statement: the connection was lost (tokio-postgres's
/// "connection closed" comes as `UnableToSendCommand`), the server is
/// shutting down or restarting, a statement ran out of time, or SQLite's
/// file stayed locked. Worth a retry; a write may or may not have happened.
fn is_unavailable(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => true,
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_unavailable(commit_error),
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            is_unavailable_message(info.message())
        }
        _ => false,
    }
}

fn is_unavailable_message(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "database is locked",
        "connection",
        "terminating",
        "shutting down",
        "starting up",
        "recovery mode",
        "statement timeout",
        "idle-in-transaction timeout",
        "too many clients",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn a_lost_or_stalled_database_is_unavailable() {
        for error in [
            // tokio-postgres, once the server process is gone.
            database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
            database_error(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            database_error(
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            database_error(
                DatabaseErrorKind::Unknown,
                "the database system is starting up",
            ),
            database_error(DatabaseErrorKind::Unknown, "database is locked"),
            DieselError::RollbackErrorOnCommit {
                rollback_error: Box::new(DieselError::BrokenTransactionManager),
                commit_error: Box::new(database_error(
                    DatabaseErrorKind::UnableToSendCommand,
                    "connection closed",
                )),
            },
            DieselError::BrokenTransactionManager,
        ] {
            let shown = format!("{error:?}");
            assert!(
                matches!(from_diesel(error), RepositoryError::Unavailable(_)),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_refused_statement_is_not_unavailable() {
        assert!(matches!(
            from_diesel(database_error(DatabaseErrorKind::CheckViolation, "check")),
            RepositoryError::Unknown(_)
        ));
        assert!(matches!(
            from_diesel(DieselError::NotFound),
            RepositoryError::NotFound
        ));
    }
}
