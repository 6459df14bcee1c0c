//! The error bodies: `{"message": ...}`, and validation failures with their
//! messages by field.

use serde::Serialize;
use serde::ser::SerializeMap;
use utoipa::ToSchema;

/// Every error: `{"message": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "This action is unauthorized.")]
    pub message: String,
}

/// A validation failure: the first message with a count of the others, and
/// every message by field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorBody {
    #[schema(example = "The name field is required. (and 1 more error)")]
    pub message: String,
    #[schema(
        value_type = std::collections::BTreeMap<String, Vec<String>>,
        example = json!({"name": ["The name field is required."], "email_address": ["The email address field must be a valid email address."]})
    )]
    pub errors: FieldErrors,
}

/// Messages by field, in the order given.
#[derive(Debug)]
pub struct FieldErrors(pub Vec<(String, Vec<String>)>);

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}
