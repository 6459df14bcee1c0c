//! Where a request came from and where the service is reached: the client's
//! address, and the origin (`scheme://host`) of the absolute URLs the API
//! writes (the paginator's `path` and page URLs, a created row's `Location`).
//!
//! `Forwarded`, `X-Forwarded-Host`, `X-Forwarded-Proto` and
//! `X-Forwarded-For` are believed only from the configured proxies: from
//! anyone else they would let a client point those URLs at another host.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;
use actix_web::http::header;
use ipnet::IpNet;

/// `PROSPECTS_TRUSTED_PROXIES`: the peers whose forwarding headers are
/// believed. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// A comma-separated list of addresses (`10.0.0.5`) and networks (`10.0.0.0/8`, `::1/128`).
impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{item}` is not an IP address or network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// `PROSPECTS_PUBLIC_URL`: the absolute `http(s)` URL clients reach the
/// service at (`https://api.example.com`, or with a path prefix), used for
/// every absolute URL instead of anything the request says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl FromStr for PublicUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("`{text}`: {e}"))?;
        let usable = matches!(url.scheme(), "http" | "https")
            && url.host().is_some()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none();
        if !usable {
            return Err(format!(
                "`{text}` must be an http(s) URL with a host and no credentials, query or fragment"
            ));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }
}

/// How URLs and client addresses are derived; part of the API settings.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub public_url: Option<PublicUrl>,
    pub trusted_proxies: TrustedProxies,
}

impl Origins {
    /// `path` (absolute, from `/`) as an absolute URL: under the public URL
    /// when one is configured; else at the host a trusted proxy forwarded;
    /// else at the request's own `Host`.
    pub fn absolute_url(&self, req: &HttpRequest, path: &str) -> String {
        if let Some(PublicUrl(base)) = &self.public_url {
            return format!("{base}{path}");
        }
        if self.peer_is_trusted(req) {
            let info = req.connection_info();
            if let Some(host) = Some(info.host()).filter(|host| is_host(host)) {
                let scheme = match info.scheme() {
                    "https" => "https",
                    _ => "http",
                };
                return format!("{scheme}://{host}{path}");
            }
        }
        let scheme = if req.app_config().secure() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}{path}", own_host(req))
    }

    /// The client's address: the peer's, or behind trusted proxies, the
    /// nearest address in `X-Forwarded-For` that is not one of them.
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = canonical(req.peer_addr()?.ip());
        if !self.trusted_proxies.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map_while(|item| item.trim().parse::<IpAddr>().ok())
            .map(canonical)
            .collect();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|address| !self.trusted_proxies.trusts(*address))
                .unwrap_or(peer),
        )
    }

    fn peer_is_trusted(&self, req: &HttpRequest) -> bool {
        req.peer_addr()
            .is_some_and(|peer| self.trusted_proxies.trusts(peer.ip()))
    }
}

/// The request's `Host` when it is a plain host name or address with an
/// optional port; otherwise the address the server listens on.
fn own_host(req: &HttpRequest) -> String {
    req.headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| req.uri().authority().map(|authority| authority.as_str()))
        .filter(|host| is_host(host))
        .map_or_else(|| req.app_config().host().to_owned(), str::to_owned)
}

/// `name[:port]` or `[v6]:port` made of the characters a host may hold, so
/// that no header can add a path, userinfo or query to a URL.
fn is_host(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// IPv4 peers may appear as IPv4-mapped IPv6 addresses on a dual-stack socket.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    const PEER: &str = "203.0.113.9:5000";
    const PROXY: &str = "10.0.0.5:5000";

    fn origins(public_url: Option<&str>, proxies: &str) -> Origins {
        Origins {
            public_url: public_url.map(|url| url.parse().expect("url")),
            trusted_proxies: proxies.parse().expect("proxies"),
        }
    }

    fn hostile(peer: &str) -> HttpRequest {
        TestRequest::get()
            .peer_addr(peer.parse().expect("address"))
            .insert_header(("host", "api.example.com:8080"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .insert_header(("forwarded", "host=evil.example;proto=https;for=1.2.3.4"))
            .insert_header(("x-forwarded-for", "1.2.3.4, 198.51.100.7"))
            .to_http_request()
    }

    #[test]
    fn forwarded_headers_from_anyone_else_are_ignored() {
        let req = hostile(PEER);
        let origins = origins(None, "");
        assert_eq!(
            origins.absolute_url(&req, "/api/v1/prospects"),
            "http://api.example.com:8080/api/v1/prospects"
        );
        assert_eq!(
            origins.client_address(&req),
            Some("203.0.113.9".parse().expect("ip"))
        );
        let not_ours = origins.clone();
        assert_eq!(
            Origins {
                trusted_proxies: "10.0.0.0/8".parse().expect("proxies"),
                ..not_ours
            }
            .absolute_url(&req, "/x"),
            "http://api.example.com:8080/x"
        );
    }

    #[test]
    fn a_trusted_proxy_is_believed() {
        let req = hostile(PROXY);
        let origins = origins(None, "10.0.0.0/8, ::1");
        assert_eq!(origins.absolute_url(&req, "/x"), "https://evil.example/x");
        assert_eq!(
            origins.client_address(&req),
            Some("198.51.100.7".parse().expect("ip")),
            "the nearest address the trusted proxy saw"
        );
    }

    #[test]
    fn the_public_url_wins_over_everything() {
        let req = hostile(PROXY);
        let origins = origins(Some("https://crm.example.com/prospects/"), "10.0.0.5");
        assert_eq!(
            origins.absolute_url(&req, "/api/v1/prospects/4"),
            "https://crm.example.com/prospects/api/v1/prospects/4"
        );
    }

    #[test]
    fn a_host_header_that_is_no_host_is_not_written_into_urls() {
        let req = TestRequest::get()
            .insert_header(("host", "evil.example/phish?"))
            .to_http_request();
        let url = origins(None, "").absolute_url(&req, "/x");
        assert!(!url.contains("evil"), "{url}");
    }

    #[test]
    fn settings_are_validated() {
        assert!(
            "10.0.0.0/8, 192.168.1.1 ,::1"
                .parse::<TrustedProxies>()
                .is_ok()
        );
        assert!("".parse::<TrustedProxies>().expect("empty").0.is_empty());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("localhost".parse::<TrustedProxies>().is_err());
        for bad in [
            "ftp://x",
            "https://",
            "/relative",
            "https://u:p@x",
            "https://x/?q=1",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
        assert!(
            "::ffff:10.0.0.5"
                .parse::<IpAddr>()
                .map(|ip| "10.0.0.0/8"
                    .parse::<TrustedProxies>()
                    .expect("net")
                    .trusts(ip))
                .expect("ip")
        );
    }
}
