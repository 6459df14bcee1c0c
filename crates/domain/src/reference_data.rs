//! Reference data (SPEC §6): brands, sectors, clusters, batches and
//! prospection codes (the pipeline's stages, in `position` order). Every
//! user reads it; only users above the sales level write it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use garde::Validate;

use crate::input::{Patch, rules};
use crate::validation::{Rule, ValidationErrors};
use crate::{Actor, RepositoryError};

/// Which list of reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    Brand,
    Sector,
    Cluster,
    Batch,
    ProspectionCode,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 5] = [
        ReferenceKind::Brand,
        ReferenceKind::Sector,
        ReferenceKind::Cluster,
        ReferenceKind::Batch,
        ReferenceKind::ProspectionCode,
    ];

    /// The model's name, as Laravel's 404 message shows it.
    pub fn model(self) -> &'static str {
        match self {
            ReferenceKind::Brand => "Brand",
            ReferenceKind::Sector => "Sector",
            ReferenceKind::Cluster => "Cluster",
            ReferenceKind::Batch => "Batch",
            ReferenceKind::ProspectionCode => "ProspectionCode",
        }
    }

    /// In words, for messages: `prospection code`.
    pub fn noun(self) -> &'static str {
        match self {
            ReferenceKind::Brand => "brand",
            ReferenceKind::Sector => "sector",
            ReferenceKind::Cluster => "cluster",
            ReferenceKind::Batch => "batch",
            ReferenceKind::ProspectionCode => "prospection code",
        }
    }

    /// Whether entries have a `position` (the pipeline's order).
    pub fn is_ordered(self) -> bool {
        self == ReferenceKind::ProspectionCode
    }
}

/// One entry of reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceEntry {
    pub id: i64,
    pub name: String,
    /// Prospection codes only: the stage's place in the pipeline.
    pub position: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The highest `position` a stage may take.
pub const MAX_POSITION: i64 = 1_000_000;

/// An entry as a request sent it. `position` is read for prospection codes
/// only; `null` or absent puts a new stage last and leaves an existing one
/// where it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Validate)]
pub struct ReferenceInput {
    #[garde(custom(rules::well_formed), custom(rules::chars(1, 255)))]
    pub name: Patch<String>,
    #[garde(custom(rules::well_formed), custom(within_positions))]
    pub position: Patch<i64>,
}

fn within_positions(value: &Patch<i64>, _: &()) -> garde::Result {
    match value {
        Patch::Set(n) if !(0..=MAX_POSITION).contains(n) => {
            Err(garde::Error::new(Rule::Between(0, MAX_POSITION).template()))
        }
        _ => Ok(()),
    }
}

/// An entry that passed validation: its name, and its position when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReference {
    pub name: String,
    pub position: Option<i32>,
}

impl ReferenceInput {
    /// `name` is required on create and update alike (an entry is its name).
    pub fn validate(self) -> Result<ValidReference, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if matches!(self.name, Patch::Absent | Patch::Null) {
            errors.add("name", Rule::Required);
        }
        if let Err(report) = Validate::validate(&self) {
            for (path, error) in report.iter() {
                errors.add_template(&path.to_string(), error.message().to_owned());
            }
        }
        errors.into_result()?;
        Ok(ValidReference {
            name: match self.name {
                Patch::Set(name) => name,
                _ => String::new(),
            },
            position: match self.position {
                Patch::Set(n) => i32::try_from(n).ok(),
                _ => None,
            },
        })
    }
}

/// Storage of reference data.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ReferenceDataRepository: Send + Sync {
    /// Every entry: by id, prospection codes by position then id.
    async fn list(&self, kind: ReferenceKind) -> Result<Vec<ReferenceEntry>, RepositoryError>;
    /// `NotFound` when there is no such id.
    async fn find(&self, kind: ReferenceKind, id: i64) -> Result<ReferenceEntry, RepositoryError>;
    /// A new entry; a stage without a position goes last.
    async fn create(
        &self,
        kind: ReferenceKind,
        entry: &ValidReference,
    ) -> Result<ReferenceEntry, RepositoryError>;
    /// `NotFound` when there is no such id.
    async fn update(
        &self,
        kind: ReferenceKind,
        id: i64,
        entry: &ValidReference,
    ) -> Result<ReferenceEntry, RepositoryError>;
    /// `NotFound` when there is no such id; `StillReferenced` when a row
    /// still points at it (nothing is deleted).
    async fn delete(&self, kind: ReferenceKind, id: i64) -> Result<(), RepositoryError>;
}

/// Why a reference-data operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceDataError {
    #[error("No query results for model [{model}] {1}", model = .0.model())]
    NotFound(ReferenceKind, i64),
    #[error("This action is unauthorized.")]
    Forbidden,
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// Rows of these tables still point at the entry.
    #[error("This {} is still used by {}.", .0.noun(), .1)]
    StillReferenced(ReferenceKind, &'static str),
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl ReferenceDataError {
    fn from_repository(kind: ReferenceKind, id: i64, error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => ReferenceDataError::NotFound(kind, id),
            RepositoryError::StillReferenced(by) => ReferenceDataError::StillReferenced(kind, by),
            RepositoryError::Unavailable(cause) => ReferenceDataError::Unavailable(cause),
            RepositoryError::Unknown(cause) => ReferenceDataError::Unknown(cause),
            other => ReferenceDataError::Unknown(other.into()),
        }
    }
}

/// Reads reference data for anyone; writes it for users above the sales level.
pub struct ReferenceDataService {
    entries: Arc<dyn ReferenceDataRepository>,
}

impl ReferenceDataService {
    pub fn new(entries: Arc<dyn ReferenceDataRepository>) -> Self {
        Self { entries }
    }

    pub async fn list(
        &self,
        kind: ReferenceKind,
    ) -> Result<Vec<ReferenceEntry>, ReferenceDataError> {
        self.entries
            .list(kind)
            .await
            .map_err(|e| ReferenceDataError::from_repository(kind, 0, e))
    }

    pub async fn show(
        &self,
        kind: ReferenceKind,
        id: i64,
    ) -> Result<ReferenceEntry, ReferenceDataError> {
        self.entries
            .find(kind, id)
            .await
            .map_err(|e| ReferenceDataError::from_repository(kind, id, e))
    }

    /// `Forbidden` for a sales user, whatever they sent.
    pub async fn create(
        &self,
        actor: &Actor,
        kind: ReferenceKind,
        input: ReferenceInput,
    ) -> Result<ReferenceEntry, ReferenceDataError> {
        let entry = writable(actor, input)?;
        self.entries
            .create(kind, &entry)
            .await
            .map_err(|e| ReferenceDataError::from_repository(kind, 0, e))
    }

    /// `Forbidden` for a sales user; `NotFound` when there is no such id.
    pub async fn update(
        &self,
        actor: &Actor,
        kind: ReferenceKind,
        id: i64,
        input: ReferenceInput,
    ) -> Result<ReferenceEntry, ReferenceDataError> {
        let entry = writable(actor, input)?;
        self.entries
            .update(kind, id, &entry)
            .await
            .map_err(|e| ReferenceDataError::from_repository(kind, id, e))
    }

    /// `Forbidden` for a sales user; `StillReferenced` while rows use it.
    pub async fn delete(
        &self,
        actor: &Actor,
        kind: ReferenceKind,
        id: i64,
    ) -> Result<(), ReferenceDataError> {
        if actor.role().is_sales() {
            return Err(ReferenceDataError::Forbidden);
        }
        self.entries
            .delete(kind, id)
            .await
            .map_err(|e| ReferenceDataError::from_repository(kind, id, e))
    }
}

/// The valid entry a writer sent: a sales user gets 403 before validation.
fn writable(actor: &Actor, input: ReferenceInput) -> Result<ValidReference, ReferenceDataError> {
    if actor.role().is_sales() {
        return Err(ReferenceDataError::Forbidden);
    }
    input.validate().map_err(ReferenceDataError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, UserId};

    fn manager() -> Actor {
        Actor::new(UserId(1), Role::new(10))
    }

    fn sales_user() -> Actor {
        Actor::new(UserId(2), Role::new(5))
    }

    fn named(name: &str) -> ReferenceInput {
        ReferenceInput {
            name: Patch::text(name),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn sales_users_read_but_never_write() {
        let mut repo = MockReferenceDataRepository::new();
        repo.expect_list().returning(|_| Ok(vec![]));
        repo.expect_create().never();
        repo.expect_update().never();
        repo.expect_delete().never();
        let service = ReferenceDataService::new(Arc::new(repo));
        assert!(service.list(ReferenceKind::Brand).await.is_ok());
        let kind = ReferenceKind::Sector;
        assert!(matches!(
            service.create(&sales_user(), kind, named("Retail")).await,
            Err(ReferenceDataError::Forbidden)
        ));
        assert!(matches!(
            service.update(&sales_user(), kind, 1, named("")).await,
            Err(ReferenceDataError::Forbidden)
        ));
        assert!(matches!(
            service.delete(&sales_user(), kind, 1).await,
            Err(ReferenceDataError::Forbidden)
        ));
    }

    #[tokio::test]
    async fn a_manager_writes_what_passed_validation() {
        let mut repo = MockReferenceDataRepository::new();
        repo.expect_create()
            .withf(|kind, entry| {
                *kind == ReferenceKind::ProspectionCode
                    && entry.name == "Demo booked"
                    && entry.position == Some(3)
            })
            .returning(|_, entry| {
                Ok(ReferenceEntry {
                    id: 8,
                    name: entry.name.clone(),
                    position: entry.position,
                    created_at: Utc::now(),
                    updated_at: Utc::now(),
                })
            });
        let service = ReferenceDataService::new(Arc::new(repo));
        let input = ReferenceInput {
            name: Patch::text(" Demo booked "),
            position: Patch::Set(3),
        };
        let created = service
            .create(&manager(), ReferenceKind::ProspectionCode, input)
            .await
            .expect("created");
        assert_eq!(created.id, 8);
    }

    #[test]
    fn names_are_required_and_bounded_and_positions_too() {
        let errors = ReferenceInput::default().validate().expect_err("refused");
        assert_eq!(errors.summary(), "The name field is required.");
        let errors = named(&"x".repeat(256)).validate().expect_err("refused");
        assert_eq!(
            errors.summary(),
            "The name field must not be greater than 255 characters."
        );
        let errors = ReferenceInput {
            position: Patch::Set(-1),
            ..named("Won")
        }
        .validate()
        .expect_err("refused");
        assert_eq!(
            errors.summary(),
            "The position field must be between 0 and 1000000."
        );
    }

    #[tokio::test]
    async fn an_entry_in_use_is_kept_and_said_so() {
        let mut repo = MockReferenceDataRepository::new();
        repo.expect_delete()
            .returning(|_, _| Err(RepositoryError::StillReferenced("prospects")));
        let service = ReferenceDataService::new(Arc::new(repo));
        let error = service
            .delete(&manager(), ReferenceKind::Brand, 1)
            .await
            .expect_err("refused");
        assert_eq!(error.to_string(), "This brand is still used by prospects.");
    }
}
