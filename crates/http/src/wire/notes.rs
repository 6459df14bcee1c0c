//! The JSON shapes of notes.

use chrono::{DateTime, Utc};
use prospects_domain::{Note, NoteInput};
use serde::Serialize;
use utoipa::ToSchema;

use super::lenient::{Flag, Integer, Text, lenient_request};
use super::timestamp;

lenient_request! {
    /// A note to add (`body` required) or the fields to change. The
    /// account it hangs on is named in the query string when adding it and
    /// never changes; the author is the caller. Unknown keys (the vendor
    /// client's `parent_id`, `byMail`, ...) are ignored.
    #[schema(example = json!({"title": "First call", "body": "Call back on Monday.", "priority": 1}))]
    pub struct NoteRequest {
        pub title: Text<0, 255>,
        // Up to 65,535 characters.
        pub body: Text<1, 65_535, false>,
        // A free label (`call`, `meeting`, ...).
        #[serde(rename = "type")]
        pub note_type: Text<0, 255>,
        // 0 to 999,999; default 999.
        pub priority: Integer,
        // Default false.
        pub shared: Flag,
    }
}

impl From<NoteRequest> for NoteInput {
    fn from(sent: NoteRequest) -> Self {
        NoteInput {
            title: sent.title.into_patch(),
            body: sent.body.into_patch(),
            note_type: sent.note_type.into_patch(),
            priority: sent.priority.into_patch(),
            shared: sent.shared.into_patch(),
        }
    }
}

/// A note on a prospect or a customer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Note)]
pub struct NoteBody<'a> {
    #[schema(example = 7)]
    pub id: i64,
    /// The author (set by the server); null once their user is deleted.
    pub user_id: Option<i64>,
    /// `prospect` or `customer`.
    #[schema(example = "prospect")]
    pub noteable_type: &'static str,
    #[schema(example = 42)]
    pub noteable_id: i64,
    pub title: Option<&'a str>,
    pub body: &'a str,
    #[serde(rename = "type")]
    pub note_type: Option<&'a str>,
    #[schema(example = 999)]
    pub priority: i32,
    pub shared: bool,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Note> for NoteBody<'a> {
    fn from(note: &'a Note) -> Self {
        Self {
            id: note.id,
            user_id: note.author.map(|author| author.0),
            noteable_type: note.owner.kind.as_str(),
            noteable_id: note.owner.id.0,
            title: note.values.title.as_deref(),
            body: &note.values.body,
            note_type: note.values.note_type.as_deref(),
            priority: note.values.priority,
            shared: note.values.shared,
            created_at: note.created_at,
            updated_at: note.updated_at,
        }
    }
}
