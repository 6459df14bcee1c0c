//! The history of an account: one entry per write to it or to what it owns,
//! recorded by storage in the write's own transaction, never changed after.
//! Entries outlive their account, so that who deleted it stays known.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    AccountId, AccountKind, AccountRepository, Actor, ContactFields, Document, NoteValues, Page,
    PaymentPlan, ProspectFields, RepositoryError, UserId,
};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    /// A prospect became a customer: written on both.
    Converted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::Converted => "converted",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [
            Action::Created,
            Action::Updated,
            Action::Deleted,
            Action::Converted,
        ]
        .into_iter()
        .find(|action| action.as_str() == stored)
    }
}

/// What a write touched: the account itself or a record it owns (with the
/// record's id; an account has one payment plan, which has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Account,
    Contact(i64),
    Note(i64),
    Document(i64),
    PaymentPlan,
}

impl Subject {
    /// The subject's name, as stored and sent.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Account => "account",
            Subject::Contact(_) => "contact",
            Subject::Note(_) => "note",
            Subject::Document(_) => "document",
            Subject::PaymentPlan => "payment_plan",
        }
    }

    /// The record's own id, if it has one.
    pub fn id(self) -> Option<i64> {
        match self {
            Subject::Contact(id) | Subject::Note(id) | Subject::Document(id) => Some(id),
            Subject::Account | Subject::PaymentPlan => None,
        }
    }

    pub fn parse(name: &str, id: Option<i64>) -> Option<Self> {
        Some(match (name, id) {
            ("account", None) => Subject::Account,
            ("contact", Some(id)) => Subject::Contact(id),
            ("note", Some(id)) => Subject::Note(id),
            ("document", Some(id)) => Subject::Document(id),
            ("payment_plan", None) => Subject::PaymentPlan,
            _ => return None,
        })
    }
}

/// A field's value in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Integer(i64),
    Boolean(bool),
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

impl From<&i64> for Value {
    fn from(number: &i64) -> Self {
        Value::Integer(*number)
    }
}

impl From<&i32> for Value {
    fn from(number: &i32) -> Self {
        Value::Integer(i64::from(*number))
    }
}

impl From<&bool> for Value {
    fn from(flag: &bool) -> Self {
        Value::Boolean(*flag)
    }
}

macro_rules! nullable {
    ($($inner:ty),*) => {
        $(impl From<&Option<$inner>> for Value {
            fn from(value: &Option<$inner>) -> Self {
                value.as_ref().map_or(Value::Null, Value::from)
            }
        })*
    };
}
nullable!(String, i64, i32);

/// One field a write changed, from `old` to `new` (`Null` on either side
/// for a record created or deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// A record's fields, named, as the history compares them.
pub trait Recorded {
    /// Every field with its name, in the wire's order.
    fn named_values(&self) -> Vec<(&'static str, Value)>;

    /// The fields that differ in `after`, with both values.
    fn changes_to(&self, after: &Self) -> Vec<FieldChange> {
        self.named_values()
            .into_iter()
            .zip(after.named_values())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((field, old), (_, new))| FieldChange {
                field: field.to_owned(),
                old,
                new,
            })
            .collect()
    }

    /// The fields of a new record that hold a value.
    fn as_created(&self) -> Vec<FieldChange> {
        self.named_values()
            .into_iter()
            .filter(|(_, value)| *value != Value::Null)
            .map(|(field, new)| FieldChange {
                field: field.to_owned(),
                old: Value::Null,
                new,
            })
            .collect()
    }

    /// The fields of a deleted record that held a value.
    fn as_deleted(&self) -> Vec<FieldChange> {
        self.as_created()
            .into_iter()
            .map(|change| FieldChange {
                field: change.field,
                old: change.new,
                new: Value::Null,
            })
            .collect()
    }
}

macro_rules! recorded {
    ($type:ty, $($field:ident),* $(,)?) => {
        impl Recorded for $type {
            fn named_values(&self) -> Vec<(&'static str, Value)> {
                vec![$((stringify!($field), Value::from(&self.$field)),)*]
            }
        }
    };
}

macro_rules! prospect_names {
    ($($variant:ident $field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        recorded!(ProspectFields, $($field),*);
    };
}
crate::prospect_fields!(prospect_names);

macro_rules! contact_names {
    ($($field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        recorded!(ContactFields, $($field),*);
    };
}
crate::contact_fields!(contact_names);

recorded!(NoteValues, title, body, note_type, priority, shared);
recorded!(PaymentPlan, payment_method, payment_terms_days);
recorded!(Document, name, mime_type, size_bytes);

/// Who made a change, as an entry names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub user: UserId,
    /// The revocation id of the token the request carried: the very
    /// (possibly attenuated) token, not only its user.
    pub token_id: Option<String>,
    /// The request's `X-Request-Id`, to find it in the logs.
    pub request_id: Option<String>,
}

impl Author {
    pub fn of(actor: &Actor) -> Self {
        let trace = actor.trace();
        Self {
            user: actor.user_id(),
            token_id: trace.token_id.as_deref().map(str::to_owned),
            request_id: trace.request_id.as_deref().map(str::to_owned),
        }
    }
}

/// One recorded write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: i64,
    pub action: Action,
    pub subject: Subject,
    pub author: Author,
    pub at: DateTime<Utc>,
    pub changes: Vec<FieldChange>,
}

/// Which page of an account's history, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    pub page: u64,
    pub per_page: u32,
}

impl HistoryQuery {
    /// Entries to skip before the page.
    pub fn offset(&self) -> i64 {
        i64::try_from((self.page - 1).saturating_mul(u64::from(self.per_page))).unwrap_or(i64::MAX)
    }
}

/// Reading histories. Entries are written by the other repositories, in
/// their writes' transactions; nothing changes or removes one.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait HistoryRepository: Send + Sync {
    /// One page of the entries of account `id` of `kind`, newest first, and
    /// their total; an empty page when it has none (or never existed).
    async fn list(
        &self,
        kind: AccountKind,
        id: AccountId,
        query: HistoryQuery,
    ) -> Result<Page<HistoryEntry>, RepositoryError>;
}

/// Why a history could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("no {0:?} {1:?}")]
    NotFound(AccountKind, AccountId),
    #[error("forbidden")]
    Forbidden,
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl From<RepositoryError> for HistoryError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(cause) => HistoryError::Unavailable(cause),
            other => HistoryError::Unknown(other.into()),
        }
    }
}

/// Shows an account's history to whoever may see the account; a deleted
/// account's only to users above the sales level.
pub struct HistoryService {
    accounts: Arc<dyn AccountRepository>,
    history: Arc<dyn HistoryRepository>,
}

impl HistoryService {
    pub fn new(accounts: Arc<dyn AccountRepository>, history: Arc<dyn HistoryRepository>) -> Self {
        Self { accounts, history }
    }

    /// `NotFound` when no account of `kind` has had this id (or, for a sales
    /// user, when it no longer exists); `Forbidden` outside the actor's scope.
    pub async fn list(
        &self,
        actor: &Actor,
        kind: AccountKind,
        id: AccountId,
        query: HistoryQuery,
    ) -> Result<Page<HistoryEntry>, HistoryError> {
        let exists = match self.accounts.representative_of(kind, id).await {
            Ok(representative) if actor.scope().contains(representative) => true,
            Ok(_) => return Err(HistoryError::Forbidden),
            Err(RepositoryError::NotFound) if !actor.role().is_sales() => false,
            Err(RepositoryError::NotFound) => return Err(HistoryError::NotFound(kind, id)),
            Err(error) => return Err(error.into()),
        };
        let page = self.history.list(kind, id, query).await?;
        if !exists && page.total == 0 {
            return Err(HistoryError::NotFound(kind, id));
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockAccountRepository;
    use crate::{Role, Trace};

    const PAGE: HistoryQuery = HistoryQuery {
        page: 1,
        per_page: 15,
    };

    fn entry() -> HistoryEntry {
        HistoryEntry {
            id: 1,
            action: Action::Deleted,
            subject: Subject::Account,
            author: Author {
                user: UserId(1),
                token_id: None,
                request_id: None,
            },
            at: DateTime::UNIX_EPOCH,
            changes: Vec::new(),
        }
    }

    fn service(
        representative: Result<Option<UserId>, RepositoryError>,
        entries: Vec<HistoryEntry>,
    ) -> HistoryService {
        let mut accounts = MockAccountRepository::new();
        let mut representative = Some(representative);
        accounts.expect_representative_of().returning(move |_, _| {
            representative
                .take()
                .unwrap_or(Err(RepositoryError::NotFound))
        });
        let mut history = MockHistoryRepository::new();
        history.expect_list().returning(move |_, _, _| {
            Ok(Page {
                total: entries.len() as u64,
                items: entries.clone(),
            })
        });
        HistoryService::new(Arc::new(accounts), Arc::new(history))
    }

    fn sales(id: i64) -> Actor {
        Actor::new(UserId(id), Role::new(5))
    }

    fn manager() -> Actor {
        Actor::new(UserId(1), Role::new(10))
    }

    #[tokio::test]
    async fn a_sales_user_reads_the_history_of_their_own_accounts_only() {
        let own = service(Ok(Some(UserId(7))), vec![entry()]);
        let page = own
            .list(&sales(7), AccountKind::Prospect, AccountId(1), PAGE)
            .await
            .expect("their own account's history");
        assert_eq!(page.total, 1);
        let other = service(Ok(Some(UserId(8))), vec![entry()]);
        assert!(matches!(
            other
                .list(&sales(7), AccountKind::Prospect, AccountId(1), PAGE)
                .await,
            Err(HistoryError::Forbidden)
        ));
    }

    #[tokio::test]
    async fn a_deleted_accounts_history_is_readable_above_the_sales_level_only() {
        let gone = || service(Err(RepositoryError::NotFound), vec![entry()]);
        let page = gone()
            .list(&manager(), AccountKind::Prospect, AccountId(1), PAGE)
            .await
            .expect("a deleted account's history");
        assert_eq!(page.items, vec![entry()]);
        assert!(matches!(
            gone()
                .list(&sales(1), AccountKind::Prospect, AccountId(1), PAGE)
                .await,
            Err(HistoryError::NotFound(..))
        ));
        let never = service(Err(RepositoryError::NotFound), Vec::new());
        assert!(matches!(
            never
                .list(&manager(), AccountKind::Prospect, AccountId(1), PAGE)
                .await,
            Err(HistoryError::NotFound(..))
        ));
    }

    #[test]
    fn an_update_records_each_changed_field_with_both_values() {
        let before = ProspectFields::named("Acme".into());
        let mut after = before.clone();
        after.name = "Acme SA".into();
        after.representative_id = Some(3);
        assert_eq!(
            before.changes_to(&after),
            vec![
                FieldChange {
                    field: "name".into(),
                    old: Value::Text("Acme".into()),
                    new: Value::Text("Acme SA".into()),
                },
                FieldChange {
                    field: "representative_id".into(),
                    old: Value::Null,
                    new: Value::Integer(3),
                },
            ]
        );
        assert!(before.changes_to(&before).is_empty());
    }

    #[test]
    fn a_new_record_lists_its_values_and_a_deleted_one_what_it_held() {
        let note = NoteValues {
            title: None,
            body: "Call back".into(),
            note_type: None,
            priority: 2,
            shared: false,
        };
        let created = note.as_created();
        let fields: Vec<&str> = created.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(fields, ["body", "priority", "shared"]);
        assert_eq!(created[0].old, Value::Null);
        assert_eq!(created[1].new, Value::Integer(2));
        let deleted = note.as_deleted();
        assert_eq!(deleted[0].old, Value::Text("Call back".into()));
        assert_eq!(deleted[0].new, Value::Null);
    }

    #[test]
    fn the_author_is_the_actor_with_its_token_and_request() {
        let actor = Actor::new(UserId(4), Role::new(5)).traced(Trace {
            token_id: Some("abc".into()),
            request_id: Some("req-1".into()),
        });
        assert_eq!(
            Author::of(&actor),
            Author {
                user: UserId(4),
                token_id: Some("abc".into()),
                request_id: Some("req-1".into()),
            }
        );
    }
}
