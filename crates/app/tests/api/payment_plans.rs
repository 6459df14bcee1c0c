//! Payment plans (issue 11, item 7): one per account, created or replaced
//! whole, moved by a conversion.

use serde_json::{Value, json};

use crate::support::{TestApp, keys};

fn message(text: &str) -> Value {
    json!({"message": text})
}

#[actix_web::test]
async fn an_account_has_at_most_one_plan_put_whole() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let plan = format!("/api/v1/prospects/{anns}/payment-plan");
    let none = app.get(&ann, &plan).await;
    assert_eq!((none.status, none.body), (200, json!(null)));
    let created = app
        .put(
            &ann,
            &plan,
            json!({"payment_method": "transfer", "payment_terms_days": "30"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        keys(&created.body),
        [
            "id",
            "account_id",
            "payment_method",
            "payment_terms_days",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (
            created.body["account_id"].clone(),
            created.body["payment_terms_days"].clone()
        ),
        (json!(anns), json!(30))
    );
    let replaced = app
        .put(
            &ann,
            &plan,
            json!({"payment_method": "card", "payment_terms_days": 0}),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(
        replaced.body["id"], created.body["id"],
        "one plan, replaced"
    );
    assert_eq!(app.get(&ann, &plan).await.body, replaced.body);
    let shown = app.get(&ann, &format!("/api/v1/prospects/{anns}")).await;
    assert_eq!(shown.body["payment_plan"], replaced.body);

    let refused = app
        .put(
            &ann,
            &plan,
            json!({"payment_method": "bitcoin", "payment_terms_days": 366}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"],
        json!({
            "payment_method": ["The selected payment method is invalid."],
            "payment_terms_days": ["The payment terms days field must be between 0 and 365."]
        })
    );
    let empty = app.put(&ann, &plan, json!({})).await;
    assert_eq!(
        empty.body["message"],
        "The payment method field is required. (and 1 more error)"
    );
    let forbidden = message("This action is unauthorized.");
    for response in [
        app.get(&bob, &plan).await,
        app.put(
            &bob,
            &plan,
            json!({"payment_method": "card", "payment_terms_days": 1}),
        )
        .await,
        app.put(&bob, &plan, json!({})).await,
        app.delete(&bob, &plan).await,
    ] {
        assert_eq!((response.status, response.body), (403, forbidden.clone()));
    }
    let missing = app.get(&ann, "/api/v1/customers/999/payment-plan").await;
    assert_eq!(
        (missing.status, missing.body),
        (404, message("No query results for model [Customer] 999"))
    );
    let deleted = app.delete(&ann, &plan).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, message("Payment plan deleted."))
    );
    let again = app.delete(&ann, &plan).await;
    assert_eq!(
        (again.status, again.body),
        (200, message("Payment plan deleted."))
    );
    assert_eq!(app.get(&ann, &plan).await.body, json!(null));
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM payment_plans")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_plan_moves_to_the_customer_and_the_prospect_takes_no_more() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let anns = app.prospect(&ann, json!({"name": "Ann's Bakery"})).await;
    let plan = format!("/api/v1/prospects/{anns}/payment-plan");
    let terms = json!({"payment_method": "direct_debit", "payment_terms_days": 45});
    assert_eq!(app.put(&ann, &plan, terms.clone()).await.status, 201);
    let converted = app
        .post(
            &ann,
            &format!("/api/v1/prospects/{anns}/convert"),
            json!({}),
        )
        .await;
    let customer = converted.body["id"].as_i64().expect("customer");
    let customers_plan = format!("/api/v1/customers/{customer}/payment-plan");
    let moved = app.get(&ann, &customers_plan).await;
    assert_eq!(
        (
            moved.status,
            moved.body["account_id"].clone(),
            moved.body["payment_terms_days"].clone()
        ),
        (200, json!(customer), json!(45))
    );
    assert_eq!(app.get(&ann, &plan).await.body, json!(null), "it moved");
    let converted_message = message("This prospect has already been converted.");
    let late = app.put(&ann, &plan, terms.clone()).await;
    assert_eq!((late.status, late.body), (409, converted_message.clone()));
    let late = app.delete(&ann, &plan).await;
    assert_eq!((late.status, late.body), (409, converted_message));
    let replaced = app
        .put(
            &ann,
            &customers_plan,
            json!({"payment_method": "cheque", "payment_terms_days": 60}),
        )
        .await;
    assert_eq!(replaced.status, 200);
}
