//! Reference data over HTTP: brands, sectors, clusters, batches and
//! prospection codes, read by everyone and written above the sales level.

use serde_json::json;

use crate::support::{TestApp, keys};

#[actix_web::test]
async fn a_fresh_install_has_a_brand_and_a_pipeline_in_order() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let brands = app.get(&ann, "/api/v1/brands").await;
    assert_eq!(brands.status, 200);
    assert_eq!(brands.body.as_array().expect("a bare array").len(), 1);
    assert_eq!(brands.body[0]["name"], "Default brand");
    assert_eq!(
        keys(&brands.body[0]),
        ["id", "name", "created_at", "updated_at"]
    );
    let stages = app.get(&ann, "/api/v1/prospection-codes").await;
    assert_eq!(stages.status, 200);
    let names: Vec<&str> = stages
        .body
        .as_array()
        .expect("a bare array")
        .iter()
        .map(|stage| stage["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "New lead",
            "Contacted",
            "Qualified",
            "Proposal sent",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );
    assert_eq!(
        keys(&stages.body[0]),
        ["id", "name", "position", "created_at", "updated_at"]
    );
    for path in ["/api/v1/sectors", "/api/v1/clusters", "/api/v1/batches"] {
        let response = app.get(&ann, path).await;
        assert_eq!(
            (response.status, response.body.clone()),
            (200, json!([])),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_manager_adds_a_brand_that_prospects_can_then_use() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let ann = app.sales_user("ann").await;
    let created = app
        .post(&bob, "/api/v1/brands", json!({"name": "  Acme Group "}))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["name"], "Acme Group");
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/brands/{id}").as_str())
    );
    let prospect = app
        .post(
            &ann,
            "/api/v1/prospects",
            json!({"name": "Globex", "brand_id": id}),
        )
        .await;
    assert_eq!(prospect.status, 201);
    assert_eq!(prospect.body["brand_id"], id);
    let shown = app.get(&ann, &format!("/api/v1/brands/{id}")).await;
    assert_eq!(
        (shown.status, shown.body["name"].clone()),
        (200, json!("Acme Group"))
    );
    let renamed = app
        .put(
            &bob,
            &format!("/api/v1/brands/{id}"),
            json!({"name": "Acme"}),
        )
        .await;
    assert_eq!(
        (renamed.status, renamed.body["name"].clone()),
        (200, json!("Acme"))
    );
}

#[actix_web::test]
async fn sales_users_cannot_write_reference_data() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let forbidden = json!({"message": "This action is unauthorized."});
    let created = app
        .post(&ann, "/api/v1/sectors", json!({"name": "Retail"}))
        .await;
    assert_eq!((created.status, created.body), (403, forbidden.clone()));
    let renamed = app
        .put(&ann, "/api/v1/brands/1", json!({"name": "Mine"}))
        .await;
    assert_eq!((renamed.status, renamed.body), (403, forbidden.clone()));
    let deleted = app.delete(&ann, "/api/v1/prospection-codes/7").await;
    assert_eq!((deleted.status, deleted.body), (403, forbidden));
    let brands = app.get(&ann, "/api/v1/brands").await;
    assert_eq!(brands.body[0]["name"], "Default brand");
    assert_eq!(app.get(&ann, "/api/v1/sectors").await.body, json!([]));
}

#[actix_web::test]
async fn stages_take_their_place_in_the_pipeline() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let last = app
        .post(
            &bob,
            "/api/v1/prospection-codes",
            json!({"name": "Archived"}),
        )
        .await;
    assert_eq!(
        (last.status, last.body["position"].clone()),
        (201, json!(8))
    );
    let early = app
        .post(
            &bob,
            "/api/v1/prospection-codes",
            json!({"name": "Demo booked", "position": "2"}),
        )
        .await;
    assert_eq!(early.body["position"], 2);
    let stages = app.get(&bob, "/api/v1/prospection-codes").await;
    assert_eq!(stages.body[2]["name"], "Demo booked");
    // Renaming without a position leaves the stage where it is.
    let id = early.body["id"].as_i64().expect("id");
    let renamed = app
        .put(
            &bob,
            &format!("/api/v1/prospection-codes/{id}"),
            json!({"name": "Demo"}),
        )
        .await;
    assert_eq!(renamed.body["position"], 2);
}

#[actix_web::test]
async fn invalid_entries_get_every_error_at_once() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let response = app
        .post(
            &bob,
            "/api/v1/prospection-codes",
            json!({"name": "", "position": -1}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.body,
        json!({
            "message": "The name field is required. (and 1 more error)",
            "errors": {
                "name": ["The name field is required."],
                "position": ["The position field must be between 0 and 1000000."]
            }
        })
    );
    let long = app
        .put(&bob, "/api/v1/batches/1", json!({"name": "x".repeat(256)}))
        .await;
    assert_eq!(long.status, 422);
    let typed = app.post(&bob, "/api/v1/batches", json!({"name": 7})).await;
    assert_eq!(
        typed.body["errors"]["name"],
        json!(["The name field must be a string."])
    );
    assert_eq!(app.get(&bob, "/api/v1/batches").await.body, json!([]));
}

#[actix_web::test]
async fn missing_entries_are_404s_naming_the_model() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let cases = [
        ("/api/v1/brands/99", "Brand", "99"),
        ("/api/v1/prospection-codes/99", "ProspectionCode", "99"),
        ("/api/v1/sectors/abc", "Sector", "abc"),
    ];
    for (path, model, id) in cases {
        let shown = app.get(&bob, path).await;
        let message = format!("No query results for model [{model}] {id}");
        assert_eq!(
            (shown.status, shown.body),
            (404, json!({"message": message})),
            "{path}"
        );
        let updated = app.put(&bob, path, json!({"name": "x"})).await;
        assert_eq!(updated.status, 404, "{path}");
        assert_eq!(app.delete(&bob, path).await.status, 404, "{path}");
    }
}

#[actix_web::test]
async fn an_entry_in_use_is_kept_with_a_409() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    app.prospect(
        &bob,
        json!({"name": "Acme", "brand_id": 1, "prospection_code_id": 1}),
    )
    .await;
    let brand = app.delete(&bob, "/api/v1/brands/1").await;
    assert_eq!(
        (brand.status, brand.body),
        (
            409,
            json!({"message": "This brand is still used by prospects or customers."})
        )
    );
    let stage = app.delete(&bob, "/api/v1/prospection-codes/1").await;
    assert_eq!(
        stage.body,
        json!({"message": "This prospection code is still used by prospects or customers."})
    );
    assert_eq!(app.get(&bob, "/api/v1/brands/1").await.status, 200);
    let unused = app.delete(&bob, "/api/v1/prospection-codes/7").await;
    assert_eq!(
        (unused.status, unused.body),
        (200, json!({"message": "Prospection code deleted."}))
    );
    assert_eq!(
        app.get(&bob, "/api/v1/prospection-codes/7").await.status,
        404
    );
}
