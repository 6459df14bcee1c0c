//! Idempotency keys (issue 14, item 2): a creating POST retried under the
//! same `Idempotency-Key` gets the first response again, on any process,
//! and never creates a second record.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, TestUser, bearer};

const KEY: &str = "Idempotency-Key";

fn keyed(path: &str, user: &TestUser, key: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(bearer(user))
        .insert_header((KEY, key))
        .set_json(body)
}

async fn count(app: &TestApp, user: &TestUser, path: &str) -> i64 {
    let listed = app.get(user, path).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    match &listed.body {
        Value::Array(items) => items.len() as i64,
        body => body["total"].as_i64().expect("total"),
    }
}

/// The first response and its replay: same status, body, `ETag` and
/// `Location`; only the replay says it is one.
fn assert_replayed(first: &TestResponse, again: &TestResponse) {
    assert_eq!(
        (again.status, &again.body),
        (first.status, &first.body),
        "{:?}",
        again.body
    );
    for header in ["etag", "location", "content-type"] {
        assert_eq!(again.header(header), first.header(header), "{header}");
    }
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}

#[actix_web::test]
async fn a_retried_create_on_another_process_gets_the_same_response_and_one_row() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let body = json!({"name": "Acme", "main_address_city": "Paris"});
    let first = app
        .call(keyed("/api/v1/prospects", &ann, "8e03978e-40d5", &body))
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.header("etag"), Some("\"1\""));

    // The response was lost; the client retries, and a load balancer sends
    // the retry to another process.
    let other_process = app.twin().await;
    let again = app
        .call_on(
            &other_process,
            keyed("/api/v1/prospects", &ann, "8e03978e-40d5", &body),
        )
        .await;
    assert_replayed(&first, &again);
    // The draft's structured-field form of the same key is the same key.
    let quoted = app
        .call(keyed("/api/v1/prospects", &ann, "\"8e03978e-40d5\"", &body))
        .await;
    assert_replayed(&first, &quoted);
    assert_eq!(count(&app, &ann, "/api/v1/prospects").await, 1);

    // Changed since: the replay is still the first response, as sent.
    let path = format!("/api/v1/prospects/{}", first.body["id"]);
    let renamed = app.put(&ann, &path, json!({"name": "Globex"})).await;
    assert_eq!(renamed.status, 201);
    let later = app
        .call(keyed("/api/v1/prospects", &ann, "8e03978e-40d5", &body))
        .await;
    assert_replayed(&first, &later);

    // Without a key, a retry is a new request, as ever.
    app.post(&ann, "/api/v1/prospects", body.clone()).await;
    assert_eq!(count(&app, &ann, "/api/v1/prospects").await, 2);
}

#[actix_web::test]
async fn the_same_key_at_the_same_moment_on_two_processes_creates_one_prospect() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let other_process = app.twin().await;
    let body = json!({"name": "Acme"});
    for round in 0..5 {
        let key = format!("race-{round}");
        let (here, there) = tokio::join!(
            app.call(keyed("/api/v1/prospects", &ann, &key, &body)),
            app.call_on(
                &other_process,
                keyed("/api/v1/prospects", &ann, &key, &body)
            ),
        );
        let (winner, other) = match here.status {
            201 if here.header("idempotent-replayed").is_none() => (here, there),
            _ => (there, here),
        };
        assert_eq!(winner.status, 201, "{:?} / {:?}", winner.body, other.body);
        match other.status {
            // Still running when the other arrived.
            409 => {
                assert_eq!(
                    other.body,
                    json!({"message": "A request with this Idempotency-Key is still being processed."})
                );
                assert_eq!(other.header("retry-after"), Some("1"));
            }
            _ => assert_replayed(&winner, &other),
        }
        assert_eq!(count(&app, &ann, "/api/v1/prospects").await, round + 1);
    }
}

#[actix_web::test]
async fn a_key_sent_with_another_request_is_refused_and_keys_belong_to_their_user() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let first = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            "k",
            &json!({"name": "Acme"}),
        ))
        .await;
    assert_eq!(first.status, 201);
    let reused = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            "k",
            &json!({"name": "Other"}),
        ))
        .await;
    assert_eq!(reused.status, 422);
    assert_eq!(
        reused.body["errors"]["idempotency_key"],
        json!(["The idempotency key has already been used with a different request."])
    );
    // Another endpoint is another request too.
    let elsewhere = app
        .call(keyed(
            &format!(
                "/api/v1/notes?noteable_type=prospect&noteable_id={}",
                first.body["id"]
            ),
            &ann,
            "k",
            &json!({"name": "Acme"}),
        ))
        .await;
    assert_eq!(elsewhere.status, 422, "{:?}", elsewhere.body);
    // Bob's "k" is his own.
    let bobs = app
        .call(keyed(
            "/api/v1/prospects",
            &bob,
            "k",
            &json!({"name": "Other"}),
        ))
        .await;
    assert_eq!(bobs.status, 201, "{:?}", bobs.body);
    assert_eq!(count(&app, &ann, "/api/v1/prospects").await, 1);
    assert_eq!(count(&app, &bob, "/api/v1/prospects").await, 1);
}

#[actix_web::test]
async fn a_refused_request_leaves_its_key_free_for_the_corrected_one() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let invalid = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            "fix-me",
            &json!({"name": ""}),
        ))
        .await;
    assert_eq!(invalid.status, 422);
    // Refused requests are not stored: the same one runs again (and fails again)...
    let again = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            "fix-me",
            &json!({"name": ""}),
        ))
        .await;
    assert_eq!(
        (again.status, again.header("idempotent-replayed")),
        (422, None)
    );
    // ...and a corrected one may take the key.
    let fixed = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            "fix-me",
            &json!({"name": "Acme"}),
        ))
        .await;
    assert_eq!(fixed.status, 201, "{:?}", fixed.body);
    assert_eq!(count(&app, &ann, "/api/v1/prospects").await, 1);
}

#[actix_web::test]
async fn keys_out_of_bounds_are_a_422_and_write_nothing() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let long = "k".repeat(256);
    for (key, message) in [
        (
            long.as_str(),
            "The idempotency key field must not be greater than 255 characters.",
        ),
        ("\"\"", "The idempotency key field is required."),
    ] {
        let refused = app
            .call(keyed(
                "/api/v1/prospects",
                &ann,
                key,
                &json!({"name": "Acme"}),
            ))
            .await;
        assert_eq!(refused.status, 422, "{key}: {:?}", refused.body);
        assert_eq!(refused.body["errors"]["idempotency_key"], json!([message]));
    }
    let twice = app
        .call(
            keyed("/api/v1/prospects", &ann, "a", &json!({"name": "Acme"}))
                .append_header((KEY, "b")),
        )
        .await;
    assert_eq!(twice.status, 422, "{:?}", twice.body);
    // A dry run claims no key, but refuses a malformed one all the same.
    let id = app.prospect(&ann, json!({"name": "Dry"})).await;
    let dry = app
        .call(keyed(
            &format!("/api/v1/prospects/{id}/convert?dry_run=true"),
            &ann,
            "\"\"",
            &json!({}),
        ))
        .await;
    assert_eq!(dry.status, 422, "{:?}", dry.body);
    let exactly = "k".repeat(255);
    let longest = app
        .call(keyed(
            "/api/v1/prospects",
            &ann,
            &exactly,
            &json!({"name": "Acme"}),
        ))
        .await;
    assert_eq!(longest.status, 201, "{:?}", longest.body);
    assert_eq!(count(&app, &ann, "/api/v1/prospects").await, 2);
}

#[actix_web::test]
async fn contacts_notes_documents_customers_and_conversions_are_created_once_per_key() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;

    let contacts = format!("/api/v1/contacts?contactable_type=prospect&contactable_id={id}");
    let notes = format!("/api/v1/notes?noteable_type=prospect&noteable_id={id}");
    for (path, body) in [
        (contacts.as_str(), json!({"last_name": "Martin"})),
        (notes.as_str(), json!({"body": "Call back"})),
        ("/api/v1/customers", json!({"name": "Initech"})),
    ] {
        // One key per request: the same key elsewhere would be a 422.
        let key = format!("once {path}");
        let first = app.call(keyed(path, &ann, &key, &body)).await;
        assert_eq!(first.status, 201, "{path}: {:?}", first.body);
        let again = app.call(keyed(path, &ann, &key, &body)).await;
        assert_replayed(&first, &again);
        let listed = path.replace("/api/v1/customers", "/api/v1/customers?per_page=5");
        assert_eq!(count(&app, &ann, &listed).await, 1, "{path}");
    }

    // An upload retried by a client that picks a new multipart boundary.
    let documents = format!("/api/v1/prospects/{id}/documents");
    let upload = |boundary: &str| {
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"quote.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nThe quote\r\n--{boundary}--\r\n"
        );
        TestRequest::post()
            .uri(&documents)
            .insert_header(bearer(&ann))
            .insert_header((KEY, "upload-1"))
            .insert_header((
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body)
    };
    let first = app.call(upload("first-boundary")).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = app.call(upload("second-boundary")).await;
    assert_replayed(&first, &again);
    assert_eq!(count(&app, &ann, &documents).await, 1);

    // A conversion retried after its response was lost.
    let convert = format!("/api/v1/prospects/{id}/convert");
    let first = app
        .call(keyed(&convert, &ann, "convert-1", &json!({})))
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = app
        .call(keyed(&convert, &ann, "convert-1", &json!({})))
        .await;
    assert_replayed(&first, &again);
    // Without the key, the retry learns the prospect is converted.
    let unkeyed = app.post(&ann, &convert, json!({})).await;
    assert_eq!(unkeyed.status, 409);
    assert_eq!(count(&app, &ann, "/api/v1/customers").await, 2);
}
