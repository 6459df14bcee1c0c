//! `/api/v1/prospects`: list, create, show, update, delete, convert.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{Account, ValidationErrors};

use super::accounts;
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::form;
use crate::idempotency::{self, Admitted, IdempotencyKeyHeader, fingerprint};
use crate::pagination::Listed;
use crate::preconditions::{IfMatch, IfNoneMatch, if_match};
use crate::query::ListParams;
use crate::state::ApiState;
use crate::wire::{
    AccountJson, CustomerBody, ErrorBody, NewProspect, ProspectBody, ProspectChanges,
    ProspectDetailsBody, ValidationErrorBody,
};

/// One page of prospects, numbered or by cursor.
type ProspectList<'a> = Listed<ProspectBody<'a>>;

/// List prospects
///
/// Filters combine with AND; an empty filter value is skipped. Without `sort`
/// the order is by id (by relevance first when `filter[term_match]` is given).
/// A sales user sees only the prospects they represent, and `total` counts only those.
#[utoipa::path(
    get,
    path = "/api/v1/prospects",
    tag = "Prospects",
    operation_id = "listProspects",
    params(ListParams),
    responses(
        (status = 200, description = "One page of prospects: numbered (`ProspectPage`), or by cursor (`ProspectCursorPage`) when `cursor` is given", body = ProspectList),
        (status = 400, description = "An unknown filter or sort, or a query string that is not UTF-8", body = ErrorBody),
        (status = 422, description = "`per_page` out of bounds, a `cursor` that is not one of this list's, or a filter over its bounds (1,000 characters; parts or words as stated on each filter), reported on `filter.name`, `filter.id` or `filter.term_match`", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::list(&state.prospects, &req, &caller, &state).await
}

/// Create a prospect
///
/// The account number is generated. A sales user always becomes the
/// representative, whatever `representative_id` says.
#[utoipa::path(
    post,
    path = "/api/v1/prospects",
    tag = "Prospects",
    operation_id = "createProspect",
    params(IdempotencyKeyHeader),
    request_body = NewProspect,
    responses(
        (status = 201, description = "Created; `Location` names the new prospect", body = ProspectBody,
            headers(
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                ("Location" = String, description = "URL of the created prospect"),
                ("ETag" = String, description = "The prospect's version, for `If-Match` and `If-None-Match`"),
            )),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 409, description = "A request with the same `Idempotency-Key` is still running; retry after `Retry-After`", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed; or an `Idempotency-Key` already used with a different request (reported on `idempotency_key`)", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::create(&state.prospects, &req, &caller, payload, &state).await
}

/// Show a prospect
///
/// With its payment plan, contacts and documents. A sales user gets 403 for
/// a prospect they do not represent.
#[utoipa::path(
    get,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "showProspect",
    params(("id" = i64, Path, description = "Prospect id"), IfNoneMatch),
    responses(
        (status = 200, description = "The prospect", body = ProspectDetailsBody,
            headers(("ETag" = String, description = "The prospect's version, for `If-Match` and `If-None-Match`"))),
        (status = 304, description = "The prospect is still at the `If-None-Match` version; no body",
            headers(("ETag" = String, description = "The prospect's version, for `If-Match` and `If-None-Match`"))),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::show(&state.prospects, &req, &caller).await
}

/// Update a prospect
///
/// The fields sent are validated and written, the others kept; answers 201 as
/// the vendor documents. A sales user gets 403 for a
/// prospect they do not represent, or for a `representative_id` other than their own.
#[utoipa::path(
    put,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "updateProspect",
    params(("id" = i64, Path, description = "Prospect id"), IfMatch),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated prospect", body = ProspectBody,
            headers(("ETag" = String, description = "The prospect's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the prospect to someone else", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 409, description = "The prospect has been converted to a customer", body = ErrorBody,
            example = json!({"message": "This prospect has already been converted."})),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the prospect is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn update(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::update(&state.prospects, &req, &caller, payload, &state).await
}

/// Update a prospect (PATCH)
///
/// The same as `PUT`: the fields sent are validated and written, the others
/// kept; answers 201.
#[utoipa::path(
    patch,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "patchProspect",
    params(("id" = i64, Path, description = "Prospect id"), IfMatch),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated prospect", body = ProspectBody,
            headers(("ETag" = String, description = "The prospect's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the prospect to someone else", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 409, description = "The prospect has been converted to a customer", body = ErrorBody,
            example = json!({"message": "This prospect has already been converted."})),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the prospect is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn patch(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, payload, state).await
}

/// Delete a prospect
///
/// With its contacts, documents and payment plan, in one transaction.
#[utoipa::path(
    delete,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "deleteProspect",
    params(("id" = i64, Path, description = "Prospect id"), IfMatch),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Prospect deleted."})),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 412, description = "`If-Match` names a version the prospect is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::delete(&state.prospects, &req, &caller).await
}

/// Convert a prospect to a customer
///
/// In one transaction: a customer is created with the prospect's fields,
/// the prospect's contacts, documents and payment plan move to it, and the
/// prospect is marked converted (`converted_customer_id`, `converted_at`). A
/// converted prospect stays readable and answers 409 to every write. With
/// `dry_run=true`, answers 200 with the customer that would be created and
/// writes nothing (its id and account number are indicative: the real
/// conversion gets new ones). A sales user converts only the prospects they
/// represent.
#[utoipa::path(
    post,
    path = "/api/v1/prospects/{id}/convert",
    tag = "Prospects",
    operation_id = "convertProspect",
    params(
        ("id" = i64, Path, description = "Prospect id"),
        IfMatch,
        IdempotencyKeyHeader,
        ("dry_run" = Option<bool>, Query, description = "Answer with the customer that would be created, and write nothing"),
    ),
    responses(
        (status = 201, description = "Converted; `Location` names the new customer", body = CustomerBody,
            headers(
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                ("Location" = String, description = "URL of the created customer"),
                ("ETag" = String, description = "The customer's version"),
            )),
        (status = 200, description = "Dry run: the customer that would be created", body = CustomerBody),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 409, description = "The prospect has already been converted, or a request with the same `Idempotency-Key` is still running (retry after `Retry-After`)", body = ErrorBody,
            example = json!({"message": "This prospect has already been converted."})),
        (status = 422, description = "`dry_run` is not a boolean; or an `Idempotency-Key` already used with a different request (reported on `idempotency_key`)", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the prospect is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn convert(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = accounts::account_id(&state.prospects, &req)?;
    let expected = if_match(&req);
    if dry_run(req.query_string())? {
        // Writes nothing, so no key is claimed or stored; a malformed one
        // is still refused, as it would be on the real conversion.
        idempotency::sent_key(&req)?;
        let customer = state
            .prospects
            .convert(caller.actor(), id, true, &expected, None)
            .await?;
        return Ok(HttpResponse::Ok().json(AccountJson::from(&customer)));
    }
    // Under the mount the request came by (the SDK's has its own prefix).
    let path = req.path();
    let mount = path.find("/api/v1/prospects/").map_or("", |at| &path[..at]);
    let customers = state
        .settings
        .origins
        .absolute_url(&req, &format!("{mount}/api/v1/customers"));
    let render = move |customer: &Account| {
        let location = format!("{customers}/{}", customer.id.0);
        let body = AccountJson::from(customer);
        idempotency::created(
            StatusCode::CREATED,
            Some(customer.version),
            Some(location),
            &body,
        )
    };
    let once =
        match idempotency::admit(&state, &req, &caller, || fingerprint(&req, &[]), render).await? {
            Admitted::Run(once) => once,
            Admitted::Replayed(response) => return Ok(response),
        };
    let converted = state
        .prospects
        .convert(caller.actor(), id, false, &expected, once.receipt())
        .await
        .map_err(ApiError::from);
    once.respond(&state, converted).await
}

/// `dry_run` as Laravel's boolean rule reads it: `true`, `false`, `1`, `0`;
/// absent means false.
fn dry_run(query: &str) -> Result<bool, ApiError> {
    let pairs = form::pairs(query.as_bytes()).map_err(|_| crate::errors::query_not_utf8())?;
    let sent = pairs
        .into_iter()
        .rfind(|(key, _)| key == "dry_run")
        .map(|(_, value)| value);
    match sent.as_deref() {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => {
            let mut errors = ValidationErrors::new();
            errors.add_template(
                "dry_run",
                "The :attribute field must be true or false.".to_owned(),
            );
            Err(errors.into())
        }
    }
}
