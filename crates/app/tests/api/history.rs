//! The history of every change (issue 14, item 3): who wrote what to an
//! account or to what it owns, when, through which token and request,
//! recorded in the write's own transaction and never changed after.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, bearer};

fn history_of(kind: &str, id: &Value) -> String {
    format!("/api/v1/{kind}/{id}/history")
}

/// The entries' `(event, subject, user_id)`, newest first.
fn events(page: &Value) -> Vec<(String, String, i64)> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|entry| {
            (
                entry["event"].as_str().expect("event").to_owned(),
                entry["subject"].as_str().expect("subject").to_owned(),
                entry["user_id"].as_i64().expect("user_id"),
            )
        })
        .collect()
}

fn change<'a>(entry: &'a Value, field: &str) -> Option<&'a Value> {
    entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|change| change["field"] == field)
}

async fn put_traced(app: &TestApp, user: &TestUser, path: &str, id: &str, body: Value) {
    let response = app
        .call(
            TestRequest::put()
                .uri(path)
                .insert_header(bearer(user))
                .insert_header(("X-Request-Id", id))
                .set_json(body),
        )
        .await;
    assert_eq!(response.status, 201, "{:?}", response.body);
}

#[actix_web::test]
async fn the_history_names_who_changed_which_fields_from_what_to_what() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let boss = app.manager("boss").await;
    let created = app
        .post(
            &ann,
            "/api/v1/prospects",
            json!({"name": "Acme", "phone": "01"}),
        )
        .await;
    let id = &created.body["id"];
    let path = format!("/api/v1/prospects/{id}");
    put_traced(
        &app,
        &ann,
        &path,
        "req-ann",
        json!({"phone": "02", "comment": "Met"}),
    )
    .await;
    put_traced(&app, &boss, &path, "req-boss", json!({"name": "Acme SA"})).await;
    let converted = app.post(&boss, &format!("{path}/convert"), json!({})).await;
    assert_eq!(converted.status, 201, "{:?}", converted.body);

    let history = app.get(&ann, &history_of("prospects", id)).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    assert_eq!(history.body["total"], 4);
    assert_eq!(
        events(&history.body),
        [
            ("converted".into(), "account".into(), boss.id),
            ("updated".into(), "account".into(), boss.id),
            ("updated".into(), "account".into(), ann.id),
            ("created".into(), "account".into(), ann.id),
        ]
    );
    let [conversion, by_boss, by_ann, creation] =
        history.body["data"].as_array().expect("data").as_slice()
    else {
        panic!("four entries");
    };
    assert_eq!(
        by_ann["changes"],
        json!([
            {"field": "phone", "old": "01", "new": "02"},
            {"field": "comment", "old": null, "new": "Met"},
        ])
    );
    assert_eq!(
        by_boss["changes"],
        json!([{"field": "name", "old": "Acme", "new": "Acme SA"}])
    );
    assert_eq!(by_ann["request_id"], "req-ann");
    assert_eq!(by_boss["request_id"], "req-boss");
    // Each author's token is named: two users, two tokens.
    assert!(by_ann["token_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_ne!(by_ann["token_id"], by_boss["token_id"]);
    assert_eq!(by_ann["subject_id"], Value::Null);
    assert_eq!(change(creation, "name").expect("name")["new"], "Acme");
    assert_eq!(
        change(creation, "representative_id").expect("representative")["new"],
        ann.id
    );
    assert_eq!(
        change(creation, "active").expect("active")["new"],
        true,
        "a boolean stays a boolean"
    );
    assert!(
        change(creation, "fax").is_none(),
        "null fields are left out"
    );
    assert_eq!(
        change(conversion, "converted_customer_id").expect("link")["new"],
        converted.body["id"]
    );
    assert!(
        history.body["data"][0]["created_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );

    // The customer's history starts with the conversion, pointing back.
    let customer = app
        .get(&ann, &history_of("customers", &converted.body["id"]))
        .await;
    assert_eq!(customer.status, 200, "{:?}", customer.body);
    assert_eq!(
        events(&customer.body),
        [("converted".into(), "account".into(), boss.id)]
    );
    assert_eq!(customer.body["data"][0]["changes"][0]["new"], *id);
}

#[actix_web::test]
async fn writes_to_what_an_account_owns_are_in_its_history() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = json!(app.prospect(&ann, json!({"name": "Acme"})).await);
    let contact = app
        .post(
            &ann,
            &format!("/api/v1/contacts?contactable_type=prospect&contactable_id={id}"),
            json!({"last_name": "Martin"}),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let contact_path = format!("/api/v1/contacts/{}", contact.body["id"]);
    let changed = app
        .put(&ann, &contact_path, json!({"last_name": "Martine"}))
        .await;
    assert!(changed.status < 300, "{:?}", changed.body);
    let note = app
        .post(
            &ann,
            &format!("/api/v1/notes?noteable_type=prospect&noteable_id={id}"),
            json!({"body": "Call back"}),
        )
        .await;
    assert_eq!(note.status, 201, "{:?}", note.body);
    let plan_path = format!("/api/v1/prospects/{id}/payment-plan");
    let plan = app
        .put(
            &ann,
            &plan_path,
            json!({"payment_method": "transfer", "payment_terms_days": 30}),
        )
        .await;
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let replaced = app
        .put(
            &ann,
            &plan_path,
            json!({"payment_method": "transfer", "payment_terms_days": 45}),
        )
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    // The same terms again change nothing, and so record nothing.
    let same = app
        .put(
            &ann,
            &plan_path,
            json!({"payment_method": "transfer", "payment_terms_days": 45}),
        )
        .await;
    assert_eq!(same.status, 200, "{:?}", same.body);
    assert_eq!(app.delete(&ann, &contact_path).await.status, 200);

    let history = app.get(&ann, &history_of("prospects", &id)).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let who = |event: &str, subject: &str| (event.to_owned(), subject.to_owned(), ann.id);
    assert_eq!(
        events(&history.body),
        [
            who("deleted", "contact"),
            who("updated", "payment_plan"),
            who("created", "payment_plan"),
            who("created", "note"),
            who("updated", "contact"),
            who("created", "contact"),
            who("created", "account"),
        ]
    );
    let data = &history.body["data"];
    assert_eq!(data[0]["subject_id"], contact.body["id"]);
    assert_eq!(
        change(&data[0], "last_name").expect("what the contact held")["old"],
        "Martine"
    );
    assert_eq!(
        data[1]["changes"],
        json!([{"field": "payment_terms_days", "old": 30, "new": 45}])
    );
    assert_eq!(data[3]["subject_id"], note.body["id"]);
    assert_eq!(
        data[4]["changes"],
        json!([{"field": "last_name", "old": "Martin", "new": "Martine"}])
    );

    // Paginated like every list, newest first.
    let page = app
        .get(
            &ann,
            &format!("{}?per_page=2&page=2", history_of("prospects", &id)),
        )
        .await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(
        (
            &page.body["total"],
            &page.body["last_page"],
            &page.body["current_page"]
        ),
        (&json!(7), &json!(4), &json!(2))
    );
    assert_eq!(
        events(&page.body),
        [who("created", "payment_plan"), who("created", "note")]
    );
    let too_many = app
        .get(
            &ann,
            &format!("{}?per_page=101", history_of("prospects", &id)),
        )
        .await;
    assert_eq!(too_many.status, 422, "{:?}", too_many.body);
}

#[actix_web::test]
async fn a_history_is_shown_to_whoever_sees_the_account_and_outlives_it_above_sales_level() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let boss = app.manager("boss").await;
    let id = json!(app.prospect(&ann, json!({"name": "Acme"})).await);
    let path = history_of("prospects", &id);

    assert_eq!(app.get(&bob, &path).await.status, 403, "someone else's");
    assert_eq!(app.get(&boss, &path).await.status, 200);
    let as_customer = app.get(&boss, &history_of("customers", &id)).await;
    assert_eq!(as_customer.status, 404, "{:?}", as_customer.body);
    let unknown = app
        .get(&boss, &history_of("prospects", &json!(999_999)))
        .await;
    assert_eq!(
        (unknown.status, &unknown.body["message"]),
        (404, &json!("No query results for model [Prospect] 999999"))
    );

    assert_eq!(
        app.delete(&ann, &format!("/api/v1/prospects/{id}"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&ann, &path).await.status,
        404,
        "a sales user no longer sees a deleted account"
    );
    let kept = app.get(&boss, &path).await;
    assert_eq!(kept.status, 200, "{:?}", kept.body);
    assert_eq!(
        events(&kept.body),
        [
            ("deleted".into(), "account".into(), ann.id),
            ("created".into(), "account".into(), ann.id),
        ]
    );
    assert_eq!(
        change(&kept.body["data"][0], "name").expect("what it held"),
        &json!({"field": "name", "old": "Acme", "new": null})
    );
}

#[actix_web::test]
async fn nothing_changes_or_removes_an_entry_and_a_refused_write_leaves_none() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let refused = app
        .put(
            &ann,
            &format!("/api/v1/prospects/{id}"),
            json!({"name": "A"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    let unchanged = app
        .put(
            &ann,
            &format!("/api/v1/prospects/{id}"),
            json!({"name": "Acme"}),
        )
        .await;
    assert_eq!(unchanged.status, 201);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM account_history")
            .await,
        1,
        "only the creation: nothing was written since"
    );
    for statement in [
        "UPDATE account_history SET user_id = 0",
        "DELETE FROM account_history",
    ] {
        assert!(
            app.db.try_execute(statement).await.is_err(),
            "{statement} must be refused"
        );
    }
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM account_history")
            .await,
        1
    );
    // No route writes it.
    let post = app
        .post(&ann, &format!("/api/v1/prospects/{id}/history"), json!({}))
        .await;
    assert_eq!(post.status, 405);
}
