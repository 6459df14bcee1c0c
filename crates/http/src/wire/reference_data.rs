//! Reference data on the wire: brands, sectors, clusters, batches and
//! prospection codes share one shape.

use chrono::{DateTime, Utc};
use prospects_domain::{ReferenceEntry, ReferenceInput};
use serde::Serialize;
use utoipa::ToSchema;

use super::lenient::{Integer, Text, lenient_request};
use super::timestamp;

lenient_request! {
    /// An entry of reference data: its name, and for a prospection code its
    /// place in the pipeline (`position`; a new stage without one goes last,
    /// an existing one stays where it is). Ignored for other kinds.
    #[schema(example = json!({"name": "Retail"}))]
    pub struct ReferenceRequest {
        #[schema(required = true)]
        pub name: Text<1, 255, false>,
        // 0 to 1,000,000.
        pub position: Integer,
    }
}

impl From<ReferenceRequest> for ReferenceInput {
    fn from(sent: ReferenceRequest) -> Self {
        ReferenceInput {
            name: sent.name.into_patch(),
            position: sent.position.into_patch(),
        }
    }
}

/// An entry of reference data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReferenceEntry)]
pub struct ReferenceBody<'a> {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Retail")]
    pub name: &'a str,
    /// Prospection codes only: the stage's place in the pipeline (lists come in this order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a ReferenceEntry> for ReferenceBody<'a> {
    fn from(entry: &'a ReferenceEntry) -> Self {
        Self {
            id: entry.id,
            name: &entry.name,
            position: entry.position,
            created_at: entry.created_at,
            updated_at: entry.updated_at,
        }
    }
}
