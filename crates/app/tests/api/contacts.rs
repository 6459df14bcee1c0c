//! Contacts (issue 11, item 4): the vendor's shape, the parent's scope, and
//! numbers compared in E.164 form.

use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, keys};

fn message(text: &str) -> Value {
    json!({"message": text})
}

fn on(kind: &str, id: i64) -> String {
    format!("/api/v1/contacts?contactable_type={kind}&contactable_id={id}")
}

async fn contact(app: &TestApp, user: &TestUser, prospect: i64, body: Value) -> Value {
    let created = app.post(user, &on("prospect", prospect), body).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body
}

/// The vendor client's whole `Contact` entity, as `CreateContactRequest`
/// sends it (its ids and timestamps left out).
fn sdk_entity() -> Value {
    json!({"civility": 2, "firstName": "Anne", "lastName": "Martin",
           "emailAddress": "anne@acme.example", "company": "Acme", "mobilePhone": "06 11 13 17 19",
           "landlinePhone": null, "role": "CFO", "profunction_id": null, "service": null,
           "active": true, "legalRepresentative": true, "invoicesRecipient": false,
           "newslettersRecipient": false, "technicalContact": false, "is_signer_contract": false,
           "is_signer_iban": false, "myClient": false, "myClientAdmin": false,
           "ticketingDoNotNotify": false, "ticketingCopyToSales": false, "api": false,
           "cfd_token": null, "cfd_authorised_hosts": null, "familiarity": null,
           "source": "admin", "comment": null})
}

#[actix_web::test]
async fn contacts_have_the_vendors_shape_and_their_accounts_scope() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let created = app
        .post(
            &ann,
            &on("prospect", anns),
            json!({"first_name": " Paul ", "last_name": "Durand", "landline_phone": "01 42 68 53 00",
                   "technical_contact": "1", "civility": "1", "id": 99, "contactable_id": 5}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let first = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/contacts/{first}").as_str())
    );
    assert_eq!(
        keys(&created.body),
        [
            "id",
            "contactable_type",
            "contactable_id",
            "civility",
            "first_name",
            "last_name",
            "email_address",
            "company",
            "mobile_phone",
            "landline_phone",
            "role",
            "active",
            "legal_representative",
            "invoices_recipient",
            "newsletters_recipient",
            "technical_contact",
            "comment",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        [
            &created.body["contactable_type"],
            &created.body["contactable_id"],
            &created.body["civility"],
            &created.body["first_name"],
            &created.body["active"],
            &created.body["technical_contact"],
            &created.body["legal_representative"],
        ],
        [
            &json!("prospect"),
            &json!(anns),
            &json!(1),
            &json!("Paul"),
            &json!(true),
            &json!(true),
            &json!(false)
        ]
    );
    // The vendor's client, unmodified, under its base URL.
    let sdk = app
        .post(
            &ann,
            &format!("/sdk/api/v1/contacts?contactable_id={anns}&contactable_type=prospect"),
            sdk_entity(),
        )
        .await;
    assert_eq!(sdk.status, 201, "{:?}", sdk.body);
    assert_eq!(
        [
            &sdk.body["firstName"],
            &sdk.body["emailAddress"],
            &sdk.body["mobilePhone"],
            &sdk.body["legalRepresentative"],
            &sdk.body["civility"]
        ],
        [
            &json!("Anne"),
            &json!("anne@acme.example"),
            &json!("06 11 13 17 19"),
            &json!(true),
            &json!(2)
        ]
    );
    let second = sdk.body["id"].as_i64().expect("id");
    let list = app.get(&ann, &on("prospect", anns)).await;
    assert_eq!(list.status, 200);
    let ids: Vec<&Value> = list
        .body
        .as_array()
        .expect("a bare array")
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, [&json!(first), &json!(second)], "oldest first");
    let details = app.get(&ann, &format!("/api/v1/prospects/{anns}")).await;
    assert_eq!(details.body["contacts"], list.body);

    // Another sales user reaches none of it: 403, never an empty list.
    let forbidden = message("This action is unauthorized.");
    let firsts = format!("/api/v1/contacts/{first}");
    for response in [
        app.get(&bob, &on("prospect", anns)).await,
        app.post(&bob, &on("prospect", anns), json!({"last_name": "Mine"}))
            .await,
        app.post(&bob, &on("prospect", anns), json!({"civility": 999}))
            .await,
        app.get(&bob, &firsts).await,
        app.put(&bob, &firsts, json!({"role": "Mine"})).await,
        app.put(&bob, &firsts, json!({"active": null})).await,
        app.delete(&bob, &firsts).await,
    ] {
        assert_eq!((response.status, response.body), (403, forbidden.clone()));
    }
    let edited = app
        .put(
            &ann,
            &firsts,
            json!({"role": "CTO", "first_name": null, "lastName": "Dupont"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(
        [
            &edited.body["role"],
            &edited.body["first_name"],
            &edited.body["last_name"],
            &edited.body["technical_contact"]
        ],
        [&json!("CTO"), &json!(null), &json!("Dupont"), &json!(true)]
    );
    assert_eq!(app.get(&ann, &firsts).await.body, edited.body);
    let deleted = app.delete(&ann, &firsts).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, message("Contact deleted."))
    );
    let gone = app.get(&ann, &firsts).await;
    assert_eq!(
        (gone.status, gone.body),
        (
            404,
            message(&format!("No query results for model [Contact] {first}"))
        )
    );
    assert_eq!(app.db.count("SELECT count(*) AS n FROM contacts").await, 1);
}

#[actix_web::test]
async fn a_contact_is_found_by_its_number_however_it_is_written() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let anne = contact(
        &app,
        &ann,
        anns,
        json!({"last_name": "Martin", "mobile_phone": "+33 6 11 13 17 19"}),
    )
    .await;
    let desk = contact(
        &app,
        &ann,
        anns,
        json!({"last_name": "Desk", "landline_phone": "0033 1 42 68 53 00"}),
    )
    .await;
    let numbers = |number: &str| {
        format!(
            "/api/v1/contacts/numbers?phoneNumber={}",
            number.replace('+', "%2B").replace(' ', "+")
        )
    };
    for (written, expected) in [
        ("06 11 13 17 19", &anne),
        ("+33611131719", &anne),
        ("06.11.13.17.19", &anne),
        ("01 42 68 53 00", &desk),
        ("+33 1 42 68 53 00", &desk),
    ] {
        let found = app.get(&ann, &numbers(written)).await;
        assert_eq!(found.status, 200, "{written}: {:?}", found.body);
        assert_eq!(&found.body, &json!({"data": expected}), "{written}");
    }
    // The vendor's client reads it under `data`, in its own names.
    let sdk = app
        .get(&ann, &format!("/sdk{}", numbers("06 11 13 17 19")))
        .await;
    assert_eq!(sdk.body["data"]["lastName"], "Martin");
    let nobody = message("No contact has this phone number.");
    for (user, number) in [(&bob, "06 11 13 17 19"), (&ann, "06 99 99 99 99")] {
        let response = app.get(user, &numbers(number)).await;
        assert_eq!((response.status, response.body), (404, nobody.clone()));
    }
    for (query, text) in [
        ("", "The phoneNumber field is required."),
        ("?phoneNumber=", "The phoneNumber field is required."),
        (
            "?phoneNumber=hello",
            "The phoneNumber field must be a valid phone number.",
        ),
        (
            "?phoneNumber=06%2011",
            "The phoneNumber field must be a valid phone number.",
        ),
    ] {
        let response = app
            .get(&ann, &format!("/api/v1/contacts/numbers{query}"))
            .await;
        assert_eq!(response.status, 422, "{query}");
        assert_eq!(
            response.body["errors"]["phoneNumber"],
            json!([text]),
            "{query}"
        );
    }
    // A number written otherwise is kept as written, and found by nobody.
    let unparsed = app
        .put(
            &ann,
            &format!("/api/v1/contacts/{}", anne["id"]),
            json!({"mobile_phone": "ask the desk"}),
        )
        .await;
    assert_eq!(unparsed.body["mobile_phone"], "ask the desk");
    let response = app.get(&ann, &numbers("06 11 13 17 19")).await;
    assert_eq!(response.status, 404);
}

#[actix_web::test]
async fn bad_contacts_and_unknown_accounts_are_refused() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let refused = app
        .post(
            &ann,
            &on("prospect", anns),
            json!({"civility": 256, "first_name": "x".repeat(256), "email_address": "nope",
                   "active": "maybe", "comment": 5}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"],
        json!({
            "civility": ["The civility field must be between 0 and 255."],
            "first_name": ["The first name field must not be greater than 255 characters."],
            "email_address": ["The email address field must be a valid email address."],
            "active": ["The active field must be true or false."],
            "comment": ["The comment field must be a string."]
        })
    );
    // Errors are keyed by the name the client sent.
    let sdk = app
        .post(
            &ann,
            &format!("/sdk/api/v1/contacts?contactable_id={anns}&contactable_type=prospect"),
            json!({"emailAddress": "nope"}),
        )
        .await;
    assert_eq!(
        sdk.body["errors"],
        json!({"emailAddress": ["The email address field must be a valid email address."]})
    );
    for (query, field, text) in [
        (
            "contactable_id=1",
            "contactable_type",
            "The contactable type field is required.",
        ),
        (
            "contactable_type=lead&contactable_id=1",
            "contactable_type",
            "The selected contactable type is invalid.",
        ),
        (
            "contactable_type=prospect&contactable_id=-1",
            "contactable_id",
            "The contactable id field must be an integer.",
        ),
    ] {
        let response = app.get(&ann, &format!("/api/v1/contacts?{query}")).await;
        assert_eq!(response.status, 422, "{query}");
        assert_eq!(response.body["errors"][field], json!([text]), "{query}");
    }
    let missing = app.get(&ann, &on("customer", anns)).await;
    assert_eq!(
        (missing.status, missing.body),
        (
            404,
            message(&format!("No query results for model [Customer] {anns}"))
        )
    );
    let none = app.get(&ann, "/api/v1/contacts/0").await;
    assert_eq!(none.body, message("No query results for model [Contact] 0"));
    assert_eq!(app.db.count("SELECT count(*) AS n FROM contacts").await, 0);
}

#[actix_web::test]
async fn contacts_follow_their_prospect_into_the_customer_and_go_with_it() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let kept = contact(
        &app,
        &ann,
        anns,
        json!({"last_name": "Martin", "mobile_phone": "06 11 13 17 19"}),
    )
    .await;
    let converted = app
        .post(
            &ann,
            &format!("/api/v1/prospects/{anns}/convert"),
            json!({}),
        )
        .await;
    assert_eq!(converted.status, 201, "{:?}", converted.body);
    let customer = converted.body["id"].as_i64().expect("customer");
    let list = app.get(&ann, &on("customer", customer)).await;
    assert_eq!(list.body[0]["id"], kept["id"]);
    assert_eq!(list.body[0]["contactable_type"], "customer");
    assert_eq!(list.body[0]["contactable_id"], customer);
    let found = app
        .get(&ann, "/api/v1/contacts/numbers?phoneNumber=0611131719")
        .await;
    assert_eq!(found.body["data"]["contactable_id"], customer);
    assert_eq!(app.get(&ann, &on("prospect", anns)).await.body, json!([]));
    let conflict = message("This prospect has already been converted.");
    let late = app
        .post(&ann, &on("prospect", anns), json!({"last_name": "Late"}))
        .await;
    assert_eq!((late.status, late.body), (409, conflict));
    let deleted = app
        .delete(&ann, &format!("/api/v1/customers/{customer}"))
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM contacts").await, 0);
}
