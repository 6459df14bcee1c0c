//! The bearer-token extractor: who is calling, checked against what the
//! request does (read or write, which prospect), and spending one request
//! of the token's budget.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use prospects_domain::{Access, AccountId, Actor, AuthError, Operation, Session, Trace};

use crate::errors::ApiError;
use crate::metrics;
use crate::middleware::RequestId;
use crate::state::ApiState;

/// The authenticated caller of a `/api/v1` endpoint (or of logout).
#[derive(Debug, Clone)]
pub struct Caller(pub Session);

impl Caller {
    pub fn actor(&self) -> &Actor {
        &self.0.actor
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        let token = bearer_token(req);
        let operation = operation_of(req);
        // Only a prospect's own routes address a prospect; other `{id}`s
        // (a brand's, say) are not prospect ids.
        let prospect = req
            .match_pattern()
            .filter(|pattern| pattern.contains("/prospects/{id}"))
            .and_then(|_| req.match_info().get("id"))
            .and_then(parse_id);
        let req = req.clone();
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no ApiState registered")))?;
            let Some(token) = token else {
                metrics::token_refused("missing");
                return Err(ApiError::Unauthenticated);
            };
            let access = Access {
                operation,
                prospect,
            };
            let mut session =
                state
                    .auth
                    .authenticate(&token, access)
                    .await
                    .inspect_err(|error| match error {
                        AuthError::Unauthenticated(refusal) => {
                            metrics::token_refused(refusal.as_str())
                        }
                        AuthError::Forbidden => metrics::token_refused("forbidden"),
                        _ => {}
                    })?;
            // The request's log line names the user, even when refused below.
            req.extensions_mut().insert(session.actor.user_id());
            // What the history records of a change's author.
            let trace = Trace {
                token_id: Some(Arc::from(session.token_id.as_str())),
                request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
            };
            session.actor = session.actor.traced(trace);
            let budget = state
                .throttles
                .per_token
                .hit(&session.family_id)
                .await
                .map_err(ApiError::TooManyRequests)?;
            if let Some(budget) = budget {
                req.extensions_mut().insert(budget);
            }
            Ok(Caller(session))
        })
    }
}

/// What a request does, as a token's checks see it. Logging out counts as
/// reading: revoking one's own token only ever takes access away, so a
/// read-only token may end itself.
fn operation_of(req: &HttpRequest) -> Operation {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD)
        || req
            .match_pattern()
            .is_some_and(|pattern| pattern.ends_with(LOGOUT_PATH));
    if reads {
        Operation::Read
    } else {
        Operation::Write
    }
}

pub const LOGOUT_PATH: &str = "/api/logout";

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A prospect id is a positive integer; anything else names no prospect.
pub fn parse_id(segment: &str) -> Option<AccountId> {
    if !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(AccountId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_integers_are_ids() {
        assert_eq!(parse_id("42"), Some(AccountId(42)));
        for bad in ["0", "-1", "abc", "9223372036854775808", "+1", "1.0", ""] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
