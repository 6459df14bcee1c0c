//! Schemas that exist only for documentation: the list page and parameters,
//! request bodies (lenient input stated as such), error and login bodies.

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use crate::pagination::Link;
use crate::wire::ProspectBody;

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
    /// value matches any of the parts (`acme,globex`). At most 50 parts.
    #[param(rename = "filter[name]", max_length = 1000)]
    filter_name: Option<String>,
    /// An exact id, or a comma-separated list of ids (`1,2,3`). Parts that
    /// are not integers match nothing. At most 100 parts.
    #[param(rename = "filter[id]", max_length = 1000)]
    filter_id: Option<String>,
    /// Every word must match the name, account number, email addresses,
    /// contact names, phone numbers, postal code, city, registration or VAT
    /// number; the last word may be the start of one. Without `sort`,
    /// results come by relevance (`societe generale`). At most 20 words.
    #[param(rename = "filter[term_match]", max_length = 1000)]
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

// Defaults are stated in the descriptions rather than as `default` keywords,
// which openapi-typescript would turn into required properties of the
// request; email and URL rules are stated in descriptions rather than as
// `format`s, which would forbid the `""` the server reads as null. The
// whole-body example is what Swagger UI's "Try it out" sends: a body that
// creates a prospect as it stands (per-field examples would give the ids a
// `0` that names no row).
/// A prospect to create. Unknown keys and the server-owned `id`,
/// `customer_account`, `created_at`, `updated_at` are ignored. Strings are
/// trimmed and `""` counts as `null`; booleans also accept `1`, `0`, `"1"`,
/// `"0"`; integers also accept numeric strings. Every field is also accepted
/// under the vendor PHP client's camelCase name (`emailAddress`, `chargeVAT`, ...).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the request body; the handler reads loose JSON"
)]
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
