//! Reading request bodies: a size limit (413), and JSON or form input turned
//! into one object of loose values (400 when it is not an object).

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::errors::ApiError;

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::BadRequest("The request body could not be read.".to_owned()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The body as an object: JSON, or form fields (as strings) when sent as a
/// form. An empty body is an empty object, as the vendor's stack treats it.
/// A body that starts like JSON is read as JSON whatever its content type
/// (`curl -d '{...}'` labels JSON as a form).
pub fn object(req: &HttpRequest, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let looks_like_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'[' | b'"'));
    let is_form = !looks_like_json
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return Ok(url::form_urlencoded::parse(body)
            .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
            .collect());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        // `null` says "nothing", like an empty body.
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(ApiError::BadRequest(
            "The request body must be a JSON object.".to_owned(),
        )),
        Err(_) => Err(ApiError::BadRequest(
            "The request body is not valid JSON.".to_owned(),
        )),
    }
}
