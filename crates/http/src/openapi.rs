//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the wire types. Schemas that exist only for documentation (request bodies,
//! error bodies) live here.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::pagination::Link;
use crate::routes;
use crate::wire::{ContactBody, DocumentBody, PaymentPlanBody, ProspectBody, ProspectDetailsBody};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Prospects API",
        description = "A sales pipeline over REST: the companies and people a sales team is courting, \
                       who owns each one, where each stands.\n\n\
                       Authenticate with `POST /api/login`, then send `Authorization: Bearer <token>`.\n\n\
                       **Sales users** (role level 5 or below) see and change only the prospects they \
                       represent: lists, counts and searches show nothing else, a prospect they create is \
                       always theirs, and reading, changing or deleting someone else's prospect is a 403.\n\n\
                       Every error body is `{\"message\": ...}` (validation adds `errors`). A method a \
                       path does not support is a 405 with `Allow`; an unknown path a 404. Each token has \
                       a request budget (`X-RateLimit-Limit`, `X-RateLimit-Remaining`), and so do login \
                       attempts per email and per client address: beyond it, 429 with `Retry-After`.",
        license(name = "MIT")
    ),
    paths(
        routes::login::login,
        routes::login::logout,
        routes::prospects::list,
        routes::prospects::create,
        routes::prospects::show,
        routes::prospects::update,
        routes::prospects::patch,
        routes::prospects::delete,
        routes::system::version,
        routes::system::livez,
        routes::system::readyz,
    ),
    components(schemas(
        ProspectBody, ProspectDetailsBody, ContactBody, DocumentBody, PaymentPlanBody, Link,
        ProspectPage, NewProspect, ProspectChanges, ErrorBody, ValidationErrorBody,
        LoginRequest, LoginResponse, LoginUser, VersionBody, StatusBody,
    )),
    modifiers(&BearerSecurity, &TrimmedLengths, &ChangesAreOptional, &SharedResponses),
    tags(
        (name = "Auth", description = "Exchanging credentials for a bearer token, and revoking it"),
        (name = "Prospects", description = "The sales pipeline"),
        (name = "System", description = "Version and health probes; no token needed"),
    )
)]
pub struct ApiDoc;

/// The document a running server serves: the committed one, with the
/// `per_page` maximum this server is configured with.
pub fn served_document(max_per_page: u32) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    let maximum = Some(utoipa::Number::from(max_per_page));
    let list = document
        .paths
        .paths
        .get_mut("/api/v1/prospects")
        .and_then(|item| item.get.as_mut());
    for parameter in list
        .and_then(|operation| operation.parameters.as_mut())
        .into_iter()
        .flatten()
    {
        if let RefOr::T(parameter) = parameter
            && parameter.name == "per_page"
            && let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
        {
            schema.maximum = maximum.clone();
        }
    }
    let page = document
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut("ProspectPage"));
    if let Some(RefOr::T(Schema::Object(page))) = page
        && let Some(RefOr::T(Schema::Object(per_page))) = page.properties.get_mut("per_page")
    {
        per_page.maximum = maximum;
    }
    document
}

/// The document as JSON, pretty-printed, ending with a newline (as committed in `docs/openapi.json`).
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// The `bearerAuth` scheme every `/api/v1` operation requires.
struct BearerSecurity;

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
struct TrimmedLengths;

/// The characters Rust's `str::trim` removes (Unicode `White_Space`),
/// spelled out: `\s` means slightly different things to the regex engines
/// of JSON Schema validators.
const WHITESPACE: &str =
    r"\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A pattern matching strings of `min..=max` characters once trimmed: the
/// trimmed text is one non-space character, or two with anything between.
pub fn trimmed_length_pattern(min: usize, max: usize) -> String {
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
struct ChangesAreOptional;

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
struct SharedResponses;

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

fn headers_too_large() -> Response {
    ResponseBuilder::new()
        .description("The request headers are over 16 KiB")
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

/// One page of prospects: Laravel's length-aware paginator, key for key.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents `Paginated<ProspectBody>`, which the handler writes"
)]
pub struct ProspectPage {
    #[schema(minimum = 1)]
    current_page: u64,
    data: Vec<ProspectBody<'static>>,
    #[schema(format = Uri)]
    first_page_url: String,
    /// Position of the first item on this page; `null` when the page is empty.
    #[schema(minimum = 1)]
    from: Option<u64>,
    #[schema(minimum = 1)]
    last_page: u64,
    #[schema(format = Uri)]
    last_page_url: String,
    /// Previous, the page numbers (with `...` gaps), next.
    links: Vec<Link>,
    #[schema(format = Uri)]
    next_page_url: Option<String>,
    /// The list's URL without query string.
    #[schema(format = Uri)]
    path: String,
    #[schema(minimum = 1, maximum = 100)]
    per_page: u32,
    #[schema(format = Uri)]
    prev_page_url: Option<String>,
    /// Position of the last item on this page; `null` when the page is empty.
    #[schema(minimum = 1)]
    to: Option<u64>,
    /// Every row the caller may see, across all pages.
    total: u64,
}

/// The list's query parameters, each declared under its literal name
/// (`filter[name]`, not a deepObject `filter`): generators and Swagger UI
/// handle those as plain parameters. Examples live in the descriptions:
/// Swagger UI pre-fills an `example` into "Try it out", which would filter
/// the list to nothing.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; query.rs parses it")]
pub struct ListParams {
    /// Case- and accent-insensitive substring of the name; a comma-separated
    /// value matches any of the parts (`acme,globex`).
    #[param(rename = "filter[name]")]
    filter_name: Option<String>,
    /// An exact id, or a comma-separated list of ids (`1,2,3`). Parts that
    /// are not integers match nothing.
    #[param(rename = "filter[id]")]
    filter_id: Option<String>,
    /// Every word must match the name, account number, email addresses,
    /// contact names, phone numbers, postal code, city, registration or VAT
    /// number; the last word may be the start of one. Without `sort`,
    /// results come by relevance (`societe generale`).
    #[param(rename = "filter[term_match]")]
    filter_term_match: Option<String>,
    /// Comma-separated `id`, `created_at`, `updated_at`, each optionally
    /// prefixed by `-` for descending, applied in order (`-created_at,id`).
    #[param(pattern = "^,*(-?(id|created_at|updated_at)(,+-?(id|created_at|updated_at))*)?,*$")]
    sort: Option<String>,
    /// The page, from 1. Anything that is not an integer of at least 1 means 1.
    page: Option<String>,
    /// Rows per page.
    #[param(minimum = 1, maximum = 100, default = 15)]
    per_page: Option<i64>,
}

/// A prospect to create. Defaults are stated in the descriptions rather than
/// as `default` keywords, which openapi-typescript would turn into required
/// properties of the request; email and URL rules are stated in descriptions
/// rather than as `format`s, which would forbid the `""` the server reads as null. Unknown keys and the server-owned `id`,
/// `customer_account`, `created_at`, `updated_at` are ignored. Strings are
/// trimmed and `""` counts as `null`; booleans also accept `1`, `0`, `"1"`,
/// `"0"`; integers also accept numeric strings.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the request body; the handler reads loose JSON"
)]
/// The whole-body example is what Swagger UI's "Try it out" sends: a body
/// that creates a prospect as it stands (per-field examples would give the
/// ids a `0` that names no row).
#[schema(example = json!({
    "name": "Acme Corp",
    "email_address": "info@acme.example",
    "main_address_city": "Paris",
    "website": "https://acme.example",
}))]
pub struct NewProspect {
    #[schema(min_length = 2, max_length = 255, example = "Acme Corp")]
    name: String,
    /// Must exist in `brands`.
    #[schema(schema_with = loose_id)]
    brand_id: Option<i64>,
    /// Must exist in `users`. Ignored for a sales user, who always becomes the representative.
    #[schema(schema_with = loose_id)]
    representative_id: Option<i64>,
    #[schema(max_length = 255)]
    accounts_reference: Option<String>,
    #[schema(max_length = 255)]
    registration_number: Option<String>,
    #[schema(max_length = 255)]
    tax_registration_number: Option<String>,
    /// Legal form.
    #[schema(max_length = 255)]
    r#type: Option<String>,
    #[schema(max_length = 255)]
    capital: Option<String>,
    #[schema(max_length = 255)]
    activity_code: Option<String>,
    /// Must exist in `sectors`.
    #[schema(schema_with = loose_id)]
    sector_id: Option<i64>,
    /// Must exist in `clusters`.
    #[schema(schema_with = loose_id)]
    cluster_id: Option<i64>,
    /// Must exist in `batches`.
    #[schema(schema_with = loose_id)]
    batch_id: Option<i64>,
    /// A valid email address (`""` counts as null).
    #[schema(max_length = 255, example = "info@acme.example")]
    email_address: Option<String>,
    /// A valid email address (`""` counts as null).
    #[schema(max_length = 255, example = "billing@acme.example")]
    account_email_address: Option<String>,
    #[schema(max_length = 255)]
    phone: Option<String>,
    #[schema(max_length = 255)]
    mobile_phone: Option<String>,
    #[schema(max_length = 255)]
    fax: Option<String>,
    #[schema(max_length = 255)]
    main_contact_first_name: Option<String>,
    #[schema(max_length = 255)]
    main_contact_last_name: Option<String>,
    #[schema(max_length = 255)]
    main_address_line1: Option<String>,
    #[schema(max_length = 255)]
    main_address_line2: Option<String>,
    #[schema(max_length = 255)]
    main_address_postal_code: Option<String>,
    #[schema(max_length = 255)]
    main_address_city: Option<String>,
    /// Default `"France"`; `null` puts the default back.
    #[schema(max_length = 255, example = "France")]
    main_address_country: Option<String>,
    /// An absolute `http` or `https` URL, never fetched by the server (`""`
    /// counts as null).
    #[schema(max_length = 2048, example = "https://acme.example")]
    website: Option<String>,
    /// Default `true`.
    #[schema(schema_with = loose_boolean)]
    active: Option<bool>,
    /// Default `true`.
    #[schema(schema_with = loose_boolean)]
    charge_vat: Option<bool>,
    /// Default `false`.
    #[schema(schema_with = loose_boolean)]
    merge_invoices: Option<bool>,
    /// Default `true`.
    #[schema(schema_with = loose_boolean)]
    accept_emails: Option<bool>,
    /// Default `true`.
    #[schema(schema_with = loose_boolean)]
    accept_calls: Option<bool>,
    #[schema(max_length = 65535)]
    comment: Option<String>,
    /// Must exist in `prospection_codes`.
    #[schema(schema_with = loose_id)]
    prospection_code_id: Option<i64>,
}

/// An id as the server reads it: an integer, a numeric string, or `null`
/// (`""` too, which counts as `null`).
fn loose_id() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Integer,
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(r"^\s*([+-]?[0-9]+)?\s*$"))
        .description(Some(
            "The id of an existing row of the table the field names (`brand_id`: brands, ...); \
             numeric strings such as \"12\" are read as integers, `\"\"` as null.",
        ))
        .build()
}

/// A boolean as the server reads it: `true`, `false`, `1`, `0`, `"1"`, `"0"`
/// (any other integer or string is a 422). No `enum`: generators cannot
/// type an enum of mixed types.
fn loose_boolean() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Boolean,
            Type::Integer,
            Type::String,
        ]))
        .description(Some("`true`, `false`, `1`, `0`, `\"1\"` or `\"0\"`."))
        .build()
}

/// Placeholder registered under its own name; [`ChangesAreOptional`] replaces
/// it with `NewProspect` minus its required list.
#[derive(ToSchema)]
pub struct ProspectChanges {}

/// Every error: `{"message": ...}`.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the error body; ApiError writes it")]
pub struct ErrorBody {
    #[schema(example = "This action is unauthorized.")]
    message: String,
}

/// A validation failure: the first message with a count of the others, and
/// every message by field.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the error body; ApiError writes it")]
pub struct ValidationErrorBody {
    #[schema(example = "The name field is required. (and 1 more error)")]
    message: String,
    #[schema(example = json!({"name": ["The name field is required."], "email_address": ["The email address field must be a valid email address."]}))]
    errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// Credentials (also accepted as `?email=...&password=...`).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the request body; the handler reads loose JSON"
)]
pub struct LoginRequest {
    #[schema(format = Email, min_length = 1, example = "ann@example.com")]
    email: String,
    #[schema(format = Password, min_length = 1)]
    password: String,
}

#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the response; the handler writes it")]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    user: LoginUser,
}

#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the response; the handler writes it")]
pub struct LoginUser {
    id: i64,
    name: String,
    #[schema(format = Email)]
    email: String,
    /// 5 or below: a sales user.
    role: i32,
}

#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the response; the handler writes it")]
pub struct VersionBody {
    #[schema(example = "0.1.0")]
    version: String,
    #[schema(example = "ok")]
    status: String,
}

#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the response; the handler writes it")]
pub struct StatusBody {
    #[schema(example = "ok")]
    status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_document_states_the_configured_per_page_maximum() {
        assert_eq!(
            serde_json::to_value(served_document(100)).expect("json"),
            serde_json::to_value(ApiDoc::openapi()).expect("json"),
            "the default is the committed document"
        );
        let json = serde_json::to_value(served_document(250)).expect("json");
        let list = &json["paths"]["/api/v1/prospects"]["get"]["parameters"];
        let per_page = list
            .as_array()
            .expect("parameters")
            .iter()
            .find(|parameter| parameter["name"] == "per_page")
            .expect("per_page");
        assert_eq!(per_page["schema"]["maximum"], 250);
        assert_eq!(
            json["components"]["schemas"]["ProspectPage"]["properties"]["per_page"]["maximum"],
            250
        );
    }

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

    #[test]
    fn the_committed_document_is_the_one_the_code_generates() {
        let committed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/openapi.json"
        ))
        .unwrap_or_default();
        assert!(
            committed == document_json(),
            "docs/openapi.json is out of date: run `cargo run --bin prospects -- openapi > docs/openapi.json`"
        );
    }

    #[test]
    fn every_v1_operation_requires_the_bearer_token() {
        let doc = ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            if !path.starts_with("/api/v1") {
                continue;
            }
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                assert!(
                    operation.security.as_ref().is_some_and(|s| !s.is_empty()),
                    "{path}"
                );
            }
        }
    }
}
