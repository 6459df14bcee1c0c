//! `Idempotency-Key` on the POSTs that create something (the IETF draft
//! "The Idempotency-Key HTTP Header Field", Stripe's semantics): the first
//! request under a key runs and its response is stored with the record, in
//! one transaction; a retry with the same request gets that response again,
//! marked `Idempotent-Replayed: true`. The same key with another request is
//! a 422, and with one still running a 409.
//!
//! A handler admits the request ([`admit`]), passes the receipt to its
//! service, then answers through [`Once::respond`]: first answers and
//! replays are built from the same stored bytes.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use prospects_domain::idempotency::MAX_KEY_CHARS;
use prospects_domain::{
    Claim, Fingerprint, IdempotencyError, IdempotencyKey, Lease, Receipt, Replay, Rule,
    ValidationErrors,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::preconditions::etag;
use crate::state::ApiState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The header, as documented on every creating POST.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// Makes the request safe to retry: a retry under the same key (1 to
    /// 255 printable ASCII characters, optionally in double quotes, unique
    /// per request, say a UUID) gets the first response again instead of
    /// creating a second record. Keys are per user, kept 24 hours by
    /// default (`PROSPECTS_IDEMPOTENCY_TTL`).
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 257)]
    pub idempotency_key: Option<String>,
}

/// The field 422s about the key are reported under.
const FIELD: &str = "idempotency_key";
const ONCE: &str = "The :attribute header must be sent once.";
const PRINTABLE: &str = "The :attribute field must hold printable ASCII characters only.";

/// The key the request sent, if any; 422 when it is empty, too long, not
/// printable ASCII or sent twice.
pub fn sent_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut sent = req.headers().get_all(IDEMPOTENCY_KEY);
    let Some(value) = sent.next() else {
        return Ok(None);
    };
    let refuse = |template: String| {
        let mut errors = ValidationErrors::new();
        errors.add_template(FIELD, template);
        Err(ApiError::from(errors))
    };
    let invalid = |rule: Rule| refuse(rule.template());
    if sent.next().is_some() {
        return refuse(ONCE.to_owned());
    }
    let Some(text) = value
        .to_str()
        .ok()
        .filter(|text| text.bytes().all(|b| (b' '..=b'~').contains(&b)))
    else {
        return refuse(PRINTABLE.to_owned());
    };
    // A structured-field string (the draft's form) or a bare token (Stripe's).
    let key = text
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(text);
    if key.is_empty() {
        return invalid(Rule::Required);
    }
    if key.len() > MAX_KEY_CHARS {
        return invalid(Rule::MaxChars(MAX_KEY_CHARS));
    }
    Ok(Some(key.to_owned()))
}

/// What identifies a request: its method, path and query, and what it
/// sent (`parts`: the body's bytes, or an upload's fields and content
/// digest).
pub fn fingerprint(req: &HttpRequest, parts: &[&[u8]]) -> Fingerprint {
    let mut digest = Sha256::new();
    let head = [req.method().as_str(), req.path(), req.query_string()];
    for part in head
        .iter()
        .map(|part| part.as_bytes())
        .chain(parts.iter().copied())
    {
        // Length-prefixed, so that no two lists of parts hash alike.
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part);
    }
    Fingerprint(hex(&digest.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The response to a created record: its status, `ETag` and `Location`
/// when it has them, and its JSON body.
pub fn created(
    status: StatusCode,
    version: Option<prospects_domain::Version>,
    location: Option<String>,
    body: &impl Serialize,
) -> Replay {
    let mut headers = Vec::new();
    if let Some(version) = version
        && let Ok(tag) = etag(version).to_str()
    {
        headers.push((header::ETAG.to_string(), tag.to_owned()));
    }
    if let Some(location) = location {
        headers.push((header::LOCATION.to_string(), location));
    }
    Replay {
        status: status.as_u16(),
        headers,
        body: serde_json::to_string(body).unwrap_or_default(),
    }
}

/// How a creating request goes on once admitted.
pub enum Admitted<T> {
    /// Run the write, under the lease when a key was sent.
    Run(Once<T>),
    /// The first request's response, sent again.
    Replayed(HttpResponse),
}

/// A write about to run, and how its response is rendered.
pub struct Once<T> {
    lease: Option<Lease>,
    render: Arc<dyn Fn(&T) -> Replay + Send + Sync>,
}

impl<T> Once<T> {
    /// What the write stores its response with, when a key was sent.
    pub fn receipt(&self) -> Option<Receipt<T>> {
        self.lease
            .clone()
            .map(|lease| Receipt::new(lease, self.render.clone()))
    }

    /// The write's answer: the rendered response (the very bytes stored
    /// under the key), or its error after giving the key back, so that
    /// the client may retry a refused request under it.
    pub async fn respond(
        self,
        state: &ApiState,
        written: Result<T, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        match written {
            Ok(created) => Ok(response((self.render)(&created), false)),
            Err(error) => {
                if let Some(lease) = &self.lease {
                    state.idempotency.release(lease).await;
                }
                Err(error)
            }
        }
    }
}

/// Admits a creating request: without a key it runs as ever; with one, a
/// new key is claimed for it, a completed one replayed, and a key in use
/// (409) or sent with another request (422) refused.
pub async fn admit<T>(
    state: &ApiState,
    req: &HttpRequest,
    caller: &Caller,
    fingerprint: impl FnOnce() -> Fingerprint,
    render: impl Fn(&T) -> Replay + Send + Sync + 'static,
) -> Result<Admitted<T>, ApiError> {
    let render: Arc<dyn Fn(&T) -> Replay + Send + Sync> = Arc::new(render);
    let Some(key) = sent_key(req)? else {
        return Ok(Admitted::Run(Once {
            lease: None,
            render,
        }));
    };
    let key = IdempotencyKey {
        user: caller.actor().user_id(),
        key,
    };
    let claim = state
        .idempotency
        .claim(&key, &fingerprint())
        .await
        .map_err(|error| match error {
            IdempotencyError::Unavailable(cause) => ApiError::Unavailable(cause),
            IdempotencyError::Unknown(cause) => ApiError::Internal(cause),
        })?;
    match claim {
        Claim::Leased(lease) => Ok(Admitted::Run(Once {
            lease: Some(lease),
            render,
        })),
        Claim::Completed(replay) => Ok(Admitted::Replayed(response(replay, true))),
        Claim::InFlight => Err(ApiError::KeyInFlight),
        Claim::Mismatch => {
            let mut errors = ValidationErrors::new();
            errors.add_template(
                FIELD,
                "The :attribute has already been used with a different request.".to_owned(),
            );
            Err(errors.into())
        }
    }
}

/// A stored response as sent.
fn response(replay: Replay, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(replay.status).unwrap_or(StatusCode::CREATED);
    let mut response = HttpResponse::build(status);
    for (name, value) in &replay.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            response.insert_header((name, value));
        }
    }
    if replayed {
        response.insert_header((IDEMPOTENT_REPLAYED, HeaderValue::from_static("true")));
    }
    response
        .content_type(mime::APPLICATION_JSON)
        .body(replay.body)
}
