//! Cross-origin requests from browser apps (`PROSPECTS_CORS_ORIGINS`),
//! through actix-cors: off by default; when on, preflights answer with the
//! methods and headers the API uses, and the API's own response headers are
//! readable by the app.

use std::fmt;
use std::str::FromStr;

use actix_cors::Cors;
use actix_web::dev::RequestHead;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Condition;

use crate::errors::{RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING};
use crate::middleware::REQUEST_ID;

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE_SECONDS: usize = 3600;

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers at all (same-origin callers and non-browsers only).
    #[default]
    None,
    /// Any origin (`*`): tokens travel in `Authorization`, not cookies, so
    /// no credentials mode is involved.
    Any,
    /// These `scheme://host[:port]` origins, lower-cased.
    Listed(Vec<String>),
}

impl FromStr for CorsOrigins {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(CorsOrigins::None);
        }
        if items == ["*"] {
            return Ok(CorsOrigins::Any);
        }
        items
            .into_iter()
            .map(origin_of)
            .collect::<Result<_, _>>()
            .map(CorsOrigins::Listed)
    }
}

impl fmt::Display for CorsOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorsOrigins::None => Ok(()),
            CorsOrigins::Any => f.write_str("*"),
            CorsOrigins::Listed(origins) => f.write_str(&origins.join(",")),
        }
    }
}

/// `scheme://host[:port]` as browsers send it in `Origin`: http(s), a host,
/// nothing after it.
fn origin_of(item: &str) -> Result<String, String> {
    let refuse =
        |why: &str| format!("`{item}` is not an origin ({why}); write `https://app.example.com`");
    let url = url::Url::parse(item).map_err(|error| refuse(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("http or https only"));
    }
    if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("a host and nothing else before it"));
    }
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !bare {
        return Err(refuse("no path, query or fragment"));
    }
    Ok(url.origin().ascii_serialization())
}

/// The CORS layer: a pass-through when no origin is configured.
pub fn layer(origins: &CorsOrigins) -> Condition<Cors> {
    let cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            REQUEST_ID,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            REQUEST_ID,
            RATE_LIMIT_LIMIT,
            RATE_LIMIT_REMAINING,
            header::RETRY_AFTER,
            header::LOCATION,
            header::ETAG,
            header::WWW_AUTHENTICATE,
        ])
        .max_age(PREFLIGHT_MAX_AGE_SECONDS);
    let cors = match origins {
        CorsOrigins::None => cors,
        CorsOrigins::Any => cors.allow_any_origin(),
        CorsOrigins::Listed(listed) => {
            let listed = listed.clone();
            // A page of the service itself (Swagger UI) sends `Origin` too,
            // on its writes: the service's own origin is always allowed.
            cors.allowed_origin_fn(move |origin, head| {
                listed
                    .iter()
                    .any(|allowed| allowed.as_bytes() == origin.as_bytes())
                    || is_own_origin(origin, head)
            })
        }
    };
    Condition::new(*origins != CorsOrigins::None, cors)
}

/// Whether `origin` names the host the request was sent to.
fn is_own_origin(origin: &HeaderValue, head: &RequestHead) -> bool {
    let Some(host) = head.headers().get(header::HOST) else {
        return false;
    };
    let origin = origin.as_bytes();
    [&b"http://"[..], &b"https://"[..]]
        .iter()
        .any(|scheme| origin.strip_prefix(*scheme) == Some(host.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_as_a_list_a_star_or_nothing() {
        assert_eq!("".parse::<CorsOrigins>(), Ok(CorsOrigins::None));
        assert_eq!(" , ".parse::<CorsOrigins>(), Ok(CorsOrigins::None));
        assert_eq!("*".parse::<CorsOrigins>(), Ok(CorsOrigins::Any));
        assert_eq!(
            "https://App.Example.com, http://localhost:3000/".parse::<CorsOrigins>(),
            Ok(CorsOrigins::Listed(vec![
                "https://app.example.com".to_owned(),
                "http://localhost:3000".to_owned()
            ]))
        );
        assert_eq!(
            "https://app.example.com:443".parse::<CorsOrigins>(),
            Ok(CorsOrigins::Listed(vec![
                "https://app.example.com".to_owned()
            ]))
        );
        for bad in [
            "app.example.com",
            "ftp://app.example.com",
            "https://app.example.com/path",
            "https://app.example.com?x=1",
            "https://user@app.example.com",
            "*, https://app.example.com",
        ] {
            assert!(bad.parse::<CorsOrigins>().is_err(), "{bad}");
        }
    }
}
