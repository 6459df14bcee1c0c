//! What a request costs the database, counted in statements sent: every
//! query, `BEGIN` and `COMMIT` (the pool checks a connection it hands out
//! without a statement). Counts, not timings:
//! they do not drift with the machine's load. Authentication reads the
//! token's revocations and its user, then remembers them for under a
//! second (SPEC §5), so a request right after another costs them nothing.

use prospects_testkit::TestBackend;
use serde_json::json;

use crate::support::{TestApp, TestResponse};

/// Statements `request` sent, less what authenticating it costs.
async fn cost(
    app: &TestApp,
    auth: u64,
    request: impl Future<Output = TestResponse>,
) -> (u64, TestResponse) {
    let before = app.services.statements.get();
    let response = request.await;
    (app.services.statements.get() - before - auth, response)
}

#[actix_web::test]
async fn writes_cost_a_handful_of_statements_after_authentication() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    // Authentication alone: an id that is no id is refused without storage.
    let (auth, refused) = cost(&app, 0, app.get(&admin, "/api/v1/prospects/abc")).await;
    assert_eq!(refused.status, 404);
    // The revocation check and the user's row.
    assert!(auth <= 2, "authentication took {auth} statements");
    // Then both are remembered.
    let (again, _) = cost(&app, 0, app.get(&admin, "/api/v1/prospects/abc")).await;
    assert_eq!(again, 0, "a second request authenticates without storage");
    let auth = 0;

    let (create, created) = cost(
        &app,
        auth,
        app.post(
            &admin,
            "/api/v1/prospects",
            json!({"name": "Acme", "main_address_city": "Paris"}),
        ),
    )
    .await;
    assert_eq!(created.status, 201);
    // In one transaction: the insert and its history entry.
    assert!(create <= 5, "a create took {create} statements");
    let path = format!("/api/v1/prospects/{}", created.body["id"]);

    let (read, shown) = cost(&app, auth, app.get(&admin, &path)).await;
    assert_eq!(shown.status, 200);
    // The row, its contacts, documents and payment plan. On PostgreSQL they
    // are pipelined (one round trip) without a transaction, since each
    // statement reads its own snapshot at READ COMMITTED anyway; SQLite
    // reads them in one transaction, for one snapshot.
    let statements = match TestBackend::current() {
        TestBackend::Postgres => 4,
        TestBackend::Sqlite => 6,
    };
    assert_eq!(read, statements, "showing a prospect");

    let (update, updated) = cost(
        &app,
        auth,
        app.put(&admin, &path, json!({"main_address_city": "Lyon"})),
    )
    .await;
    assert_eq!(updated.status, 201);
    // The locking update, the write, its history entry, in a transaction.
    assert!(update <= 6, "an update took {update} statements");

    let (delete, deleted) = cost(&app, auth, app.delete(&admin, &path)).await;
    assert_eq!(deleted.status, 200);
    // In one transaction: the documents' file keys, the delete and its
    // history entry.
    assert!(delete <= 6, "a delete took {delete} statements");
}
