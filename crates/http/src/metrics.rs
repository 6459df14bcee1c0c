//! What the web layer counts, through the `metrics` facade: a no-op until
//! the binary installs its Prometheus recorder (tests run without one).
//! Every label takes values from a small fixed set (route templates, not
//! paths), so no request can grow the number of series.

use std::time::Duration;

pub const REQUESTS: &str = "prospects_http_requests_total";
pub const REQUEST_DURATION: &str = "prospects_http_request_duration_seconds";
pub const TOKEN_REFUSALS: &str = "prospects_token_refusals_total";
pub const RATE_LIMIT_REFUSALS: &str = "prospects_rate_limit_refusals_total";

/// The route of a request nothing matched: one label for every such path.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// One answered request.
pub fn request(method: &str, route: &str, status: u16, latency: Duration) {
    let (method, route) = (method.to_owned(), route.to_owned());
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!(REQUEST_DURATION, "method" => method, "route" => route)
        .record(latency.as_secs_f64());
}

/// A token that did not get in: `missing`, `rejected`, `revoked`,
/// `no_active_user`, or `forbidden` (live, but not for this request).
pub fn token_refused(reason: &'static str) {
    metrics::counter!(TOKEN_REFUSALS, "reason" => reason).increment(1);
}

/// A request turned away with 429 by the budget named `limit`.
pub fn rate_limited(limit: &'static str) {
    metrics::counter!(RATE_LIMIT_REFUSALS, "limit" => limit).increment(1);
}

/// A method label: the standard ones by name, anything else as `other`
/// (actix accepts extension methods, which must not each become a series).
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::TRACE, "TRACE"),
        (Method::CONNECT, "CONNECT"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}
