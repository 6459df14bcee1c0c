//! A document's metadata on the wire, and the form an upload sends.

use chrono::{DateTime, Utc};
use prospects_domain::Document;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::timestamp;

/// A stored document. Its bytes are at `/api/v1/documents/{id}/content`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocumentBody<'a> {
    pub id: i64,
    /// `prospect` or `customer`.
    #[schema(example = "prospect")]
    pub documentable_type: &'static str,
    #[schema(example = 42)]
    pub documentable_id: i64,
    #[schema(example = "offer.pdf")]
    pub name: &'a str,
    /// The type the file was uploaded with (`application/octet-stream`
    /// when none was usable); the content is served with it.
    #[schema(example = "application/pdf")]
    pub mime_type: &'a str,
    pub size_bytes: i64,
    /// The content's SHA-256, lowercase hex.
    #[schema(example = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    pub sha256: &'a str,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Document> for DocumentBody<'a> {
    fn from(d: &'a Document) -> Self {
        Self {
            id: d.id,
            documentable_type: d.owner.kind.as_str(),
            documentable_id: d.owner.id.0,
            name: &d.name,
            mime_type: &d.mime_type,
            size_bytes: d.size_bytes,
            sha256: &d.sha256,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// An upload, as `multipart/form-data` (only documented: the handler
/// reads the parts as they stream in). No other part is accepted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocumentUpload)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The file; its part's `Content-Type` is kept as the document's type.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The document's name; by default the file's name, else `document`.
    #[schema(max_length = 255, example = "Signed offer")]
    pub name: Option<String>,
}

/// A document's bytes, as uploaded.
#[derive(Debug, ToSchema)]
#[schema(as = DocumentContent, value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct DocumentContent(Vec<u8>);
