//! The probes' answers.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = VersionBody)]
pub struct VersionBody<'a> {
    #[schema(example = "0.1.0")]
    pub version: &'a str,
    #[schema(example = "ok")]
    pub status: &'a str,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StatusBody)]
pub struct StatusBody<'a> {
    #[schema(example = "ok")]
    pub status: &'a str,
}
