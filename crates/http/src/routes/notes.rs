//! `/api/v1/notes`: the notes of a prospect or a customer, in the vendor's
//! shape (the account named in the query string, a bare array).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{Note, NoteInput};

use crate::auth::{Caller, parse_id};
use crate::body;
use crate::errors::ApiError;
use crate::idempotency::{self, Admitted, IdempotencyKeyHeader, fingerprint};
use crate::preconditions::{IfMatch, IfNoneMatch, holds, if_match, not_modified, tagged};
use crate::query::{NoteableParams, parse_noteable};
use crate::state::ApiState;
use crate::wire::notes::{NoteBody, NoteRequest};
use crate::wire::{ErrorBody, ValidationErrorBody};

/// List an account's notes
///
/// A bare array, newest first. A sales user gets 403 for an account they do
/// not represent.
#[utoipa::path(
    get,
    path = "/api/v1/notes",
    tag = "Notes",
    operation_id = "listNotes",
    params(NoteableParams),
    responses(
        (status = 200, description = "The account's notes, newest first", body = Vec<NoteBody>),
        (status = 400, description = "A query string that is not UTF-8", body = ErrorBody),
        (status = 403, description = "The account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect or customer", body = ErrorBody),
        (status = 422, description = "`noteable_type` or `noteable_id` missing or malformed", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let owner = parse_noteable(req.query_string())?;
    let notes = state.notes.list(caller.actor(), owner).await?;
    let body: Vec<NoteBody> = notes.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Add a note
///
/// To the account the query string names; the caller is its author. A
/// converted prospect takes no new note (409).
#[utoipa::path(
    post,
    path = "/api/v1/notes",
    tag = "Notes",
    operation_id = "createNote",
    params(IdempotencyKeyHeader, NoteableParams),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "Created; `Location` names the new note", body = NoteBody,
            headers(
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                ("Location" = String, description = "URL of the created note"),
                ("ETag" = String, description = "The note's version, for `If-Match` and `If-None-Match`"),
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
    let owner = parse_noteable(req.query_string())?;
    let raw = body::read(&req, payload, &state.settings).await?;
    let input = NoteInput::from(body::typed::<NoteRequest>(body::object(&req, &raw)?)?);
    let collection = state.settings.origins.absolute_url(&req, req.path());
    let render = move |note: &Note| {
        let location = format!("{collection}/{}", note.id);
        let body = NoteBody::from(note);
        idempotency::created(
            StatusCode::CREATED,
            Some(note.version),
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
        .notes
        .create(caller.actor(), owner, input, once.receipt())
        .await
        .map_err(ApiError::from);
    once.respond(&state, created).await
}

/// Show a note
#[utoipa::path(
    get,
    path = "/api/v1/notes/{id}",
    tag = "Notes",
    operation_id = "showNote",
    params(("id" = i64, Path, description = "Note id"), IfNoneMatch),
    responses(
        (status = 200, description = "The note", body = NoteBody,
            headers(("ETag" = String, description = "The note's version, for `If-Match` and `If-None-Match`"))),
        (status = 304, description = "The note is still at the `If-None-Match` version; no body",
            headers(("ETag" = String, description = "The note's version, for `If-Match` and `If-None-Match`"))),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such note", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let note = state.notes.show(caller.actor(), note_id(&req)?).await?;
    if holds(&req, note.version) {
        return Ok(not_modified(note.version));
    }
    Ok(tagged(HttpResponse::Ok(), note.version).json(NoteBody::from(&note)))
}

/// Update a note
///
/// The fields sent are validated and written, the others kept. Only its
/// author or a user above the sales level may change a note.
#[utoipa::path(
    put,
    path = "/api/v1/notes/{id}",
    tag = "Notes",
    operation_id = "updateNote",
    params(("id" = i64, Path, description = "Note id"), IfMatch),
    request_body = Option<NoteRequest>,
    responses(
        (status = 200, description = "The updated note", body = NoteBody,
            headers(("ETag" = String, description = "The note's version, for `If-Match` and `If-None-Match`"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Not the author (for a sales user), or outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such note", body = ErrorBody),
        (status = 409, description = "Its prospect has been converted", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
        (status = 412, description = "`If-Match` names a version the note is no longer at; nothing was written", body = ErrorBody,
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
    let id = note_id(&req)?;
    let input = read_input(&req, payload, &state).await?;
    let note = state
        .notes
        .update(caller.actor(), id, input, &if_match(&req))
        .await?;
    Ok(tagged(HttpResponse::Ok(), note.version).json(NoteBody::from(&note)))
}

/// Delete a note
///
/// Only its author or a user above the sales level may delete a note.
#[utoipa::path(
    delete,
    path = "/api/v1/notes/{id}",
    tag = "Notes",
    operation_id = "deleteNote",
    params(("id" = i64, Path, description = "Note id"), IfMatch),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Note deleted."})),
        (status = 403, description = "Not the author (for a sales user), or outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such note", body = ErrorBody),
        (status = 409, description = "Its prospect has been converted", body = ErrorBody),
        (status = 412, description = "`If-Match` names a version the note is no longer at; nothing was written", body = ErrorBody,
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
        .notes
        .delete(caller.actor(), note_id(&req)?, &if_match(&req))
        .await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Note deleted.".to_owned(),
    }))
}

async fn read_input(
    req: &HttpRequest,
    payload: web::Payload,
    state: &ApiState,
) -> Result<NoteInput, ApiError> {
    Ok(body::request::<NoteRequest>(req, payload, &state.settings)
        .await?
        .into())
}

/// The `{id}` segment; one that is not a positive integer names no note.
fn note_id(req: &HttpRequest) -> Result<i64, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .map(|id| id.0)
        .ok_or_else(|| ApiError::ModelNotFound("Note", segment.to_owned()))
}
