//! `/api/v1/contacts`: the people at a prospect or a customer, in the
//! vendor's shape (the account named in the query string, a bare array).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{Contact, ContactInput};

use crate::auth::{Caller, parse_id};
use crate::body;
use crate::dialect::SentAs;
use crate::errors::ApiError;
use crate::idempotency::{self, Admitted, IdempotencyKeyHeader, fingerprint};
use crate::preconditions::{IfMatch, IfNoneMatch, holds, if_match, not_modified, tagged};
use crate::query::{
    ContactableParams, PHONE_NUMBER, PhoneNumberParams, parse_contactable, parse_phone_number,
};
use crate::state::ApiState;
use crate::wire::contacts::{ContactBody, ContactMatchBody, ContactRequest};
use crate::wire::{ErrorBody, ValidationErrorBody};

/// List an account's contacts
///
/// A bare array, oldest first. A sales user gets 403 for an account they do
/// not represent.
#[utoipa::path(
    get,
    path = "/api/v1/contacts",
    tag = "Contacts",
    operation_id = "listContacts",
    params(ContactableParams),
    responses(
        (status = 200, description = "The account's contacts, oldest first", body = Vec<ContactBody>),
        (status = 400, description = "A query string that is not UTF-8", body = ErrorBody),
        (status = 403, description = "The account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect or customer", body = ErrorBody),
        (status = 422, description = "`contactable_type` or `contactable_id` missing or malformed", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let owner = parse_contactable(req.query_string())?;
    let contacts = state.contacts.list(caller.actor(), owner).await?;
    let body: Vec<ContactBody> = contacts.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Add a contact
///
/// To the account the query string names. A converted prospect takes no
/// new contact (409).
#[utoipa::path(
    post,
    path = "/api/v1/contacts",
    tag = "Contacts",
    operation_id = "createContact",
    params(IdempotencyKeyHeader, ContactableParams),
    request_body = Option<ContactRequest>,
    responses(
        (status = 201, description = "Created; `Location` names the new contact", body = ContactBody,
            headers(
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                ("Location" = String, description = "URL of the created contact"),
                ("ETag" = String, description = "The contact's version, for `If-Match` and `If-None-Match`"),
            )),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "The account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect or customer", body = ErrorBody),
        (status = 409, description = "The prospect has been converted, or a request with the same `Idempotency-Key` is still running (retry after `Retry-After`)", body = ErrorBody),
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
    let owner = parse_contactable(req.query_string())?;
    let raw = body::read(&req, payload, &state.settings).await?;
    let (sent, sent_as) = body::with_sdk_names::<ContactRequest>(&req, &raw)?;
    let collection = state.settings.origins.absolute_url(&req, req.path());
    let render = move |contact: &Contact| {
        let location = format!("{collection}/{}", contact.id);
        let body = ContactBody::from(contact);
        idempotency::created(
            StatusCode::CREATED,
            Some(contact.version),
            Some(location),
            &body,
        )
    };
    let once =
        match idempotency::admit(&state, &req, &caller, || fingerprint(&req, &[&raw]), render)
            .await?
        {
            Admitted::Run(once) => once,
            Admitted::Replayed(response) => return Ok(response),
        };
    let created = state
        .contacts
        .create(caller.actor(), owner, sent.into(), once.receipt())
        .await
        .map_err(|e| sent_as.relabel(e.into()));
    once.respond(&state, created).await
}

/// Find a contact by phone number
///
/// The first contact (by id) the caller may see whose mobile or landline
/// number is this one, compared in E.164 form: `06 11 13 17 19` finds
/// `+33 6 11 13 17 19`. Under `data`, where the vendor's client reads it.
#[utoipa::path(
    get,
    path = "/api/v1/contacts/numbers",
    tag = "Contacts",
    operation_id = "findContactByNumber",
    params(PhoneNumberParams),
    responses(
        (status = 200, description = "The contact", body = ContactMatchBody),
        (status = 400, description = "A query string that is not UTF-8", body = ErrorBody),
        (status = 404, description = "No contact the caller may see has this number", body = ErrorBody,
            example = json!({"message": "No contact has this phone number."})),
        (status = 422, description = "`phoneNumber` missing or no valid phone number", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn find_by_number(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let number = parse_phone_number(req.query_string())?;
    let contact = state
        .contacts
        .find_by_number(caller.actor(), PHONE_NUMBER, &number)
        .await?
        .ok_or_else(|| ApiError::NotFound("No contact has this phone number.".to_owned()))?;
    Ok(HttpResponse::Ok().json(ContactMatchBody {
        data: ContactBody::from(&contact),
    }))
}

/// Show a contact
#[utoipa::path(
    get,
    path = "/api/v1/contacts/{id}",
    tag = "Contacts",
    operation_id = "showContact",
    params(("id" = i64, Path, description = "Contact id"), IfNoneMatch),
    responses(
        (status = 200, description = "The contact", body = ContactBody,
            headers(("ETag" = String, description = "The contact's version, for `If-Match` and `If-None-Match`"))),
        (status = 304, description = "The contact is still at the `If-None-Match` version; no body",
            headers(("ETag" = String, description = "The contact's version, for `If-Match` and `If-None-Match`"))),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such contact", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let contact = state
        .contacts
        .show(caller.actor(), contact_id(&req)?)
        .await?;
    if holds(&req, contact.version) {
        return Ok(not_modified(contact.version));
    }
    Ok(tagged(HttpResponse::Ok(), contact.version).json(ContactBody::from(&contact)))
}

/// Update a contact
///
/// The fields sent are validated and written, the others kept.
#[utoipa::path(
    put,
    path = "/api/v1/contacts/{id}",
    tag = "Contacts",
    operation_id = "updateContact",
    params(("id" = i64, Path, description = "Contact id"), IfMatch),
    request_body = Option<ContactRequest>,
    responses(
        (status = 200, description = "The updated contact", body = ContactBody,
            headers(("ETag" = String, description = "The contact's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such contact", body = ErrorBody),
        (status = 409, description = "Its prospect has been converted", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the contact is no longer at; nothing was written", body = ErrorBody,
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
    let id = contact_id(&req)?;
    let (input, sent_as) = read_input(&req, payload, &state).await?;
    let contact = state
        .contacts
        .update(caller.actor(), id, input, &if_match(&req))
        .await
        .map_err(|e| sent_as.relabel(e.into()))?;
    Ok(tagged(HttpResponse::Ok(), contact.version).json(ContactBody::from(&contact)))
}

/// Delete a contact
#[utoipa::path(
    delete,
    path = "/api/v1/contacts/{id}",
    tag = "Contacts",
    operation_id = "deleteContact",
    params(("id" = i64, Path, description = "Contact id"), IfMatch),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Contact deleted."})),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such contact", body = ErrorBody),
        (status = 409, description = "Its prospect has been converted", body = ErrorBody),
        (status = 412, description = "`If-Match` names a version the contact is no longer at; nothing was written", body = ErrorBody,
            example = json!({"message": "The resource has changed since it was read."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    state
        .contacts
        .delete(caller.actor(), contact_id(&req)?, &if_match(&req))
        .await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Contact deleted.".to_owned(),
    }))
}

async fn read_input(
    req: &HttpRequest,
    payload: web::Payload,
    state: &ApiState,
) -> Result<(ContactInput, SentAs), ApiError> {
    let (sent, sent_as) =
        body::request_with_sdk_names::<ContactRequest>(req, payload, &state.settings).await?;
    Ok((sent.into(), sent_as))
}

/// The `{id}` segment; one that is not a positive integer names no contact.
fn contact_id(req: &HttpRequest) -> Result<i64, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .map(|id| id.0)
        .ok_or_else(|| ApiError::ModelNotFound("Contact", segment.to_owned()))
}
