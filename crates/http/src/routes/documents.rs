//! Documents: uploaded to an account (`/api/v1/{prospects,customers}/{id}/documents`,
//! `multipart/form-data`), then read, downloaded and deleted by id
//! (`/api/v1/documents/{id}`, `/api/v1/documents/{id}/content`).

use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, CONTENT_SECURITY_POLICY, ContentDisposition, DispositionParam, DispositionType,
    ExtendedValue, HeaderValue, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use prospects_domain::{AccountKind, Content, Document};

use super::accounts::owner_in_path as owner;
use crate::auth::{Caller, parse_id};
use crate::errors::ApiError;
use crate::idempotency::{self, Admitted, IdempotencyKeyHeader, fingerprint};
use crate::state::ApiState;
use crate::upload;
use crate::wire::documents::{DocumentBody, DocumentContent, DocumentUpload};
use crate::wire::{ErrorBody, ValidationErrorBody};

async fn list(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let documents = state
        .documents
        .list(caller.actor(), owner(kind, req, state)?)
        .await?;
    let body: Vec<DocumentBody> = documents.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Checks, in order: the form's headers (415, 413), the account (404, 403,
/// 409) before any byte is stored, the form itself (400, 413, 408, 422),
/// then the account again under its lock as the row is written.
async fn upload(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let owner = owner(kind, req, state)?;
    upload::check_headers(req, &state.settings)?;
    state
        .documents
        .check_writable(caller.actor(), owner)
        .await?;
    let received = upload::receive(req, payload, &state.settings, &state.documents).await?;
    // What the form said, not its bytes: a client's retry may pick another
    // multipart boundary.
    let input = &received.input;
    let fields = format!("{:?}", (&input.name, &input.file_name, &input.mime_type));
    let fingerprint = || fingerprint(req, &[fields.as_bytes(), received.file.sha256.as_bytes()]);
    let documents = state
        .settings
        .origins
        .absolute_url(req, "/api/v1/documents");
    let render = move |document: &Document| {
        let location = format!("{documents}/{}", document.id);
        let body = DocumentBody::from(document);
        idempotency::created(StatusCode::CREATED, None, Some(location), &body)
    };
    // Unless the write runs, the file just received is no document's.
    let once = match idempotency::admit(state, req, caller, fingerprint, render).await {
        Ok(Admitted::Run(once)) => once,
        Ok(Admitted::Replayed(response)) => {
            state.documents.remove_files(&[received.file.key]).await;
            return Ok(response);
        }
        Err(error) => {
            state.documents.remove_files(&[received.file.key]).await;
            return Err(error);
        }
    };
    let created = state
        .documents
        .create(
            caller.actor(),
            owner,
            received.input,
            received.file,
            once.receipt(),
        )
        .await
        .map_err(ApiError::from);
    once.respond(state, created).await
}

/// One kind of account's two operations, each documented under its own
/// path and operation id.
macro_rules! document_routes {
    ($module:ident, $kind:expr, $tag:literal, $path:literal, $noun:literal,
     $list:literal, $upload:literal) => {
        pub mod $module {
            use super::*;

            #[utoipa::path(get, path = $path, tag = $tag, operation_id = $list,
                params(("id" = i64, Path, description = concat!($noun, " id"))),
                responses(
                    (status = 200, description = "The documents, oldest first", body = Vec<DocumentBody>),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun), body = ErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn list(req: HttpRequest, caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::list($kind, &req, &caller, &state).await
            }

            /// Upload a document
            ///
            /// A `multipart/form-data` form: `file` (required) and `name`
            /// (optional). The file is streamed to storage; its SHA-256 is
            /// answered with the metadata.
            #[utoipa::path(post, path = $path, tag = $tag, operation_id = $upload,
                params(("id" = i64, Path, description = concat!($noun, " id")), IdempotencyKeyHeader),
                request_body(content = DocumentUpload, content_type = "multipart/form-data"),
                responses(
                    (status = 201, description = "Stored; `Location` names the document", body = DocumentBody,
                        headers(
                            ("Location" = String, description = "URL of the document"),
                            ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`"),
                        )),
                    (status = 400, description = "The form is malformed", body = ErrorBody),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun), body = ErrorBody),
                    (status = 408, description = "The upload did not arrive in time", body = ErrorBody),
                    (status = 409, description = "The prospect has been converted, or a request with the same `Idempotency-Key` is still running (retry after `Retry-After`)", body = ErrorBody),
                    (status = 413, description = "The file is over the size limit", body = ErrorBody),
                    (status = 415, description = "The body is not multipart/form-data", body = ErrorBody),
                    (status = 422, description = "No `file`, or an invalid `name`; or an `Idempotency-Key` already used with a different request (reported on `idempotency_key`)", body = ValidationErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn upload(req: HttpRequest, caller: Caller, payload: web::Payload, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::upload($kind, &req, &caller, payload, &state).await
            }

            pub fn configure(cfg: &mut web::ServiceConfig) {
                cfg.service(
                    crate::routes::resource($path, &["GET", "HEAD", "POST"])
                        .route(web::get().to(list))
                        .route(web::head().to(list))
                        .route(web::post().to(upload)),
                );
            }
        }
    };
}

document_routes!(
    of_prospects,
    AccountKind::Prospect,
    "Prospects",
    "/api/v1/prospects/{id}/documents",
    "prospect",
    "listProspectDocuments",
    "uploadProspectDocument"
);

document_routes!(
    of_customers,
    AccountKind::Customer,
    "Customers",
    "/api/v1/customers/{id}/documents",
    "customer",
    "listCustomerDocuments",
    "uploadCustomerDocument"
);

/// Show a document's metadata
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}",
    tag = "Documents",
    operation_id = "showDocument",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, description = "The document", body = DocumentBody),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such document", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let document = state
        .documents
        .show(caller.actor(), document_id(&req)?)
        .await?;
    Ok(HttpResponse::Ok().json(DocumentBody::from(&document)))
}

/// Download a document
///
/// The bytes as uploaded, with the stored `Content-Type`, as an attachment
/// (`Content-Disposition`), never sniffed or rendered by a browser.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}/content",
    tag = "Documents",
    operation_id = "downloadDocument",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, description = "The content, with the document's stored type",
            content(
                (DocumentContent = "application/octet-stream"),
                (DocumentContent = "*/*"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment`, with the document's name"),
                ("Content-Length" = i64, description = "The content's size in bytes"),
            )),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such document", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn content(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let (document, content) = state
        .documents
        .content(caller.actor(), document_id(&req)?)
        .await?;
    let size = content.size_bytes();
    let mime_type = HeaderValue::from_str(&document.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime_type))
        .insert_header(attachment(&document.name))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Opened anyway (a new tab), it may run nothing.
        .insert_header((CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .no_chunking(size)
        .streaming(chunks(content)))
}

/// Delete a document, and its file
#[utoipa::path(
    delete,
    path = "/api/v1/documents/{id}",
    tag = "Documents",
    operation_id = "deleteDocument",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Document deleted."})),
        (status = 403, description = "Its account is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such document", body = ErrorBody),
        (status = 409, description = "Its prospect has been converted", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    state
        .documents
        .delete(caller.actor(), document_id(&req)?)
        .await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Document deleted.".to_owned(),
    }))
}

/// `Content-Disposition: attachment` naming the file twice: an ASCII
/// fallback with anything risky replaced, and the exact name in UTF-8
/// (RFC 6266), which actix percent-encodes.
fn attachment(name: &str) -> ContentDisposition {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' ' | '.' | '-' | '_' | '(' | ')' => c,
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(fallback),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: header::Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// The stored bytes as a response body stream; a read that fails ends the
/// response early (the client sees a short body against `Content-Length`).
fn chunks(
    content: Box<dyn Content>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    stream::unfold(Some(content), |content| async move {
        let mut content = content?;
        match content.next_chunk().await {
            Ok(chunk) if chunk.is_empty() => None,
            Ok(chunk) => Some((Ok(Bytes::from(chunk)), Some(content))),
            Err(error) => {
                tracing::error!(error = ?error, "a document's content could not be read");
                Some((Err(std::io::Error::other("read failed")), None))
            }
        }
    })
}

/// The `{id}` segment; one that is not a positive integer names no document.
fn document_id(req: &HttpRequest) -> Result<i64, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .map(|id| id.0)
        .ok_or_else(|| ApiError::ModelNotFound("Document", segment.to_owned()))
}
