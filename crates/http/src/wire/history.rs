//! The JSON shape of an account's history.

use chrono::{DateTime, Utc};
use prospects_domain::{FieldChange, HistoryEntry, Value};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::timestamp;

/// One write to an account or to a record it owns: who made it, when,
/// through which token and request, and what it changed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HistoryEntry)]
pub struct HistoryEntryBody<'a> {
    #[schema(example = 12)]
    pub id: i64,
    /// `created`, `updated`, `deleted` or `converted` (written on both the
    /// prospect and its customer).
    #[schema(example = "updated")]
    pub event: &'static str,
    /// What was written: `account`, `contact`, `note`, `document` or
    /// `payment_plan`.
    #[schema(example = "account")]
    pub subject: &'static str,
    /// The contact's, note's or document's id; null for the account and its
    /// payment plan.
    pub subject_id: Option<i64>,
    /// The author. Kept after their user is deleted.
    #[schema(example = 3)]
    pub user_id: i64,
    /// The revocation id of the token the author sent: it tells an
    /// attenuated token from the one it was derived from.
    pub token_id: Option<&'a str>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<&'a str>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    /// Each field written, with its value before and after: every field
    /// holding a value for a record created (`old` null) or deleted (`new`
    /// null); only those that changed for an update.
    pub changes: Vec<FieldChangeBody<'a>>,
}

/// A field's value before and after a write.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldChange)]
pub struct FieldChangeBody<'a> {
    #[schema(example = "name")]
    pub field: &'a str,
    /// A string, an integer, a boolean or null.
    #[serde(serialize_with = "value")]
    #[schema(value_type = Value, example = "Acme")]
    pub old: &'a Value,
    /// A string, an integer, a boolean or null.
    #[serde(serialize_with = "value")]
    #[schema(value_type = Value, example = "Acme SA")]
    pub new: &'a Value,
}

fn value<S: Serializer>(value: &&Value, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Value::Null => serializer.serialize_none(),
        Value::Text(text) => serializer.serialize_str(text),
        Value::Integer(number) => serializer.serialize_i64(*number),
        Value::Boolean(flag) => serializer.serialize_bool(*flag),
    }
}

impl<'a> From<&'a HistoryEntry> for HistoryEntryBody<'a> {
    fn from(entry: &'a HistoryEntry) -> Self {
        Self {
            id: entry.id,
            event: entry.action.as_str(),
            subject: entry.subject.name(),
            subject_id: entry.subject.id(),
            user_id: entry.author.user.0,
            token_id: entry.author.token_id.as_deref(),
            request_id: entry.author.request_id.as_deref(),
            created_at: entry.at,
            changes: entry.changes.iter().map(Into::into).collect(),
        }
    }
}

impl<'a> From<&'a FieldChange> for FieldChangeBody<'a> {
    fn from(change: &'a FieldChange) -> Self {
        Self {
            field: &change.field,
            old: &change.old,
            new: &change.new,
        }
    }
}
