//! Around every request: a header size limit (431), a request id
//! (`X-Request-Id`), the token's remaining budget (`X-RateLimit-*`), one
//! structured log line, and a 500 JSON body instead of a dropped connection
//! when a handler panics. Only method and path are logged: never a query
//! string (login accepts credentials there), a header or a body.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use futures_util::FutureExt;

use crate::errors::{ApiError, RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING};
use crate::throttle::Budget;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().clone();
    let path = req.path().to_owned();
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
            tracing::error!(request_id = %request_id, method = %method, path = %path, "the handler panicked");
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
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
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
