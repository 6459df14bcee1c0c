//! Documents (issue 11, item 6): uploads streamed to the file store, read
//! back byte for byte with safe headers, in their account's scope, bounded
//! in size, and never leaving a file without a row.

use std::path::{Path, PathBuf};

use actix_web::test as actix_test;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse, TestUser, bearer, keys};

const BOUNDARY: &str = "prospects-test-boundary";

/// One part of a form: its name, an optional file name and type, its bytes.
struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    mime_type: Option<&'a str>,
    bytes: &'a [u8],
}

fn file<'a>(file_name: &'a str, mime_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        mime_type: Some(mime_type),
        bytes,
    }
}

fn field<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        mime_type: None,
        bytes: value.as_bytes(),
    }
}

fn form(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(mime_type) = part.mime_type {
            body.extend_from_slice(format!("Content-Type: {mime_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, user: &TestUser, path: &str, parts: &[Part<'_>]) -> TestResponse {
    upload_raw(
        app,
        user,
        path,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        form(parts),
    )
    .await
}

async fn upload_raw(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> TestResponse {
    app.call(
        actix_test::TestRequest::post()
            .uri(path)
            .insert_header(bearer(user))
            .insert_header(("content-type", content_type))
            .set_payload(body),
    )
    .await
}

fn on(id: i64) -> String {
    format!("/api/v1/prospects/{id}/documents")
}

/// Every file under the documents directory (stored or in progress).
fn files(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), found);
            } else {
                found.push(entry.path());
            }
        }
    }
    let mut found = Vec::new();
    walk(&app.config.documents_path(), &mut found);
    found
}

fn message(text: &str) -> Value {
    json!({"message": text})
}

/// A small PDF-looking file.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
/// `sha256sum` of [`PDF`].
fn pdf_digest() -> String {
    let output = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(PDF)?;
            child.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8(output.stdout).expect("utf-8")[..64].to_owned()
}

#[actix_web::test]
async fn a_document_is_stored_listed_downloaded_and_deleted_with_its_file() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let prospect = app.prospect(&ann, json!({"name": "Acme"})).await;
    let created = upload(
        &app,
        &ann,
        &on(prospect),
        &[file("offre signée.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("http://localhost:8080/api/v1/documents/{id}").as_str())
    );
    assert_eq!(
        keys(&created.body),
        [
            "id",
            "documentable_type",
            "documentable_id",
            "name",
            "mime_type",
            "size_bytes",
            "sha256",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (
            created.body["documentable_type"].clone(),
            created.body["documentable_id"].clone(),
            created.body["name"].clone(),
            created.body["mime_type"].clone(),
            created.body["size_bytes"].clone(),
            created.body["sha256"].clone(),
        ),
        (
            json!("prospect"),
            json!(prospect),
            json!("offre signée.pdf"),
            json!("application/pdf"),
            json!(PDF.len()),
            json!(pdf_digest()),
        )
    );
    assert_eq!(files(&app).len(), 1);

    // Listed, shown, and in the prospect's details.
    let listed = app.get(&ann, &on(prospect)).await;
    assert_eq!(
        (listed.status, listed.body.clone()),
        (200, json!([created.body]))
    );
    let shown = app.get(&ann, &format!("/api/v1/documents/{id}")).await;
    assert_eq!((shown.status, shown.body), (200, created.body.clone()));
    let details = app
        .get(&ann, &format!("/api/v1/prospects/{prospect}"))
        .await;
    assert_eq!(details.body["documents"], json!([created.body]));

    // The bytes, exactly, as an attachment no browser sniffs or runs.
    let content = app
        .call(
            actix_test::TestRequest::get()
                .uri(&format!("/api/v1/documents/{id}/content"))
                .insert_header(bearer(&ann)),
        )
        .await;
    assert_eq!(content.status, 200);
    assert_eq!(content.body, json!(String::from_utf8_lossy(PDF)));
    assert_eq!(content.header("content-type"), Some("application/pdf"));
    assert_eq!(
        content.header("content-length"),
        Some(PDF.len().to_string().as_str())
    );
    assert_eq!(content.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        content.header("content-disposition"),
        Some("attachment; filename=\"offre sign_e.pdf\"; filename*=UTF-8''offre%20sign%C3%A9e.pdf")
    );

    // A name sent with the file wins over its file name; without either,
    // `document`. The type sent is kept, lowercased; a bad one is octet-stream.
    let named = upload(
        &app,
        &ann,
        &on(prospect),
        &[
            field("name", "Signed offer"),
            file(
                "x.txt",
                "Text/HTML; charset=utf-8",
                b"<script>alert(1)</script>",
            ),
        ],
    )
    .await;
    assert_eq!(
        (
            named.status,
            named.body["name"].clone(),
            named.body["mime_type"].clone()
        ),
        (201, json!("Signed offer"), json!("text/html"))
    );
    let html = app
        .get(
            &ann,
            &format!("/api/v1/documents/{}/content", named.body["id"]),
        )
        .await;
    assert!(
        html.header("content-security-policy")
            .is_some_and(|policy| policy.contains("sandbox"))
    );
    let bare = upload(
        &app,
        &ann,
        &on(prospect),
        &[Part {
            name: "file",
            file_name: None,
            mime_type: Some("no type"),
            bytes: b"",
        }],
    )
    .await;
    assert_eq!(
        (
            bare.status,
            bare.body["name"].clone(),
            bare.body["mime_type"].clone(),
            bare.body["size_bytes"].clone()
        ),
        (
            201,
            json!("document"),
            json!("application/octet-stream"),
            json!(0)
        )
    );
    assert_eq!(files(&app).len(), 3);

    // Deleted: the row and its file.
    let deleted = app.delete(&ann, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(
        (deleted.status, deleted.body),
        (200, message("Document deleted."))
    );
    let gone = app.get(&ann, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(
        (gone.status, gone.body),
        (
            404,
            message(&format!("No query results for model [Document] {id}"))
        )
    );
    assert_eq!(files(&app).len(), 2);

    // Deleting the prospect takes the rest, files included.
    let removed = app
        .delete(&ann, &format!("/api/v1/prospects/{prospect}"))
        .await;
    assert_eq!(removed.status, 200, "{:?}", removed.body);
    assert_eq!(files(&app), Vec::<PathBuf>::new());
}

#[actix_web::test]
async fn documents_follow_their_accounts_scope_and_conversion() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let bob = app.sales_user("bob").await;
    let prospect = app.prospect(&ann, json!({"name": "Acme"})).await;
    let created = upload(
        &app,
        &ann,
        &on(prospect),
        &[file("a.pdf", "application/pdf", PDF)],
    )
    .await;
    let id = created.body["id"].as_i64().expect("id");
    let forbidden = message("This action is unauthorized.");
    for path in [
        on(prospect),
        format!("/api/v1/documents/{id}"),
        format!("/api/v1/documents/{id}/content"),
    ] {
        let read = app.get(&bob, &path).await;
        assert_eq!((read.status, read.body), (403, forbidden.clone()), "{path}");
    }
    let refused = upload(
        &app,
        &bob,
        &on(prospect),
        &[file("b.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!((refused.status, refused.body), (403, forbidden.clone()));
    let refused = app.delete(&bob, &format!("/api/v1/documents/{id}")).await;
    assert_eq!((refused.status, refused.body), (403, forbidden.clone()));
    let missing = upload(
        &app,
        &ann,
        &on(999_999),
        &[file("b.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(
        (missing.status, missing.body),
        (404, message("No query results for model [Prospect] 999999"))
    );
    assert_eq!(files(&app).len(), 1, "no refused upload stored a byte");

    // Conversion moves the document; the prospect takes no new one.
    let converted = app
        .post(
            &ann,
            &format!("/api/v1/prospects/{prospect}/convert"),
            json!({}),
        )
        .await;
    assert_eq!(converted.status, 201, "{:?}", converted.body);
    let customer = converted.body["id"].as_i64().expect("id");
    let moved = app.get(&ann, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(
        (
            moved.body["documentable_type"].clone(),
            moved.body["documentable_id"].clone()
        ),
        (json!("customer"), json!(customer))
    );
    let listed = app
        .get(&ann, &format!("/api/v1/customers/{customer}/documents"))
        .await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    let content = app
        .get(&ann, &format!("/api/v1/documents/{id}/content"))
        .await;
    assert_eq!(content.body, json!(String::from_utf8_lossy(PDF)));
    let late = upload(
        &app,
        &ann,
        &on(prospect),
        &[file("c.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(
        (late.status, late.body),
        (409, message("This prospect has already been converted."))
    );
    let added = upload(
        &app,
        &ann,
        &format!("/api/v1/customers/{customer}/documents"),
        &[file("c.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(files(&app).len(), 2);
}

#[actix_web::test]
async fn bad_uploads_are_refused_clearly_and_leave_no_file() {
    let app = TestApp::with(|config| config.document_limit = 1000).await;
    let ann = app.sales_user("ann").await;
    let prospect = app.prospect(&ann, json!({"name": "Acme"})).await;
    let path = on(prospect);

    let too_big = vec![b'x'; 1001];
    let refused = upload(
        &app,
        &ann,
        &path,
        &[file("big.bin", "application/octet-stream", &too_big)],
    )
    .await;
    assert_eq!(
        (refused.status, refused.body),
        (413, message("The request body is too large."))
    );
    let just_right = vec![b'x'; 1000];
    let stored = upload(
        &app,
        &ann,
        &path,
        &[file("ok.bin", "application/octet-stream", &just_right)],
    )
    .await;
    assert_eq!(stored.status, 201, "{:?}", stored.body);

    let json_body = app.post(&ann, &path, json!({"file": "x"})).await;
    assert_eq!(
        (json_body.status, json_body.body),
        (
            415,
            message("The request body must be multipart/form-data.")
        )
    );
    let no_file = upload(&app, &ann, &path, &[field("name", "x")]).await;
    assert_eq!(
        (no_file.status, no_file.body["errors"].clone()),
        (422, json!({"file": ["The file field is required."]}))
    );
    let long_name = "n".repeat(256);
    for (name, error) in [
        (
            long_name.as_str(),
            "The name field must not be greater than 255 characters.",
        ),
        (
            "a\tb",
            "The name field must not contain control characters.",
        ),
        ("  ", "The name field is required."),
    ] {
        let refused = upload(
            &app,
            &ann,
            &path,
            &[field("name", name), file("a.pdf", "application/pdf", PDF)],
        )
        .await;
        assert_eq!(
            (refused.status, refused.body["errors"].clone()),
            (422, json!({"name": [error]})),
            "{name:?}"
        );
    }
    // A 60 KB name and one that is not UTF-8: clear 422s, nothing stored.
    let huge = "n".repeat(60 * 1024);
    let bad_bytes = Part {
        name: "name",
        file_name: None,
        mime_type: None,
        bytes: b"caf\xe9",
    };
    for (name_part, error) in [
        (
            field("name", &huge),
            "The name field must not be greater than 255 characters.",
        ),
        (bad_bytes, "The name field must be a string."),
    ] {
        let refused = upload(
            &app,
            &ann,
            &path,
            &[file("a.pdf", "application/pdf", PDF), name_part],
        )
        .await;
        assert_eq!(
            (refused.status, refused.body["errors"].clone()),
            (422, json!({"name": [error]}))
        );
    }
    // Ten thousand repeats of the name part: over the limit as declared,
    // refused before a byte is read; a few repeats, at the second.
    let repeated: Vec<Part> = (0..10_000).map(|_| field("name", "x")).collect();
    let refused = upload(&app, &ann, &path, &repeated).await;
    assert_eq!(
        (refused.status, refused.body),
        (413, message("The request body is too large."))
    );
    let repeated: Vec<Part> = (0..3).map(|_| field("name", "x")).collect();
    let refused = upload(&app, &ann, &path, &repeated).await;
    assert_eq!(
        (refused.status, refused.body),
        (400, message("The form has more than one name part."))
    );
    let twice = upload(
        &app,
        &ann,
        &path,
        &[
            file("a.pdf", "application/pdf", PDF),
            file("b.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(
        (twice.status, twice.body),
        (400, message("The form has more than one file part."))
    );
    let mut cut = form(&[file("a.pdf", "application/pdf", PDF)]);
    cut.truncate(cut.len() - 30);
    let truncated = upload_raw(
        &app,
        &ann,
        &path,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        cut,
    )
    .await;
    assert_eq!(
        (truncated.status, truncated.body),
        (
            400,
            message("The request body is not a well-formed multipart form.")
        )
    );
    let no_boundary = upload_raw(&app, &ann, &path, "multipart/form-data", form(&[])).await;
    assert_eq!(no_boundary.status, 400, "{:?}", no_boundary.body);
    let unknown = upload(
        &app,
        &ann,
        &path,
        &[field("other", "x"), file("a.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.body),
        (
            400,
            message("The form may have only a file part and a name part.")
        )
    );

    assert_eq!(files(&app).len(), 1, "only the accepted upload is stored");
    let listed = app.get(&ann, &path).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    let bad_id = app.get(&ann, "/api/v1/documents/abc").await;
    assert_eq!(
        (bad_id.status, bad_id.body),
        (404, message("No query results for model [Document] abc"))
    );
}

#[actix_web::test]
async fn the_sweep_removes_files_no_row_holds_and_abandoned_uploads() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let prospect = app.prospect(&ann, json!({"name": "Acme"})).await;
    let kept = upload(
        &app,
        &ann,
        &on(prospect),
        &[file("a.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(kept.status, 201);
    // What a process killed mid-way leaves: a stored file whose row never
    // committed, and a half-received upload.
    let root = app.config.documents_path();
    let orphan_dir = root.join("objects").join("ab");
    std::fs::create_dir_all(&orphan_dir).expect("dir");
    let orphan = orphan_dir.join("ab".repeat(16));
    std::fs::write(&orphan, b"left over").expect("orphan");
    let part = root.join("tmp").join("cd.part");
    std::fs::write(&part, b"half").expect("part");
    let documents = &app.services.state.documents;
    assert_eq!(
        documents
            .sweep(std::time::Duration::from_secs(3600))
            .await
            .expect("sweep"),
        0,
        "recent files are left alone"
    );
    assert_eq!(files(&app).len(), 3);
    assert_eq!(
        documents
            .sweep(std::time::Duration::ZERO)
            .await
            .expect("sweep"),
        1
    );
    assert!(!orphan.exists() && !part.exists());
    assert_eq!(files(&app).len(), 1);
    let content = app
        .get(
            &ann,
            &format!("/api/v1/documents/{}/content", kept.body["id"]),
        )
        .await;
    assert_eq!(content.status, 200);
}
