//! `/api/v1/customers`: list, create, show, update, delete. A customer has
//! a prospect's fields and rules; requests carry the same bodies.

use actix_web::{HttpRequest, HttpResponse, web};

use super::accounts;
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::idempotency::IdempotencyKeyHeader;
use crate::pagination::Listed;
use crate::preconditions::{IfMatch, IfNoneMatch};
use crate::query::ListParams;
use crate::state::ApiState;
use crate::wire::{
    CustomerBody, CustomerDetailsBody, ErrorBody, NewProspect, ProspectChanges, ValidationErrorBody,
};

/// One page of customers, numbered or by cursor.
type CustomerList<'a> = Listed<CustomerBody<'a>>;

/// List customers
///
/// Filters combine with AND; an empty filter value is skipped. Without `sort`
/// the order is by id (by relevance first when `filter[term_match]` is given).
/// A sales user sees only the customers they represent, and `total` counts only those.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "Customers",
    operation_id = "listCustomers",
    params(ListParams),
    responses(
        (status = 200, description = "One page of customers: numbered (`CustomerPage`), or by cursor (`CustomerCursorPage`) when `cursor` is given", body = CustomerList),
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
    accounts::list(&state.customers, &req, &caller, &state).await
}

/// Create a customer
///
/// The account number is generated. A sales user always becomes the
/// representative, whatever `representative_id` says.
#[utoipa::path(
    post,
    path = "/api/v1/customers",
    tag = "Customers",
    operation_id = "createCustomer",
    params(IdempotencyKeyHeader),
    request_body = NewProspect,
    responses(
        (status = 201, description = "Created; `Location` names the new customer", body = CustomerBody,
            headers(
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                ("Location" = String, description = "URL of the created customer"),
                ("ETag" = String, description = "The customer's version, for `If-Match` and `If-None-Match`"),
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
    accounts::create(&state.customers, &req, &caller, payload, &state).await
}

/// Show a customer
///
/// With its payment plan, contacts and documents. A sales user gets 403 for
/// a customer they do not represent.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "Customers",
    operation_id = "showCustomer",
    params(("id" = i64, Path, description = "Customer id"), IfNoneMatch),
    responses(
        (status = 200, description = "The customer", body = CustomerDetailsBody,
            headers(("ETag" = String, description = "The customer's version, for `If-Match` and `If-None-Match`"))),
        (status = 304, description = "The customer is still at the `If-None-Match` version; no body",
            headers(("ETag" = String, description = "The customer's version, for `If-Match` and `If-None-Match`"))),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::show(&state.customers, &req, &caller).await
}

/// Update a customer
///
/// The fields sent are validated and written, the others kept; answers 201 as
/// the vendor documents. A sales user gets 403 for a
/// customer they do not represent, or for a `representative_id` other than their own.
#[utoipa::path(
    put,
    path = "/api/v1/customers/{id}",
    tag = "Customers",
    operation_id = "updateCustomer",
    params(("id" = i64, Path, description = "Customer id"), IfMatch),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated customer", body = CustomerBody,
            headers(("ETag" = String, description = "The customer's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the customer to someone else", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the customer is no longer at; nothing was written", body = ErrorBody,
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
    accounts::update(&state.customers, &req, &caller, payload, &state).await
}

/// Update a customer (PATCH)
///
/// The same as `PUT`: the fields sent are validated and written, the others
/// kept; answers 201.
#[utoipa::path(
    patch,
    path = "/api/v1/customers/{id}",
    tag = "Customers",
    operation_id = "patchCustomer",
    params(("id" = i64, Path, description = "Customer id"), IfMatch),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated customer", body = CustomerBody,
            headers(("ETag" = String, description = "The customer's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the customer to someone else", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the customer is no longer at; nothing was written", body = ErrorBody,
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

/// Delete a customer
///
/// With its contacts, documents and payment plan, in one transaction.
#[utoipa::path(
    delete,
    path = "/api/v1/customers/{id}",
    tag = "Customers",
    operation_id = "deleteCustomer",
    params(("id" = i64, Path, description = "Customer id"), IfMatch),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Customer deleted."})),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 412, description = "`If-Match` names a version the customer is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    accounts::delete(&state.customers, &req, &caller).await
}
