//! Reading request bodies: a size limit (413), and JSON or form input turned
//! into one object of loose values (400 when it is not an object).

use std::fmt;

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::dialect::{self, SentAs};
use crate::errors::ApiError;
use crate::form;
use crate::state::ApiSettings;

/// Reads the whole body, refusing more than the body limit (413) and a
/// body that takes longer than the client timeout to arrive (408): a client
/// trickling bytes must not hold a worker's request open indefinitely.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    settings: &ApiSettings,
) -> Result<Bytes, ApiError> {
    let limit = settings.body_limit;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let receive = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::BadRequest("The request body could not be read.".to_owned())
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(settings.client_timeout, receive)
        .await
        .unwrap_or(Err(ApiError::RequestTimeout))
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
        let pairs = form::pairs(body)
            .map_err(|_| ApiError::BadRequest("The request body is not valid UTF-8.".to_owned()))?;
        let mut object = Map::new();
        for (key, value) in pairs {
            let repeated = object.insert(key, Value::String(value)).is_some();
            if repeated {
                return Err(ApiError::BadRequest(REPEATED_KEY.to_owned()));
            }
        }
        return Ok(object);
    }
    // Only a body of no bytes at all means "nothing": whitespace alone is not
    // a JSON text, and the document promises JSON.
    if body.is_empty() {
        return Ok(Map::new());
    }
    json_object(body)
}

/// A request type read from the whole body (JSON or form): size and time
/// limits, then the object, then its fields.
pub async fn request<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    settings: &ApiSettings,
) -> Result<T, ApiError> {
    let raw = read(req, payload, settings).await?;
    typed(object(req, &raw)?)
}

/// [`request`], also accepting the vendor client's names for fields
/// ([`dialect::accept`]); says which names the client used, to report
/// errors under them.
pub async fn request_with_sdk_names<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    settings: &ApiSettings,
) -> Result<(T, SentAs), ApiError> {
    let raw = read(req, payload, settings).await?;
    with_sdk_names(req, &raw)
}

/// [`request_with_sdk_names`] over a body already read.
pub fn with_sdk_names<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    raw: &[u8],
) -> Result<(T, SentAs), ApiError> {
    let mut fields = object(req, raw)?;
    let sent_as = dialect::accept(&mut fields);
    Ok((typed(fields)?, sent_as))
}

/// A request type read from the body's object. Request types read any
/// object: their fields record what they could not read as broken rules.
pub fn typed<T: serde::de::DeserializeOwned>(object: Map<String, Value>) -> Result<T, ApiError> {
    serde_json::from_value(Value::Object(object))
        .map_err(|_| ApiError::BadRequest("The request body must be a JSON object.".to_owned()))
}

const REPEATED_KEY: &str = "The request body has a key more than once.";

/// The deepest nesting of arrays and objects a body may have. A prospect is
/// a flat object; the bound keeps hostile input cheap, far below
/// serde_json's own recursion limit.
pub const MAX_JSON_DEPTH: usize = 32;

fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let bad = |message: &str| Err(ApiError::BadRequest(message.to_owned()));
    if nesting_exceeds(body, MAX_JSON_DEPTH) {
        return bad("The request body is nested too deeply.");
    }
    match serde_json::from_slice::<TopLevel>(body) {
        Ok(TopLevel::Object(object)) => Ok(object),
        // `null` says "nothing", like an empty body.
        Ok(TopLevel::Null) => Ok(Map::new()),
        Ok(TopLevel::NotAnObject) => bad("The request body must be a JSON object."),
        // Parsers disagree on which repeat wins; refusing leaves no doubt.
        Ok(TopLevel::RepeatedKey) => bad(REPEATED_KEY),
        Err(_) => bad("The request body is not valid JSON."),
    }
}

/// Whether arrays and objects nest deeper than `limit`, by a scan that
/// skips strings (so `"[[["` counts nothing).
fn nesting_exceeds(body: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// A whole JSON document, classified by what a request body may be.
enum TopLevel {
    Object(Map<String, Value>),
    Null,
    NotAnObject,
    RepeatedKey,
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                map.next_value::<IgnoredAny>()?;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(TopLevel::RepeatedKey);
            }
            let value = map.next_value::<Value>()?;
            object.insert(key, value);
        }
        Ok(TopLevel::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::NotAnObject)
    }

    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::NotAnObject)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn read(body: &str) -> Result<Map<String, Value>, String> {
        let req = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .to_http_request();
        object(&req, body.as_bytes()).map_err(|error| error.to_string())
    }

    #[test]
    fn an_object_an_empty_body_or_null_is_accepted() {
        assert_eq!(read(r#"{"name": "Acme"}"#).expect("object")["name"], "Acme");
        assert!(read("").expect("empty").is_empty());
        assert!(read("null").expect("null").is_empty());
    }

    #[test]
    fn anything_else_is_a_bad_request_that_says_why() {
        let not_json = "The request body is not valid JSON.";
        let not_object = "The request body must be a JSON object.";
        for (body, message) in [
            (r#"{"name": "Ac"#, not_json),
            ("\r", not_json),
            ("  ", not_json),
            (r#"{"name": "\ud800"}"#, not_json),
            ("{\"name\": \"a\"} trailing", not_json),
            ("[1, 2]", not_object),
            ("42", not_object),
            (r#""text""#, not_object),
            ("true", not_object),
            (
                r#"{"name": "Acme", "name": "Evil"}"#,
                "The request body has a key more than once.",
            ),
        ] {
            assert_eq!(read(body).expect_err(body), message, "{body}");
        }
    }

    #[test]
    fn nesting_is_bounded_but_brackets_in_strings_do_not_count() {
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(40), "]".repeat(40));
        assert_eq!(
            read(&deep).expect_err("too deep"),
            "The request body is nested too deeply."
        );
        let allowed = format!("{{\"a\": {}{}}}", "[".repeat(30), "]".repeat(30));
        assert!(read(&allowed).is_ok());
        let brackets = format!("{{\"a\": \"{}\\\"\"}}", "[".repeat(100));
        assert!(read(&brackets).is_ok(), "{brackets}");
    }
}
