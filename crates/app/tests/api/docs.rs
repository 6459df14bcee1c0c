//! The OpenAPI document and Swagger UI, as a browser or a generator fetches them.

use actix_web::test as actix_test;

use crate::support::TestApp;

#[actix_web::test]
async fn the_openapi_document_is_served_and_matches_the_committed_one() {
    let app = TestApp::new().await;
    let response = app
        .call(actix_test::TestRequest::get().uri("/api-docs/openapi.json"))
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body["openapi"], "3.1.0");
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/openapi.json"
        ))
        .expect("committed"),
    )
    .expect("json");
    assert_eq!(response.body, committed);
}

#[actix_web::test]
async fn swagger_ui_is_served_at_docs() {
    let app = TestApp::new().await;
    let response = app.call(actix_test::TestRequest::get().uri("/docs")).await;
    assert_eq!(response.status, 301);
    assert_eq!(response.header("location"), Some("/docs/"));
    let response = app.call(actix_test::TestRequest::get().uri("/docs/")).await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .as_str()
            .is_some_and(|html| html.contains("swagger")),
        "{:?}",
        response.body
    );
    let response = app
        .call(actix_test::TestRequest::get().uri("/docs/swagger-initializer.js"))
        .await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .as_str()
            .is_some_and(|js| js.contains("/api-docs/openapi.json"))
    );
}
