//! Hostile input (issue 5): every case asserts the exact status and body a
//! client sees, and that the database holds exactly what it held before.
//! Token cases beyond these are in `auth.rs`, budgets in `limits.rs`, and a
//! panicking handler in `prospects_http::middleware`'s tests.

use std::time::Duration;

use actix_web::test as actix_test;
use prospects_domain::{TokenAuthority, UserId};
use prospects_infra::{BiscuitAuthority, RootKey};
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, TestUser, bearer};

/// Two sales users with a prospect each, and an administrator.
struct Scene {
    app: TestApp,
    admin: TestUser,
    ann: TestUser,
    bob: TestUser,
    anns: i64,
    bobs: i64,
}

impl Scene {
    async fn new() -> Self {
        let app = TestApp::new().await;
        let admin = app.admin().await;
        let ann = app.sales_user("ann").await;
        let bob = app.sales_user("bob").await;
        let anns = app
            .prospect(&ann, json!({"name": "Ann's Bakery", "comment": "secret"}))
            .await;
        let bobs = app
            .prospect(&bob, json!({"name": "Bob's Garage", "comment": "secret"}))
            .await;
        Self {
            app,
            admin,
            ann,
            bob,
            anns,
            bobs,
        }
    }

    /// Every row, as the administrator lists it: what "unchanged" compares.
    async fn rows(&self) -> Value {
        let response = self
            .app
            .get(&self.admin, "/api/v1/prospects?per_page=100")
            .await;
        assert_eq!(response.status, 200);
        response.body["data"].clone()
    }

    async fn raw(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> TestResponse {
        let request = actix_test::TestRequest::default()
            .method(method.parse().expect("method"))
            .uri(path)
            .insert_header(bearer(&self.admin))
            .insert_header(("content-type", content_type))
            .set_payload(body.to_vec());
        self.app.call(request).await
    }
}

fn expect(response: &TestResponse, status: u16, body: Value) {
    assert_eq!(
        (response.status, &response.body),
        (status, &body),
        "unexpected answer"
    );
}

fn message(text: &str) -> Value {
    json!({"message": text})
}

fn unauthenticated(response: &TestResponse) {
    expect(response, 401, message("Unauthenticated."));
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn no_bad_token_reads_or_writes_anything() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let app = &scene.app;
    let other_key = BiscuitAuthority::new(RootKey::generate());
    let revoked = app.token_for(scene.admin.id);
    let logout = actix_test::TestRequest::post()
        .uri("/api/logout")
        .insert_header(("authorization", format!("Bearer {revoked}")));
    assert_eq!(app.call(logout).await.status, 200);
    let expired = app
        .services
        .tokens
        .issue(UserId(scene.admin.id), Duration::ZERO)
        .expect("token");
    let truncated = scene.admin.token[..scene.admin.token.len() / 2].to_owned();
    let read_only = prospects_infra::attenuate(&scene.admin.token, true, None).expect("attenuated");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let tokens = [
        ("malformed", "not-a-token".to_owned()),
        ("truncated", truncated),
        (
            "forged",
            other_key
                .issue(UserId(scene.admin.id), Duration::from_secs(60))
                .expect("token"),
        ),
        ("expired", expired),
        ("revoked", revoked),
    ];
    let path = format!("/api/v1/prospects/{}", scene.anns);
    for (case, token) in &tokens {
        let holder = TestUser {
            id: scene.admin.id,
            token: token.clone(),
        };
        unauthenticated(&app.get(&holder, "/api/v1/prospects").await);
        unauthenticated(&app.put(&holder, &path, json!({"name": "Hacked"})).await);
        unauthenticated(&app.delete(&holder, &path).await);
        let create = app
            .post(&holder, "/api/v1/prospects", json!({"name": case}))
            .await;
        unauthenticated(&create);
    }
    let missing = actix_test::TestRequest::delete().uri(&path);
    unauthenticated(&app.call(missing).await);
    // Exactly one well-formed token: two run together, or anything after
    // one, is no token at all.
    let (a, b) = (&scene.admin.token, &scene.ann.token);
    for token in [
        format!("{a}{a}"),
        format!("{a}{b}"),
        format!("{b}{a}"),
        format!("{a}x"),
    ] {
        let holder = TestUser {
            id: scene.admin.id,
            token,
        };
        unauthenticated(&app.get(&holder, &path).await);
        unauthenticated(&app.delete(&holder, &path).await);
    }
    // A live token narrowed to reading: writes are forbidden (403), not
    // unauthenticated, and write nothing.
    let read_only = TestUser {
        id: scene.admin.id,
        token: read_only,
    };
    let forbidden = message("This action is unauthorized.");
    assert_eq!(app.get(&read_only, &path).await.status, 200);
    expect(&app.delete(&read_only, &path).await, 403, forbidden.clone());
    expect(
        &app.put(&read_only, &path, json!({"name": "Hacked"})).await,
        403,
        forbidden.clone(),
    );
    expect(
        &app.post(&read_only, "/api/v1/prospects", json!({"name": "Hacked"}))
            .await,
        403,
        forbidden,
    );
    assert_eq!(scene.rows().await, before);
    // It may log itself out; that ends it and what derives from it, not its parent.
    let logout = actix_test::TestRequest::post()
        .uri("/api/logout")
        .insert_header(bearer(&read_only));
    expect(&app.call(logout).await, 200, message("Logged out."));
    unauthenticated(&app.get(&read_only, &path).await);
    unauthenticated(&app.delete(&read_only, &path).await);
    assert_eq!(app.get(&scene.admin, &path).await.status, 200);
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn a_sales_user_cannot_reach_another_ones_prospect_in_any_way() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let (app, ann) = (&scene.app, &scene.ann);
    let bobs = format!("/api/v1/prospects/{}", scene.bobs);
    let forbidden = message("This action is unauthorized.");
    expect(&app.get(ann, &bobs).await, 403, forbidden.clone());
    expect(
        &app.put(ann, &bobs, json!({"comment": "mine now"})).await,
        403,
        forbidden.clone(),
    );
    expect(
        &app.put(ann, &bobs, json!({"representative_id": ann.id}))
            .await,
        403,
        forbidden.clone(),
    );
    expect(&app.delete(ann, &bobs).await, 403, forbidden.clone());
    // Handing one's own prospect to the other user is refused as well.
    let anns = format!("/api/v1/prospects/{}", scene.anns);
    expect(
        &app.put(ann, &anns, json!({"representative_id": scene.bob.id}))
            .await,
        403,
        forbidden,
    );
    // Lists, counts, filters and searches show only Ann's own prospect.
    for query in [
        String::new(),
        format!("?filter[id]={},{}", scene.anns, scene.bobs),
        "?filter[name]=garage".to_owned(),
        "?filter[term_match]=bob".to_owned(),
        "?filter[name]=a&sort=-id&per_page=100".to_owned(),
    ] {
        let list = app.get(ann, &format!("/api/v1/prospects{query}")).await;
        assert_eq!(list.status, 200, "{query}");
        let ids: Vec<i64> = list.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|row| row["id"].as_i64().expect("id"))
            .collect();
        assert!(!ids.contains(&scene.bobs), "{query}: {ids:?}");
        assert_eq!(list.body["total"], json!(ids.len()), "{query}");
    }
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn server_owned_fields_cannot_be_assigned() {
    let scene = Scene::new().await;
    let app = &scene.app;
    let created = app
        .post(
            &scene.ann,
            "/api/v1/prospects",
            json!({
                "name": "Mass Assignment",
                "id": 999_999,
                "customer_account": "PR999999",
                "representative_id": scene.bob.id,
                "created_at": "2000-01-01T00:00:00.000000Z",
                "updated_at": "2000-01-01T00:00:00.000000Z",
                "converted_customer_id": 1,
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    assert_ne!(id, 999_999);
    assert_eq!(created.body["customer_account"], format!("PR{id:06}"));
    assert_eq!(created.body["representative_id"], json!(scene.ann.id));
    assert!(
        !created.body["created_at"]
            .as_str()
            .expect("created_at")
            .starts_with("2000")
    );
    let path = format!("/api/v1/prospects/{id}");
    let before = scene.rows().await;
    let updated = app
        .put(
            &scene.admin,
            &path,
            json!({"id": 1, "customer_account": "PR000001", "created_at": "2000-01-01"}),
        )
        .await;
    assert_eq!(updated.status, 201);
    assert_eq!(updated.body["id"], json!(id));
    assert_eq!(updated.body["customer_account"], format!("PR{id:06}"));
    assert_eq!(scene.rows().await, before, "ignored keys change nothing");
}

#[actix_web::test]
async fn malformed_bodies_are_400_and_write_nothing() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let not_json = message("The request body is not valid JSON.");
    let anns = format!("/api/v1/prospects/{}", scene.anns);
    let deep = format!("{{\"name\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: [(&str, &[u8], Value); 8] = [
        ("truncated", br#"{"name": "Acme"#, not_json.clone()),
        (
            "repeated key",
            br#"{"name": "Acme", "name": "Evil"}"#,
            message("The request body has a key more than once."),
        ),
        (
            "lone surrogate",
            br#"{"name": "\ud800 Acme"}"#,
            not_json.clone(),
        ),
        (
            "invalid UTF-8",
            b"{\"name\": \"\xff\xfe\"}",
            not_json.clone(),
        ),
        (
            "not an object",
            b"[{\"name\": \"Acme\"}]",
            message("The request body must be a JSON object."),
        ),
        (
            "nested too deeply",
            deep.as_bytes(),
            message("The request body is nested too deeply."),
        ),
        ("whitespace only", b" \r\n", not_json.clone()),
        ("XML", b"<prospect><name>Acme</name></prospect>", not_json),
    ];
    for (case, body, answer) in cases {
        for (method, path) in [("POST", "/api/v1/prospects"), ("PUT", anns.as_str())] {
            let response = scene.raw(method, path, "application/json", body).await;
            assert_eq!(response.status, 400, "{case} {method}");
            assert_eq!(response.body, answer, "{case} {method}");
        }
    }
    let xml = scene
        .raw(
            "POST",
            "/api/v1/prospects",
            "application/xml",
            b"<name>Acme</name>",
        )
        .await;
    expect(&xml, 400, message("The request body is not valid JSON."));
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn hostile_strings_are_refused_with_field_errors() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let app = &scene.app;
    let cases = [
        (
            json!({"name": "Acme\u{0}Corp"}),
            json!({"message": "The name field must not contain NUL characters.",
                   "errors": {"name": ["The name field must not contain NUL characters."]}}),
        ),
        (
            json!({"name": "Acme", "website": "javascript:alert(1)"}),
            json!({"message": "The website field must be a valid URL.",
                   "errors": {"website": ["The website field must be a valid URL."]}}),
        ),
        (
            json!({"name": "Acme", "website": "file:///etc/passwd"}),
            json!({"message": "The website field must be a valid URL.",
                   "errors": {"website": ["The website field must be a valid URL."]}}),
        ),
        (
            json!({"name": "x".repeat(60_000)}),
            json!({"message": "The name field must not be greater than 255 characters.",
                   "errors": {"name": ["The name field must not be greater than 255 characters."]}}),
        ),
    ];
    for (body, answer) in cases {
        let response = app
            .post(&scene.admin, "/api/v1/prospects", body.clone())
            .await;
        expect(&response, 422, answer);
    }
    let megabyte = json!({"name": "Acme", "comment": "x".repeat(1024 * 1024)});
    let response = app
        .post(&scene.admin, "/api/v1/prospects", megabyte.clone())
        .await;
    expect(&response, 413, message("The request body is too large."));
    let path = format!("/api/v1/prospects/{}", scene.anns);
    let response = app.put(&scene.admin, &path, megabyte).await;
    expect(&response, 413, message("The request body is too large."));
    // NUL bytes in credentials and filters match nothing and break nothing.
    let login = actix_test::TestRequest::post()
        .uri("/api/login")
        .set_json(json!({"email": "ann@example.test\u{0}", "password": "password"}));
    expect(&app.call(login).await, 401, message("Invalid credentials"));
    for query in [
        "filter[name]=%00",
        "filter[term_match]=a%00b",
        "filter[id]=1%00",
    ] {
        let list = app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}"))
            .await;
        assert_eq!(list.status, 200, "{query}: {:?}", list.body);
        assert_eq!(list.body["total"], json!(0), "{query}");
    }
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn hostile_ids_and_query_strings_never_reach_the_database_as_code() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let app = &scene.app;
    for id in [
        "0",
        "-1",
        "9223372036854775808",
        "abc",
        "1%20OR%201=1",
        "1;DROP",
    ] {
        let path = format!("/api/v1/prospects/{id}");
        let shown = id.replace("%20", " ");
        let not_found = message(&format!("No query results for model [Prospect] {shown}"));
        expect(&app.get(&scene.admin, &path).await, 404, not_found.clone());
        expect(
            &app.put(&scene.admin, &path, json!({"name": "Xy"})).await,
            404,
            not_found.clone(),
        );
        expect(&app.delete(&scene.admin, &path).await, 404, not_found);
    }
    for sort in ["id;DROP TABLE prospects", "name", "id)--"] {
        let list = app
            .get(
                &scene.admin,
                &format!("/api/v1/prospects?sort={}", sort.replace(' ', "%20")),
            )
            .await;
        expect(
            &list,
            400,
            message(&format!(
                "Requested sort(s) `{sort}` is not allowed. Allowed sort(s) are `id, created_at, updated_at`."
            )),
        );
    }
    let per_page_error = json!({
        "message": "The per page field must be between 1 and 100.",
        "errors": {"per_page": ["The per page field must be between 1 and 100."]},
    });
    for per_page in ["0", "-1", "101", "18446744073709551616"] {
        let list = app
            .get(
                &scene.admin,
                &format!("/api/v1/prospects?per_page={per_page}"),
            )
            .await;
        expect(&list, 422, per_page_error.clone());
    }
    let list = app
        .get(&scene.admin, "/api/v1/prospects?per_page=1e3")
        .await;
    expect(
        &list,
        422,
        json!({
            "message": "The per page field must be an integer.",
            "errors": {"per_page": ["The per page field must be an integer."]},
        }),
    );
    for page in [
        "0",
        "-1",
        "abc",
        "18446744073709551616",
        "9223372036854775807",
    ] {
        let list = app
            .get(&scene.admin, &format!("/api/v1/prospects?page={page}"))
            .await;
        assert_eq!(list.status, 200, "{page}: {:?}", list.body);
    }
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn oversized_headers_are_431_and_write_nothing() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let create = |padding: usize| {
        actix_test::TestRequest::post()
            .uri("/api/v1/prospects")
            .insert_header(bearer(&scene.admin))
            .insert_header(("x-padding", "p".repeat(padding)))
            .set_json(json!({"name": "Padded"}))
    };
    let refused = scene.app.call(create(17 * 1024)).await;
    expect(&refused, 431, message("The request headers are too large."));
    assert_eq!(scene.rows().await, before);
    let accepted = scene.app.call(create(8 * 1024)).await;
    assert_eq!(accepted.status, 201, "{:?}", accepted.body);
}

#[actix_web::test]
async fn conditional_headers_at_their_bounds_are_a_4xx_and_write_nothing() {
    use actix_web::http::header::HeaderValue;
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let path = format!("/api/v1/prospects/{}", scene.anns);
    let delete_if = |value: HeaderValue| {
        actix_test::TestRequest::delete()
            .uri(&path)
            .insert_header(bearer(&scene.admin))
            .insert_header(("if-match", value))
    };
    let tags = |versions: std::ops::Range<i64>| {
        let listed: Vec<String> = versions.map(|v| format!("\"{v}\"")).collect();
        HeaderValue::from_str(&listed.join(",")).expect("a header")
    };
    // 60 KB of tags: over the header limit.
    let huge = scene.app.call(delete_if(tags(2..9_000))).await;
    expect(&huge, 431, message("The request headers are too large."));
    // Two thousand tags (14 KB), none the prospect's version (1): a 412.
    let many = scene.app.call(delete_if(tags(2..2_000))).await;
    expect(
        &many,
        412,
        message("The resource has changed since it was read."),
    );
    // Bytes that are not visible ASCII name no version.
    let binary = HeaderValue::from_bytes(b"\"1\"\xff\xfe").expect("opaque bytes");
    let opaque = scene.app.call(delete_if(binary)).await;
    expect(
        &opaque,
        412,
        message("The resource has changed since it was read."),
    );
    let weak_star = scene
        .app
        .call(
            actix_test::TestRequest::get()
                .uri(&path)
                .insert_header(bearer(&scene.admin))
                .insert_header(("if-none-match", "W/*, \"\", ,,")),
        )
        .await;
    assert_eq!(weak_star.status, 200, "{:?}", weak_star.body);
    assert_eq!(scene.rows().await, before);
    // The current version among two thousand others still matches.
    let found = scene.app.call(delete_if(tags(1..2_000))).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
}

#[actix_web::test]
async fn idempotency_keys_at_their_bounds_are_a_4xx_and_write_nothing() {
    use actix_web::http::header::HeaderValue;
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let create = |value: &HeaderValue, copies: usize| {
        let mut request = actix_test::TestRequest::post()
            .uri("/api/v1/prospects")
            .insert_header(bearer(&scene.admin))
            .set_json(json!({"name": "Keyed"}));
        for _ in 0..copies {
            request = request.append_header(("idempotency-key", value.clone()));
        }
        request
    };
    let key_error = |text: &str| json!({"message": text, "errors": {"idempotency_key": [text]}});
    // A 60 KB key: over the header limit.
    let huge = HeaderValue::from_str(&"k".repeat(60 * 1024)).expect("a header");
    let answered = scene.app.call(create(&huge, 1)).await;
    expect(
        &answered,
        431,
        message("The request headers are too large."),
    );
    // A key of 256 characters, one over its bound.
    let long = HeaderValue::from_str(&"k".repeat(256)).expect("a header");
    let answered = scene.app.call(create(&long, 1)).await;
    let too_long = "The idempotency key field must not be greater than 255 characters.";
    expect(&answered, 422, key_error(too_long));
    // Ten thousand copies of the header, then a few: refused either way.
    let short = HeaderValue::from_static("k");
    let answered = scene.app.call(create(&short, 10_000)).await;
    expect(
        &answered,
        431,
        message("The request headers are too large."),
    );
    let answered = scene.app.call(create(&short, 3)).await;
    expect(
        &answered,
        422,
        key_error("The idempotency key header must be sent once."),
    );
    // Bytes that are not printable ASCII (Latin-1, a tab).
    for bytes in [&b"caf\xe9"[..], &b"a\tb"[..]] {
        let opaque = HeaderValue::from_bytes(bytes).expect("opaque bytes");
        let answered = scene.app.call(create(&opaque, 1)).await;
        expect(
            &answered,
            422,
            key_error("The idempotency key field must hold printable ASCII characters only."),
        );
    }
    assert_eq!(scene.rows().await, before);
    let claimed = scene
        .app
        .db
        .count("SELECT count(*) AS n FROM idempotency_keys")
        .await;
    assert_eq!(claimed, 0, "a refused key is never claimed");
}

#[actix_web::test]
async fn facts_appended_by_a_holder_never_widen_a_token() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let widened = biscuit_auth::UnverifiedBiscuit::from_base64(&scene.ann.token)
        .expect("a token")
        .append(
            biscuit_auth::builder::BlockBuilder::new()
                .code(format!(
                    "user({}); role(100); operation(\"read\"); resource(\"prospect\", {});",
                    scene.admin.id, scene.bobs
                ))
                .expect("a block"),
        )
        .expect("appended")
        .to_base64()
        .expect("encoded");
    let holder = TestUser {
        id: scene.ann.id,
        token: widened,
    };
    let bobs = format!("/api/v1/prospects/{}", scene.bobs);
    expect(
        &scene.app.get(&holder, &bobs).await,
        403,
        message("This action is unauthorized."),
    );
    expect(
        &scene.app.delete(&holder, &bobs).await,
        403,
        message("This action is unauthorized."),
    );
    let list = scene.app.get(&holder, "/api/v1/prospects").await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["total"],
        json!(1),
        "still only Ann's own prospect"
    );
    assert_eq!(scene.rows().await, before);
}

/// `n0<sep>n1<sep>...` with `count` parts.
fn parts(count: usize, separator: &str) -> String {
    (0..count)
        .map(|n| format!("n{n}"))
        .collect::<Vec<_>>()
        .join(separator)
}

fn filter_error(field: &str, rule: &str) -> Value {
    let text = format!("The {} field {rule}.", field.replace('_', " "));
    json!({"message": text, "errors": {field: [text]}})
}

#[actix_web::test]
async fn filters_beyond_their_bounds_are_422_and_the_service_keeps_answering() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let app = &scene.app;
    let too_long = "must not be greater than 1000 characters";
    let cases = [
        // Once a stack overflow that aborted the process (about 58 KB).
        (
            format!("filter[name]={}", parts(10_000, ",")),
            filter_error("filter.name", too_long),
        ),
        (
            format!("filter[term_match]={}", parts(10_000, "+")),
            filter_error("filter.term_match", too_long),
        ),
        // Once SQLite 500s: expression depth, and LIKE pattern length.
        (
            format!("filter[name]={}", parts(998, ",")),
            filter_error("filter.name", too_long),
        ),
        (
            format!("filter[name]={}", "a".repeat(49_999)),
            filter_error("filter.name", too_long),
        ),
        (
            format!("filter[name]={}", ["a"; 51].join(",")),
            filter_error("filter.name", "must not have more than 50 items"),
        ),
        (
            format!("filter[id]={}", ["1"; 101].join(",")),
            filter_error("filter.id", "must not have more than 100 items"),
        ),
        (
            format!("filter[term_match]={}", ["a"; 21].join("+")),
            filter_error("filter.term_match", "must not have more than 20 items"),
        ),
    ];
    for (query, answer) in cases {
        let response = app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}"))
            .await;
        expect(&response, 422, answer);
        assert_eq!(scene.rows().await, before, "the next request is answered");
    }
    // A cursor is never decoded beyond its one length: 60 KB of one, 4,000
    // of them (the last counts; as many as a URI holds), or one of the
    // right length that this service did not sign.
    let invalid_cursor = json!({
        "message": "The selected cursor is invalid.",
        "errors": {"cursor": ["The selected cursor is invalid."]}
    });
    for query in [
        format!("cursor={}", "A".repeat(60_000)),
        vec!["cursor=AAAA"; 4_000].join("&"),
        format!("cursor={}", "A".repeat(58)),
    ] {
        let response = app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}"))
            .await;
        expect(&response, 422, invalid_cursor.clone());
        assert_eq!(scene.rows().await, before, "the next request is answered");
    }
    let all_three = app
        .get(
            &scene.admin,
            &format!(
                "/api/v1/prospects?filter[name]={}&filter[id]={}&filter[term_match]={}",
                ["a"; 10_000].join(","),
                ["7"; 10_000].join(","),
                ["a"; 10_000].join("+")
            ),
        )
        .await;
    assert_eq!(all_three.status, 422);
    assert_eq!(
        all_three.body["message"],
        "The filter.name field must not be greater than 1000 characters. (and 2 more errors)"
    );
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn filters_at_their_bounds_are_answered_on_both_backends() {
    let scene = Scene::new().await;
    let app = &scene.app;
    // U+FDFA folds to the longest text of any character: the widest LIKE
    // pattern a filter can make.
    let widest: String = "\u{FDFA}"
        .repeat(1_000)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    let word = "w".repeat(49);
    let words = vec![word.as_str(); 20].join("+");
    let ids = (1..=100)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let names = vec!["x".repeat(19); 50].join(",");
    for query in [
        format!("filter[name]={widest}"),
        format!("filter[term_match]={}", "%C3%A9".repeat(1_000)),
        // One word that folding widens: ligatures spelled out (2,000
        // letters), square katakana decomposed (4,000).
        format!("filter[term_match]={}", "%C5%93".repeat(1_000)),
        format!("filter[term_match]={}", "%E3%8C%80".repeat(1_000)),
        format!("filter[name]={names}&filter[id]={ids}&filter[term_match]={words}"),
        format!("filter[term_match]={words}&sort=-created_at"),
    ] {
        let list = app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}"))
            .await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        assert_eq!(list.body["total"], json!(0));
        // The same list by cursor, through the relevance tiers or the keyset.
        let walked = app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}&cursor="))
            .await;
        assert_eq!(walked.status, 200, "{:?}", walked.body);
        assert_eq!(
            (&walked.body["data"], &walked.body["next_cursor"]),
            (&json!([]), &json!(null))
        );
    }
    let found = app
        .get(
            &scene.admin,
            &format!(
                "/api/v1/prospects?filter[name]={},garage&filter[id]={ids}",
                vec!["x".repeat(19); 49].join(",")
            ),
        )
        .await;
    assert_eq!(found.body["total"], json!(1), "{:?}", found.body);
}

#[actix_web::test]
async fn escapes_that_are_not_utf8_are_400_never_stored_altered() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let anns = format!("/api/v1/prospects/{}", scene.anns);
    let form = "application/x-www-form-urlencoded";
    for (method, path) in [("POST", "/api/v1/prospects"), ("PUT", anns.as_str())] {
        let response = scene.raw(method, path, form, b"name=Bad%FF%FEForm").await;
        expect(
            &response,
            400,
            message("The request body is not valid UTF-8."),
        );
    }
    let not_utf8 = message("The query string is not valid UTF-8.");
    for query in [
        "filter[name]=Bad%FF",
        "filter%5Bterm_match%5D=%C3",
        "sort=%E9",
    ] {
        let response = scene
            .app
            .get(&scene.admin, &format!("/api/v1/prospects?{query}"))
            .await;
        expect(&response, 400, not_utf8.clone());
    }
    let login = actix_test::TestRequest::post()
        .uri("/api/login?email=admin%FF@example.test&password=password");
    expect(&scene.app.call(login).await, 400, not_utf8);
    // A valid form still creates, with its text exactly as sent.
    let created = scene
        .raw(
            "POST",
            "/api/v1/prospects",
            form,
            b"name=Soci%C3%A9t%C3%A9+Form",
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["name"], "Société Form");
    let deleted = scene
        .app
        .delete(
            &scene.admin,
            &format!("/api/v1/prospects/{}", created.body["id"]),
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(scene.rows().await, before);
}

#[actix_web::test]
async fn forwarded_headers_from_untrusted_peers_never_reach_urls() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let hostile = |request: actix_test::TestRequest| {
        request
            .insert_header(bearer(&scene.admin))
            .insert_header(("host", "api.example.test"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .insert_header(("forwarded", "host=evil.example;proto=https"))
            .peer_addr("203.0.113.9:4000".parse().expect("address"))
    };
    let list = scene
        .app
        .call(hostile(
            actix_test::TestRequest::get().uri("/api/v1/prospects?per_page=1"),
        ))
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["path"],
        "http://api.example.test/api/v1/prospects"
    );
    assert_eq!(
        list.body["next_page_url"],
        "http://api.example.test/api/v1/prospects?per_page=1&page=2"
    );
    assert!(!list.body.to_string().contains("evil"), "{}", list.body);
    let created = scene
        .app
        .call(hostile(
            actix_test::TestRequest::post()
                .uri("/api/v1/prospects")
                .set_json(json!({"name": "Forwarded"})),
        ))
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://api.example.test/api/v1/prospects/{id}").as_str())
    );
    let deleted = scene
        .app
        .delete(&scene.admin, &format!("/api/v1/prospects/{id}"))
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(scene.rows().await, before);
}

/// The list's `path`, asked for through a proxy at 10.0.0.5 that forwards
/// the host `crm.example.test`.
async fn path_through_a_proxy(app: &TestApp) -> Value {
    let admin = app.admin().await;
    let request = actix_test::TestRequest::get()
        .uri("/api/v1/prospects")
        .insert_header(bearer(&admin))
        .insert_header(("host", "10.0.0.2:8080"))
        .insert_header(("x-forwarded-host", "crm.example.test"))
        .insert_header(("x-forwarded-proto", "https"))
        .peer_addr("10.0.0.5:4000".parse().expect("address"));
    app.call(request).await.body["path"].clone()
}

#[actix_web::test]
async fn a_trusted_proxy_or_the_public_url_decides_the_urls() {
    let behind_proxy = TestApp::with(|config| {
        config.trusted_proxies = "10.0.0.0/24".parse().expect("proxies");
    })
    .await;
    assert_eq!(
        path_through_a_proxy(&behind_proxy).await,
        "https://crm.example.test/api/v1/prospects"
    );
    let published = TestApp::with(|config| {
        config.public_url = Some("https://api.example.test/v2/".parse().expect("url"));
    })
    .await;
    assert_eq!(
        path_through_a_proxy(&published).await,
        "https://api.example.test/v2/api/v1/prospects"
    );
}

#[actix_web::test]
async fn a_client_cannot_ask_for_the_inbound_layers_refusals() {
    let scene = Scene::new().await;
    for proof in ["", "guess"] {
        let request = actix_test::TestRequest::get()
            .uri("/__inbound/refused/too-slow")
            .insert_header(("x-inbound-refusal", proof));
        expect(
            &scene.app.call(request).await,
            404,
            message("The route __inbound/refused/too-slow could not be found."),
        );
    }
}

/// Reference data and users, as the administrator lists them: what
/// "unchanged" compares for the write doors beyond prospects.
async fn other_rows(scene: &Scene) -> Value {
    let brands = scene.app.get(&scene.admin, "/api/v1/brands").await;
    let users = scene
        .app
        .get(&scene.admin, "/api/v1/users?per_page=100")
        .await;
    assert_eq!((brands.status, users.status), (200, 200));
    json!([brands.body, users.body["data"]])
}

#[actix_web::test]
async fn reference_and_user_doors_refuse_hostile_bodies_and_write_nothing() {
    let scene = Scene::new().await;
    let app = &scene.app;
    let brand = app
        .post(
            &scene.admin,
            "/api/v1/brands",
            json!({"name": "Acme Group"}),
        )
        .await;
    assert_eq!(brand.status, 201);
    let brand = format!("/api/v1/brands/{}", brand.body["id"]);
    let ann = format!("/api/v1/users/{}", scene.ann.id);
    let before = other_rows(&scene).await;
    let doors = [
        ("POST", "/api/v1/brands"),
        ("PUT", brand.as_str()),
        ("POST", "/api/v1/users"),
        ("PUT", ann.as_str()),
    ];
    let not_json = message("The request body is not valid JSON.");
    let deep = format!("{{\"name\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let repeated = format!("{{{}\"name\": \"x\"}}", "\"name\": \"x\", ".repeat(3_000));
    let malformed: [(&[u8], Value); 5] = [
        (b"{\"name\": \"\xff\xfe\"}", not_json.clone()),
        (br#"{"name": "\ud800"}"#, not_json),
        (
            deep.as_bytes(),
            message("The request body is nested too deeply."),
        ),
        (
            repeated.as_bytes(),
            message("The request body has a key more than once."),
        ),
        (b"[1]", message("The request body must be a JSON object.")),
    ];
    for (method, path) in doors {
        for (body, answer) in &malformed {
            let response = scene.raw(method, path, "application/json", body).await;
            expect(&response, 400, answer.clone());
        }
        let long = json!({"name": "x".repeat(60_000), "email": "x@example.test", "role": 5});
        let response = app.call(json_request(&scene, method, path, &long)).await;
        assert_eq!(response.status, 422, "{method} {path}");
        assert_eq!(
            response.body["errors"]["name"],
            json!(["The name field must not be greater than 255 characters."])
        );
        let megabyte = json!({"name": "x".repeat(1024 * 1024)});
        let response = app
            .call(json_request(&scene, method, path, &megabyte))
            .await;
        expect(&response, 413, message("The request body is too large."));
        let nul = json!({"name": "a\u{0}b", "email": "a@example.test", "role": 5});
        let response = app.call(json_request(&scene, method, path, &nul)).await;
        assert_eq!(response.status, 422, "{method} {path}");
    }
    let huge_role = json!({"name": "Eve", "email": "eve@example.test", "role": "9".repeat(60_000)});
    let response = app.post(&scene.admin, "/api/v1/users", huge_role).await;
    assert_eq!(response.status, 422);
    assert!(
        response.body["errors"]["role"].is_array(),
        "{:?}",
        response.body
    );
    for query in [
        format!("filter[name]={}", "a".repeat(60_000)),
        format!("filter[email]={}", ["a"; 10_000].join(",")),
    ] {
        let response = app
            .get(&scene.admin, &format!("/api/v1/users?{query}"))
            .await;
        assert_eq!(response.status, 422, "{:?}", response.body);
    }
    for query in ["filter[name]=%00", "filter[email]=%25%5F"] {
        let response = app
            .get(&scene.admin, &format!("/api/v1/users?{query}"))
            .await;
        assert_eq!(
            (response.status, response.body["total"].clone()),
            (200, json!(0)),
            "{query}"
        );
    }
    let not_utf8 = app
        .get(&scene.admin, "/api/v1/users?filter[name]=%FF")
        .await;
    expect(
        &not_utf8,
        400,
        message("The query string is not valid UTF-8."),
    );
    assert_eq!(other_rows(&scene).await, before);
}

fn json_request(scene: &Scene, method: &str, path: &str, body: &Value) -> actix_test::TestRequest {
    actix_test::TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(path)
        .insert_header(bearer(&scene.admin))
        .set_json(body)
}

#[actix_web::test]
async fn the_doors_of_what_hangs_on_an_account_refuse_hostile_input() {
    let scene = Scene::new().await;
    let app = &scene.app;
    let customer = app
        .post(&scene.admin, "/api/v1/customers", json!({"name": "Acme"}))
        .await;
    assert_eq!(customer.status, 201);
    let customer = format!("/api/v1/customers/{}", customer.body["id"]);
    let note = app
        .post(
            &scene.admin,
            &format!(
                "/api/v1/notes?noteable_type=prospect&noteable_id={}",
                scene.anns
            ),
            json!({"body": "Call back"}),
        )
        .await;
    assert_eq!(note.status, 201);
    let note = format!("/api/v1/notes/{}", note.body["id"]);
    let new_note = format!(
        "/api/v1/notes?noteable_type=prospect&noteable_id={}",
        scene.anns
    );
    let new_contact = format!(
        "/api/v1/contacts?contactable_type=prospect&contactable_id={}",
        scene.anns
    );
    let contact = app
        .post(&scene.admin, &new_contact, json!({"last_name": "Martin"}))
        .await;
    assert_eq!(contact.status, 201);
    let contact = format!("/api/v1/contacts/{}", contact.body["id"]);
    let plan = format!("/api/v1/prospects/{}/payment-plan", scene.anns);
    let state = || async {
        let notes = app.get(&scene.admin, &new_note).await.body;
        let contacts = app.get(&scene.admin, &new_contact).await.body;
        let customers = app.get(&scene.admin, "/api/v1/customers").await.body;
        let prospect = app
            .get(&scene.admin, &format!("/api/v1/prospects/{}", scene.anns))
            .await
            .body;
        json!([notes, contacts, customers["data"], prospect])
    };
    let before = state().await;
    let deep = format!("{{\"body\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let repeated = format!("{{{}\"body\": \"x\"}}", "\"body\": \"x\", ".repeat(3_000));
    let megabyte = format!("{{\"body\": \"{}\"}}", "x".repeat(1024 * 1024));
    let malformed: [(&[u8], u16, Value); 6] = [
        (b"{\"body\": \"\xff\xfe\"}", 400, message("The request body is not valid JSON.")),
        (deep.as_bytes(), 400, message("The request body is nested too deeply.")),
        (repeated.as_bytes(), 400, message("The request body has a key more than once.")),
        (b"[1]", 400, message("The request body must be a JSON object.")),
        (
            megabyte.as_bytes(),
            413,
            message("The request body is too large."),
        ),
        (
            br#"{"name": "\u0000", "body": "\u0000", "payment_method": "\u0000", "payment_terms_days": "1e309", "civility": "1e309", "first_name": "\u0000"}"#,
            422,
            Value::Null,
        ),
    ];
    for (method, path) in [
        ("POST", "/api/v1/customers"),
        ("PUT", customer.as_str()),
        ("POST", new_note.as_str()),
        ("PUT", note.as_str()),
        ("POST", new_contact.as_str()),
        ("PUT", contact.as_str()),
        ("PUT", plan.as_str()),
    ] {
        for (body, status, answer) in &malformed {
            let response = scene.raw(method, path, "application/json", body).await;
            assert_eq!(
                response.status, *status,
                "{method} {path}: {:?}",
                response.body
            );
            if !answer.is_null() {
                assert_eq!(&response.body, answer, "{method} {path}");
            }
        }
    }
    // Hostile ids and account types in paths and query strings.
    for path in [
        "/api/v1/notes/9223372036854775808",
        "/api/v1/notes/-1",
        "/api/v1/contacts/-1",
        "/api/v1/contacts/9223372036854775808",
        "/api/v1/customers/1%00",
        "/api/v1/prospects/99999999999999999999/payment-plan",
        "/api/v1/notes?noteable_type=prospect&noteable_id=9223372036854775807",
    ] {
        let response = app.get(&scene.admin, path).await;
        assert_eq!(response.status, 404, "{path}: {:?}", response.body);
    }
    for query in [
        format!("notes?noteable_type={}&noteable_id=1", "p".repeat(60_000)),
        "notes?noteable_type=prospect%00&noteable_id=1".to_owned(),
        "notes?noteable_type=prospect&noteable_id=1e3".to_owned(),
        format!(
            "contacts?contactable_type=prospect&contactable_id={}",
            "9".repeat(60_000)
        ),
        "contacts?contactable_type=customer%00&contactable_id=1".to_owned(),
        format!("contacts/numbers?phoneNumber={}", "0".repeat(60_000)),
        format!("contacts/numbers?{}", "phoneNumber=06+11&".repeat(3_000)),
        "contacts/numbers?phoneNumber=06%0011131719".to_owned(),
    ] {
        let response = app.get(&scene.admin, &format!("/api/v1/{query}")).await;
        assert_eq!(response.status, 422, "{:?}", response.body);
    }
    let not_utf8 = app
        .get(&scene.admin, "/api/v1/contacts/numbers?phoneNumber=%FF")
        .await;
    assert_eq!(not_utf8.status, 400, "{:?}", not_utf8.body);
    let convert = format!("/api/v1/prospects/{}/convert", scene.anns);
    for query in ["dry_run=%FF", &format!("dry_run={}", "1".repeat(60_000))] {
        let response = app
            .post(&scene.admin, &format!("{convert}?{query}"), json!({}))
            .await;
        assert!(
            matches!(response.status, 400 | 422),
            "{query}: {}",
            response.status
        );
    }
    assert_eq!(state().await, before);
}

#[actix_web::test]
async fn a_history_refuses_hostile_ids_and_pages_and_writes_nothing() {
    let scene = Scene::new().await;
    let before = scene.rows().await;
    let app = &scene.app;
    for id in ["0", "-1", "9223372036854775808", "abc", "1%20OR%201=1"] {
        let shown = id.replace("%20", " ");
        expect(
            &app.get(&scene.admin, &format!("/api/v1/prospects/{id}/history"))
                .await,
            404,
            message(&format!("No query results for model [Prospect] {shown}")),
        );
    }
    let history = format!("/api/v1/prospects/{}/history", scene.anns);
    let per_page_error = json!({
        "message": "The per page field must be between 1 and 100.",
        "errors": {"per_page": ["The per page field must be between 1 and 100."]},
    });
    for per_page in ["0", "101", "18446744073709551616"] {
        let page = app
            .get(&scene.admin, &format!("{history}?per_page={per_page}"))
            .await;
        expect(&page, 422, per_page_error.clone());
    }
    // A page that is not a positive integer reads as the first; one far
    // beyond the last is empty, never an overflow.
    for page in ["0", "abc", "18446744073709551616", "9223372036854775807"] {
        let listed = app
            .get(&scene.admin, &format!("{history}?page={page}"))
            .await;
        assert_eq!(listed.status, 200, "{page}: {:?}", listed.body);
        assert_eq!(listed.body["total"], 1, "{page}: {:?}", listed.body);
    }
    // A 60 KB value is out of bounds; ten thousand repeats read as one.
    let huge = app
        .get(
            &scene.admin,
            &format!("{history}?per_page={}", "9".repeat(60_000)),
        )
        .await;
    expect(&huge, 422, per_page_error);
    let repeated = app
        .get(
            &scene.admin,
            &format!("{history}?{}", ["page="; 10_000].join("&")),
        )
        .await;
    assert_eq!(
        (
            repeated.status,
            &repeated.body["current_page"],
            &repeated.body["total"]
        ),
        (200, &json!(1), &json!(1)),
        "{:?}",
        repeated.body
    );
    expect(
        &app.get(&scene.admin, &format!("{history}?per_page=%FF"))
            .await,
        400,
        message("The query string is not valid UTF-8."),
    );
    assert_eq!(scene.rows().await, before);
}
