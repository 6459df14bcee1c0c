//! What an operator sees and sets (issue 13): metrics off the public port,
//! flat log lines, request ids, CORS, gzip, and budgets shared through Redis.

use std::io::Read;
use std::time::{Duration, Instant};

use actix_web::test as actix_test;
use serde_json::{Value, json};

use crate::binary::{free_port, http, start_logging};
use crate::support::{TempDir, TestApp, bearer};

/// The lines of a JSON log that parse as JSON objects.
fn log_lines(log: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .expect("the log")
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// `GET path` with extra header lines; the raw response.
fn raw_get(port: u16, path: &str, headers: &str) -> String {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[actix_web::test]
async fn the_binary_serves_metrics_apart_and_logs_one_flat_line_per_request() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let id = app.prospect(&admin, json!({"name": "Metered"})).await;
    let (port, metrics_port) = (free_port(), free_port());
    let logs = TempDir::new();
    let log = logs.0.join("server.log");
    let metrics_bind = format!("127.0.0.1:{metrics_port}");
    let mut server = start_logging(
        &app,
        port,
        &[
            ("RUST_LOG", "info"),
            ("PROSPECTS_METRICS_BIND", &metrics_bind),
        ],
        &log,
    );

    let shown = raw_get(
        port,
        &format!("/api/v1/prospects/{id}"),
        &format!(
            "Authorization: Bearer {}\r\nX-Request-Id: trace-42.a:b\r\n",
            admin.token
        ),
    );
    assert!(shown.starts_with("HTTP/1.1 200"), "{shown}");
    assert!(shown.contains("x-request-id: trace-42.a:b\r\n"), "{shown}");
    let forged = raw_get(
        port,
        "/api/v1/prospects",
        "X-Request-Id: {\"level\":\"fake\"}\r\n",
    );
    assert!(forged.starts_with("HTTP/1.1 401"), "{forged}");
    assert!(!forged.contains("fake\"}\r\n"), "{forged}");
    let (status, _) = http(port, "GET", "/api/v1/prospects", "forged-token", "").expect("get");
    assert_eq!(status, 401);
    let (status, _) = http(port, "GET", "/no/such/route/123", "", "").expect("get");
    assert_eq!(status, 404);
    let (status, _) = http(port, "GET", "/metrics", "", "").expect("get");
    assert_eq!(status, 404, "metrics are not on the public port");

    let scraped = raw_get(metrics_port, "/metrics", "");
    assert!(scraped.starts_with("HTTP/1.1 200"), "{scraped}");
    for expected in [
        r#"prospects_http_requests_total{method="GET",route="/api/v1/prospects/{id}",status="200"} 1"#,
        r#"prospects_http_requests_total{method="GET",route="unmatched",status="404"} 2"#,
        r#"prospects_token_refusals_total{reason="missing"} 1"#,
        r#"prospects_token_refusals_total{reason="rejected"} 1"#,
        r#"prospects_http_request_duration_seconds_bucket{method="GET",route="/api/v1/prospects/{id}",le="+Inf"} 1"#,
        r#"prospects_db_pool_connections{state="in_use"}"#,
        r#"prospects_db_pool_connections{state="idle"}"#,
        "prospects_db_pool_waiting 0",
        "prospects_db_pool_max_connections 16",
        &format!(
            r#"prospects_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
        "# HELP prospects_http_requests_total",
    ] {
        assert!(scraped.contains(expected), "{expected} in\n{scraped}");
    }
    assert!(!scraped.contains(&format!("/{id}\"")), "no path of an id");

    server.kill().expect("stop");
    server.wait().expect("reaped");
    let lines = log_lines(&log);
    let started = lines
        .iter()
        .find(|line| line["message"] == "serving the Prospects API")
        .expect("a startup line");
    assert_eq!(started["version"], env!("CARGO_PKG_VERSION"));
    let backend = if app.db.url().starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(started["database"], backend);
    assert_eq!(started["address"], format!("127.0.0.1:{port}"));
    assert_eq!(started["metrics"], metrics_bind);
    let serialized = serde_json::to_string(&lines).expect("json");
    assert!(
        !serialized.contains(app.db.url()),
        "the database URL is never logged"
    );

    let request = lines
        .iter()
        .find(|line| line["request_id"] == "trace-42.a:b")
        .expect("the request's line");
    assert_eq!(request["message"], "request");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["route"], "/api/v1/prospects/{id}");
    assert_eq!(request["status"], 200);
    assert_eq!(request["user"], admin.id);
    assert_eq!(request["client"], "127.0.0.1");
    assert!(request["latency_ms"].as_f64().is_some(), "{request}");
    let body_bytes = shown.split_once("\r\n\r\n").expect("a body").1.len();
    assert_eq!(request["bytes"], body_bytes, "{request}");
    assert!(request.get("fields").is_none(), "flat: {request}");
    assert!(request["level"] == "INFO", "{request}");
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "request" && line["status"] == 401)
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused.iter().all(|line| line["user"].is_null()));
    assert!(
        !serialized.contains("fake"),
        "a request id that is not a sane token is replaced"
    );
}

fn preflight(origin: &str) -> actix_test::TestRequest {
    actix_test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/v1/prospects")
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization,content-type,idempotency-key,if-match",
        ))
}

#[actix_web::test]
async fn cors_lets_the_listed_origins_in_and_no_one_when_unset() {
    let app = TestApp::with(|config| {
        config.cors_origins = "https://app.example.com".parse().expect("origins");
    })
    .await;
    let admin = app.admin().await;
    let allowed = app.call(preflight("https://app.example.com")).await;
    assert_eq!(allowed.status, 200, "{:?}", allowed.body);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let methods = allowed
        .header("access-control-allow-methods")
        .expect("methods");
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{method} in {methods}");
    }
    let headers = allowed
        .header("access-control-allow-headers")
        .expect("headers")
        .to_lowercase();
    for header in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
    ] {
        assert!(headers.contains(header), "{header} in {headers}");
    }
    assert!(allowed.header("access-control-max-age").is_some());

    let refused = app.call(preflight("https://evil.example.com")).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let listed = app
        .call(
            actix_test::TestRequest::get()
                .uri("/api/v1/prospects")
                .insert_header(bearer(&admin))
                .insert_header(("Origin", "https://app.example.com")),
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let exposed = listed
        .header("access-control-expose-headers")
        .expect("exposed")
        .to_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(exposed.contains("x-ratelimit-remaining"), "{exposed}");
    // Swagger UI, served by the service itself, writes with its own origin.
    let own = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/v1/prospects")
                .insert_header(bearer(&admin))
                .insert_header(("Host", "prospects.internal:8080"))
                .insert_header(("Origin", "http://prospects.internal:8080"))
                .set_json(json!({"name": "From Swagger UI"})),
        )
        .await;
    assert_eq!(own.status, 201, "{:?}", own.body);

    let closed = TestApp::new().await;
    let answer = closed.call(preflight("https://app.example.com")).await;
    assert_eq!(answer.status, 405, "no CORS unless configured");
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn responses_are_gzipped_for_clients_that_ask() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for n in 0..20 {
        app.prospect(&admin, json!({"name": format!("Compressible {n}")}))
            .await;
    }
    let list = || {
        actix_test::TestRequest::get()
            .uri("/api/v1/prospects?per_page=20")
            .insert_header(bearer(&admin))
    };
    let (status, headers, plain) = app.raw(list()).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-encoding"), None);
    let (status, headers, gzipped) = app
        .raw(list().insert_header(("Accept-Encoding", "gzip")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-encoding").map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    assert!(
        gzipped.len() < plain.len() / 2,
        "{} vs {}",
        gzipped.len(),
        plain.len()
    );
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_end(&mut inflated)
        .expect("gzip");
    let inflated: Value = serde_json::from_slice(&inflated).expect("json");
    let plain: Value = serde_json::from_slice(&plain).expect("json");
    assert_eq!(inflated["total"], plain["total"]);
    assert_eq!(inflated["data"], plain["data"]);
}

/// The Redis the tests share (`cargo xtask test` provides one).
fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "REDIS_URL is unset: run the suite with `cargo xtask test`, which starts a \
             throwaway redis-server, or set REDIS_URL=redis://HOST:PORT/0"
        )
    })
}

#[actix_web::test]
async fn with_redis_two_processes_spend_one_budget_per_token() {
    let app = TestApp::with(|config| {
        config.rate_limit = "4/1h".parse().expect("limit");
        config.redis_url = Some(redis_url().parse().expect("infallible"));
    })
    .await;
    let other = app.twin().await;
    let ann = app.manager("ann").await;
    let list = || {
        actix_test::TestRequest::get()
            .uri("/api/v1/prospects")
            .insert_header(bearer(&ann))
    };
    let mut remaining = Vec::new();
    for turn in 0..4 {
        let services = if turn % 2 == 0 { &app.services } else { &other };
        let response = app.call_on(services, list()).await;
        assert_eq!(response.status, 200, "{:?}", response.body);
        remaining.push(response.header("x-ratelimit-remaining").map(str::to_owned));
    }
    let remaining: Vec<Option<&str>> = remaining.iter().map(Option::as_deref).collect();
    assert_eq!(remaining, [Some("3"), Some("2"), Some("1"), Some("0")]);
    for services in [&app.services, &other] {
        let refused = app.call_on(services, list()).await;
        assert_eq!(refused.status, 429, "{:?}", refused.body);
        let wait: u64 = refused
            .header("retry-after")
            .and_then(|s| s.parse().ok())
            .expect("Retry-After");
        assert!((890..=900).contains(&wait), "{wait}");
    }
    let bob = app.manager("bob").await;
    let response = app.get(&bob, "/api/v1/prospects").await;
    assert_eq!(response.status, 200, "each token its own budget");
}

#[actix_web::test]
async fn an_unreachable_redis_leaves_each_process_its_own_budget_and_no_errors() {
    let app = TestApp::with(|config| {
        config.rate_limit = "3/1h".parse().expect("limit");
        // Nothing listens on port 1.
        config.redis_url = Some("redis://127.0.0.1:1/0".parse().expect("infallible"));
    })
    .await;
    let ann = app.manager("ann").await;
    let started = Instant::now();
    for _ in 0..3 {
        let response = app.get(&ann, "/api/v1/prospects").await;
        assert_eq!(response.status, 200, "{:?}", response.body);
    }
    assert_eq!(app.get(&ann, "/api/v1/prospects").await.status, 429);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "Redis's absence costs little: {:?}",
        started.elapsed()
    );
}
