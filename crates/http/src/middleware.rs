//! Around every request: a header size limit (431), a request id
//! (`X-Request-Id`: the caller's when it is a sane token, else a new one),
//! the token's remaining budget (`X-RateLimit-*`), one flat log line and the
//! request metrics, and a 500 JSON body instead of a dropped connection when
//! a handler panics. Only method and route are logged: never a path's ids,
//! a query string (login accepts credentials there), a header or a body.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use futures_util::FutureExt;
use prospects_domain::UserId;

use crate::errors::{ApiError, RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING};
use crate::metrics;
use crate::state::ApiState;
use crate::throttle::Budget;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id reused from a caller.
pub const MAX_REQUEST_ID: usize = 128;

/// The most header bytes (names and values) a request may carry: room for
/// a token attenuated many times, far below what a flood would need.
/// Beyond it, 431 with a JSON body. (actix itself answers 431 without a body
/// beyond 96 headers, and 400 beyond a 128 KiB request head.)
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

fn header_bytes(req: &ServiceRequest) -> usize {
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum()
}

/// The caller's `X-Request-Id` when it is one sane token (1 to 128 of
/// `A-Z a-z 0-9 - _ . :`, as UUIDs, ULIDs and proxies' ids are), so a
/// request can be followed across services; anything else is replaced, so
/// nothing a client sends can forge or break a log line.
fn request_id(req: &ServiceRequest) -> String {
    let mut sent = req.headers().get_all(REQUEST_ID);
    let sane = |id: &&str| {
        (1..=MAX_REQUEST_ID).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    match (sent.next(), sent.next()) {
        (Some(only), None) => only.to_str().ok().filter(sane).map(str::to_owned),
        _ => None,
    }
    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The request's id, as the handlers see it.
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = request_id(&req);
    // The history names the request of every change it records.
    req.extensions_mut()
        .insert(RequestId(Arc::from(request_id.as_str())));
    let method = metrics::method_label(req.method());
    let client = req
        .app_data::<web::Data<ApiState>>()
        .and_then(|state| state.settings.origins.client_address(req.request()));
    let started = Instant::now();
    // No clone of the request may be held across `next.call`: routing needs
    // it unshared. After a panic, actix renders the returned error (our JSON 500).
    let outcome = if header_bytes(&req) > MAX_HEADER_BYTES {
        Ok(Ok(req.error_response(ApiError::HeadersTooLarge)))
    } else {
        AssertUnwindSafe(next.call(req))
            .catch_unwind()
            .await
            .map(|served| served.map(ServiceResponse::map_into_boxed_body))
    };
    let mut response = match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => return Err(error),
        Err(_) => {
            tracing::error!(request_id = %request_id, method, "the handler panicked");
            return Err(ApiError::Internal(anyhow::anyhow!("the handler panicked")).into());
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let budget = response.request().extensions().get::<Budget>().copied();
    if let Some(budget) = budget {
        let headers = response.headers_mut();
        headers.insert(RATE_LIMIT_LIMIT, HeaderValue::from(budget.limit));
        headers.insert(RATE_LIMIT_REMAINING, HeaderValue::from(budget.remaining));
    }
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let route = response.request().match_pattern();
    let route = route.as_deref().unwrap_or(metrics::UNMATCHED_ROUTE);
    metrics::request(method, route, status, latency);
    let user = response
        .request()
        .extensions()
        .get::<UserId>()
        .map(|id| id.0);
    // Before compression; `None` for a streamed body (a document).
    let bytes = match response.response().body().size() {
        BodySize::Sized(bytes) => Some(bytes),
        BodySize::None => Some(0),
        BodySize::Stream => None,
    };
    tracing::info!(
        request_id = %request_id,
        method,
        route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        bytes,
        user,
        client = client.map(tracing::field::display),
        "request"
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test as actix_test, web};

    use super::*;

    async fn explode() -> HttpResponse {
        panic!("a bug in a handler")
    }

    #[test]
    fn a_sane_request_id_is_reused_and_anything_else_replaced() {
        let id_for = |values: &[&str]| {
            let mut request = actix_test::TestRequest::get();
            for value in values {
                request = request.append_header((REQUEST_ID, *value));
            }
            request_id(&request.to_srv_request())
        };
        for sane in ["abc-123", "01HZX3K5:Root.1_a", &"a".repeat(MAX_REQUEST_ID)] {
            assert_eq!(id_for(&[sane]), sane);
        }
        for insane in [
            "",
            "a b",
            "line\"break",
            "é",
            "{\"json\":1}",
            &"a".repeat(MAX_REQUEST_ID + 1),
        ] {
            let replaced = id_for(&[insane]);
            assert_ne!(replaced, insane);
            assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "{replaced}");
        }
        let two = id_for(&["one", "two"]);
        assert!(uuid::Uuid::parse_str(&two).is_ok(), "{two}");
        assert!(uuid::Uuid::parse_str(&id_for(&[])).is_ok());
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_a_json_500_and_the_server_keeps_serving() {
        let app = actix_test::init_service(
            App::new()
                .wrap(from_fn(observe))
                .route("/explode", web::get().to(explode))
                .route(
                    "/fine",
                    web::get().to(|| async { HttpResponse::Ok().finish() }),
                ),
        )
        .await;
        // The server renders a service error with `error_response`, as here.
        let error = actix_test::try_call_service(
            &app,
            actix_test::TestRequest::get().uri("/explode").to_request(),
        )
        .await
        .expect_err("the panic becomes an error");
        let response = error.error_response();
        assert_eq!(response.status().as_u16(), 500);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body, serde_json::json!({"message": "Server Error"}));
        let response = actix_test::call_service(
            &app,
            actix_test::TestRequest::get().uri("/fine").to_request(),
        )
        .await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers().contains_key(REQUEST_ID));
    }
}
