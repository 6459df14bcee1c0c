//! What every operation shares, attached in one place: the security
//! scheme, and the answers no handler states itself (401 and 403 for
//! tokens, 429 for budgets, 431 for headers, 503 for the database).

use utoipa::Modify;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};

use crate::middleware::MAX_HEADER_BYTES;

/// The `bearerAuth` scheme every `/api/v1` operation requires.
pub struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("Biscuit")
                    .description(Some(
                        "A Biscuit token from `POST /api/login` or `prospects tokens issue`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Answers every operation shares: 431 for oversized headers; for login
/// and every token-bearing operation, which spend a budget, 429 and
/// (token-bearing ones) what is left in `X-RateLimit-*`; for token-bearing
/// ones, 401; for all of these, which read the database, 503.
pub struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let token_bearing =
                path.starts_with("/api/v1/") || path == "/api/logout" || path == "/api/user";
            let throttled = token_bearing || path == "/api/login";
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for (method, operation) in ["GET", "PUT", "POST", "PATCH", "DELETE"]
                .into_iter()
                .zip(operations)
                .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
            {
                let responses = &mut operation.responses.responses;
                if throttled {
                    responses
                        .entry("503".to_owned())
                        .or_insert_with(|| RefOr::T(unavailable(method != "GET")));
                }
                if token_bearing {
                    responses
                        .entry("401".to_owned())
                        .or_insert_with(|| RefOr::T(unauthenticated()));
                    match responses.get_mut("403") {
                        Some(RefOr::T(response)) => {
                            response
                                .description
                                .push_str(&format!("; or {TOKEN_FORBIDS}"));
                        }
                        _ => {
                            responses.insert("403".to_owned(), RefOr::T(token_forbids()));
                        }
                    }
                    for (status, response) in responses.iter_mut() {
                        if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
                            add_budget_headers(response);
                        }
                    }
                }
                if throttled {
                    responses.insert("429".to_owned(), RefOr::T(too_many_attempts()));
                }
                responses.insert("431".to_owned(), RefOr::T(headers_too_large()));
            }
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

fn unauthenticated() -> Response {
    error_response("No valid token (`Unauthenticated.`), with `WWW-Authenticate: Bearer`")
}

fn unavailable(write: bool) -> Response {
    let mut description =
        "The database is unavailable (`Service Unavailable`); retry after `Retry-After` seconds"
            .to_owned();
    if write {
        description.push_str(
            ". A write whose database connection was lost may or may not have been applied: \
             read before retrying",
        );
    }
    let mut response = error_response(&description);
    response.headers.insert(
        "Retry-After".to_owned(),
        RefOr::T(integer_header("Seconds to wait before retrying")),
    );
    response
}

const TOKEN_FORBIDS: &str = "the token's own checks forbid this request (an attenuated \
                             token, say read-only asked to write): `This action is unauthorized.`";

fn token_forbids() -> Response {
    let mut description = TOKEN_FORBIDS.to_owned();
    description[..1].make_ascii_uppercase();
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .example(Some(
                    serde_json::json!({"message": "This action is unauthorized."}),
                ))
                .build(),
        )
        .build()
}

fn headers_too_large() -> Response {
    ResponseBuilder::new()
        .description(format!(
            "The request headers are over {} KiB",
            MAX_HEADER_BYTES / 1024
        ))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .example(Some(
                    serde_json::json!({"message": "The request headers are too large."}),
                ))
                .build(),
        )
        .build()
}

fn integer_header(description: &str) -> Header {
    let mut header = Header::new(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0)),
    );
    header.description = Some(description.to_owned());
    header
}

fn add_budget_headers(response: &mut Response) {
    response.headers.insert(
        "X-RateLimit-Limit".to_owned(),
        RefOr::T(integer_header(
            "Requests the token may make per period (absent when unlimited)",
        )),
    );
    response.headers.insert(
        "X-RateLimit-Remaining".to_owned(),
        RefOr::T(integer_header("Requests left before a 429")),
    );
}

fn too_many_attempts() -> Response {
    let mut response = ResponseBuilder::new()
        .description(
            "Over the request budget (`Too Many Attempts.`); retry after `Retry-After` seconds",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .example(Some(serde_json::json!({"message": "Too Many Attempts."})))
                .build(),
        )
        .header(
            "Retry-After",
            integer_header("Seconds until the next request is allowed"),
        )
        .build();
    add_budget_headers(&mut response);
    response
}
