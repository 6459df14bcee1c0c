//! Changes to the generated document that annotations cannot express: the
//! security scheme, length bounds counted after trimming, the optional
//! update body, and the answers every operation shares (403 for narrowed
//! tokens, 429, 431).

use utoipa::Modify;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Schema};

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

/// The server trims strings before counting their characters (SPEC §2), but
/// `minLength`/`maxLength` count the raw string, so a 256-character name
/// padded with a space would be documented as invalid yet accepted. Each
/// length bound of a request string becomes a pattern over the trimmed text.
/// (`comment`'s 65 535 stays a `maxLength`: no body under the size limit
/// can carry that many characters, padded or not.)
pub struct TrimmedLengths;

/// The characters Rust's `str::trim` removes (Unicode `White_Space`),
/// spelled out: `\s` means slightly different things to the regex engines
/// of JSON Schema validators.
const WHITESPACE: &str =
    r"\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A pattern matching strings of `min..=max` characters once trimmed: the
/// trimmed text is one non-space character, or two with anything between.
fn trimmed_length_pattern(min: usize, max: usize) -> String {
    let (space, solid) = (format!("[{WHITESPACE}]"), format!("[^{WHITESPACE}]"));
    let mut shapes = Vec::new();
    if min <= 1 && max >= 1 {
        shapes.push(solid.clone());
    }
    if max >= 2 {
        let (least, most) = (min.max(2) - 2, max - 2);
        shapes.push(format!("{solid}[\\s\\S]{{{least},{most}}}{solid}"));
    }
    let optional = if min == 0 { "?" } else { "" };
    format!("^{space}*(?:{}){optional}{space}*$", shapes.join("|"))
}

impl Modify for TrimmedLengths {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(new))) = components.schemas.get_mut("NewProspect") else {
            return;
        };
        for property in new.properties.values_mut() {
            let RefOr::T(Schema::Object(field)) = property else {
                continue;
            };
            let Some(max) = field.max_length.filter(|max| *max <= 4096) else {
                continue;
            };
            let min = field.min_length.take().unwrap_or(0);
            field.max_length = None;
            field.pattern = Some(trimmed_length_pattern(min, max));
            let bound = match min {
                0 => format!("At most {max} characters once trimmed."),
                _ => format!("{min} to {max} characters once trimmed."),
            };
            field.description = Some(match field.description.take() {
                Some(text) => format!("{text} {bound}"),
                None => bound,
            });
        }
    }
}

/// `ProspectChanges` is `NewProspect` with nothing required: an update sends any subset.
pub struct ChangesAreOptional;

impl Modify for ChangesAreOptional {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(new))) = components.schemas.get("NewProspect").cloned()
        {
            let mut changes = new;
            changes.required.clear();
            changes.description = Some(
                "The fields to change; any subset of a prospect's writable fields. Fields not sent are kept."
                    .to_owned(),
            );
            changes.example = Some(serde_json::json!({
                "main_address_city": "Lyon",
                "accept_calls": false,
            }));
            components.schemas.insert(
                "ProspectChanges".to_owned(),
                RefOr::T(Schema::Object(changes)),
            );
        }
    }
}

/// Answers every operation shares: 431 for oversized headers; and, for
/// login and every token-bearing operation, which spend a budget, 429 and
/// (token-bearing ones) what is left in `X-RateLimit-*`.
pub struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let token_bearing = path.starts_with("/api/v1/") || path == "/api/logout";
            let throttled = token_bearing || path == "/api/login";
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                if token_bearing {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_length_patterns_count_what_the_server_counts() {
        let cases = [(2, 255), (0, 255), (0, 2048), (1, 3)];
        let samples = [
            String::new(),
            " ".to_owned(),
            "a".to_owned(),
            " \u{3000}ab\u{85} ".to_owned(),
            "a\nb".to_owned(),
            "é".repeat(255),
            format!(" {} ", "x".repeat(255)),
            format!("\t{}", "x".repeat(256)),
            "x".repeat(2048),
            "x".repeat(2049),
            "\u{feff}ab".to_owned(),
        ];
        for (min, max) in cases {
            let pattern = regex::Regex::new(&trimmed_length_pattern(min, max)).expect("regex");
            for sample in &samples {
                let length = sample.trim().chars().count();
                assert_eq!(
                    pattern.is_match(sample),
                    (min..=max).contains(&length),
                    "{min}..={max}: {sample:?}"
                );
            }
        }
    }
}
