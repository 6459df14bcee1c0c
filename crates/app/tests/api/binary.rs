//! The real binary over a real socket: what it serves, and every
//! acknowledged write surviving `kill -9` of the service.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestApp;

/// A plain HTTP/1.1 exchange; returns the status and the body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

fn start(app: &TestApp, port: u16) -> Child {
    start_with(app, port, &[])
}

/// The binary on `app`'s database, with `settings` as extra environment.
pub fn start_with(app: &TestApp, port: u16, settings: &[(&str, &str)]) -> Child {
    launch(app, port, settings, Stdio::null())
}

/// As [`start_with`], its log (stderr) written to `log`.
pub fn start_logging(
    app: &TestApp,
    port: u16,
    settings: &[(&str, &str)],
    log: &std::path::Path,
) -> Child {
    let log = std::fs::File::create(log).expect("a log file");
    launch(app, port, settings, Stdio::from(log))
}

fn launch(app: &TestApp, port: u16, settings: &[(&str, &str)], stderr: Stdio) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prospects"))
        .env("RUST_LOG", "warn")
        // A free port each: several servers run at once.
        .env("PROSPECTS_METRICS_BIND", "127.0.0.1:0")
        .envs(settings.iter().copied())
        .env("DATABASE_URL", app.db.url())
        .env("PROSPECTS_DATA_DIR", &app.config.data_dir)
        .env("PROSPECTS_BIND", format!("127.0.0.1:{port}"))
        .env_remove("PROSPECTS_ROOT_KEY")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if matches!(http(port, "GET", "/readyz", "", ""), Ok((200, _))) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not become ready");
}

#[actix_web::test]
async fn every_acknowledged_create_survives_kill_9() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let port = free_port();
    let mut server = start(&app, port);
    let mut acknowledged = Vec::new();
    for i in 0..25 {
        let (status, body) = http(
            port,
            "POST",
            "/api/v1/prospects",
            &admin.token,
            &format!(r#"{{"name": "Durable {i}"}}"#),
        )
        .expect("create");
        assert_eq!(status, 201, "{body}");
        let created: serde_json::Value = serde_json::from_str(&body).expect("json");
        acknowledged.push(created["id"].as_i64().expect("id"));
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");

    let mut server = start(&app, port);
    for id in &acknowledged {
        let (status, body) = http(
            port,
            "GET",
            &format!("/api/v1/prospects/{id}"),
            &admin.token,
            "",
        )
        .expect("show");
        assert_eq!(
            status, 200,
            "prospect {id} was acknowledged but is gone: {body}"
        );
    }
    let (_, body) = http(
        port,
        "GET",
        "/api/v1/prospects?per_page=100",
        &admin.token,
        "",
    )
    .expect("list");
    let list: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(list["total"], acknowledged.len());
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
}

#[actix_web::test]
async fn the_binary_serves_the_api_its_document_and_swagger_ui() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let port = free_port();
    let mut server = start(&app, port);
    let (status, body) = http(port, "GET", "/api-docs/openapi.json", "", "").expect("document");
    assert_eq!(status, 200);
    assert!(
        body.contains("\"openapi\": \"3.1.0\"") || body.contains("\"openapi\":\"3.1.0\""),
        "{body}"
    );
    let (status, body) = http(port, "GET", "/docs/", "", "").expect("swagger ui");
    assert_eq!(status, 200);
    assert!(body.contains("swagger"));
    let (status, _) = http(port, "GET", "/api/v1/prospects", &admin.token, "").expect("list");
    assert_eq!(status, 200);
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
}

#[actix_web::test]
async fn with_no_configuration_a_first_start_writes_an_admin_token_and_a_second_reuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let data = crate::support::TempDir::new();
    let port = free_port();
    let start_default = || {
        Command::new(env!("CARGO_BIN_EXE_prospects"))
            .env_remove("DATABASE_URL")
            .env_remove("PROSPECTS_ROOT_KEY")
            .env("PROSPECTS_DATA_DIR", &data.0)
            .env("PROSPECTS_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts")
    };
    let wait_ready = |server: &mut Child| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if matches!(http(port, "GET", "/readyz", "", ""), Ok((200, _))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = server.kill();
        panic!("the server did not become ready");
    };
    let mut first = start_default();
    wait_ready(&mut first);
    let token_path = data.0.join("admin.token");
    let token = std::fs::read_to_string(&token_path).expect("the admin token file");
    let mode = std::fs::metadata(&token_path)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        data.0.join("prospects.db").exists(),
        "the embedded database lives in the data dir"
    );
    let (status, _) = http(
        port,
        "POST",
        "/api/v1/prospects",
        &token,
        r#"{"name": "Acme"}"#,
    )
    .expect("create");
    assert_eq!(status, 201);
    first.kill().expect("stop");
    let output = first.wait_with_output().expect("logs");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("admin.token"),
        "the log says where the token is: {logs}"
    );
    assert!(
        !logs.contains(token.trim()),
        "the log never shows the token"
    );

    let mut second = start_default();
    wait_ready(&mut second);
    assert_eq!(
        std::fs::read_to_string(&token_path).expect("token"),
        token,
        "a second start keeps the token"
    );
    let (status, body) = http(port, "GET", "/api/v1/prospects", &token, "").expect("list");
    assert_eq!(status, 200);
    assert!(body.contains("\"total\":1"), "{body}");
    second.kill().expect("stop");
    second.wait().expect("reaped");
}

#[actix_web::test]
async fn sigterm_fails_readyz_lets_requests_in_flight_finish_then_exits_0() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let id = app
        .prospect(&admin, serde_json::json!({"name": "Acme"}))
        .await;
    let port = free_port();
    let mut server = start_with(&app, port, &[("PROSPECTS_DRAIN_DELAY", "1s")]);
    // A slow upload: its head and the start of its file are in when the
    // signal comes; the rest arrives after the listener has closed.
    let preamble =
        "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n";
    let (file, closing) = (vec![b'x'; 20_000], "\r\n--XX--\r\n");
    let path = format!("/api/v1/prospects/{id}/documents");
    let length = preamble.len() + file.len() + closing.len();
    let mut upload = begin_upload(port, &path, &admin.token, length);
    upload.write_all(&file[..10_000]).expect("half the file");
    std::thread::sleep(Duration::from_millis(200));

    let signalled = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    std::thread::sleep(Duration::from_millis(200));
    let (status, _) = http(port, "GET", "/readyz", "", "").expect("still listening");
    assert_eq!(status, 503, "draining");
    let (status, _) = http(port, "GET", "/livez", "", "").expect("still listening");
    assert_eq!(status, 200);

    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        http(port, "GET", "/livez", "", "").is_err(),
        "no new connections once the delay is over"
    );
    assert!(
        server.try_wait().expect("status").is_none(),
        "waiting for the upload"
    );
    upload.write_all(&file[10_000..]).expect("the rest");
    upload.write_all(closing.as_bytes()).expect("closing");
    assert_eq!(
        status_of(&mut upload),
        201,
        "the request in flight finished"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().expect("status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let documents = app.db.count("SELECT count(*) AS n FROM documents").await;
    assert_eq!(documents, 1);
}

/// Files under the documents directory, stored or arriving.
fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&app.config.documents_path())
}

/// Sends an upload's head and the start of its form, declaring `length`.
fn begin_upload(port: u16, path: &str, token: &str, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=XX\r\n\
         Content-Length: {length}\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"big.bin\"\r\n\r\n"
    )
    .expect("head");
    stream
}

fn status_of(stream: &mut TcpStream) -> u16 {
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[actix_web::test]
async fn uploads_over_a_socket_are_bounded_and_a_dropped_one_leaves_no_file() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let port = free_port();
    let mut server = start_with(
        &app,
        port,
        &[
            ("PROSPECTS_DOCUMENT_LIMIT", "1000000"),
            ("PROSPECTS_CLIENT_TIMEOUT", "1s"),
        ],
    );
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/prospects",
        &admin.token,
        r#"{"name":"Acme"}"#,
    )
    .expect("create");
    assert_eq!(status, 201, "{body}");
    let id: serde_json::Value = serde_json::from_str(&body).expect("json");
    let path = format!("/api/v1/prospects/{}/documents", id["id"]);

    // A body declared far over the limit is refused before it is read.
    let mut oversized = begin_upload(port, &path, &admin.token, 50_000_000);
    assert_eq!(status_of(&mut oversized), 413);

    // A client that goes away mid-file leaves nothing behind.
    let mut dropped = begin_upload(port, &path, &admin.token, 900_000);
    dropped
        .write_all(&[b'x'; 300_000])
        .expect("part of the file");
    drop(dropped);
    // A client that falls silent mid-file is cut off (408), and leaves nothing.
    let mut silent = begin_upload(port, &path, &admin.token, 900_000);
    silent.write_all(&[b'x'; 1000]).expect("a little");
    assert_eq!(status_of(&mut silent), 408);
    let deadline = Instant::now() + Duration::from_secs(10);
    while stored_files(&app) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(stored_files(&app), 0);
    let (status, body) = http(port, "GET", &path, &admin.token, "").expect("list");
    assert_eq!((status, body.as_str()), (200, "[]"));
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
}
