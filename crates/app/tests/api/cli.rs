//! The admin commands, run as a user would run them.

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::test as actix_test;
use serde_json::json;

use crate::support::{TestApp, TestUser};

fn prospects(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prospects"));
    command
        .env("DATABASE_URL", app.db.url())
        .env("PROSPECTS_DATA_DIR", &app.config.data_dir)
        .env_remove("PROSPECTS_ROOT_KEY")
        .env("RUST_LOG", "warn");
    command
}

#[actix_web::test]
async fn users_create_and_tokens_issue_give_a_working_login_and_token() {
    let app = TestApp::new().await;
    let mut create = prospects(&app)
        .args([
            "users",
            "create",
            "--email",
            "Ops@Example.test",
            "--name",
            "Ops",
            "--role",
            "10",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long passphrase\n")
        .expect("write");
    let output = create.wait_with_output().expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let issued = prospects(&app)
        .args([
            "tokens",
            "issue",
            "--email",
            "ops@example.test",
            "--ttl",
            "1h",
        ])
        .output()
        .expect("run");
    assert!(issued.status.success());
    let token = String::from_utf8(issued.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(!token.contains(char::is_whitespace));
    let user_id = 1;
    assert_eq!(
        app.get(&TestUser { id: user_id, token }, "/api/v1/prospects")
            .await
            .status,
        200
    );

    let login = app
        .call(
            actix_test::TestRequest::post()
                .uri("/api/login")
                .set_json(json!({"email": "ops@example.test", "password": "a long passphrase"})),
        )
        .await;
    assert_eq!(login.status, 200);
    assert_eq!(login.body["user"]["role"], 10);
}

#[actix_web::test]
async fn tokens_issue_for_an_unknown_email_fails_and_prints_no_token() {
    let app = TestApp::new().await;
    let output = prospects(&app)
        .args(["tokens", "issue", "--email", "nobody@example.test"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}

fn with_stdin(mut command: Command, input: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("run")
}

#[actix_web::test]
async fn tokens_attenuate_narrows_a_token_and_tokens_revoke_ends_it() {
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;

    let mut attenuate = prospects(&app);
    attenuate.args(["tokens", "attenuate", "--read-only", "--ttl", "1h"]);
    let output = with_stdin(attenuate, &ann.token);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reader = TestUser {
        id: ann.id,
        token: String::from_utf8(output.stdout)
            .expect("utf-8")
            .trim()
            .to_owned(),
    };
    assert_eq!(app.get(&reader, "/api/v1/prospects").await.status, 200);
    assert_eq!(
        app.post(&reader, "/api/v1/prospects", json!({"name": "Acme"}))
            .await
            .status,
        403,
        "a live token that forbids writing"
    );

    let mut revoke = prospects(&app);
    revoke.args(["tokens", "revoke"]);
    let output = with_stdin(revoke, &ann.token);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    app.after_other_processes_change_users().await;
    assert_eq!(app.get(&ann, "/api/v1/prospects").await.status, 401);
    assert_eq!(
        app.get(&reader, "/api/v1/prospects").await.status,
        401,
        "derived tokens die with their parent"
    );

    let mut garbage = prospects(&app);
    garbage.args(["tokens", "revoke"]);
    assert!(!with_stdin(garbage, "not a token").status.success());
}

#[actix_web::test]
async fn keys_generate_and_a_rotation_keep_old_tokens_until_their_key_is_retired() {
    use prospects_domain::{Access, Operation};
    let app = TestApp::new().await;
    let ann = app.manager("ann").await;
    let read = Access {
        operation: Operation::Read,
        prospect: None,
    };

    let generated = prospects(&app)
        .args(["keys", "generate", "--id", "1"])
        .output()
        .expect("run");
    assert!(generated.status.success());
    let new_key = String::from_utf8(generated.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(new_key.starts_with("1:"), "{new_key}");
    let old_public = prospects_infra::RootKey::load_or_create(&app.config.root_key_path())
        .expect("key")
        .public_hex();

    let mut rotated = app.config.clone();
    rotated.root_key = Some(new_key.parse().expect("infallible"));
    rotated.retired_keys = old_public;
    let rotated = prospects_app::wiring::build(&rotated).await.expect("wired");
    assert!(
        rotated.auth.authenticate(&ann.token, read).await.is_ok(),
        "old tokens live on"
    );
    let fresh = rotated
        .tokens
        .issue(
            prospects_domain::UserId(ann.id),
            std::time::Duration::from_secs(60),
        )
        .expect("token");
    assert!(rotated.auth.authenticate(&fresh, read).await.is_ok());
    assert!(
        app.services.auth.authenticate(&fresh, read).await.is_err(),
        "the old configuration knows no key 1"
    );

    let mut retired = app.config.clone();
    retired.root_key = Some(new_key.parse().expect("infallible"));
    let retired = prospects_app::wiring::build(&retired).await.expect("wired");
    assert!(
        retired.auth.authenticate(&ann.token, read).await.is_err(),
        "a removed key ends its tokens"
    );
    assert!(retired.auth.authenticate(&fresh, read).await.is_ok());
}

#[actix_web::test]
async fn users_create_refuses_bad_fields_with_every_reason_and_a_failing_exit() {
    let app = TestApp::new().await;
    let mut create = prospects(&app);
    create.args([
        "users",
        "create",
        "--email",
        "not-an-email",
        "--name",
        "",
        "--role=-3",
        "--password-stdin",
    ]);
    let output = with_stdin(create, "short\n");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    for reason in [
        "The name field is required.",
        "The email field must be a valid email address.",
        "The role field must be between 1 and 100.",
        "The password field must be at least 8 characters.",
    ] {
        assert!(said.contains(reason), "{reason} not in: {said}");
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM users").await, 0);
    // The same email twice, in another case: taken.
    for expected_success in [true, false] {
        let mut create = prospects(&app);
        create.args([
            "users",
            "create",
            "--email",
            "Ann@Example.test",
            "--name",
            "Ann",
            "--role",
            "5",
        ]);
        let output = with_stdin(create, "");
        assert_eq!(output.status.success(), expected_success);
        if !expected_success {
            assert!(
                String::from_utf8_lossy(&output.stderr)
                    .contains("The email has already been taken."),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

#[actix_web::test]
async fn operators_manage_reference_data_from_the_command_line() {
    let app = TestApp::new().await;
    let added = prospects(&app)
        .args(["references", "add", "brand", "Acme Group"])
        .output()
        .expect("run");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout),
        "added brand 2 \"Acme Group\"\n"
    );
    let stage = prospects(&app)
        .args([
            "references",
            "add",
            "prospection-code",
            "Demo booked",
            "--position",
            "2",
        ])
        .output()
        .expect("run");
    assert!(stage.status.success());
    let listed = prospects(&app)
        .args(["references", "list", "prospection-code"])
        .output()
        .expect("run");
    let lines: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines[..3],
        ["1\tNew lead\t1", "2\tContacted\t2", "8\tDemo booked\t2"]
    );
    let ann = app.sales_user("ann").await;
    let brands = app.get(&ann, "/api/v1/brands").await;
    assert_eq!(brands.body[1]["name"], "Acme Group");

    let empty = prospects(&app)
        .args(["references", "add", "sector", "  "])
        .output()
        .expect("run");
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("The name field is required."));
    app.prospect(&ann, json!({"name": "Globex", "brand_id": 2}))
        .await;
    let in_use = prospects(&app)
        .args(["references", "delete", "brand", "2"])
        .output()
        .expect("run");
    assert!(!in_use.status.success());
    assert!(
        String::from_utf8_lossy(&in_use.stderr)
            .contains("This brand is still used by prospects or customers.")
    );
    let unknown = prospects(&app)
        .args(["references", "add", "colour", "Blue"])
        .output()
        .expect("run");
    assert!(!unknown.status.success());
}

#[actix_web::test]
async fn operators_manage_users_from_the_command_line() {
    let app = TestApp::new().await;
    let ann = app.sales_user("ann").await;
    let run = |args: &[&str]| prospects(&app).args(args).output().expect("run");

    let listed = run(&["users", "list"]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        format!(
            "{}\tann@example.test\t5\tactive\tann@example.test\n",
            ann.id
        )
    );
    let promoted = run(&[
        "users",
        "set-role",
        "--email",
        "ANN@example.test",
        "--role",
        "10",
    ]);
    assert!(
        promoted.status.success(),
        "{}",
        String::from_utf8_lossy(&promoted.stderr)
    );
    app.after_other_processes_change_users().await;
    assert_eq!(app.get(&ann, "/api/user").await.body["role"], 10);
    let bad_role = run(&[
        "users",
        "set-role",
        "--email",
        "ann@example.test",
        "--role",
        "0",
    ]);
    assert!(!bad_role.status.success());
    assert!(
        String::from_utf8_lossy(&bad_role.stderr)
            .contains("The role field must be between 1 and 100.")
    );

    let mut set = prospects(&app);
    set.args([
        "users",
        "set-password",
        "--email",
        "ann@example.test",
        "--password-stdin",
    ]);
    assert!(with_stdin(set, "a brand new passphrase\n").status.success());
    let login = app
        .call(
            actix_test::TestRequest::post().uri("/api/login").set_json(
                json!({"email": "ann@example.test", "password": "a brand new passphrase"}),
            ),
        )
        .await;
    assert_eq!(login.status, 200);
    let mut short = prospects(&app);
    short.args([
        "users",
        "set-password",
        "--email",
        "ann@example.test",
        "--password-stdin",
    ]);
    let short = with_stdin(short, "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));
    let without_stdin = run(&["users", "set-password", "--email", "ann@example.test"]);
    assert!(
        !without_stdin.status.success(),
        "passwords never go on the command line"
    );

    assert!(
        run(&["users", "deactivate", "--email", "ann@example.test"])
            .status
            .success()
    );
    app.after_other_processes_change_users().await;
    assert_eq!(app.get(&ann, "/api/user").await.status, 401);
    assert!(
        run(&["users", "activate", "--email", "ann@example.test"])
            .status
            .success()
    );
    app.after_other_processes_change_users().await;
    assert_eq!(app.get(&ann, "/api/user").await.status, 200);
    let shown = run(&["users", "show", "--email", "ann@example.test"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("\tactive\t"));

    let unknown = run(&["users", "delete", "--email", "nobody@example.test"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("no user has the email nobody@example.test")
    );
    assert!(
        run(&["users", "delete", "--email", "ann@example.test"])
            .status
            .success()
    );
    app.after_other_processes_change_users().await;
    assert_eq!(app.get(&ann, "/api/user").await.status, 401);
}

#[actix_web::test]
async fn commands_fail_in_one_line_and_stop_quietly_when_their_reader_does() {
    let app = TestApp::new().await;
    // A reader that goes away after the first byte, as `| head -c1` does.
    let mut openapi = prospects(&app)
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut openapi.stdout.take().expect("stdout"), &mut first)
        .expect("read");
    let output = openapi.wait_with_output().expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let failed = prospects(&app)
        .env("RUST_BACKTRACE", "1")
        .args(["users", "show", "--email", "nobody@example.test"])
        .output()
        .expect("run");
    assert!(!failed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&failed.stderr),
        "error: no user has the email nobody@example.test\n"
    );

    let help = prospects(&app)
        .args(["users", "set-role", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--email") && help.contains("--role"),
        "{help}"
    );
    assert!(
        !help.contains("--bind") && !help.contains("--data-dir"),
        "{help}"
    );
}

#[actix_web::test]
async fn check_says_what_a_start_would_find_and_fails_in_one_line() {
    let app = TestApp::new().await;
    let ok = prospects(&app).arg("check").output().expect("run");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        stdout.contains("(reachable, migrations applied)"),
        "{stdout}"
    );
    assert!(stdout.ends_with("ok\n"), "{stdout}");

    let bad_bind = prospects(&app)
        .arg("check")
        .env("PROSPECTS_BIND", "nowhere")
        .output()
        .expect("run");
    assert!(!bad_bind.status.success());
    assert_eq!(
        String::from_utf8_lossy(&bad_bind.stderr),
        "error: PROSPECTS_BIND=\"nowhere\" is not a HOST:PORT address\n"
    );

    // A database that is not there: non-zero, the reason, no credentials.
    let no_database = prospects(&app)
        .arg("check")
        .env(
            "DATABASE_URL",
            "postgres://someone:secret@127.0.0.1:1/prospects",
        )
        .env("PROSPECTS_DB_TIMEOUT", "2s")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&no_database.stderr);
    assert!(!no_database.status.success());
    assert!(stderr.starts_with("error: cannot open the"), "{stderr}");
    assert!(!stderr.contains("secret"), "{stderr}");
}
