//! Checks reviewers would otherwise nag about, run as plain tests: every Rust
//! file says what it is for, no debugging leftovers or disabled tests, and
//! the domain crate depends on no web or database crate.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name != "target" && name != ".git")
            {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("xtask"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable file");
            (path, text)
        })
        .collect()
}

#[test]
fn every_rust_file_starts_with_a_module_comment() {
    let missing: Vec<_> = sources()
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! comment: {missing:?}"
    );
}

#[test]
fn no_debugging_leftovers_or_disabled_tests() {
    let forbidden = [
        concat!("dbg", "!("),
        concat!("#[", "ignore"),
        concat!("#[", "should_panic"),
        concat!("todo", "!("),
    ];
    let offenders: Vec<_> = sources()
        .into_iter()
        .flat_map(|(path, text)| {
            forbidden
                .iter()
                .filter(|needle| text.contains(*needle))
                .map(|needle| format!("{}: {needle}", path.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn the_domain_depends_on_no_web_or_database_crate() {
    let manifest = std::fs::read_to_string(workspace_root().join("crates/domain/Cargo.toml"))
        .expect("manifest");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for banned in [
        "actix",
        "diesel",
        "utoipa",
        "biscuit",
        "tokio",
        "serde_json",
        "prospects-infra",
        "prospects-http",
    ] {
        assert!(
            !dependencies
                .lines()
                .any(|line| line.trim_start().starts_with(banned)),
            "crates/domain must not depend on {banned}"
        );
    }
}
