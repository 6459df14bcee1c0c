//! Versions and conditional requests (issue 14, item 1): every copy of an
//! account carries its version as a strong `ETag`; `If-Match` makes a write
//! conditional on it, `If-None-Match` spares a read.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, TestUser, bearer};

const CHANGED: &str = "The resource has changed since it was read.";

fn conditional(request: TestRequest, user: &TestUser, if_match: &str) -> TestRequest {
    request
        .insert_header(bearer(user))
        .insert_header(("If-Match", if_match))
}

async fn put_if(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    if_match: &str,
    body: Value,
) -> TestResponse {
    let request = conditional(TestRequest::put().uri(path), user, if_match).set_json(body);
    app.call(request).await
}

async fn show_unless(app: &TestApp, user: &TestUser, path: &str, tags: &str) -> TestResponse {
    app.call(
        TestRequest::get()
            .uri(path)
            .insert_header(bearer(user))
            .insert_header(("If-None-Match", tags)),
    )
    .await
}

fn etag(response: &TestResponse) -> &str {
    response.header("etag").expect("an ETag")
}

#[actix_web::test]
async fn every_copy_of_an_account_carries_its_version_and_every_write_moves_it() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let created = app
        .post(&ann, "/api/v1/prospects", json!({"name": "Acme"}))
        .await;
    assert_eq!((created.status, etag(&created)), (201, "\"1\""));
    let path = format!("/api/v1/prospects/{}", created.body["id"]);
    let shown = app.get(&ann, &path).await;
    assert_eq!((shown.status, etag(&shown)), (200, "\"1\""));

    let updated = app
        .put(&ann, &path, json!({"phone": "01 02 03 04 05"}))
        .await;
    assert_eq!((updated.status, etag(&updated)), (201, "\"2\""));
    let same = app
        .put(&ann, &path, json!({"phone": "01 02 03 04 05"}))
        .await;
    assert_eq!(
        (same.status, etag(&same)),
        (201, "\"2\""),
        "a write that changes nothing keeps the version"
    );

    // A contact is part of what the prospect shows: it moves the version.
    let contact = app
        .post(
            &ann,
            &format!(
                "/api/v1/contacts?contactable_type=prospect&contactable_id={}",
                created.body["id"]
            ),
            json!({"last_name": "Martin"}),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let shown = app.get(&ann, &path).await;
    assert_eq!(etag(&shown), "\"3\"");

    // The copy the client holds: 304, no body, the same tag; weakly compared.
    for held in ["\"3\"", "W/\"3\"", "\"1\", \"3\"", "*"] {
        let unchanged = show_unless(&app, &ann, &path, held).await;
        assert_eq!(
            (unchanged.status, etag(&unchanged), &unchanged.body),
            (304, "\"3\"", &Value::Null),
            "{held}"
        );
    }
    let stale = show_unless(&app, &ann, &path, "\"2\"").await;
    assert_eq!((stale.status, etag(&stale)), (200, "\"3\""));
    assert_eq!(stale.body["contacts"][0]["last_name"], "Martin");

    // The version is the account's, under the SDK's mount too.
    let sdk = app.get(&ann, &format!("/sdk{path}")).await;
    assert_eq!((sdk.status, etag(&sdk)), (200, "\"3\""));
}

#[actix_web::test]
async fn of_two_clients_writing_back_what_they_read_one_wins_and_the_other_is_told() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let path = format!("/api/v1/prospects/{id}");
    // A CRM screen here and a phone app on another process read version 1...
    let read = app.get(&ann, &path).await;
    let tag = etag(&read).to_owned();
    let other_process = app.twin().await;
    let screen = put_if(&app, &ann, &path, &tag, json!({"phone": "01 02 03 04 05"}));
    let phone = app.call_on(
        &other_process,
        conditional(TestRequest::put().uri(&path), &ann, &tag)
            .set_json(json!({"main_address_city": "Lyon"})),
    );
    // ...and both write it back at once: exactly one wins.
    let (screen, phone) = tokio::join!(screen, phone);
    let mut statuses = [screen.status, phone.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 412], "{:?} / {:?}", screen.body, phone.body);
    let (winner, loser, retry) = if screen.status == 201 {
        (screen, phone, json!({"main_address_city": "Lyon"}))
    } else {
        (phone, screen, json!({"phone": "01 02 03 04 05"}))
    };
    assert_eq!(loser.body, json!({"message": CHANGED}));
    assert_eq!(etag(&winner), "\"2\"");
    let stored = app.get(&ann, &path).await;
    assert_eq!(stored.body, {
        let mut expected = stored.body.clone();
        for (field, value) in winner.body.as_object().expect("object") {
            expected[field] = value.clone();
        }
        expected
    });

    // The loser reads again and writes again: nothing is lost.
    let again = put_if(&app, &ann, &path, etag(&stored), retry).await;
    assert_eq!(
        (again.status, etag(&again)),
        (201, "\"3\""),
        "{:?}",
        again.body
    );
    let both = app.get(&ann, &path).await;
    assert_eq!(
        (&both.body["phone"], &both.body["main_address_city"]),
        (&json!("01 02 03 04 05"), &json!("Lyon"))
    );
}

#[actix_web::test]
async fn a_write_at_another_version_is_refused_with_412_and_writes_nothing() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let path = format!("/api/v1/prospects/{id}");
    let refused = json!({"message": CHANGED});
    // Another version, a weak tag (If-Match compares strongly), or a tag
    // that is not ours.
    for tag in ["\"2\"", "W/\"1\"", "1", "\"abc\"", ""] {
        let put = put_if(&app, &ann, &path, tag, json!({"name": "Lost"})).await;
        assert_eq!((put.status, &put.body), (412, &refused), "{tag:?}");
        let patch = app
            .call(
                conditional(TestRequest::patch().uri(&path), &ann, tag)
                    .set_json(json!({"name": "Lost"})),
            )
            .await;
        assert_eq!(patch.status, 412, "{tag:?}");
        let delete = app
            .call(conditional(TestRequest::delete().uri(&path), &ann, tag))
            .await;
        assert_eq!((delete.status, &delete.body), (412, &refused), "{tag:?}");
        let convert = app
            .call(conditional(
                TestRequest::post().uri(&format!("{path}/convert")),
                &ann,
                tag,
            ))
            .await;
        assert_eq!((convert.status, &convert.body), (412, &refused), "{tag:?}");
    }
    let stored = app.get(&ann, &path).await;
    assert_eq!(
        (
            &stored.body["name"],
            &stored.body["converted_customer_id"],
            etag(&stored)
        ),
        (&json!("Acme"), &json!(null), "\"1\"")
    );
    assert_eq!(app.db.count("SELECT count(*) AS n FROM accounts").await, 1);

    // Scope, existence and validation are still answered first.
    let bob = app.sales_user("bob").await;
    let theirs = put_if(&app, &bob, &path, "\"9\"", json!({"name": "Mine"})).await;
    assert_eq!(theirs.status, 403);
    let missing = put_if(&app, &ann, "/api/v1/prospects/999", "\"9\"", json!({})).await;
    assert_eq!(missing.status, 404);
    let invalid = put_if(&app, &ann, &path, "\"9\"", json!({"name": ""})).await;
    assert_eq!(invalid.status, 422);

    // The version held, or any (`*`), lets the write through.
    let converted = app
        .call(conditional(
            TestRequest::post().uri(&format!("{path}/convert")),
            &ann,
            "\"7\", \"1\"",
        ))
        .await;
    assert_eq!((converted.status, etag(&converted)), (201, "\"1\""));
    let customer = format!("/api/v1/customers/{}", converted.body["id"]);
    let renamed = put_if(&app, &ann, &customer, "*", json!({"name": "Acme SA"})).await;
    assert_eq!((renamed.status, etag(&renamed)), (201, "\"2\""));
    let stale = app
        .call(conditional(
            TestRequest::delete().uri(&customer),
            &ann,
            "\"1\"",
        ))
        .await;
    assert_eq!(stale.status, 412);
    let deleted = app
        .call(conditional(
            TestRequest::delete().uri(&customer),
            &ann,
            "\"2\"",
        ))
        .await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
}

#[actix_web::test]
async fn without_if_match_writes_are_unconditional_as_the_vendors_clients_expect() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let path = format!("/api/v1/prospects/{id}");
    for name in ["One", "Two"] {
        let put = app.put(&ann, &path, json!({"name": name})).await;
        assert_eq!(put.status, 201);
    }
    let deleted = app.delete(&ann, &path).await;
    assert_eq!(deleted.status, 200);
}

async fn call_if(app: &TestApp, request: TestRequest, user: &TestUser, tag: &str) -> TestResponse {
    app.call(conditional(request, user, tag)).await
}

#[actix_web::test]
async fn contacts_and_notes_carry_their_own_versions() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let carol = app.manager("carol").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let account = format!("/api/v1/prospects/{id}");

    let created = app
        .post(
            &ann,
            &format!("/api/v1/contacts?contactable_type=prospect&contactable_id={id}"),
            json!({"last_name": "Martin"}),
        )
        .await;
    assert_eq!((created.status, etag(&created)), (201, "\"1\""));
    let contact = format!("/api/v1/contacts/{}", created.body["id"]);
    let changed = put_if(&app, &ann, &contact, "\"1\"", json!({"first_name": "Anne"})).await;
    assert_eq!(
        (changed.status, etag(&changed)),
        (200, "\"2\""),
        "{:?}",
        changed.body
    );
    let stale = put_if(&app, &ann, &contact, "\"1\"", json!({"first_name": "Lost"})).await;
    assert_eq!(
        (stale.status, &stale.body),
        (412, &json!({"message": CHANGED}))
    );
    let held = show_unless(&app, &ann, &contact, "\"2\"").await;
    assert_eq!((held.status, etag(&held)), (304, "\"2\""));
    let shown = app.get(&ann, &contact).await;
    assert_eq!(
        (etag(&shown), &shown.body["first_name"]),
        ("\"2\"", &json!("Anne"))
    );
    let refused = call_if(&app, TestRequest::delete().uri(&contact), &ann, "\"1\"").await;
    assert_eq!(refused.status, 412);
    // The account shows its contacts: each of their writes moved it too.
    assert_eq!(etag(&app.get(&ann, &account).await), "\"3\"");
    let deleted = call_if(&app, TestRequest::delete().uri(&contact), &ann, "\"2\"").await;
    assert_eq!(deleted.status, 200);

    let note = app
        .post(
            &carol,
            &format!("/api/v1/notes?noteable_type=prospect&noteable_id={id}"),
            json!({"body": "Call back"}),
        )
        .await;
    assert_eq!((note.status, etag(&note)), (201, "\"1\""));
    let path = format!("/api/v1/notes/{}", note.body["id"]);
    // Ann may read Carol's note but not change it: 403 before any 412.
    let not_hers = put_if(&app, &ann, &path, "\"7\"", json!({"body": "Mine"})).await;
    assert_eq!(not_hers.status, 403);
    let edited = put_if(&app, &carol, &path, "\"1\"", json!({"body": "Called"})).await;
    assert_eq!((edited.status, etag(&edited)), (200, "\"2\""));
    let stale = call_if(&app, TestRequest::delete().uri(&path), &carol, "\"1\"").await;
    assert_eq!(stale.status, 412);
    assert_eq!(app.get(&carol, &path).await.body["body"], "Called");
    let held = show_unless(&app, &ann, &path, "W/\"2\"").await;
    assert_eq!(held.status, 304);
}

#[actix_web::test]
async fn a_payment_plan_is_replaced_only_at_the_version_read() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let plan = format!("/api/v1/prospects/{id}/payment-plan");
    let terms = |days: i64| json!({"payment_method": "transfer", "payment_terms_days": days});

    // `If-Match` needs a plan to match: none yet is a 412, nothing created.
    for tag in ["*", "\"1\""] {
        let refused = put_if(&app, &ann, &plan, tag, terms(30)).await;
        assert_eq!(refused.status, 412, "{tag}");
        let refused = call_if(&app, TestRequest::delete().uri(&plan), &ann, tag).await;
        assert_eq!(refused.status, 412, "{tag}");
    }
    let none = app.get(&ann, &plan).await;
    assert_eq!(
        (none.status, &none.body, none.header("etag")),
        (200, &json!(null), None)
    );

    let created = app.put(&ann, &plan, terms(30)).await;
    assert_eq!((created.status, etag(&created)), (201, "\"1\""));
    let replaced = put_if(&app, &ann, &plan, "\"1\"", terms(45)).await;
    assert_eq!((replaced.status, etag(&replaced)), (200, "\"2\""));
    let stale = put_if(&app, &ann, &plan, "\"1\"", terms(60)).await;
    assert_eq!(stale.status, 412);
    let held = show_unless(&app, &ann, &plan, "\"2\"").await;
    assert_eq!(held.status, 304);
    let shown = app.get(&ann, &plan).await;
    assert_eq!(
        (etag(&shown), &shown.body["payment_terms_days"]),
        ("\"2\"", &json!(45))
    );
    let stale = call_if(&app, TestRequest::delete().uri(&plan), &ann, "\"1\"").await;
    assert_eq!(stale.status, 412);
    let deleted = call_if(&app, TestRequest::delete().uri(&plan), &ann, "*").await;
    assert_eq!(deleted.status, 200);
    assert_eq!(app.get(&ann, &plan).await.body, json!(null));
}
