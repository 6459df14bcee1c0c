//! The JSON shapes of the API: one request type and one response type per
//! wire shape, each used both by its handler and by the OpenAPI document.

pub mod contacts;
pub mod documents;
pub mod errors;
pub mod history;
pub mod lenient;
pub mod notes;
pub mod payment_plans;
pub mod prospect;
pub mod reference_data;
pub mod session;
pub mod system;
pub mod users;

use chrono::{DateTime, Utc};
use serde::Serializer;

pub use contacts::ContactBody;
pub use documents::DocumentBody;
pub use errors::{ErrorBody, ValidationErrorBody};
pub use prospect::{
    AccountDetailsJson, AccountJson, CustomerBody, CustomerDetailsBody, NewProspect, OwnedBody,
    PaymentPlanBody, ProspectBody, ProspectChanges, ProspectDetailsBody,
};

/// Laravel's timestamp format: UTC, microseconds, `Z`.
pub(crate) fn timestamp<S: Serializer>(
    at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// [`timestamp`], or null.
pub(crate) fn optional_timestamp<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => timestamp(at, serializer),
        None => serializer.serialize_none(),
    }
}
