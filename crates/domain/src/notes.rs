//! Notes on an account: who wrote what, and when. A note is read by whoever
//! may see its account, and changed or deleted only by its author or a user
//! above the sales level; a converted prospect takes no new note.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::owned::{OwnedError, Record};
use crate::validation::{Rule, ValidationErrors};
use crate::{
    AccountRepository, Actor, Expected, Owner, Patch, Receipt, RepositoryError, Scope, UserId,
    Version,
};

/// The longest body a note may have (a MySQL `TEXT`, as the vendor stores it).
pub const MAX_BODY_CHARS: usize = 65_535;

/// A stored note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: i64,
    pub owner: Owner,
    /// The author; `None` once their user is deleted.
    pub author: Option<UserId>,
    pub values: NoteValues,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every write to it.
    pub version: Version,
}

/// A note's writable values, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteValues {
    pub title: Option<String>,
    pub body: String,
    pub note_type: Option<String>,
    pub priority: i32,
    pub shared: bool,
}

/// A note as sent: each field absent, null, a value or a value that broke a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteInput {
    pub title: Patch<String>,
    pub body: Patch<String>,
    pub note_type: Patch<String>,
    pub priority: Patch<i64>,
    pub shared: Patch<bool>,
}

/// The changes of an update, each field valid on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteChanges(NoteInput);

impl NoteChanges {
    /// Writes the sent fields over `values`.
    pub fn apply_to(&self, values: &mut NoteValues) {
        let input = &self.0;
        match &input.title {
            Patch::Set(title) => values.title = Some(title.clone()),
            Patch::Null => values.title = None,
            Patch::Absent | Patch::Invalid(_) => {}
        }
        if let Patch::Set(body) = &input.body {
            values.body.clone_from(body);
        }
        match &input.note_type {
            Patch::Set(note_type) => values.note_type = Some(note_type.clone()),
            Patch::Null => values.note_type = None,
            Patch::Absent | Patch::Invalid(_) => {}
        }
        // Checked to lie within `PRIORITY_RANGE`.
        if let Patch::Set(priority) = input.priority
            && let Ok(priority) = i32::try_from(priority)
        {
            values.priority = priority;
        }
        if let Patch::Set(shared) = input.shared {
            values.shared = shared;
        }
    }
}

/// Priorities run from 0 (first) to this; 999 unless sent.
pub const PRIORITY_RANGE: (i64, i64) = (0, 999_999);
const DEFAULT_PRIORITY: i32 = 999;

impl NoteInput {
    /// The values of a new note: `body` required, the rest defaulted.
    pub fn validate_for_create(self) -> Result<NoteValues, ValidationErrors> {
        if matches!(self.body, Patch::Absent | Patch::Null) {
            let mut errors = ValidationErrors::new();
            errors.add("body", Rule::Required);
            self.check(&mut errors);
            return Err(errors);
        }
        let changes = self.validate_for_update()?;
        let mut values = NoteValues {
            title: None,
            body: String::new(),
            note_type: None,
            priority: DEFAULT_PRIORITY,
            shared: false,
        };
        changes.apply_to(&mut values);
        Ok(values)
    }

    /// The fields sent, each checked; `body` may not be cleared.
    pub fn validate_for_update(self) -> Result<NoteChanges, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if matches!(self.body, Patch::Null) {
            errors.add("body", Rule::Required);
        }
        self.check(&mut errors);
        errors.into_result()?;
        Ok(NoteChanges(self))
    }

    fn check(&self, errors: &mut ValidationErrors) {
        check_text("title", &self.title, 255, errors);
        check_text("body", &self.body, MAX_BODY_CHARS, errors);
        check_text("type", &self.note_type, 255, errors);
        match &self.priority {
            Patch::Set(priority) => {
                let (min, max) = PRIORITY_RANGE;
                if !(min..=max).contains(priority) {
                    errors.add("priority", Rule::Between(min, max));
                }
            }
            Patch::Null => errors.add("priority", Rule::Integer),
            Patch::Invalid(rule) => errors.add("priority", *rule),
            Patch::Absent => {}
        }
        match &self.shared {
            Patch::Null => errors.add("shared", Rule::Boolean),
            Patch::Invalid(rule) => errors.add("shared", *rule),
            Patch::Absent | Patch::Set(_) => {}
        }
    }
}

fn check_text(field: &str, patch: &Patch<String>, max: usize, errors: &mut ValidationErrors) {
    match patch {
        Patch::Set(text) => {
            if text.chars().count() > max {
                errors.add(field, Rule::MaxChars(max));
            }
            if text.contains('\0') {
                errors.add(field, Rule::NoNul);
            }
        }
        Patch::Invalid(rule) => errors.add(field, *rule),
        Patch::Absent | Patch::Null => {}
    }
}

/// Who may change a note: anyone who may see its account (`None`), or only
/// its author.
pub type Editor = Option<UserId>;

/// Storage of notes. Every write locks the note's account first, through
/// the same door as an account's own writes, so it is decided on the
/// account as it stands (scope, conversion) and never deadlocks with a
/// conversion moving the note.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NoteRepository: Send + Sync {
    /// The notes of `owner`, newest first. `NotFound` when there is no such
    /// account, `OutOfScope` outside `scope`.
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Note>, RepositoryError>;

    /// The note, and its account's representative (the caller decides 403).
    /// `NotFound` when there is no such note.
    async fn find(&self, id: i64) -> Result<(Note, Option<UserId>), RepositoryError>;

    /// Adds a note by `author`, storing the `receipt`'s response in the
    /// same transaction. `NotFound` (no such account), `OutOfScope`,
    /// `Converted`, `InFlight`.
    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        values: NoteValues,
        receipt: Option<Receipt<Note>>,
    ) -> Result<Note, RepositoryError>;

    /// `NotFound` (no such note), `OutOfScope` (outside `scope`, or not
    /// written by `editor` when one is named), `Converted`, `Stale` (not at
    /// an `expected` version).
    async fn update(
        &self,
        id: i64,
        by: &Actor,
        editor: Editor,
        changes: NoteChanges,
        expected: &Expected,
    ) -> Result<Note, RepositoryError>;

    /// As [`NoteRepository::update`].
    async fn delete(
        &self,
        id: i64,
        by: &Actor,
        editor: Editor,
        expected: &Expected,
    ) -> Result<(), RepositoryError>;
}

/// Lists, shows, adds, changes and deletes notes on behalf of an [`Actor`].
pub struct NoteService {
    notes: Arc<dyn NoteRepository>,
    accounts: Arc<dyn AccountRepository>,
}

impl NoteService {
    pub fn new(notes: Arc<dyn NoteRepository>, accounts: Arc<dyn AccountRepository>) -> Self {
        Self { notes, accounts }
    }

    /// The notes of an account the actor may see, newest first.
    pub async fn list(&self, actor: &Actor, owner: Owner) -> Result<Vec<Note>, OwnedError> {
        self.notes
            .list(owner, actor.scope())
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e))
    }

    /// One note: `NotFound`, or `Forbidden` when its account is outside the
    /// actor's scope.
    pub async fn show(&self, actor: &Actor, id: i64) -> Result<Note, OwnedError> {
        let (note, representative) =
            self.notes.find(id).await.map_err(|e| {
                OwnedError::from_repository(OwnedError::NotFound(Record::Note, id), e)
            })?;
        if !actor.scope().contains(representative) {
            return Err(OwnedError::Forbidden);
        }
        Ok(note)
    }

    /// Adds a note written by the actor. Checks, in order: the account
    /// exists (404) and is in scope (403), the note is valid (422), the
    /// account is not a converted prospect (409).
    pub async fn create(
        &self,
        actor: &Actor,
        owner: Owner,
        input: NoteInput,
        receipt: Option<Receipt<Note>>,
    ) -> Result<Note, OwnedError> {
        let values = match input.validate_for_create() {
            Ok(values) => values,
            Err(errors) => {
                let representative = self
                    .accounts
                    .representative_of(owner.kind, owner.id)
                    .await
                    .map_err(|e| {
                        OwnedError::from_repository(OwnedError::owner_missing(owner), e)
                    })?;
                if !actor.scope().contains(representative) {
                    return Err(OwnedError::Forbidden);
                }
                return Err(OwnedError::Invalid(errors));
            }
        };
        self.notes
            .create(owner, actor, values, receipt)
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e))
    }

    /// Changes the fields sent: 404, then 403 (outside the scope, or a sales
    /// user who is not the author), then 422, 409, 412.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: NoteInput,
        expected: &Expected,
    ) -> Result<Note, OwnedError> {
        let changes = match input.validate_for_update() {
            Ok(changes) => changes,
            Err(errors) => {
                let note = self.show(actor, id).await?;
                if editor(actor).is_some_and(|author| note.author != Some(author)) {
                    return Err(OwnedError::Forbidden);
                }
                return Err(OwnedError::Invalid(errors));
            }
        };
        self.notes
            .update(id, actor, editor(actor), changes, expected)
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::NotFound(Record::Note, id), e))
    }

    /// Deletes a note: 404, 403 (as for an update), 409, 412.
    pub async fn delete(
        &self,
        actor: &Actor,
        id: i64,
        expected: &Expected,
    ) -> Result<(), OwnedError> {
        self.notes
            .delete(id, actor, editor(actor), expected)
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::NotFound(Record::Note, id), e))
    }
}

/// A sales user changes only their own notes; users above them, any note
/// they can see.
fn editor(actor: &Actor) -> Editor {
    actor.role().is_sales().then(|| actor.user_id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockAccountRepository;
    use crate::{AccountId, AccountKind, Role};

    fn sales_user(id: i64) -> Actor {
        Actor::new(UserId(id), Role::new(5))
    }

    fn owner() -> Owner {
        Owner {
            kind: AccountKind::Prospect,
            id: AccountId(3),
        }
    }

    fn note(author: i64) -> Note {
        Note {
            id: 9,
            owner: owner(),
            author: Some(UserId(author)),
            values: NoteInput {
                body: Patch::text("Call back"),
                ..NoteInput::default()
            }
            .validate_for_create()
            .expect("valid"),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: Version(1),
        }
    }

    fn service(notes: MockNoteRepository) -> NoteService {
        NoteService::new(Arc::new(notes), Arc::new(MockAccountRepository::new()))
    }

    #[test]
    fn a_new_note_needs_a_body_and_gets_the_defaults() {
        let errors = NoteInput::default()
            .validate_for_create()
            .expect_err("no body");
        assert_eq!(errors.summary(), "The body field is required.");
        let values = note(1).values;
        assert_eq!(
            (values.priority, values.shared, values.title),
            (999, false, None)
        );
        let too_much = NoteInput {
            body: Patch::Set("x".repeat(MAX_BODY_CHARS + 1)),
            priority: Patch::Set(-1),
            shared: Patch::Null,
            ..NoteInput::default()
        };
        let errors = too_much.validate_for_create().expect_err("refused");
        let fields: Vec<&str> = errors
            .fields()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, ["body", "priority", "shared"]);
    }

    #[tokio::test]
    async fn a_sales_user_edits_only_their_own_notes() {
        let mut notes = MockNoteRepository::new();
        notes
            .expect_update()
            .withf(|id, by, editor, _, _| {
                *id == 9
                    && by.scope() == Scope::RepresentedBy(UserId(7))
                    && *editor == Some(UserId(7))
            })
            .returning(|_, _, _, _, _| Err(RepositoryError::OutOfScope));
        let input = NoteInput {
            title: Patch::text("Mine now"),
            ..NoteInput::default()
        };
        let result = service(notes)
            .update(&sales_user(7), 9, input, &Expected::Any)
            .await;
        assert!(matches!(result, Err(OwnedError::Forbidden)));
    }

    #[tokio::test]
    async fn an_invalid_change_to_someone_elses_note_is_forbidden_first() {
        let mut notes = MockNoteRepository::new();
        notes
            .expect_find()
            .returning(|_| Ok((note(8), Some(UserId(7)))));
        notes.expect_update().never();
        let input = NoteInput {
            body: Patch::Null,
            ..NoteInput::default()
        };
        let result = service(notes)
            .update(&sales_user(7), 9, input, &Expected::Any)
            .await;
        assert!(matches!(result, Err(OwnedError::Forbidden)));
    }

    #[tokio::test]
    async fn a_note_on_a_missing_account_names_the_account() {
        let mut notes = MockNoteRepository::new();
        notes
            .expect_create()
            .returning(|_, _, _, _| Err(RepositoryError::NotFound));
        let input = NoteInput {
            body: Patch::text("Hello"),
            ..NoteInput::default()
        };
        let result = service(notes)
            .create(&sales_user(7), owner(), input, None)
            .await;
        assert!(matches!(
            result,
            Err(OwnedError::OwnerNotFound(
                AccountKind::Prospect,
                AccountId(3)
            ))
        ));
    }
}
