//! Checks reviewers would otherwise nag about, run as plain tests: every Rust
//! file says what it is for, no debugging leftovers or disabled tests, and
//! each layer depends only on what STYLE.md's table allows it.

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

/// Every crate a workspace crate depends on when built (not for its tests),
/// directly or not, from `cargo metadata`'s resolved graph.
fn built_dependencies(of: &str) -> std::collections::BTreeSet<String> {
    // Only this machine's platform: other platforms' crates need not be downloaded.
    let rustc = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc names its host");
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let name_of = |id: &str| {
        metadata["packages"]
            .as_array()
            .and_then(|packages| packages.iter().find(|package| package["id"] == id))
            .and_then(|package| package["name"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .expect("a resolved graph");
    let start = nodes
        .iter()
        .find(|node| name_of(node["id"].as_str().unwrap_or_default()) == of)
        .and_then(|node| node["id"].as_str())
        .expect("the crate is in the workspace")
        .to_owned();
    let mut seen = std::collections::BTreeSet::new();
    let mut names = std::collections::BTreeSet::new();
    let mut pending = vec![start];
    while let Some(id) = pending.pop() {
        let Some(node) = nodes.iter().find(|node| node["id"] == id.as_str()) else {
            continue;
        };
        for dependency in node["deps"].as_array().into_iter().flatten() {
            // A normal dependency: its kinds include `null` (not dev, not build).
            let built = dependency["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind["kind"].is_null()));
            let Some(next) = dependency["pkg"].as_str() else {
                continue;
            };
            if built && seen.insert(next.to_owned()) {
                names.insert(name_of(next));
                pending.push(next.to_owned());
            }
        }
    }
    names
}

/// STYLE.md's table: the dependency arrows point inwards to the domain.
#[test]
fn each_layer_depends_only_on_what_its_row_allows() {
    let rows: [(&str, &[&str]); 3] = [
        (
            "prospects-domain",
            &[
                "diesel",
                "diesel-async",
                "actix-web",
                "actix-http",
                "utoipa",
                "biscuit-auth",
                "tokio",
            ],
        ),
        (
            "prospects-infra",
            &["actix-web", "actix-http", "utoipa", "prospects-http"],
        ),
        (
            "prospects-http",
            &["diesel", "diesel-async", "prospects-infra"],
        ),
    ];
    // The graph is read at all: each layer has the dependency it is built on.
    for (layer, expected) in [
        ("prospects-domain", "garde"),
        ("prospects-infra", "diesel"),
        ("prospects-http", "actix-web"),
    ] {
        assert!(
            built_dependencies(layer).contains(expected),
            "{layer}: {expected}"
        );
    }
    for (layer, banned) in rows {
        let dependencies = built_dependencies(layer);
        let found: Vec<&&str> = banned
            .iter()
            .filter(|name| dependencies.contains(**name))
            .collect();
        assert!(found.is_empty(), "{layer} depends on {found:?}");
    }
}
