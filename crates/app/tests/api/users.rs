//! Users over HTTP: the caller, the list every user reads, and the writes
//! reserved to users above the sales level.

use actix_web::test as actix_test;
use serde_json::json;

use crate::support::{TestApp, keys};

#[actix_web::test]
async fn everyone_reads_themselves_and_the_list_of_users() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.manager("bob").await;
    let me = app.get(&ann, "/api/user").await;
    assert_eq!(me.status, 200);
    assert_eq!(
        keys(&me.body),
        [
            "id",
            "name",
            "email",
            "role",
            "active",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (me.body["id"].clone(), me.body["role"].clone()),
        (json!(ann.id), json!(5))
    );
    let page = app.get(&ann, "/api/v1/users?per_page=1").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        (page.body["total"].clone(), page.body["last_page"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(page.body["data"][0]["id"], ann.id);
    let filtered = app.get(&ann, "/api/v1/users?filter[email]=BOB").await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(filtered.body["data"][0]["id"], bob.id);
    let shown = app.get(&ann, &format!("/api/v1/users/{}", bob.id)).await;
    assert_eq!(
        (shown.status, shown.body["email"].clone()),
        (200, json!("bob@example.test"))
    );
    let missing = app.get(&ann, "/api/v1/users/99").await;
    assert_eq!(
        (missing.status, missing.body),
        (
            404,
            json!({"message": "No query results for model [User] 99"})
        )
    );
    let unknown = app.get(&ann, "/api/v1/users?filter[role]=5").await;
    assert_eq!(unknown.status, 400);
    let response = app.get(&ann, "/api/v1/users").await;
    assert!(!response.body.to_string().contains("password"));
}

#[actix_web::test]
async fn a_manager_creates_a_user_who_can_then_log_in() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let created = app
        .post(
            &bob,
            "/api/v1/users",
            json!({"name": " Carol ", "email": "Carol@Example.TEST", "role": "5", "password": " a long passphrase "}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(
        (
            created.body["name"].clone(),
            created.body["email"].clone(),
            created.body["active"].clone()
        ),
        (json!("Carol"), json!("carol@example.test"), json!(true))
    );
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/users/{id}").as_str())
    );
    let login = app
        .call(
            actix_test::TestRequest::post().uri("/api/login").set_json(
                json!({"email": "carol@example.test", "password": " a long passphrase "}),
            ),
        )
        .await;
    assert_eq!(
        login.status, 200,
        "the password is taken as sent, spaces and all"
    );
    // Without a password the user exists but cannot log in.
    app.post(
        &bob,
        "/api/v1/users",
        json!({"name": "Dan", "email": "dan@example.test", "role": 5}),
    )
    .await;
    for password in ["", "!", "password"] {
        let refused = app
            .call(
                actix_test::TestRequest::post()
                    .uri("/api/login")
                    .set_json(json!({"email": "dan@example.test", "password": password})),
            )
            .await;
        assert_ne!(refused.status, 200, "{password:?}");
    }
}

#[actix_web::test]
async fn user_writes_are_validated_all_at_once() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let response = app
        .post(
            &bob,
            "/api/v1/users",
            json!({"email": "not-an-email", "role": 0, "password": "short", "active": "yes"}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.body["errors"],
        json!({
            "name": ["The name field is required."],
            "email": ["The email field must be a valid email address."],
            "role": ["The role field must be between 1 and 100."],
            "active": ["The active field must be true or false."],
            "password": ["The password field must be at least 8 characters."]
        })
    );
    let taken = app
        .post(
            &bob,
            "/api/v1/users",
            json!({"name": "Bob 2", "email": "BOB@example.test", "role": 5}),
        )
        .await;
    assert_eq!(
        (taken.status, taken.body["errors"].clone()),
        (422, json!({"email": ["The email has already been taken."]}))
    );
    let users = app.get(&bob, "/api/v1/users").await;
    assert_eq!(users.body["total"], 1);
}

#[actix_web::test]
async fn sales_users_and_lesser_roles_cannot_write_users_above_them() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.manager("bob").await;
    let root = app.user("root@example.test", 100).await;
    let forbidden = json!({"message": "This action is unauthorized."});
    let body = json!({"name": "Eve", "email": "eve@example.test", "role": 5});
    let created = app.post(&ann, "/api/v1/users", body).await;
    assert_eq!((created.status, created.body), (403, forbidden.clone()));
    let promoted = app
        .put(
            &ann,
            &format!("/api/v1/users/{}", ann.id),
            json!({"role": 100}),
        )
        .await;
    assert_eq!((promoted.status, promoted.body), (403, forbidden.clone()));
    let beyond = app
        .put(
            &bob,
            &format!("/api/v1/users/{}", ann.id),
            json!({"role": 50}),
        )
        .await;
    assert_eq!(
        beyond.status, 403,
        "a manager grants no role above their own"
    );
    let above = app
        .delete(&bob, &format!("/api/v1/users/{}", root.id))
        .await;
    assert_eq!(above.status, 403);
    let me = app.get(&ann, "/api/user").await;
    assert_eq!(me.body["role"], 5);
}

#[actix_web::test]
async fn roles_deactivation_and_deletion_take_effect_on_the_next_request() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.manager("bob").await;
    let acme = app.prospect(&bob, json!({"name": "Acme"})).await;
    // Ann, promoted, now sees every prospect.
    assert_eq!(
        app.get(&ann, &format!("/api/v1/prospects/{acme}"))
            .await
            .status,
        403
    );
    let promoted = app
        .put(
            &bob,
            &format!("/api/v1/users/{}", ann.id),
            json!({"role": 10}),
        )
        .await;
    assert_eq!(
        (promoted.status, promoted.body["role"].clone()),
        (200, json!(10))
    );
    assert_eq!(
        app.get(&ann, &format!("/api/v1/prospects/{acme}"))
            .await
            .status,
        200
    );
    let deactivated = app
        .put(
            &bob,
            &format!("/api/v1/users/{}", ann.id),
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.body["active"], false);
    assert_eq!(app.get(&ann, "/api/user").await.status, 401);
    app.put(
        &bob,
        &format!("/api/v1/users/{}", ann.id),
        json!({"active": true}),
    )
    .await;
    assert_eq!(app.get(&ann, "/api/user").await.status, 200);
    let deleted = app.delete(&bob, &format!("/api/v1/users/{}", ann.id)).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, json!({"message": "User deleted."}))
    );
    assert_eq!(app.get(&ann, "/api/user").await.status, 401);
    assert_eq!(
        app.get(&bob, &format!("/api/v1/users/{}", ann.id))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn nobody_locks_themselves_out() {
    let app = TestApp::new().await;
    let bob = app.manager("bob").await;
    let own = format!("/api/v1/users/{}", bob.id);
    let message = json!({"message": "You cannot delete or deactivate your own account."});
    let deactivated = app.put(&bob, &own, json!({"active": false})).await;
    assert_eq!(
        (deactivated.status, deactivated.body),
        (409, message.clone())
    );
    let deleted = app.delete(&bob, &own).await;
    assert_eq!((deleted.status, deleted.body), (409, message));
    assert_eq!(app.get(&bob, "/api/user").await.status, 200);
    let renamed = app.put(&bob, &own, json!({"name": "Robert"})).await;
    assert_eq!(
        (renamed.status, renamed.body["name"].clone()),
        (200, json!("Robert"))
    );
}
