//! Every error the API answers, with the contract's status, message and
//! headers (SPEC §4). Causes of 500s and 503s are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use prospects_domain::validation::summary;
use prospects_domain::{
    AccountError, AccountKind, AuthError, HistoryError, OwnedError, PaymentPlanError,
    ReferenceDataError, UserError, ValidationErrors,
};

use crate::dialect::SentAs;
use crate::throttle::Exhausted;
use crate::wire::errors::{ErrorBody, FieldErrors, ValidationErrorBody};
use crate::wire::prospect::{field_name, field_position};

/// Laravel's budget headers, on every throttled response.
pub const RATE_LIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Unauthenticated.")]
    Unauthenticated,
    #[error("Invalid credentials")]
    InvalidCredentials,
    #[error("This action is unauthorized.")]
    Forbidden,
    /// A missing row: its model's name and the raw `{id}` segment, echoed
    /// as Laravel does.
    #[error("No query results for model [{0}] {1}")]
    ModelNotFound(&'static str, String),
    /// Nothing matched a search for one record.
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts the row's state (it is still in use, say).
    #[error("{0}")]
    Conflict(String),
    /// A request under this `Idempotency-Key` is still running.
    #[error("A request with this Idempotency-Key is still being processed.")]
    KeyInFlight,
    /// An `If-Match` the record's version does not meet; nothing written.
    #[error("The resource has changed since it was read.")]
    PreconditionFailed,
    /// The path without its leading slash, as Laravel words it.
    #[error("The route {0} could not be found.")]
    RouteNotFound(String),
    #[error("The {method} method is not supported for route {path}. Supported methods: {}.", allowed.join(", "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allowed: &'static [&'static str],
    },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    /// A body of a type the route does not read.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request did not arrive within the client timeout.
    #[error("The request was not received in time.")]
    RequestTimeout,
    #[error("The request headers are too large.")]
    HeadersTooLarge,
    #[error("The request URI is too long.")]
    UriTooLong,
    /// Field errors, and the names the client sent some fields under.
    #[error("{0}")]
    Invalid(ValidationErrors, SentAs),
    #[error("Too Many Attempts.")]
    TooManyRequests(Exhausted),
    #[error("Service Unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("Server Error")]
    Internal(#[source] anyhow::Error),
}

/// The model an account of `kind` is, in "No query results for model [...]".
pub fn account_model(kind: AccountKind) -> &'static str {
    match kind {
        AccountKind::Prospect => "Prospect",
        AccountKind::Customer => "Customer",
    }
}

/// The 409 of every write to a converted prospect or what it owned.
const CONVERTED: &str = "This prospect has already been converted.";

/// A query string whose percent-escapes do not spell UTF-8.
pub fn query_not_utf8() -> ApiError {
    ApiError::BadRequest("The query string is not valid UTF-8.".to_owned())
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::NotFound(kind, id) => {
                ApiError::ModelNotFound(account_model(kind), id.0.to_string())
            }
            AccountError::Forbidden => ApiError::Forbidden,
            AccountError::Converted => ApiError::Conflict(CONVERTED.to_owned()),
            AccountError::Stale => ApiError::PreconditionFailed,
            AccountError::InFlight => ApiError::KeyInFlight,
            AccountError::Invalid(errors) => errors.into(),
            AccountError::Unavailable(cause) => ApiError::Unavailable(cause),
            AccountError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<OwnedError> for ApiError {
    fn from(error: OwnedError) -> Self {
        match error {
            OwnedError::NotFound(record, id) => {
                ApiError::ModelNotFound(record.model(), id.to_string())
            }
            OwnedError::OwnerNotFound(kind, id) => {
                ApiError::ModelNotFound(account_model(kind), id.0.to_string())
            }
            OwnedError::Forbidden => ApiError::Forbidden,
            OwnedError::Converted => ApiError::Conflict(CONVERTED.to_owned()),
            OwnedError::Stale => ApiError::PreconditionFailed,
            OwnedError::InFlight => ApiError::KeyInFlight,
            OwnedError::Invalid(errors) => errors.into(),
            OwnedError::Unavailable(cause) => ApiError::Unavailable(cause),
            OwnedError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<PaymentPlanError> for ApiError {
    fn from(error: PaymentPlanError) -> Self {
        match error {
            PaymentPlanError::OwnerNotFound(kind, id) => {
                ApiError::ModelNotFound(account_model(kind), id.0.to_string())
            }
            PaymentPlanError::Forbidden => ApiError::Forbidden,
            PaymentPlanError::Converted => ApiError::Conflict(CONVERTED.to_owned()),
            PaymentPlanError::Stale => ApiError::PreconditionFailed,
            PaymentPlanError::Invalid(errors) => errors.into(),
            PaymentPlanError::Unavailable(cause) => ApiError::Unavailable(cause),
            PaymentPlanError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<HistoryError> for ApiError {
    fn from(error: HistoryError) -> Self {
        match error {
            HistoryError::NotFound(kind, id) => {
                ApiError::ModelNotFound(account_model(kind), id.0.to_string())
            }
            HistoryError::Forbidden => ApiError::Forbidden,
            HistoryError::Unavailable(cause) => ApiError::Unavailable(cause),
            HistoryError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<ReferenceDataError> for ApiError {
    fn from(error: ReferenceDataError) -> Self {
        match error {
            ReferenceDataError::NotFound(kind, id) => {
                ApiError::ModelNotFound(kind.model(), id.to_string())
            }
            ReferenceDataError::Forbidden => ApiError::Forbidden,
            ReferenceDataError::Invalid(errors) => errors.into(),
            conflict @ ReferenceDataError::StillReferenced(..) => {
                ApiError::Conflict(conflict.to_string())
            }
            ReferenceDataError::Unavailable(cause) => ApiError::Unavailable(cause),
            ReferenceDataError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Invalid(errors) => errors.into(),
            UserError::EmailTaken => {
                let mut errors = ValidationErrors::new();
                errors.add_template("email", "The :attribute has already been taken.".to_owned());
                errors.into()
            }
            UserError::NotFound(id) => ApiError::ModelNotFound("User", id.0.to_string()),
            UserError::Forbidden => ApiError::Forbidden,
            conflict @ UserError::SelfLockout => ApiError::Conflict(conflict.to_string()),
            UserError::Unavailable(cause) => ApiError::Unavailable(cause),
            UserError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Invalid(errors, SentAs::default())
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => ApiError::InvalidCredentials,
            AuthError::Unauthenticated(_) => ApiError::Unauthenticated,
            AuthError::Forbidden => ApiError::Forbidden,
            AuthError::Unavailable(cause) => ApiError::Unavailable(cause),
            AuthError::Unknown(cause) => ApiError::Internal(cause),
        }
    }
}

/// The 422 body: fields under their wire names (or the names the client
/// sent them under), in the contract's order, then any others (query
/// parameters) in the order they failed.
fn validation_body(errors: &ValidationErrors, sent_as: &SentAs) -> ValidationErrorBody {
    let mut fields = errors.fields_as(field_name);
    fields.sort_by_key(|(name, _)| field_position(name).unwrap_or(usize::MAX));
    ValidationErrorBody {
        message: summary(&fields),
        errors: FieldErrors(
            fields
                .into_iter()
                .map(|(name, messages)| (sent_as.label(name).to_owned(), messages))
                .collect(),
        ),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::ModelNotFound(..) | ApiError::RouteNotFound(_) | ApiError::NotFound(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::Conflict(_) | ApiError::KeyInFlight => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(error = ?cause, "storage unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthenticated => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed { allowed, .. } => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            ApiError::TooManyRequests(exhausted) => {
                response
                    .insert_header((header::RETRY_AFTER, exhausted.retry_after_seconds()))
                    .insert_header((RATE_LIMIT_LIMIT, exhausted.limit))
                    .insert_header((RATE_LIMIT_REMAINING, 0));
            }
            ApiError::RequestTimeout => {
                // The rest of the request may still be on its way: the
                // connection cannot carry another one.
                response.force_close();
            }
            ApiError::Unavailable(_) => {
                response.insert_header((
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                ));
            }
            ApiError::KeyInFlight => {
                // The first request ends within a storage call's bound.
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            _ => {}
        }
        match self {
            ApiError::Invalid(errors, sent_as) => response.json(validation_body(errors, sent_as)),
            _ => response.json(ErrorBody {
                message: self.to_string(),
            }),
        }
    }
}
