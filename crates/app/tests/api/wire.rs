//! Hostile bytes on a real socket (issue 9), where actix itself used to
//! answer with an empty body and no request id, or not at all: raw UTF-8 in
//! the request line, heads that do not parse or are too long, heads and
//! bodies that trickle in. Each gets a JSON answer with a request id, and
//! the same process goes on serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::binary::{free_port, http, start_with};
use crate::support::TestApp;

/// The client timeout the server runs with here.
const CLIENT_TIMEOUT: &str = "1s";
/// How late a 408 may come: the timeout, plus a loaded debug build's slack.
const PROMPT: Duration = Duration::from_secs(4);

/// One answer as the client saw it.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Value,
    /// From the first byte sent until the server closed the connection.
    took: Duration,
}

impl Answer {
    fn has_request_id(&self) -> bool {
        self.head
            .to_ascii_lowercase()
            .contains("\r\nx-request-id: ")
    }
}

/// Sends each part, `pause` apart, then reads until the server closes.
fn exchange(port: u16, parts: &[&[u8]], pause: Duration) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let started = Instant::now();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            std::thread::sleep(pause);
        }
        // The server may already have answered and closed: that is an answer too.
        if stream.write_all(part).is_err() {
            break;
        }
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Answer {
        status: head
            .get(9..12)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0),
        head: head.to_owned(),
        body: serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
        took,
    }
}

fn message(text: &str) -> Value {
    json!({"message": text})
}

#[actix_web::test]
async fn hostile_bytes_on_the_wire_get_json_answers_and_the_server_keeps_serving() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.prospect(&admin, json!({"name": "Société Générale"}))
        .await;
    let port = free_port();
    let mut server = start_with(&app, port, &[("PROSPECTS_CLIENT_TIMEOUT", CLIENT_TIMEOUT)]);
    let auth = format!("Authorization: Bearer {}\r\n", admin.token);
    let still_serving = || {
        let (status, body) =
            http(port, "GET", "/api/v1/prospects", &admin.token, "").expect("list");
        assert_eq!(status, 200, "{body}");
    };

    // Raw UTF-8 in the request line is served, as nginx and PHP serve it.
    let raw = format!(
        "GET /api/v1/prospects?filter[term_match]=Société HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    );
    let answer = exchange(port, &[raw.as_bytes()], Duration::ZERO);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["total"], json!(1), "{answer:?}");

    // Raw bytes that are not UTF-8 are the query string's JSON 400.
    let mut raw = b"GET /api/v1/prospects?filter[name]=Bad\xff HTTP/1.1\r\nHost: x\r\n".to_vec();
    raw.extend_from_slice(auth.as_bytes());
    raw.extend_from_slice(b"Connection: close\r\n\r\n");
    let answer = exchange(port, &[&raw], Duration::ZERO);
    assert_eq!(
        (answer.status, &answer.body),
        (400, &message("The query string is not valid UTF-8."))
    );
    assert!(answer.has_request_id(), "{answer:?}");
    still_serving();

    // A head that does not parse, and a request line over the head limit.
    let answer = exchange(
        port,
        &[b"GET /api/version HTTP/1.1\r\nNo colon here\r\n\r\n"],
        Duration::ZERO,
    );
    assert_eq!(
        (answer.status, &answer.body),
        (400, &message("The request could not be parsed."))
    );
    assert!(answer.has_request_id(), "{answer:?}");
    let long = format!(
        "GET /api/version?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let answer = exchange(port, &[long.as_bytes()], Duration::ZERO);
    assert_eq!(
        (answer.status, &answer.body),
        (414, &message("The request URI is too long."))
    );
    assert!(answer.has_request_id(), "{answer:?}");
    still_serving();

    // Heads that trickle in, or never come, and a body that trickles in.
    let too_slow = message("The request was not received in time.");
    let silent = exchange(port, &[], Duration::ZERO);
    let half_head = exchange(port, &[b"GET /api/version HTTP/1.1\r\nHo"], Duration::ZERO);
    let head = format!(
        "POST /api/v1/prospects HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
    );
    let trickle: Vec<&[u8]> = std::iter::once(head.as_bytes())
        .chain(std::iter::repeat_n(&b" "[..], 20))
        .collect();
    let slow_body = exchange(port, &trickle, Duration::from_millis(300));
    for (case, answer) in [
        ("silent", silent),
        ("half a head", half_head),
        ("slow body", slow_body),
    ] {
        assert_eq!(
            (answer.status, &answer.body),
            (408, &too_slow),
            "{case}: {answer:?}"
        );
        assert!(answer.has_request_id(), "{case}: {answer:?}");
        assert!(answer.took < PROMPT, "{case} took {:?}", answer.took);
    }
    still_serving();

    // Two requests in one write, the second with raw UTF-8 in its path:
    // both answered, in order.
    let pipelined = "GET /api/version HTTP/1.1\r\nHost: x\r\n\r\nGET /api/versioné HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let answer = exchange(port, &[pipelined.as_bytes()], Duration::ZERO);
    let all = format!("{}\r\n\r\n{}", answer.head, answer.body);
    let first = all.find("HTTP/1.1 200").expect("the first answer");
    let second = all.find("HTTP/1.1 404").expect("the second answer");
    assert!(first < second, "{all}");
    still_serving();

    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
}
