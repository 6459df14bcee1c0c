//! Login and bearer tokens (SPEC §3 login, §5).

use std::time::Duration;

use actix_web::test as actix_test;
use prospects_domain::TokenAuthority;
use prospects_domain::UserId;
use prospects_infra::{BiscuitAuthority, RootKey};
use serde_json::json;

use crate::support::{TestApp, TestUser};

fn unauthenticated(response: &crate::support::TestResponse) {
    assert_eq!(response.status, 401);
    assert_eq!(response.body, json!({"message": "Unauthenticated."}));
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn login_with_a_json_body_or_the_query_string_returns_a_working_token() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let by_json = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login")
                .set_json(json!({"email": "ann@example.test", "password": "password"})),
        )
        .await;
    assert_eq!(by_json.status, 200, "{:?}", by_json.body);
    assert_eq!(
        by_json.body["user"],
        json!({"id": ann.id, "name": "ann@example.test", "email": "ann@example.test", "role": 5})
    );
    let by_query = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login?email=ann%40example.test&password=password"),
        )
        .await;
    assert_eq!(by_query.status, 200);
    let token = by_query.body["token"].as_str().expect("token").to_owned();
    let response = app
        .get(&TestUser { id: ann.id, token }, "/api/v1/prospects")
        .await;
    assert_eq!(response.status, 200);
}

#[actix_web::test]
async fn bad_credentials_are_401_whatever_is_wrong() {
    let app = TestApp::new().await;
    app.sales_user("ann").await;
    for (email, password) in [
        ("ann@example.test", "wrong"),
        ("nobody@example.test", "password"),
    ] {
        let response = app
            .call(
                actix_test::TestRequest::post()
                    .uri("/api/login")
                    .set_json(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(response.status, 401);
        assert_eq!(response.body, json!({"message": "Invalid credentials"}));
    }
    let response = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login")
                .set_json(json!({})),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.body["message"],
        "The email field is required. (and 1 more error)"
    );
}

#[actix_web::test]
async fn missing_malformed_forged_and_expired_tokens_are_401() {
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    unauthenticated(
        &app.call(actix_test::TestRequest::get().uri("/api/v1/prospects"))
            .await,
    );
    let garbage = TestUser {
        id: ann.id,
        token: "garbage".to_owned(),
    };
    unauthenticated(&app.get(&garbage, "/api/v1/prospects").await);
    let other_key = BiscuitAuthority::new(RootKey::generate());
    let forged = TestUser {
        id: ann.id,
        token: other_key
            .issue(UserId(ann.id), Duration::from_secs(60))
            .expect("token"),
    };
    unauthenticated(&app.get(&forged, "/api/v1/prospects").await);
    let expired = app
        .services
        .tokens
        .issue(UserId(ann.id), Duration::ZERO)
        .expect("token");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    unauthenticated(
        &app.get(
            &TestUser {
                id: ann.id,
                token: expired,
            },
            "/api/v1/prospects",
        )
        .await,
    );
    let basic = actix_test::TestRequest::get()
        .uri("/api/v1/prospects")
        .insert_header(("authorization", format!("Basic {}", ann.token)));
    unauthenticated(&app.call(basic).await);
}

#[actix_web::test]
async fn authentication_comes_before_everything_else() {
    let app = TestApp::new().await;
    unauthenticated(
        &app.call(actix_test::TestRequest::get().uri("/api/v1/prospects/abc"))
            .await,
    );
    unauthenticated(
        &app.call(actix_test::TestRequest::get().uri("/api/v1/prospects?filter[foo]=1"))
            .await,
    );
    unauthenticated(
        &app.call(
            actix_test::TestRequest::post()
                .uri("/api/v1/prospects")
                .set_json(json!({})),
        )
        .await,
    );
}

#[actix_web::test]
async fn a_deactivated_or_demoted_user_is_judged_by_their_row_not_their_token() {
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    let bob = app.manager("bob").await;
    let bobs = app
        .prospect(&bob, json!({"name": "Bob's", "representative_id": bob.id}))
        .await;
    assert_eq!(
        app.get(&ann, &format!("/api/v1/prospects/{bobs}"))
            .await
            .status,
        200
    );
    app.sql(&format!("UPDATE users SET role = 5 WHERE id = {}", ann.id))
        .await;
    app.after_other_processes_change_users().await;
    assert_eq!(
        app.get(&ann, &format!("/api/v1/prospects/{bobs}"))
            .await
            .status,
        403
    );
    app.sql(&format!(
        "UPDATE users SET active = false WHERE id = {}",
        ann.id
    ))
    .await;
    app.after_other_processes_change_users().await;
    unauthenticated(&app.get(&ann, "/api/v1/prospects").await);
    let response = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login")
                .set_json(json!({"email": "ann@example.test", "password": "password"})),
        )
        .await;
    assert_eq!(response.status, 401);
}

#[actix_web::test]
async fn a_token_attenuated_to_reading_cannot_write() {
    use biscuit_auth::Biscuit;
    use biscuit_auth::macros::block;
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    let key = RootKey::load_or_create(&app.config.root_key_path()).expect("key");
    let public = biscuit_auth::PrivateKey::from_bytes_hex(
        &key.to_hex(),
        biscuit_auth::builder::Algorithm::Ed25519,
    )
    .map(|private| biscuit_auth::KeyPair::from(&private).public())
    .expect("public key");
    let read_only = Biscuit::from_base64(&ann.token, public)
        .expect("token")
        .append(block!(r#"check if operation("read");"#))
        .expect("attenuated")
        .to_base64()
        .expect("encoded");
    let reader = TestUser {
        id: ann.id,
        token: read_only,
    };
    assert_eq!(app.get(&reader, "/api/v1/prospects").await.status, 200);
    let refused = app
        .post(&reader, "/api/v1/prospects", json!({"name": "Acme"}))
        .await;
    assert_eq!(
        (refused.status, refused.body),
        (403, json!({"message": "This action is unauthorized."}))
    );
}

#[actix_web::test]
async fn logout_revokes_the_calling_token_and_every_token_derived_from_it() {
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    let other_session = TestUser {
        id: ann.id,
        token: app.token_for(ann.id),
    };
    let derived = TestUser {
        id: ann.id,
        token: prospects_infra::attenuate(&ann.token, true, None).expect("attenuated"),
    };
    assert_eq!(app.get(&derived, "/api/v1/prospects").await.status, 200);

    let response = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/logout")
                .insert_header(crate::support::bearer(&ann)),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, json!({"message": "Logged out."}));
    unauthenticated(&app.get(&ann, "/api/v1/prospects").await);
    unauthenticated(&app.get(&derived, "/api/v1/prospects").await);
    assert_eq!(
        app.get(&other_session, "/api/v1/prospects").await.status,
        200,
        "other sessions live on"
    );
    unauthenticated(
        &app.call(actix_test::TestRequest::post().uri("/api/logout"))
            .await,
    );
}

#[actix_web::test]
async fn logging_out_a_derived_token_leaves_its_parent_alone() {
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    let derived = TestUser {
        id: ann.id,
        token: prospects_infra::attenuate(&ann.token, false, Some(Duration::from_secs(600)))
            .expect("attenuated"),
    };
    let response = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/logout")
                .insert_header(crate::support::bearer(&derived)),
        )
        .await;
    assert_eq!(response.status, 200);
    unauthenticated(&app.get(&derived, "/api/v1/prospects").await);
    assert_eq!(app.get(&ann, "/api/v1/prospects").await.status, 200);
}

#[actix_web::test]
async fn login_says_when_the_token_expires_and_it_does_not_outlive_that() {
    let app = TestApp::with(|config| config.token_ttl = std::time::Duration::from_secs(2)).await;
    app.sales_user("ann").await;
    let before = chrono::Utc::now();
    let login = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login")
                .set_json(json!({"email": "ann@example.test", "password": "password"})),
        )
        .await;
    let keys: Vec<&str> = crate::support::keys(&login.body);
    assert_eq!(keys, ["token", "expires_at", "user"]);
    let expires_at = chrono::DateTime::parse_from_rfc3339(
        login.body["expires_at"].as_str().expect("a timestamp"),
    )
    .expect("RFC 3339")
    .with_timezone(&chrono::Utc);
    let after = chrono::Utc::now();
    assert!(expires_at > before && expires_at <= after + chrono::Duration::seconds(2));
    let ann = TestUser {
        id: 1,
        token: login.body["token"].as_str().expect("token").to_owned(),
    };
    let wait = (expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait + std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get(&ann, "/api/user").await.status, 401);
}
