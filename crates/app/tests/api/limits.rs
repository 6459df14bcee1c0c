//! Request budgets (issue 5): per token on `/api/v1`, per email and per
//! client address on login; 429 `Too Many Attempts.` with `Retry-After`.

use std::net::SocketAddr;

use actix_web::test as actix_test;
use serde_json::json;

use crate::support::{TestApp, TestResponse, TestUser};

fn too_many_attempts(response: &TestResponse, limit: &str) -> u64 {
    assert_eq!(response.status, 429, "{:?}", response.body);
    assert_eq!(response.body, json!({"message": "Too Many Attempts."}));
    assert_eq!(response.header("x-ratelimit-limit"), Some(limit));
    assert_eq!(response.header("x-ratelimit-remaining"), Some("0"));
    response
        .header("retry-after")
        .and_then(|seconds| seconds.parse().ok())
        .expect("Retry-After in seconds")
}

fn login_from(address: &str, email: &str, password: &str) -> actix_test::TestRequest {
    actix_test::TestRequest::post()
        .uri("/api/login")
        .peer_addr(address.parse::<SocketAddr>().expect("address"))
        .set_json(json!({"email": email, "password": password}))
}

#[actix_web::test]
async fn a_token_spends_its_budget_then_gets_429_until_it_refills() {
    let app = TestApp::with(|config| config.rate_limit = "3/1h".parse().expect("limit")).await;
    let ann = app.manager("ann").await;
    for remaining in ["2", "1", "0"] {
        let response = app.get(&ann, "/api/v1/prospects").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(response.header("x-ratelimit-remaining"), Some(remaining));
    }
    let refused = app.get(&ann, "/api/v1/prospects").await;
    // One request comes back every 20 minutes.
    let wait = too_many_attempts(&refused, "3");
    assert!((1_190..=1_200).contains(&wait), "{wait}");
    // Writes are refused too, and write nothing.
    let create = app
        .post(&ann, "/api/v1/prospects", json!({"name": "Acme"}))
        .await;
    too_many_attempts(&create, "3");
    assert_eq!(app.db.count("SELECT count(*) AS n FROM accounts").await, 0);

    let bob = app.manager("bob").await;
    let other = app.get(&bob, "/api/v1/prospects").await;
    assert_eq!(other.status, 200, "each token has its own budget");
}

#[actix_web::test]
async fn attenuating_a_token_buys_no_fresh_budget() {
    let app = TestApp::with(|config| config.rate_limit = "2/1h".parse().expect("limit")).await;
    let ann = app.manager("ann").await;
    for _ in 0..2 {
        assert_eq!(app.get(&ann, "/api/v1/prospects").await.status, 200);
    }
    let narrowed = TestUser {
        id: ann.id,
        token: prospects_infra::attenuate(&ann.token, true, None).expect("attenuated"),
    };
    too_many_attempts(&app.get(&narrowed, "/api/v1/prospects").await, "2");
}

#[actix_web::test]
async fn unauthenticated_requests_spend_no_budget() {
    let app = TestApp::with(|config| config.rate_limit = "1/1h".parse().expect("limit")).await;
    let ann = app.manager("ann").await;
    let forged = TestUser {
        id: ann.id,
        token: format!("{}x", ann.token),
    };
    for _ in 0..3 {
        assert_eq!(app.get(&forged, "/api/v1/prospects").await.status, 401);
    }
    assert_eq!(app.get(&ann, "/api/v1/prospects").await.status, 200);
}

#[actix_web::test]
async fn login_attempts_are_limited_per_email_whatever_its_case() {
    let app = TestApp::with(|config| {
        config.login_rate_limit_email = "2/1m".parse().expect("limit");
    })
    .await;
    app.sales_user("ann").await;
    let wrong = app
        .call(login_from("10.0.0.1:5000", "ann@example.test", "wrong"))
        .await;
    assert_eq!(wrong.status, 401);
    let right = app
        .call(login_from("10.0.0.2:5000", "ann@example.test", "password"))
        .await;
    assert_eq!(right.status, 200);
    // Even the right password is refused once the email's budget is spent.
    let refused = app
        .call(login_from("10.0.0.3:5000", " ANN@example.test", "password"))
        .await;
    let wait = too_many_attempts(&refused, "2");
    assert!((1..=30).contains(&wait), "{wait}");
    let other = app
        .call(login_from("10.0.0.3:5000", "bob@example.test", "password"))
        .await;
    assert_eq!(other.status, 401, "other emails are still tried");
}

#[actix_web::test]
async fn login_attempts_are_limited_per_client_address() {
    let app = TestApp::with(|config| {
        config.login_rate_limit_address = "2/1m".parse().expect("limit");
    })
    .await;
    app.sales_user("ann").await;
    for email in ["a@example.test", "b@example.test"] {
        let response = app.call(login_from("10.0.0.1:5000", email, "x")).await;
        assert_eq!(response.status, 401);
    }
    let refused = app
        .call(login_from("10.0.0.1:6000", "ann@example.test", "password"))
        .await;
    too_many_attempts(&refused, "2");
    let elsewhere = app
        .call(login_from("10.0.0.2:5000", "ann@example.test", "password"))
        .await;
    assert_eq!(elsewhere.status, 200);
}

#[actix_web::test]
async fn requests_without_all_credentials_are_not_login_attempts() {
    let app = TestApp::with(|config| {
        config.login_rate_limit_address = "1/1m".parse().expect("limit");
    })
    .await;
    app.sales_user("ann").await;
    for _ in 0..3 {
        let response = app
            .call(
                actix_test::TestRequest::post()
                    .uri("/api/login")
                    .peer_addr("10.0.0.1:5000".parse().expect("address"))
                    .set_json(json!({"email": "ann@example.test"})),
            )
            .await;
        assert_eq!(response.status, 422);
    }
    let response = app
        .call(login_from("10.0.0.1:5000", "ann@example.test", "password"))
        .await;
    assert_eq!(response.status, 200);
}
