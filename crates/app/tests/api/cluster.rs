//! Three `prospects` processes on one PostgreSQL and one Redis, behind a
//! real HAProxy (issue 13, item 5): one dies mid-burst and nothing
//! acknowledged is lost; a token gets one budget, not three; a logout on one
//! is honoured by the others within SPEC §5's second.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prospects_testkit::TestBackend;

use crate::binary::{free_port, http, start_with};
use crate::support::{TempDir, TestApp};

/// A token's budget in this test: large enough for the burst of creates,
/// small enough to overspend quickly.
const BUDGET: usize = 100;

struct Balancer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Balancer {
    /// HAProxy round-robin over `servers`, checking `/readyz` every 200 ms
    /// and retrying elsewhere a request whose connection was refused.
    fn start(servers: &[u16]) -> Self {
        let port = free_port();
        let dir = TempDir::new();
        let backends: String = servers
            .iter()
            .enumerate()
            .map(|(n, server)| format!("  server p{n} 127.0.0.1:{server} check\n"))
            .collect();
        let config = format!(
            "global\n  maxconn 512\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  \
             timeout server 30s\n  retries 3\n  option redispatch\n\
             frontend api\n  bind 127.0.0.1:{port}\n  default_backend prospects\n\
             backend prospects\n  balance roundrobin\n  option httpchk GET /readyz\n  \
             http-check expect status 200\n  default-server inter 200ms fall 1 rise 2\n\
             {backends}"
        );
        let path = dir.0.join("haproxy.cfg");
        std::fs::write(&path, config).expect("haproxy.cfg");
        let haproxy = ["/usr/sbin/haproxy", "haproxy"]
            .into_iter()
            .find(|program| {
                Command::new(program)
                    .arg("-v")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok()
            })
            .expect("HAProxy is installed (Debian: apt-get install haproxy; .ci/run does)");
        let child = Command::new(haproxy)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !matches!(http(port, "GET", "/readyz", "", ""), Ok((200, _))) {
            assert!(Instant::now() < deadline, "HAProxy did not start serving");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Processes(Vec<(u16, Child)>);

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").expect("REDIS_URL (cargo xtask test provides one)")
}

#[actix_web::test]
async fn three_processes_behind_haproxy_lose_nothing_and_share_budgets_and_revocations() {
    if TestBackend::current() != TestBackend::Postgres {
        return; // Several processes share one PostgreSQL, not one SQLite file.
    }
    let app = TestApp::new().await;
    let writer = app.admin().await;
    let reader = app.manager("reader").await;
    let leaver = app.manager("leaver").await;
    let spender = app.manager("spender").await;
    let redis = redis_url();
    let budget = format!("{BUDGET}/1h");
    let settings = [
        ("PROSPECTS_REDIS_URL", redis.as_str()),
        ("PROSPECTS_RATE_LIMIT", budget.as_str()),
        ("PROSPECTS_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let mut processes = Processes(
        (0..3)
            .map(|_| {
                let port = free_port();
                (port, start_with(&app, port, &settings))
            })
            .collect(),
    );
    let ports: Vec<u16> = processes.0.iter().map(|(port, _)| *port).collect();
    let balancer = Balancer::start(&ports);

    // A burst of creates through the balancer; the second process is
    // killed with SIGKILL a third of the way through.
    let mut acknowledged = Vec::new();
    let mut failed = 0;
    for n in 0..90 {
        if n == 30 {
            processes.0[1].1.kill().expect("SIGKILL");
        }
        let body = format!(r#"{{"name": "Balanced {n}"}}"#);
        match http(
            balancer.port,
            "POST",
            "/api/v1/prospects",
            &writer.token,
            &body,
        ) {
            Ok((201, created)) => {
                let created: serde_json::Value = serde_json::from_str(&created).expect("json");
                acknowledged.push((
                    created["id"].as_i64().expect("id"),
                    created["customer_account"]
                        .as_str()
                        .expect("number")
                        .to_owned(),
                ));
            }
            Ok((status, body)) => {
                assert!(
                    status >= 502,
                    "only a dead process's answers fail: {status} {body}"
                );
                failed += 1;
            }
            Err(_) => failed += 1,
        }
    }
    assert!(
        failed <= 3,
        "{failed} creates failed: one in flight at most, and retries"
    );
    assert!(acknowledged.len() >= 87, "{}", acknowledged.len());
    let numbers: HashSet<&str> = acknowledged.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        numbers.len(),
        acknowledged.len(),
        "distinct account numbers"
    );
    for (id, _) in &acknowledged {
        let path = format!("/api/v1/prospects/{id}");
        let (status, body) = http(ports[0], "GET", &path, &reader.token, "").expect("show");
        assert_eq!(
            status, 200,
            "prospect {id} was acknowledged but is gone: {body}"
        );
    }
    let rows = app.db.count("SELECT count(*) AS n FROM accounts").await;
    let distinct = app
        .db
        .count("SELECT count(DISTINCT customer_account) AS n FROM accounts")
        .await;
    assert_eq!(rows, distinct);
    assert!(rows >= acknowledged.len() as i64);

    // One budget for the token, whichever process answers.
    let mut allowed = 0;
    for _ in 0..BUDGET + 30 {
        let (status, _) = http(
            balancer.port,
            "GET",
            "/api/v1/prospects?per_page=1",
            &spender.token,
            "",
        )
        .expect("list");
        match status {
            200 => allowed += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(allowed, BUDGET, "one shared budget, not one per process");

    // A logout on one process; the others refuse the token within a second.
    let live = [ports[0], ports[2]];
    for port in live {
        let (status, _) = http(port, "GET", "/api/user", &leaver.token, "").expect("user");
        assert_eq!(status, 200);
    }
    let (status, body) = http(live[0], "POST", "/api/logout", &leaver.token, "").expect("logout");
    assert_eq!(status, 200, "{body}");
    let logged_out = Instant::now();
    let deadline = logged_out + Duration::from_secs(3);
    let mut refused_after = Vec::new();
    for port in live {
        loop {
            let (status, _) = http(port, "GET", "/api/user", &leaver.token, "").expect("user");
            if status == 401 {
                refused_after.push(logged_out.elapsed());
                break;
            }
            assert!(
                Instant::now() < deadline,
                "port {port} still takes the token"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert!(
        refused_after
            .iter()
            .all(|after| *after <= Duration::from_millis(1500)),
        "{refused_after:?}"
    );
}
