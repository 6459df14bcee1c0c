//! POST, GET one, PUT and DELETE on /api/v1/prospects.

use actix_web::test as actix_test;
use serde_json::json;

use crate::support::{TestApp, bearer, keys};

#[actix_web::test]
async fn the_vendors_example_body_creates_a_prospect() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let response = app
        .post(
            &admin,
            "/api/v1/prospects",
            json!({"name": "Acme Corp", "email": "info@acme.example"}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(
        response.header("location"),
        Some("http://localhost:8080/api/v1/prospects/1")
    );
    let body = &response.body;
    assert_eq!(body["customer_account"], "PR000001");
    assert_eq!(body["email_address"], json!(null));
    assert_eq!(body["main_address_country"], "France");
    assert_eq!(
        (
            body["active"].clone(),
            body["charge_vat"].clone(),
            body["merge_invoices"].clone(),
            body["accept_emails"].clone(),
            body["accept_calls"].clone()
        ),
        (
            json!(true),
            json!(true),
            json!(false),
            json!(true),
            json!(true)
        )
    );
    let created_at = body["created_at"].as_str().expect("timestamp");
    assert_eq!(created_at.len(), "2024-01-31T10:00:00.000000Z".len());
    assert!(created_at.ends_with('Z'));
    assert_eq!(
        keys(body),
        [
            "id",
            "name",
            "brand_id",
            "representative_id",
            "customer_account",
            "accounts_reference",
            "registration_number",
            "tax_registration_number",
            "type",
            "capital",
            "activity_code",
            "sector_id",
            "cluster_id",
            "batch_id",
            "email_address",
            "account_email_address",
            "phone",
            "mobile_phone",
            "fax",
            "main_contact_first_name",
            "main_contact_last_name",
            "main_address_line1",
            "main_address_line2",
            "main_address_postal_code",
            "main_address_city",
            "main_address_country",
            "website",
            "active",
            "charge_vat",
            "merge_invoices",
            "accept_emails",
            "accept_calls",
            "comment",
            "prospection_code_id",
            "created_at",
            "updated_at",
            "converted_customer_id",
            "converted_at"
        ]
    );
}

#[actix_web::test]
async fn input_is_read_leniently_and_server_owned_keys_are_ignored() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.sql("INSERT INTO brands (id, name) VALUES (12, 'Brand')")
        .await;
    let response = app
        .post(&admin, "/api/v1/prospects", json!({
            "id": 999, "customer_account": "HACKED", "created_at": "2000-01-01T00:00:00.000000Z",
            "name": "  Acme  ", "brand_id": "12", "active": "0", "charge_vat": 0, "merge_invoices": "1",
            "phone": "", "type": "SAS", "website": "https://acme.example"
        }))
        .await;
    assert_eq!(response.status, 201, "{:?}", response.body);
    let body = &response.body;
    assert_eq!(
        (body["id"].clone(), body["customer_account"].clone()),
        (json!(1), json!("PR000001"))
    );
    assert_ne!(body["created_at"], "2000-01-01T00:00:00.000000Z");
    assert_eq!(
        (
            body["name"].clone(),
            body["brand_id"].clone(),
            body["type"].clone()
        ),
        (json!("Acme"), json!(12), json!("SAS"))
    );
    assert_eq!(
        (
            body["active"].clone(),
            body["charge_vat"].clone(),
            body["merge_invoices"].clone()
        ),
        (json!(false), json!(false), json!(true))
    );
    assert_eq!(body["phone"], json!(null));
}

#[actix_web::test]
async fn validation_errors_are_422_with_the_summary_and_fields_in_contract_order() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let response = app
        .post(&admin, "/api/v1/prospects", json!({
            "website": "javascript:alert(1)", "brand_id": 77, "email_address": "nope", "active": "yes"
        }))
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.body,
        json!({
            "message": "The name field is required. (and 4 more errors)",
            "errors": {
                "name": ["The name field is required."],
                "brand_id": ["The selected brand id is invalid."],
                "email_address": ["The email address field must be a valid email address."],
                "website": ["The website field must be a valid URL."],
                "active": ["The active field must be true or false."]
            }
        })
    );
    assert_eq!(app.get(&admin, "/api/v1/prospects").await.body["total"], 0);
    let response = app
        .post(
            &admin,
            "/api/v1/prospects",
            json!({"name": "A", "phone": "x".repeat(256)}),
        )
        .await;
    assert_eq!(
        response.body["message"],
        "The name field must be at least 2 characters. (and 1 more error)"
    );
}

#[actix_web::test]
async fn bodies_that_are_not_objects_are_400_and_oversized_ones_413() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for body in ["{not json", "[1,2]", "\"text\""] {
        let request = actix_test::TestRequest::post()
            .uri("/api/v1/prospects")
            .insert_header(bearer(&admin))
            .insert_header(("content-type", "application/json"))
            .set_payload(body);
        let response = app.call(request).await;
        assert_eq!(response.status, 400, "{body}");
        assert!(response.body["message"].is_string());
    }
    let huge = json!({"name": "Acme", "comment": "x".repeat(70 * 1024)});
    let response = app.post(&admin, "/api/v1/prospects", huge).await;
    assert_eq!(response.status, 413);
    assert_eq!(
        response.body,
        json!({"message": "The request body is too large."})
    );
}

#[actix_web::test]
async fn show_returns_the_prospect_with_what_it_owns() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let id = app.prospect(&admin, json!({"name": "Acme"})).await;
    app.sql(&format!(
        "INSERT INTO contacts (account_id, first_name, technical_contact) VALUES ({id}, 'Ann', true)"
    ))
    .await;
    app.sql(&format!("INSERT INTO payment_plans (account_id, payment_method, payment_terms_days) VALUES ({id}, 'transfer', 30)")).await;
    let response = app.get(&admin, &format!("/api/v1/prospects/{id}")).await;
    assert_eq!(response.status, 200);
    let body = &response.body;
    assert_eq!(
        keys(body)[36..],
        [
            "converted_customer_id",
            "converted_at",
            "payment_plan",
            "contacts",
            "documents"
        ]
    );
    assert_eq!(body["payment_plan"]["payment_terms_days"], 30);
    assert_eq!(body["contacts"][0]["first_name"], "Ann");
    assert_eq!(body["contacts"][0]["technical_contact"], true);
    assert_eq!(body["documents"], json!([]));
}

#[actix_web::test]
async fn a_missing_or_malformed_id_is_404_with_laravels_message() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for id in ["42", "0", "-1", "abc", "9223372036854775808"] {
        let response = app.get(&admin, &format!("/api/v1/prospects/{id}")).await;
        assert_eq!(response.status, 404, "{id}");
        assert_eq!(
            response.body,
            json!({"message": format!("No query results for model [Prospect] {id}")})
        );
    }
    assert_eq!(
        app.put(&admin, "/api/v1/prospects/42", json!({"name": "Xy"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&admin, "/api/v1/prospects/42").await.status, 404);
}

#[actix_web::test]
async fn put_writes_only_the_fields_sent_and_answers_201() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let id = app
        .prospect(&admin, json!({"name": "Acme", "phone": "01 02 03"}))
        .await;
    let before = app
        .get(&admin, &format!("/api/v1/prospects/{id}"))
        .await
        .body;
    let response = app
        .put(
            &admin,
            &format!("/api/v1/prospects/{id}"),
            json!({"name": "Acme"}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(
        response.body["updated_at"], before["updated_at"],
        "nothing changed, nothing written"
    );
    let response = app
        .put(
            &admin,
            &format!("/api/v1/prospects/{id}"),
            json!({"main_address_city": "Lyon", "phone": null}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["name"], "Acme");
    assert_eq!(response.body["main_address_city"], "Lyon");
    assert_eq!(response.body["phone"], json!(null));
    assert_ne!(response.body["updated_at"], before["updated_at"]);
    assert_eq!(response.body["created_at"], before["created_at"]);
    let response = app
        .put(
            &admin,
            &format!("/api/v1/prospects/{id}"),
            json!({"name": ""}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(response.body["message"], "The name field is required.");
    let stored = app
        .get(&admin, &format!("/api/v1/prospects/{id}"))
        .await
        .body;
    assert_eq!(stored["name"], "Acme");
}

#[actix_web::test]
async fn delete_removes_the_prospect_and_what_it_owns() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let id = app.prospect(&admin, json!({"name": "Acme"})).await;
    app.sql(&format!(
        "INSERT INTO contacts (account_id, first_name) VALUES ({id}, 'Ann')"
    ))
    .await;
    let response = app.delete(&admin, &format!("/api/v1/prospects/{id}")).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, json!({"message": "Prospect deleted."}));
    assert_eq!(
        app.get(&admin, &format!("/api/v1/prospects/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&admin, &format!("/api/v1/prospects/{id}"))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn fifty_concurrent_creates_get_fifty_distinct_account_numbers() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let service = actix_test::init_service(
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(prospects_http::observe))
            .configure(prospects_app::server::routes(app.services.state.clone())),
    )
    .await;
    let requests = (0..50).map(|i| {
        let request = actix_test::TestRequest::post()
            .uri("/api/v1/prospects")
            .insert_header(bearer(&admin))
            .set_json(json!({"name": format!("Concurrent {i}")}))
            .to_request();
        actix_test::call_service(&service, request)
    });
    let mut accounts = Vec::new();
    for response in futures_util::future::join_all(requests).await {
        let response = crate::support::into_test_response(response).await;
        assert_eq!(response.status, 201);
        accounts.push(
            response.body["customer_account"]
                .as_str()
                .expect("account")
                .to_owned(),
        );
    }
    accounts.sort();
    accounts.dedup();
    assert_eq!(accounts.len(), 50);
}

#[actix_web::test]
async fn a_fresh_install_has_a_default_brand_and_a_sales_pipeline() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    // What the vendor's PHP client sends on every create.
    let created = app
        .post(
            &admin,
            "/api/v1/prospects",
            json!({"name": "Acme", "brand_id": 1, "prospection_code_id": 1}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM prospection_codes")
            .await,
        7
    );
    assert_eq!(app.db.count("SELECT count(*) AS n FROM brands").await, 1);
    // Rows added later get the next ids, never a seeded one.
    app.sql("INSERT INTO brands (name) VALUES ('Second brand')")
        .await;
    assert_eq!(app.db.count("SELECT max(id) AS n FROM brands").await, 2);
}
