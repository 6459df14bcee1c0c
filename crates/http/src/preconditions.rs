//! Conditional requests (RFC 9110 §13) over record versions: each version
//! is a strong `ETag`, `If-Match` makes a write conditional on it, and
//! `If-None-Match` spares a client the body it already holds.

use std::collections::BTreeSet;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use prospects_domain::{Expected, Version};
use utoipa::IntoParams;

/// The `ETag` of `version`: its number, quoted.
pub fn etag(version: Version) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", version.0)).expect("digits and quotes are a header")
}

/// Adds `version`'s `ETag` to a response.
pub fn tagged(mut response: HttpResponseBuilder, version: Version) -> HttpResponseBuilder {
    response.insert_header((header::ETAG, etag(version)));
    response
}

/// What `If-Match` requires of the version a write finds. Absent: nothing.
/// `*`: a current record, any version. Otherwise one of the strong tags
/// listed; a weak or foreign tag is never ours, so a list of those alone
/// is never met (RFC 9110 §13.1.1 compares strongly).
pub fn if_match(req: &HttpRequest) -> Expected {
    let mut sent = req.headers().get_all(header::IF_MATCH).peekable();
    if sent.peek().is_none() {
        return Expected::Any;
    }
    let mut versions = BTreeSet::new();
    for tag in sent.flat_map(tags) {
        if tag == "*" {
            return Expected::Existing;
        }
        versions.extend(strong_version(tag));
    }
    Expected::OneOf(versions.into_iter().collect())
}

/// Whether `If-None-Match` names `version` (or is `*`), compared weakly:
/// the client already holds this version and gets 304 instead of a body.
pub fn holds(req: &HttpRequest, version: Version) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .flat_map(tags)
        .any(|tag| {
            tag == "*" || strong_version(tag.strip_prefix("W/").unwrap_or(tag)) == Some(version)
        })
}

/// 304: no body, the `ETag` it would have had.
pub fn not_modified(version: Version) -> HttpResponse {
    tagged(HttpResponse::NotModified(), version).finish()
}

/// The comma-separated entity tags of one header value; a value that is
/// not visible ASCII holds none.
fn tags(value: &HeaderValue) -> impl Iterator<Item = &str> {
    value
        .to_str()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
}

/// The version a strong tag of ours names: `"N"`, N digits only.
fn strong_version(tag: &str) -> Option<Version> {
    let digits = tag.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Version)
}

// Examples live in the descriptions: Swagger UI pre-fills an `example` into
// "Try it out", which would make every write there a 412.

/// `If-Match`, as the OpenAPI document declares it on conditional writes.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// Write only if the record is still at this `ETag` (`"3"`), or exists
    /// (`*`); otherwise 412 and nothing is written. Without it, the write
    /// is unconditional.
    #[param(rename = "If-Match")]
    pub if_match: Option<String>,
}

/// `If-None-Match`, as the OpenAPI document declares it on reads.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatch {
    /// The `ETag` of the copy the client holds (`"3"`): 304 without a body
    /// while the record is still at it.
    #[param(rename = "If-None-Match")]
    pub if_none_match: Option<String>,
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn expected(values: &[&str]) -> Expected {
        let mut req = TestRequest::default();
        for value in values {
            req = req.append_header((header::IF_MATCH, *value));
        }
        if_match(&req.to_http_request())
    }

    #[test]
    fn if_match_reads_strong_tags_star_and_nothing_else() {
        assert_eq!(expected(&[]), Expected::Any);
        assert_eq!(expected(&["*"]), Expected::Existing);
        assert_eq!(expected(&["\"1\", *"]), Expected::Existing);
        assert_eq!(
            expected(&["\"3\", \"2\"", "\"3\""]),
            Expected::OneOf(vec![Version(2), Version(3)])
        );
        for never in [
            &["W/\"3\""][..],
            &["3"],
            &["\"+3\""],
            &["\"\""],
            &[""],
            &["\"99999999999999999999\""],
        ] {
            assert_eq!(expected(never), Expected::OneOf(vec![]), "{never:?}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let holds_with = |value: &str, version| {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, value))
                .to_http_request();
            holds(&req, Version(version))
        };
        assert!(holds_with("\"4\"", 4));
        assert!(holds_with("W/\"4\"", 4));
        assert!(holds_with("\"1\", \"4\"", 4));
        assert!(holds_with("*", 4));
        assert!(!holds_with("\"3\"", 4));
        assert!(!holds_with("4", 4));
        assert!(!holds(
            &TestRequest::default().to_http_request(),
            Version(4)
        ));
    }

    #[test]
    fn the_etag_is_the_version_quoted() {
        assert_eq!(etag(Version(12)), "\"12\"");
    }
}
