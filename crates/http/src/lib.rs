//! The REST surface of the Accounts service: actix-web routes, wire types,
//! query-string parsing, and the mapping of domain errors to the contract's
//! statuses and messages. It talks only to the domain's services.

pub mod auth;
pub mod body;
pub mod cors;
pub mod cursor;
pub mod dialect;
pub mod errors;
pub mod form;
pub mod idempotency;
pub mod inbound;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod origin;
pub mod pagination;
pub mod preconditions;
pub mod query;
pub mod routes;
pub mod state;
pub mod throttle;
pub mod upload;
pub mod wire;

pub use cors::CorsOrigins;
pub use errors::ApiError;
pub use middleware::observe;
pub use openapi::ApiDoc;
pub use origin::{Origins, PublicUrl, TrustedProxies};
pub use routes::configure;
pub use state::{ApiSettings, ApiState};
pub use throttle::{RateLimit, RateLimits, SharedBudgets, SharedStore, Spent, Throttles};
