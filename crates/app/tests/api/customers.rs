//! Customers, and the conversion of a prospect into one (issue 11, items 2
//! and 3): what a client sees, and what the database then holds.

use std::sync::{Arc, Barrier};

use serde_json::{Value, json};

use crate::binary::{free_port, http, start_with};
use crate::support::{TestApp, TestUser, keys};

fn message(text: &str) -> Value {
    json!({"message": text})
}

async fn total(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let list = app.get(user, path).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    list.body["total"].clone()
}

#[actix_web::test]
async fn customers_have_a_prospects_fields_rules_and_their_own_numbers() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let prospect = app.prospect(&ann, json!({"name": "Still courting"})).await;
    let created = app
        .post(
            &ann,
            "/api/v1/customers",
            json!({"name": "  Acme  ", "representative_id": bob.id, "mainAddressCity": "Lyon"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let body = &created.body;
    assert_eq!(body["customer_account"], format!("CL{id:06}"));
    assert_eq!(
        (
            body["name"].clone(),
            body["representative_id"].clone(),
            body["main_address_city"].clone(),
            body["prospect_id"].clone()
        ),
        (json!("Acme"), json!(ann.id), json!("Lyon"), json!(null))
    );
    assert_eq!(keys(body).len(), 37);
    assert_eq!(keys(body)[36], "prospect_id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/customers/{id}").as_str())
    );
    // Prospects and customers never show in each other's lists or paths.
    assert_eq!(total(&app, &ann, "/api/v1/customers").await, json!(1));
    assert_eq!(total(&app, &ann, "/api/v1/prospects").await, json!(1));
    let customer_path = format!("/api/v1/customers/{id}");
    let missing = app
        .get(&ann, &format!("/api/v1/customers/{prospect}"))
        .await;
    assert_eq!(
        (missing.status, missing.body),
        (
            404,
            message(&format!("No query results for model [Customer] {prospect}"))
        )
    );
    let missing = app.get(&ann, &format!("/api/v1/prospects/{id}")).await;
    assert_eq!(missing.status, 404);
    // The sales-user rules of SPEC §5.
    let shown = app.get(&ann, &customer_path).await;
    assert_eq!(shown.status, 200);
    assert_eq!(
        keys(&shown.body)[37..],
        ["payment_plan", "contacts", "documents"]
    );
    assert_eq!(total(&app, &bob, "/api/v1/customers").await, json!(0));
    let forbidden = message("This action is unauthorized.");
    assert_eq!(app.get(&bob, &customer_path).await.body, forbidden);
    let taken = app.put(&bob, &customer_path, json!({"name": "Mine"})).await;
    assert_eq!((taken.status, taken.body), (403, forbidden.clone()));
    let handed = app
        .put(&ann, &customer_path, json!({"representative_id": bob.id}))
        .await;
    assert_eq!(handed.status, 403);
    assert_eq!(app.delete(&bob, &customer_path).await.status, 403);
    let searched = app
        .get(
            &ann,
            &format!("/api/v1/customers?filter[term_match]=CL{id:06}"),
        )
        .await;
    assert_eq!(searched.body["total"], 1, "{:?}", searched.body);
    let updated = app.put(&ann, &customer_path, json!({"name": "A"})).await;
    assert_eq!(updated.status, 422);
    let updated = app
        .put(&ann, &customer_path, json!({"name": "Acme Group"}))
        .await;
    assert_eq!(
        (updated.status, updated.body["name"].clone()),
        (201, json!("Acme Group"))
    );
    let deleted = app.delete(&ann, &customer_path).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, message("Customer deleted."))
    );
    assert_eq!(app.get(&ann, &customer_path).await.status, 404);
    // Ids are never reused, whichever kind held them.
    let next = app
        .post(&ann, "/api/v1/customers", json!({"name": "Next"}))
        .await;
    assert!(next.body["id"].as_i64().expect("id") > id);
}

#[actix_web::test]
async fn converting_moves_everything_to_the_new_customer_once() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let id = app
        .prospect(
            &ann,
            json!({"name": "Acme", "brand_id": 1, "prospection_code_id": 3, "comment": "hot"}),
        )
        .await;
    let contact = app
        .post(
            &ann,
            &format!("/api/v1/contacts?contactable_type=prospect&contactable_id={id}"),
            json!({"first_name": "Ann"}),
        )
        .await;
    assert_eq!(contact.status, 201);
    app.sql(&format!(
        "INSERT INTO payment_plans (account_id, payment_method, payment_terms_days) \
         VALUES ({id}, 'transfer', 30)"
    ))
    .await;
    let prospect_path = format!("/api/v1/prospects/{id}");
    let convert = format!("{prospect_path}/convert");
    let before = app.get(&ann, &prospect_path).await.body;

    // Nobody else converts it, and a dry run writes nothing.
    let refused = app.post(&bob, &convert, json!({})).await;
    assert_eq!(refused.status, 403);
    let dry = app
        .post(&ann, &format!("{convert}?dry_run=true"), json!({}))
        .await;
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    assert_eq!(dry.header("location"), None);
    assert_eq!(
        (dry.body["name"].clone(), dry.body["prospect_id"].clone()),
        (json!("Acme"), json!(id))
    );
    assert_eq!(app.get(&ann, &prospect_path).await.body, before);
    assert_eq!(total(&app, &ann, "/api/v1/customers").await, json!(0));
    for value in ["maybe", "", "TRUE"] {
        let bad = app
            .post(&ann, &format!("{convert}?dry_run={value}"), json!({}))
            .await;
        assert_eq!(
            (bad.status, bad.body["errors"]["dry_run"].clone()),
            (422, json!(["The dry run field must be true or false."])),
            "{value:?}"
        );
    }
    assert_eq!(total(&app, &ann, "/api/v1/customers").await, json!(0));

    let converted = app.post(&ann, &convert, json!({})).await;
    assert_eq!(converted.status, 201, "{:?}", converted.body);
    let customer = converted.body["id"].as_i64().expect("id");
    assert_eq!(
        converted.header("location"),
        Some(format!("http://localhost:8080/api/v1/customers/{customer}").as_str())
    );
    let body = &converted.body;
    assert_eq!(body["customer_account"], format!("CL{customer:06}"));
    assert_eq!(
        (
            body["prospect_id"].clone(),
            body["representative_id"].clone(),
            body["brand_id"].clone(),
            body["prospection_code_id"].clone(),
            body["comment"].clone()
        ),
        (json!(id), json!(ann.id), json!(1), json!(3), json!("hot"))
    );
    let shown = app
        .get(&ann, &format!("/api/v1/customers/{customer}"))
        .await
        .body;
    assert_eq!(shown["contacts"][0]["first_name"], "Ann");
    assert_eq!(shown["contacts"][0]["contactable_id"], customer);
    assert_eq!(shown["payment_plan"]["payment_terms_days"], 30);

    // The prospect stays readable, marked, emptied, and takes no more writes.
    let prospect = app.get(&ann, &prospect_path).await.body;
    assert_eq!(prospect["converted_customer_id"], customer);
    assert!(
        prospect["converted_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert_eq!(
        (
            prospect["contacts"].clone(),
            prospect["payment_plan"].clone()
        ),
        (json!([]), json!(null))
    );
    let converted_again = message("This prospect has already been converted.");
    let again = app.post(&ann, &convert, json!({})).await;
    assert_eq!((again.status, again.body), (409, converted_again.clone()));
    let dry_again = app
        .post(&ann, &format!("{convert}?dry_run=1"), json!({}))
        .await;
    assert_eq!(dry_again.status, 409);
    let update = app
        .put(&ann, &prospect_path, json!({"name": "Renamed"}))
        .await;
    assert_eq!((update.status, update.body), (409, converted_again));
    // Outside the scope, the state of the prospect is not told.
    assert_eq!(app.post(&bob, &convert, json!({})).await.status, 403);
    assert_eq!(total(&app, &ann, "/api/v1/customers").await, json!(1));

    // Deleting the customer leaves the prospect converted, with no customer.
    let deleted = app
        .delete(&ann, &format!("/api/v1/customers/{customer}"))
        .await;
    assert_eq!(deleted.status, 200);
    let prospect = app.get(&ann, &prospect_path).await.body;
    assert_eq!(prospect["converted_customer_id"], json!(null));
    assert!(prospect["converted_at"].is_string());
    assert_eq!(
        app.db.count("SELECT count(*) AS n FROM contacts").await,
        0,
        "the customer's contacts went with it"
    );
    let missing = app
        .post(&ann, "/api/v1/prospects/999/convert", json!({}))
        .await;
    assert_eq!(
        (missing.status, missing.body),
        (404, message("No query results for model [Prospect] 999"))
    );
}

/// Two server processes convert the same prospects at the same moment:
/// each prospect gets exactly one customer, one 201 and one 409.
#[actix_web::test]
async fn concurrent_conversions_across_processes_create_one_customer() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let mut prospects = Vec::new();
    for i in 0..10 {
        prospects.push(
            app.prospect(&admin, json!({"name": format!("Race {i}")}))
                .await,
        );
    }
    let ports = [free_port(), free_port()];
    let mut servers: Vec<_> = ports
        .iter()
        .map(|port| start_with(&app, *port, &[]))
        .collect();
    let token = admin.token.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let mut outcomes = Vec::new();
        for id in prospects {
            let barrier = Arc::new(Barrier::new(2));
            let racers: Vec<_> = ports
                .iter()
                .map(|port| {
                    let (port, barrier, token) = (*port, barrier.clone(), token.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        let path = format!("/api/v1/prospects/{id}/convert");
                        http(port, "POST", &path, &token, "").expect("answered").0
                    })
                })
                .collect();
            let mut statuses: Vec<u16> = racers
                .into_iter()
                .map(|racer| racer.join().expect("racer"))
                .collect();
            statuses.sort_unstable();
            outcomes.push(statuses);
        }
        outcomes
    })
    .await
    .expect("the race");
    for server in &mut servers {
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
    }
    assert!(
        outcomes.iter().all(|statuses| statuses == &[201, 409]),
        "{outcomes:?}"
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM accounts WHERE kind = 'customer'")
            .await,
        10
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM accounts WHERE converted_customer_id IS NOT NULL")
            .await,
        10
    );
}
