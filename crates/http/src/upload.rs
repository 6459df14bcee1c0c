//! Reading a document upload (`multipart/form-data`) as it streams in: the
//! `file` part goes straight to storage, never whole in memory; the body is
//! bounded in size (413), in total time and in the gap between two chunks
//! (408).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::HttpRequest;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use futures_util::{StreamExt, stream};
use prospects_domain::{DocumentInput, DocumentService, Rule, StoredFile, Upload};

use crate::dialect::SentAs;
use crate::errors::ApiError;
use crate::state::ApiSettings;

/// What the form's parts other than the file may add to the body, in bytes.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// The longest `name` part read, in bytes (255 characters of up to 4 bytes).
const NAME_BYTES: usize = 1024;

/// An upload's parts, the file stored (synced, not yet claimed by a row).
pub struct Received {
    pub input: DocumentInput,
    pub file: StoredFile,
}

/// The file part, received but not yet stored under its key.
struct Arriving {
    stored: Box<dyn Upload>,
    file_name: Option<String>,
    mime_type: Option<String>,
}

/// 415 unless the body is declared `multipart/form-data`; 413 at once when
/// it declares more than the limit allows.
pub fn check_headers(req: &HttpRequest, settings: &ApiSettings) -> Result<(), ApiError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok())
        .is_some_and(|mime| mime.essence_str() == "multipart/form-data");
    if !is_form {
        return Err(ApiError::UnsupportedMediaType(
            "The request body must be multipart/form-data.".to_owned(),
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > body_limit(settings)) {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(())
}

fn body_limit(settings: &ApiSettings) -> u64 {
    settings.document_limit.saturating_add(FORM_OVERHEAD)
}

/// Reads the form: `file` (required, once) into a new upload, `name`
/// (optional, once); any other part is a 400, as the document declares.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    settings: &ApiSettings,
    documents: &DocumentService,
) -> Result<Received, ApiError> {
    let overflowed = Rc::new(Cell::new(false));
    let body = bounded_body(
        payload,
        body_limit(settings),
        settings.client_timeout,
        overflowed.clone(),
    );
    let mut form = Multipart::new(req.headers(), body);
    let read = async {
        let mut upload: Option<Arriving> = None;
        let mut name: Option<String> = None;
        while let Some(part) = form.next().await {
            let mut part = part.map_err(|e| malformed(e, &overflowed))?;
            match part.name() {
                Some("file") if upload.is_none() => {
                    let file_name = part
                        .content_disposition()
                        .and_then(|disposition| disposition.get_filename())
                        .map(str::to_owned);
                    let mime_type = part.content_type().map(ToString::to_string);
                    let mut stored = documents.begin_upload().await?;
                    copy(
                        &mut part,
                        stored.as_mut(),
                        settings.document_limit,
                        &overflowed,
                    )
                    .await?;
                    upload = Some(Arriving {
                        stored,
                        file_name,
                        mime_type,
                    });
                }
                Some("name") if name.is_none() => name = Some(text(&mut part, &overflowed).await?),
                Some(field @ ("file" | "name")) => {
                    return Err(ApiError::BadRequest(format!(
                        "The form has more than one {field} part."
                    )));
                }
                _ => {
                    return Err(ApiError::BadRequest(
                        "The form may have only a file part and a name part.".to_owned(),
                    ));
                }
            }
        }
        let Some(Arriving {
            stored,
            file_name,
            mime_type,
        }) = upload
        else {
            let mut errors = prospects_domain::ValidationErrors::new();
            errors.add("file", Rule::Required);
            return Err(ApiError::Invalid(errors, SentAs::default()));
        };
        // Synced and stored only now that the whole form has arrived: a form
        // that fails later leaves no file.
        let file = stored.finish().await.map_err(storage)?;
        Ok(Received {
            input: DocumentInput {
                name,
                file_name,
                mime_type,
            },
            file,
        })
    };
    tokio::time::timeout(settings.upload_timeout, read)
        .await
        .unwrap_or(Err(ApiError::RequestTimeout))
}

/// The body as a stream that fails past `limit` bytes (setting
/// `overflowed`) or when no chunk arrives within `idle`.
fn bounded_body(
    payload: web::Payload,
    limit: u64,
    idle: Duration,
    overflowed: Rc<Cell<bool>>,
) -> impl futures_util::Stream<Item = Result<Bytes, PayloadError>> + 'static {
    stream::unfold((payload, 0_u64, false), move |(mut payload, seen, done)| {
        let overflowed = overflowed.clone();
        async move {
            if done {
                return None;
            }
            match tokio::time::timeout(idle, payload.next()).await {
                Err(_) => Some((
                    Err(PayloadError::Io(std::io::ErrorKind::TimedOut.into())),
                    (payload, seen, true),
                )),
                Ok(None) => None,
                Ok(Some(Err(error))) => Some((Err(error), (payload, seen, true))),
                Ok(Some(Ok(chunk))) => {
                    let seen = seen + chunk.len() as u64;
                    if seen > limit {
                        overflowed.set(true);
                        return Some((Err(PayloadError::Overflow), (payload, seen, true)));
                    }
                    Some((Ok(chunk), (payload, seen, false)))
                }
            }
        }
    })
    // The multipart parser may poll again after the end.
    .fuse()
}

async fn copy(
    part: &mut Field,
    upload: &mut dyn Upload,
    limit: u64,
    overflowed: &Cell<bool>,
) -> Result<(), ApiError> {
    let mut size = 0_u64;
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(|e| malformed(e, overflowed))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        upload.write(&chunk).await.map_err(storage)?;
    }
    Ok(())
}

/// A short text part, as UTF-8.
async fn text(part: &mut Field, overflowed: &Cell<bool>) -> Result<String, ApiError> {
    let invalid = |rule| {
        let mut errors = prospects_domain::ValidationErrors::new();
        errors.add("name", rule);
        ApiError::Invalid(errors, SentAs::default())
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(|e| malformed(e, overflowed))?;
        if bytes.len() + chunk.len() > NAME_BYTES {
            return Err(invalid(Rule::MaxChars(
                prospects_domain::documents::MAX_NAME_CHARS,
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| invalid(Rule::String))
}

/// A form that cannot be read: over the limit (413), cut short by the
/// client's silence (408), or not a well-formed form (400).
fn malformed(error: MultipartError, overflowed: &Cell<bool>) -> ApiError {
    if overflowed.get() {
        return ApiError::PayloadTooLarge;
    }
    if let MultipartError::Payload(PayloadError::Io(io)) = &error
        && io.kind() == std::io::ErrorKind::TimedOut
    {
        return ApiError::RequestTimeout;
    }
    ApiError::BadRequest("The request body is not a well-formed multipart form.".to_owned())
}

fn storage(error: prospects_domain::StorageError) -> ApiError {
    ApiError::Unavailable(anyhow::Error::new(error))
}
