//! Routes and probes: 404 and 405 bodies, version, liveness, readiness.

use actix_web::test as actix_test;
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn an_unknown_route_is_404_with_laravels_message() {
    let app = TestApp::new().await;
    let response = app
        .call(actix_test::TestRequest::get().uri("/api/v2/things"))
        .await;
    assert_eq!(response.status, 404);
    assert_eq!(
        response.body,
        json!({"message": "The route api/v2/things could not be found."})
    );
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_the_supported_ones() {
    let app = TestApp::new().await;
    let response = app
        .call(actix_test::TestRequest::delete().uri("/api/v1/prospects"))
        .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(
        response.body,
        json!({"message": "The DELETE method is not supported for route api/v1/prospects. Supported methods: GET, HEAD, POST."})
    );
    let response = app
        .call(actix_test::TestRequest::post().uri("/api/v1/prospects/1"))
        .await;
    assert_eq!(response.status, 405);
    assert_eq!(
        response.header("allow"),
        Some("GET, HEAD, PUT, PATCH, DELETE")
    );
}

#[actix_web::test]
async fn version_and_probes_need_no_token() {
    let app = TestApp::new().await;
    let response = app
        .call(actix_test::TestRequest::get().uri("/api/version"))
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.body,
        json!({"version": env!("CARGO_PKG_VERSION"), "status": "ok"})
    );
    assert!(
        response
            .header("x-request-id")
            .is_some_and(|id| id.len() == 36)
    );
    assert_eq!(
        app.call(actix_test::TestRequest::get().uri("/livez"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.call(actix_test::TestRequest::get().uri("/readyz"))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn readiness_fails_when_draining_or_when_the_database_is_gone() {
    let app = TestApp::new().await;
    app.services
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let response = app
        .call(actix_test::TestRequest::get().uri("/readyz"))
        .await;
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after"), Some("5"));
    app.services
        .draining
        .store(false, std::sync::atomic::Ordering::Relaxed);
    // PostgreSQL only: an embedded SQLite file cannot go away underneath the process.
    let Some(name) = app.db.postgres_name() else {
        return;
    };
    drop_postgres_database(name).await;
    assert_eq!(
        app.call(actix_test::TestRequest::get().uri("/readyz"))
            .await
            .status,
        503
    );
    let admin_user = crate::support::TestUser {
        id: 1,
        token: app.token_for(1),
    };
    let response = app.get(&admin_user, "/api/v1/prospects").await;
    assert_eq!(response.status, 503);
    assert_eq!(response.body, json!({"message": "Service Unavailable"}));
    assert_eq!(response.header("retry-after"), Some("5"));
}

async fn drop_postgres_database(name: &str) {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let mut admin = AsyncPgConnection::establish(&prospects_testkit::server_url())
        .await
        .expect("admin");
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop");
}
