//! The sales-user rules (SPEC §5): two representatives who cannot see or
//! touch each other's prospects, and what they can do with their own.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn two_sales_users_cannot_see_each_others_prospects() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.user("bob@example.test", 3).await;
    let anns = app
        .prospect(
            &ann,
            json!({"name": "Ann's Acme", "main_address_city": "Paris"}),
        )
        .await;
    let bobs = app
        .prospect(
            &bob,
            json!({"name": "Bob's Acme", "main_address_city": "Paris"}),
        )
        .await;

    let list = app.get(&ann, "/api/v1/prospects").await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["data"][0]["id"], anns);
    let search = app
        .get(&ann, "/api/v1/prospects?filter[term_match]=paris")
        .await;
    assert_eq!(
        (
            search.body["total"].clone(),
            search.body["data"][0]["id"].clone()
        ),
        (json!(1), json!(anns))
    );
    let by_id = app
        .get(&ann, &format!("/api/v1/prospects?filter[id]={bobs}"))
        .await;
    assert_eq!(by_id.body["total"], 0);

    let forbidden = json!({"message": "This action is unauthorized."});
    let show = app.get(&ann, &format!("/api/v1/prospects/{bobs}")).await;
    assert_eq!((show.status, show.body), (403, forbidden.clone()));
    let update = app
        .put(
            &ann,
            &format!("/api/v1/prospects/{bobs}"),
            json!({"name": "Stolen"}),
        )
        .await;
    assert_eq!((update.status, update.body), (403, forbidden.clone()));
    let delete = app.delete(&ann, &format!("/api/v1/prospects/{bobs}")).await;
    assert_eq!((delete.status, delete.body), (403, forbidden));

    let untouched = app.get(&bob, &format!("/api/v1/prospects/{bobs}")).await;
    assert_eq!(untouched.body["name"], "Bob's Acme");
}

#[actix_web::test]
async fn a_sales_user_always_becomes_the_representative_of_what_they_create() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let response = app
        .post(
            &ann,
            "/api/v1/prospects",
            json!({"name": "Acme", "representative_id": bob.id}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["representative_id"], ann.id);
    let response = app
        .post(
            &ann,
            "/api/v1/prospects",
            json!({"name": "Acme", "representative_id": 987654}),
        )
        .await;
    assert_eq!(
        response.status, 201,
        "an id naming no one is overridden, not checked"
    );
    assert_eq!(response.body["representative_id"], ann.id);
    let response = app
        .post(
            &ann,
            "/api/v1/prospects",
            json!({"name": "Acme", "representative_id": "nonsense"}),
        )
        .await;
    assert_eq!(
        response.status, 422,
        "a value that is no id at all is still refused"
    );
    assert_eq!(
        response.body["message"],
        "The representative id field must be an integer."
    );
}

#[actix_web::test]
async fn a_sales_user_may_not_hand_their_prospect_to_someone_else() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    let path = format!("/api/v1/prospects/{id}");
    for representative in [json!(bob.id), json!(null)] {
        let response = app
            .put(&ann, &path, json!({"representative_id": representative}))
            .await;
        assert_eq!(response.status, 403);
    }
    let response = app
        .put(
            &ann,
            &path,
            json!({"representative_id": ann.id, "name": "Acme SA"}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["name"], "Acme SA");
    assert_eq!(response.body["representative_id"], ann.id);
}

#[actix_web::test]
async fn a_manager_sees_and_reassigns_everything() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let manager = app.user("manager@example.test", 6).await;
    let id = app.prospect(&ann, json!({"name": "Acme"})).await;
    app.prospect(&bob, json!({"name": "Globex"})).await;
    assert_eq!(
        app.get(&manager, "/api/v1/prospects").await.body["total"],
        2
    );
    let response = app
        .put(
            &manager,
            &format!("/api/v1/prospects/{id}"),
            json!({"representative_id": bob.id}),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(
        app.get(&bob, &format!("/api/v1/prospects/{id}"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&ann, &format!("/api/v1/prospects/{id}"))
            .await
            .status,
        403
    );
    let response = app
        .put(
            &manager,
            &format!("/api/v1/prospects/{id}"),
            json!({"representative_id": 9999}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.body["message"],
        "The selected representative id is invalid."
    );
}
