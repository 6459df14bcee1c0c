//! The vendor's PHP client (`bluerocktel/php-sdk`), as it talks: base URL
//! `http://host/sdk/api`, login by query string with an empty body, pages
//! by `page` and `per_page`, whole entities on POST and PUT with the SDK's
//! camelCase names, and answers hydrated by key name (unknown keys dropped,
//! a null where its entity holds a non-nullable int is a crash).

use actix_web::test as actix_test;
use serde_json::{Map, Value, json};

use crate::support::{TestApp, TestUser};

/// The SDK entity's constructor parameters, in order, with their defaults
/// (`src/Entities/Account.php`): the keys it sends and the only ones it reads.
fn sdk_entity() -> Value {
    let null = Value::Null;
    let fields = [
        ("id", null.clone()),
        ("brand_id", json!(1)),
        ("representative_id", null.clone()),
        ("customerAccount", null.clone()),
        ("accountsReference", null.clone()),
        ("name", null.clone()),
        ("brand", null.clone()),
        ("cluster", null.clone()),
        ("registrationNumber", null.clone()),
        ("taxRegistrationNumber", null.clone()),
        ("mainContactFirstName", null.clone()),
        ("mainContactLastName", null.clone()),
        ("type", null.clone()),
        ("capital", null.clone()),
        ("activityCode", null.clone()),
        ("sector_id", null.clone()),
        ("origin_id", null.clone()),
        ("mainAddressLine1", null.clone()),
        ("mainAddressLine2", null.clone()),
        ("mainAddressPostalCode", null.clone()),
        ("mainAddressCity", null.clone()),
        ("mainAddressCountry", null.clone()),
        ("abroad", json!(false)),
        ("zone", json!(0)),
        ("emailAddress", null.clone()),
        ("accountEmailAddress", null.clone()),
        ("website", null.clone()),
        ("phone", null.clone()),
        ("mobilePhone", null.clone()),
        ("fax", null.clone()),
        ("logo", null.clone()),
        ("active", json!(true)),
        ("activity", null.clone()),
        ("category", null.clone()),
        ("qualification", null.clone()),
        ("prospection_code_id", json!(1)),
        ("acceptEmails", json!(true)),
        ("acceptCalls", json!(true)),
        ("chargeVAT", json!(true)),
        ("language", null.clone()),
        ("mergeInvoices", json!(false)),
        ("numberForEligibility", null.clone()),
        ("comment", null.clone()),
        ("quickSearchIndex", json!(false)),
        ("created_at", null.clone()),
        ("updated_at", null),
    ];
    assert_eq!(fields.len(), 46);
    Value::Object(
        fields
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    )
}

/// The SDK's `fromArray`: the keys of `answer` its entity declares, over its
/// defaults; a null for one of its non-nullable ints would throw.
fn hydrate(answer: &Value) -> Map<String, Value> {
    let mut entity = sdk_entity().as_object().expect("entity").clone();
    for (key, value) in answer.as_object().expect("an object") {
        if let Some(slot) = entity.get_mut(key) {
            *slot = value.clone();
        }
    }
    for non_nullable in ["brand_id", "prospection_code_id", "zone"] {
        assert!(
            !entity[non_nullable].is_null(),
            "{non_nullable} is null: {answer}"
        );
    }
    entity
}

/// The SDK's request body: `toArray(filter: true)` without `id`, `created_at`, `updated_at`.
fn sdk_body(entity: &Map<String, Value>) -> Value {
    Value::Object(
        entity
            .iter()
            .filter(|(key, value)| {
                !value.is_null() && !["id", "created_at", "updated_at"].contains(&key.as_str())
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    )
}

async fn sdk_login(app: &TestApp, email: &str) -> TestUser {
    let login = actix_test::TestRequest::post()
        .uri(&format!("/sdk/api/login?email={email}&password=password"))
        .insert_header(("accept", "application/json"));
    let answer = app.call(login).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    TestUser {
        id: answer.body["user"]["id"].as_i64().expect("id"),
        token: answer.body["token"].as_str().expect("token").to_owned(),
    }
}

#[actix_web::test]
async fn the_vendors_php_client_works_unchanged_against_the_sdk_mount() {
    let app = TestApp::new().await;
    app.admin().await;
    let sdk = sdk_login(&app, "admin@example.test").await;

    // Create: the whole entity, every field the SDK renames set.
    let mut entity = sdk_entity().as_object().expect("entity").clone();
    for (key, value) in [
        ("name", json!("Société Générale")),
        ("accountsReference", json!("ACC-1")),
        ("registrationNumber", json!("552120222")),
        ("taxRegistrationNumber", json!("FR27552120222")),
        ("mainContactFirstName", json!("Ann")),
        ("mainContactLastName", json!("Smith")),
        ("activityCode", json!("6419Z")),
        ("mainAddressLine1", json!("29 bd Haussmann")),
        ("mainAddressLine2", json!("3e étage")),
        ("mainAddressPostalCode", json!("75009")),
        ("mainAddressCity", json!("Paris")),
        ("mainAddressCountry", json!("France")),
        ("emailAddress", json!("contact@sg.example")),
        ("accountEmailAddress", json!("billing@sg.example")),
        ("mobilePhone", json!("06 12 34 56 78")),
        ("acceptEmails", json!(false)),
        ("acceptCalls", json!(false)),
        ("chargeVAT", json!(false)),
        ("mergeInvoices", json!(true)),
        ("logo", json!("logo.png")),
    ] {
        entity.insert(key.to_owned(), value);
    }
    let body = sdk_body(&entity);
    let created = app.post(&sdk, "/sdk/api/v1/prospects", body.clone()).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/sdk/api/v1/prospects/{id}").as_str())
    );
    let read_back = hydrate(&created.body);
    for (key, value) in body.as_object().expect("body") {
        if ![
            "brand",
            "cluster",
            "origin_id",
            "abroad",
            "zone",
            "logo",
            "activity",
            "category",
            "qualification",
            "language",
            "numberForEligibility",
            "quickSearchIndex",
        ]
        .contains(&key.as_str())
        {
            assert_eq!(&read_back[key], value, "{key} reads back as sent");
        }
    }
    assert_eq!(read_back["customerAccount"], format!("PR{id:06}"));
    assert!(
        created.body.get("email_address").is_none(),
        "the SDK's names only"
    );

    // The plain mount speaks the contract's names about the same row.
    let plain = app.get(&sdk, &format!("/api/v1/prospects/{id}")).await;
    assert_eq!(plain.body["email_address"], "contact@sg.example");
    assert_eq!(plain.body["charge_vat"], false);

    // List, as the SDK pages.
    let page = app
        .get(&sdk, "/sdk/api/v1/prospects?page=1&per_page=20")
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        (
            page.body["current_page"].clone(),
            page.body["last_page"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(
        page.body["path"],
        "http://localhost:8080/sdk/api/v1/prospects"
    );
    let listed = hydrate(&page.body["data"][0]);
    assert_eq!(listed["mainAddressCity"], "Paris");

    // Update: the whole entity read back, one field changed.
    let mut changed = hydrate(
        &app.get(&sdk, &format!("/sdk/api/v1/prospects/{id}"))
            .await
            .body,
    );
    changed.insert("mainAddressCity".to_owned(), json!("Lyon"));
    let updated = app
        .put(
            &sdk,
            &format!("/sdk/api/v1/prospects/{id}"),
            sdk_body(&changed),
        )
        .await;
    assert_eq!(updated.status, 201, "{:?}", updated.body);
    let updated = hydrate(&updated.body);
    assert_eq!(updated["mainAddressCity"], "Lyon");
    assert_eq!(updated["emailAddress"], "contact@sg.example");

    // Errors come under the names the client sent.
    let refused = app
        .post(
            &sdk,
            "/sdk/api/v1/prospects",
            json!({"name": "Acme", "emailAddress": "nope"}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.body),
        (
            422,
            json!({"message": "The email address field must be a valid email address.",
                   "errors": {"emailAddress": ["The email address field must be a valid email address."]}})
        )
    );
}

#[actix_web::test]
async fn every_mount_accepts_the_sdks_names_and_ours_win_a_tie() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post(
            &admin,
            "/api/v1/prospects",
            json!({"name": "Acme", "mainAddressCity": "Lyon", "emailAddress": "a@acme.example",
                   "main_address_city": "Paris", "chargeVAT": "0"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["main_address_city"], "Paris");
    assert_eq!(created.body["email_address"], "a@acme.example");
    assert_eq!(created.body["charge_vat"], false);
    let refused = app
        .post(
            &admin,
            "/api/v1/prospects",
            json!({"mainAddressCity": 12, "name": "A"}),
        )
        .await;
    assert_eq!(
        refused.body,
        json!({"message": "The name field must be at least 2 characters. (and 1 more error)",
               "errors": {"name": ["The name field must be at least 2 characters."],
                          "mainAddressCity": ["The main address city field must be a string."]}})
    );
    // A prospect with no brand reads back with no `brand_id` at all on the
    // SDK mount (its entity cannot hold a null there), and null on ours.
    app.sql("UPDATE accounts SET brand_id = NULL").await;
    let id = created.body["id"].as_i64().expect("id");
    let sdk = app
        .get(&admin, &format!("/sdk/api/v1/prospects/{id}"))
        .await;
    assert!(sdk.body.get("brand_id").is_none(), "{:?}", sdk.body);
    hydrate(&sdk.body);
    let ours = app.get(&admin, &format!("/api/v1/prospects/{id}")).await;
    assert_eq!(ours.body["brand_id"], Value::Null);
}

/// The SDK's user entity (`src/Entities/User.php`) as `toArray()` gives it,
/// less the keys `CreateUserRequest` leaves out.
fn sdk_user(name: &str, email: &str, role: i64) -> Value {
    json!({
        "active": null, "name": name, "email": email, "emailShown": null, "avatar": null,
        "role": role, "location": null, "phone": null, "phoneDirect": null, "mobilePhone": null,
        "manager": false, "technicalManager": false, "sales": true, "technical": false,
        "supportTeam": false, "salesAdmin": false, "admin": false, "businessFinder": false
    })
}

#[actix_web::test]
async fn the_vendors_client_lists_creates_and_updates_users() {
    let app = TestApp::new().await;
    app.manager("bob").await;
    let bob = sdk_login(&app, "bob%40example.test").await;
    let created = app
        .post(
            &bob,
            "/sdk/api/v1/users",
            sdk_user("Carol", "carol@example.test", 5),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["active"], true);
    let id = created.body["id"].as_i64().expect("id");
    let page = app.get(&bob, "/sdk/api/v1/users?page=1&per_page=20").await;
    assert_eq!(page.status, 200);
    let emails: Vec<&str> = page.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|user| user["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, ["bob@example.test", "carol@example.test"]);
    // The SDK's update sends the whole entity as it read it, id included.
    let mut entity = sdk_user("Carol B.", "carol@example.test", 5);
    entity["id"] = json!(id);
    entity["active"] = json!(false);
    let updated = app
        .put(&bob, &format!("/sdk/api/v1/users/{id}"), entity)
        .await;
    assert_eq!(
        (updated.status, updated.body["name"].clone()),
        (200, json!("Carol B."))
    );
    assert_eq!(updated.body["active"], false);
    let me = app.get(&bob, "/sdk/api/user").await;
    assert_eq!(me.body["email"], "bob@example.test");
}
