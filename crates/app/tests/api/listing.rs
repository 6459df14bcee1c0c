//! GET /api/v1/prospects: paginator shape, filters, sorts, bounds.

use serde_json::json;

use crate::support::{TestApp, keys};

fn names(body: &serde_json::Value) -> Vec<&str> {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect()
}

#[actix_web::test]
async fn the_list_is_a_laravel_paginator_key_for_key() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for i in 1..=5 {
        app.prospect(&admin, json!({"name": format!("Prospect {i}")}))
            .await;
    }
    let response = app
        .get(
            &admin,
            "/api/v1/prospects?filter%5Bname%5D=prospect&per_page=2&page=2",
        )
        .await;
    assert_eq!(response.status, 200);
    let body = &response.body;
    assert_eq!(
        keys(body),
        [
            "current_page",
            "data",
            "first_page_url",
            "from",
            "last_page",
            "last_page_url",
            "links",
            "next_page_url",
            "path",
            "per_page",
            "prev_page_url",
            "to",
            "total"
        ]
    );
    let path = "http://localhost:8080/api/v1/prospects";
    assert_eq!(body["path"], path);
    assert_eq!(body["current_page"], 2);
    assert_eq!(body["per_page"], 2);
    assert_eq!(
        (
            body["from"].clone(),
            body["to"].clone(),
            body["total"].clone()
        ),
        (json!(3), json!(4), json!(5))
    );
    assert_eq!(body["last_page"], 3);
    assert_eq!(
        body["first_page_url"],
        format!("{path}?filter%5Bname%5D=prospect&per_page=2&page=1")
    );
    assert_eq!(
        body["next_page_url"],
        format!("{path}?filter%5Bname%5D=prospect&per_page=2&page=3")
    );
    assert_eq!(
        body["prev_page_url"],
        format!("{path}?filter%5Bname%5D=prospect&per_page=2&page=1")
    );
    assert_eq!(names(body), ["Prospect 3", "Prospect 4"]);
    let links = body["links"].as_array().expect("links");
    assert_eq!(links.len(), 5);
    assert_eq!(
        links[0],
        json!({"url": body["prev_page_url"], "label": "&laquo; Previous", "active": false})
    );
    assert_eq!(
        links[2],
        json!({"url": format!("{path}?filter%5Bname%5D=prospect&per_page=2&page=2"), "label": "2", "active": true})
    );
    assert_eq!(
        links[4],
        json!({"url": body["next_page_url"], "label": "Next &raquo;", "active": false})
    );
    let first = &body["data"][0];
    assert_eq!(
        keys(first)[..6],
        [
            "id",
            "name",
            "brand_id",
            "representative_id",
            "customer_account",
            "accounts_reference"
        ]
    );
    assert_eq!(keys(first).len(), 38);
}

/// The path and query of an absolute page URL, to request it.
fn relative(url: &serde_json::Value) -> &str {
    url.as_str()
        .expect("a URL")
        .strip_prefix("http://localhost:8080")
        .expect("under the public URL")
}

#[actix_web::test]
async fn cursor_pages_are_laravels_cursor_paginator_and_walk_both_ways() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for i in 1..=5 {
        app.prospect(&admin, json!({"name": format!("Prospect {i}")}))
            .await;
    }
    app.prospect(&admin, json!({"name": "Other"})).await;
    let first = app
        .get(
            &admin,
            "/api/v1/prospects?filter%5Bname%5D=prospect&per_page=2&cursor=&page=3",
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(
        keys(&first.body),
        [
            "data",
            "path",
            "per_page",
            "next_cursor",
            "next_page_url",
            "prev_cursor",
            "prev_page_url"
        ]
    );
    let path = "http://localhost:8080/api/v1/prospects";
    assert_eq!(first.body["path"], path);
    assert_eq!(first.body["per_page"], 2);
    assert_eq!(
        names(&first.body),
        ["Prospect 1", "Prospect 2"],
        "page is ignored"
    );
    assert_eq!(
        (&first.body["prev_cursor"], &first.body["prev_page_url"]),
        (&json!(null), &json!(null))
    );
    let next = first.body["next_cursor"].as_str().expect("a next cursor");
    assert_eq!(
        first.body["next_page_url"],
        format!("{path}?filter%5Bname%5D=prospect&per_page=2&cursor={next}")
    );

    let second = app
        .get(&admin, relative(&first.body["next_page_url"]))
        .await;
    assert_eq!(names(&second.body), ["Prospect 3", "Prospect 4"]);
    let third = app
        .get(&admin, relative(&second.body["next_page_url"]))
        .await;
    assert_eq!(names(&third.body), ["Prospect 5"]);
    assert_eq!(
        (&third.body["next_cursor"], &third.body["next_page_url"]),
        (&json!(null), &json!(null))
    );

    let back = app
        .get(&admin, relative(&third.body["prev_page_url"]))
        .await;
    assert_eq!(names(&back.body), ["Prospect 3", "Prospect 4"]);
    let start = app.get(&admin, relative(&back.body["prev_page_url"])).await;
    assert_eq!(names(&start.body), ["Prospect 1", "Prospect 2"]);
    assert_eq!(start.body["prev_cursor"], json!(null), "the list's start");
    assert_eq!(
        names(
            &app.get(&admin, relative(&start.body["next_page_url"]))
                .await
                .body
        ),
        ["Prospect 3", "Prospect 4"]
    );

    // A sales user's cursor pages hold only what they represent.
    let ann = app.sales_user("ann").await;
    app.prospect(&ann, json!({"name": "Prospect of Ann"})).await;
    let hers = app
        .get(&ann, "/api/v1/prospects?filter%5Bname%5D=prospect&cursor=")
        .await;
    assert_eq!(names(&hers.body), ["Prospect of Ann"]);
    assert_eq!(hers.body["next_cursor"], json!(null));
}

#[actix_web::test]
async fn a_cursor_is_refused_when_forged_edited_or_carried_to_another_list() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["Acme 1", "Acme 2", "Acme 3"] {
        app.prospect(&admin, json!({"name": name})).await;
    }
    let first = app
        .get(
            &admin,
            "/api/v1/prospects?filter%5Bname%5D=acme&per_page=1&cursor=",
        )
        .await;
    let cursor = first.body["next_cursor"].as_str().expect("a cursor");
    let mut edited = cursor.to_owned().into_bytes();
    edited[10] = if edited[10] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).expect("ASCII");
    let long = "A".repeat(5_000);
    for query in [
        format!("filter%5Bname%5D=acme&cursor={edited}"),
        format!("filter%5Bname%5D=acm&cursor={cursor}"),
        format!("filter%5Bname%5D=acme&sort=-id&cursor={cursor}"),
        format!("cursor={cursor}"),
        format!("filter%5Bname%5D=acme&cursor={long}"),
        "cursor=%FF%FE".to_owned(),
        "cursor=eyJpZCI6MTUsIl9wb2ludHNUb05leHRJdGVtcyI6dHJ1ZX0".to_owned(),
    ] {
        let response = app.get(&admin, &format!("/api/v1/prospects?{query}")).await;
        if query.contains("%FF") {
            assert_eq!(response.status, 400, "{query}");
            continue;
        }
        assert_eq!(response.status, 422, "{query}: {:?}", response.body);
        assert_eq!(
            response.body["errors"],
            json!({"cursor": ["The selected cursor is invalid."]}),
            "{query}"
        );
    }
    let customers = app
        .get(
            &admin,
            &format!("/api/v1/customers?filter%5Bname%5D=acme&cursor={cursor}"),
        )
        .await;
    assert_eq!(customers.status, 422);
    // Another page size is the same list.
    let resized = app
        .get(
            &admin,
            &format!("/api/v1/prospects?filter%5Bname%5D=acme&per_page=5&cursor={cursor}"),
        )
        .await;
    assert_eq!(names(&resized.body), ["Acme 2", "Acme 3"]);
}

#[actix_web::test]
async fn an_empty_list_and_a_page_past_the_end_have_no_bounds() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let response = app.get(&admin, "/api/v1/prospects").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body["data"], json!([]));
    assert_eq!(
        (response.body["from"].clone(), response.body["to"].clone()),
        (json!(null), json!(null))
    );
    assert_eq!(
        (
            response.body["last_page"].clone(),
            response.body["total"].clone()
        ),
        (json!(1), json!(0))
    );
    assert_eq!(response.body["per_page"], 15);
    app.prospect(&admin, json!({"name": "Acme"})).await;
    let response = app.get(&admin, "/api/v1/prospects?page=9").await;
    assert_eq!(response.body["data"], json!([]));
    assert_eq!(response.body["total"], 1);
    assert_eq!(response.body["next_page_url"], json!(null));
}

#[actix_web::test]
async fn filter_name_is_case_and_accent_insensitive_and_comma_means_any() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["Société Générale", "Acme Corp", "Globex", "50% Off"] {
        app.prospect(&admin, json!({"name": name})).await;
    }
    let response = app
        .get(&admin, "/api/v1/prospects?filter[name]=SOCIETE")
        .await;
    assert_eq!(names(&response.body), ["Société Générale"]);
    let response = app
        .get(&admin, "/api/v1/prospects?filter[name]=acme,globex")
        .await;
    assert_eq!(names(&response.body), ["Acme Corp", "Globex"]);
    let response = app.get(&admin, "/api/v1/prospects?filter[name]=%25").await;
    assert_eq!(names(&response.body), ["50% Off"]);
}

#[actix_web::test]
async fn filter_id_takes_a_list_and_ignores_non_integers() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["One", "Two", "Three"] {
        app.prospect(&admin, json!({"name": name})).await;
    }
    let response = app
        .get(&admin, "/api/v1/prospects?filter[id]=1,3,abc")
        .await;
    assert_eq!(names(&response.body), ["One", "Three"]);
    let response = app.get(&admin, "/api/v1/prospects?filter[id]=abc").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body["total"], 0);
}

#[actix_web::test]
async fn term_match_finds_every_word_accent_free_ranked_by_relevance() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.prospect(
        &admin,
        json!({"name": "Globex", "main_address_city": "Acmeville"}),
    )
    .await;
    app.prospect(&admin, json!({"name": "Acme Corp"})).await;
    app.prospect(
        &admin,
        json!({"name": "Société Générale", "main_contact_last_name": "Dupont"}),
    )
    .await;
    let response = app
        .get(&admin, "/api/v1/prospects?filter[term_match]=acm")
        .await;
    assert_eq!(names(&response.body), ["Acme Corp", "Globex"]);
    let response = app
        .get(
            &admin,
            "/api/v1/prospects?filter[term_match]=societe%20generale",
        )
        .await;
    assert_eq!(names(&response.body), ["Société Générale"]);
    let response = app
        .get(
            &admin,
            "/api/v1/prospects?filter[term_match]=dupont&filter[name]=soc",
        )
        .await;
    assert_eq!(names(&response.body), ["Société Générale"]);
    let response = app
        .get(
            &admin,
            "/api/v1/prospects?filter[term_match]=PR0000&sort=-id",
        )
        .await;
    assert_eq!(
        names(&response.body),
        ["Société Générale", "Acme Corp", "Globex"]
    );
}

#[actix_web::test]
async fn sort_applies_each_key_in_order() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["First", "Second", "Third"] {
        app.prospect(&admin, json!({"name": name})).await;
    }
    let response = app.get(&admin, "/api/v1/prospects?sort=-created_at").await;
    assert_eq!(names(&response.body), ["Third", "Second", "First"]);
    let response = app
        .get(&admin, "/api/v1/prospects?sort=updated_at,-id")
        .await;
    assert_eq!(names(&response.body), ["First", "Second", "Third"]);
}

#[actix_web::test]
async fn unknown_filters_and_sorts_are_400_with_spaties_messages() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let response = app.get(&admin, "/api/v1/prospects?filter[foo]=1").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.body,
        json!({"message": "Requested filter(s) `foo` are not allowed. Allowed filter(s) are `name, id, term_match`."})
    );
    let response = app
        .get(
            &admin,
            "/api/v1/prospects?sort=name;DROP%20TABLE%20prospects",
        )
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.body,
        json!({"message": "Requested sort(s) `name;DROP TABLE prospects` is not allowed. Allowed sort(s) are `id, created_at, updated_at`."})
    );
}

#[actix_web::test]
async fn per_page_outside_its_bounds_is_422() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for bad in ["0", "101", "-1", "abc"] {
        let response = app
            .get(&admin, &format!("/api/v1/prospects?per_page={bad}"))
            .await;
        assert_eq!(response.status, 422, "{bad}");
        let message = if bad == "abc" {
            "The per page field must be an integer."
        } else {
            "The per page field must be between 1 and 100."
        };
        assert_eq!(
            response.body,
            json!({"message": message, "errors": {"per_page": [message]}})
        );
    }
    assert_eq!(
        app.get(&admin, "/api/v1/prospects?per_page=100")
            .await
            .status,
        200
    );
}
