//! Notes (issue 11, item 5): on prospects and customers, read with the
//! account, written by their author or above the sales level.

use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, keys};

fn message(text: &str) -> Value {
    json!({"message": text})
}

fn on(kind: &str, id: i64) -> String {
    format!("/api/v1/notes?noteable_type={kind}&noteable_id={id}")
}

async fn note(app: &TestApp, user: &TestUser, prospect: i64, body: Value) -> Value {
    let created = app.post(user, &on("prospect", prospect), body).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body
}

#[actix_web::test]
async fn notes_are_written_by_their_author_and_read_with_the_account() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let carol = app.manager("carol").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let created = app
        .post(
            &ann,
            &on("prospect", anns),
            json!({"title": " First call ", "body": "Call back on Monday.", "type": "call",
                   "priority": "1", "shared": 1, "user_id": bob.id}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let first = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/notes/{first}").as_str())
    );
    assert_eq!(
        keys(&created.body),
        [
            "id",
            "user_id",
            "noteable_type",
            "noteable_id",
            "title",
            "body",
            "type",
            "priority",
            "shared",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (
            created.body["user_id"].clone(),
            created.body["noteable_type"].clone(),
            created.body["noteable_id"].clone(),
            created.body["title"].clone(),
            created.body["priority"].clone(),
            created.body["shared"].clone()
        ),
        (
            json!(ann.id),
            json!("prospect"),
            json!(anns),
            json!("First call"),
            json!(1),
            json!(true)
        )
    );
    let by_carol = note(&app, &carol, anns, json!({"body": "Looks promising."})).await;
    assert_eq!(
        (
            by_carol["priority"].clone(),
            by_carol["shared"].clone(),
            by_carol["type"].clone()
        ),
        (json!(999), json!(false), json!(null))
    );
    let carols = format!("/api/v1/notes/{}", by_carol["id"]);
    let list = app.get(&ann, &on("prospect", anns)).await;
    assert_eq!(list.status, 200);
    let ids: Vec<&Value> = list
        .body
        .as_array()
        .expect("a bare array")
        .iter()
        .map(|n| &n["id"])
        .collect();
    assert_eq!(ids, [&by_carol["id"], &json!(first)], "newest first");

    // Another sales user reaches none of it; the author rule holds.
    let forbidden = message("This action is unauthorized.");
    let firsts = format!("/api/v1/notes/{first}");
    for response in [
        app.get(&bob, &on("prospect", anns)).await,
        app.post(&bob, &on("prospect", anns), json!({"body": "Mine"}))
            .await,
        app.post(&bob, &on("prospect", anns), json!({})).await,
        app.get(&bob, &firsts).await,
        app.put(&bob, &firsts, json!({"body": "Mine"})).await,
        app.delete(&bob, &firsts).await,
        app.put(&ann, &carols, json!({"body": "Edited by Ann"}))
            .await,
        app.put(&ann, &carols, json!({"body": ""})).await,
        app.delete(&ann, &carols).await,
    ] {
        assert_eq!((response.status, response.body), (403, forbidden.clone()));
    }
    let edited = app
        .put(&carol, &firsts, json!({"title": null, "priority": 5}))
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(
        (
            edited.body["title"].clone(),
            edited.body["priority"].clone(),
            edited.body["body"].clone(),
            edited.body["user_id"].clone()
        ),
        (
            json!(null),
            json!(5),
            json!("Call back on Monday."),
            json!(ann.id)
        )
    );
    let shown = app.get(&ann, &firsts).await;
    assert_eq!(shown.body, edited.body);
    let deleted = app.delete(&ann, &firsts).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, message("Note deleted."))
    );
    let gone = app.get(&ann, &firsts).await;
    assert_eq!(
        (gone.status, gone.body),
        (
            404,
            message(&format!("No query results for model [Note] {first}"))
        )
    );
}

#[actix_web::test]
async fn bad_notes_and_unknown_accounts_are_refused() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let refused = app
        .post(
            &ann,
            &on("prospect", anns),
            json!({"title": "x".repeat(256), "priority": 1_000_000, "shared": "maybe"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"],
        json!({
            "body": ["The body field is required."],
            "title": ["The title field must not be greater than 255 characters."],
            "priority": ["The priority field must be between 0 and 999999."],
            "shared": ["The shared field must be true or false."]
        })
    );
    let huge = app
        .post(
            &ann,
            &on("prospect", anns),
            json!({"body": "x".repeat(65_536)}),
        )
        .await;
    // Over 65,535 characters is also over the default body limit (64 KiB).
    assert_eq!(
        (huge.status, huge.body),
        (413, message("The request body is too large."))
    );
    for (query, field, text) in [
        (
            "noteable_id=1",
            "noteable_type",
            "The noteable type field is required.",
        ),
        (
            "noteable_type=lead&noteable_id=1",
            "noteable_type",
            "The selected noteable type is invalid.",
        ),
        (
            "noteable_type=prospect&noteable_id=abc",
            "noteable_id",
            "The noteable id field must be an integer.",
        ),
        (
            "noteable_type=prospect",
            "noteable_id",
            "The noteable id field is required.",
        ),
    ] {
        let response = app.get(&ann, &format!("/api/v1/notes?{query}")).await;
        assert_eq!(response.status, 422, "{query}");
        assert_eq!(response.body["errors"][field], json!([text]), "{query}");
    }
    let missing = app.get(&ann, &on("prospect", 999)).await;
    assert_eq!(
        (missing.status, missing.body),
        (404, message("No query results for model [Prospect] 999"))
    );
    let wrong_kind = app
        .post(&ann, &on("customer", anns), json!({"body": "Hello"}))
        .await;
    assert_eq!(
        (wrong_kind.status, wrong_kind.body),
        (
            404,
            message(&format!("No query results for model [Customer] {anns}"))
        )
    );
    let none = app.get(&ann, "/api/v1/notes/abc").await;
    assert_eq!(none.body, message("No query results for model [Note] abc"));
    assert_eq!(app.db.count("SELECT count(*) AS n FROM notes").await, 0);
}

#[actix_web::test]
async fn notes_follow_their_prospect_into_the_customer_and_go_with_it() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let carol = app.manager("carol").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let kept = note(&app, &ann, anns, json!({"body": "Signed!"})).await;
    // The vendor's client sends its whole entity, under its base URL.
    let sdk = app
        .post(
            &carol,
            &format!("/sdk/api/v1/notes?noteable_id={anns}&noteable_type=prospect"),
            json!({"parent_id": null, "title": "From the SDK", "body": "Hello", "task_id": null,
                   "priority": 999, "shared": false, "byMail": false, "bySms": false,
                   "mail": false, "sms": false}),
        )
        .await;
    assert_eq!(sdk.status, 201, "{:?}", sdk.body);
    let converted = app
        .post(
            &ann,
            &format!("/api/v1/prospects/{anns}/convert"),
            json!({}),
        )
        .await;
    let customer = converted.body["id"].as_i64().expect("customer");
    let list = app.get(&ann, &on("customer", customer)).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(2));
    assert_eq!(list.body[1]["id"], kept["id"]);
    assert_eq!(list.body[1]["noteable_type"], "customer");
    assert_eq!(app.get(&ann, &on("prospect", anns)).await.body, json!([]));
    let late = app
        .post(&ann, &on("prospect", anns), json!({"body": "Too late"}))
        .await;
    assert_eq!(
        (late.status, late.body),
        (409, message("This prospect has already been converted."))
    );
    // A deleted author leaves their notes behind, unsigned.
    assert_eq!(
        app.delete(&carol, &format!("/api/v1/users/{}", ann.id))
            .await
            .status,
        200
    );
    let list = app.get(&carol, &on("customer", customer)).await;
    assert_eq!(list.body[1]["user_id"], json!(null));
    let deleted = app
        .delete(&carol, &format!("/api/v1/customers/{customer}"))
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM notes").await, 0);
}
