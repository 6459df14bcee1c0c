//! `cargo xtask`: the project's own automation.
//!
//! - `cargo xtask test`: the whole test suite on PostgreSQL, then again on
//!   SQLite. PostgreSQL comes from `DATABASE_URL`
//!   (a server where tests may create databases) or, when it is unset, from a
//!   throwaway cluster started with the machine's `initdb` and `pg_ctl` and
//!   removed afterwards. Redis (for shared rate limits) comes from
//!   `REDIS_URL` or, when it is unset, a throwaway `redis-server`.
//! - `cargo xtask ci`: formatting, clippy, then `test`.
//! - `cargo xtask openapi`: rewrites `docs/openapi.json` from the code.
//! - `cargo xtask fuzz [SECONDS] [TARGET...]`: each cargo-fuzz target in
//!   `fuzz/` (all by default) for SECONDS (default 60), with nightly.
//! - `cargo xtask bench [--debug] [prospects-bench options]`: builds the
//!   server and `prospects-bench` (release, unless `--debug`), then runs the
//!   benchmark against the same PostgreSQL `test` finds, and SQLite.

mod fuzz;
mod postgres;
mod redis;
#[cfg(test)]
mod tidy;

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> anyhow::Result<()> {
    let (task, rest) = args
        .split_first()
        .map(|(t, r)| (t.as_str(), r.to_vec()))
        .unwrap_or(("help", vec![]));
    match task {
        "test" => test(&rest),
        "fuzz" => fuzz::run(&rest),
        "openapi" => openapi(),
        "bench" => bench(&rest),
        "ci" => {
            cargo(&["fmt", "--all", "--", "--check"])?;
            cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])?;
            test(&rest)
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <test|ci> [extra cargo test arguments]\n       cargo xtask openapi\n       cargo xtask fuzz [SECONDS] [TARGET...]\n       cargo xtask bench [--debug] [--rows N] [--duration 10s] [--reuse] [--check] (see prospects-bench --help)"
            );
            if task == "help" {
                Ok(())
            } else {
                bail!("unknown task {task}")
            }
        }
    }
}

/// Runs `cargo test --workspace` with a PostgreSQL server at hand, then once
/// more on SQLite. The second pass selects the whole workspace too, though
/// only the storage and end-to-end suites care: selecting packages would
/// unify dependencies' features differently and rebuild half the workspace.
fn test(extra: &[String]) -> anyhow::Result<()> {
    let mut everything = vec!["test".to_owned(), "--workspace".to_owned()];
    everything.extend_from_slice(extra);
    with_redis(|redis| {
        with_postgres(|url| {
            cargo_with_env(&everything, &[("DATABASE_URL", url), ("REDIS_URL", redis)])
        })?;
        eprintln!("xtask: the whole suite again on SQLite");
        cargo_with_env(
            &everything,
            &[("PROSPECTS_TEST_BACKEND", "sqlite"), ("REDIS_URL", redis)],
        )
    })
}

/// Calls `run` with the URL of a Redis server for the shared-budget tests:
/// `REDIS_URL`, or a throwaway `redis-server` when it is unset.
fn with_redis(run: impl FnOnce(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => {
            eprintln!("xtask: shared budgets tested against REDIS_URL");
            run(&url)
        }
        _ => {
            let server = redis::Server::start().context(
                "REDIS_URL is unset and no throwaway Redis could be started. Install \
                 redis-server (Debian: redis-server) or set REDIS_URL=redis://HOST:PORT/0",
            )?;
            eprintln!(
                "xtask: shared budgets tested against a throwaway Redis at {}",
                server.url()
            );
            run(server.url())
        }
    }
}

/// Calls `run` with the URL of a PostgreSQL server where tests may create databases.
fn with_postgres(run: impl FnOnce(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            eprintln!("xtask: testing against DATABASE_URL");
            run(&url)
        }
        _ => {
            let cluster = postgres::Cluster::start().context(
                "DATABASE_URL is unset and no throwaway PostgreSQL could be started. Install \
                 PostgreSQL's server binaries (initdb, pg_ctl; Debian: postgresql) or set \
                 DATABASE_URL=postgres://USER@HOST:PORT/postgres to a server where USER may \
                 create databases",
            )?;
            eprintln!(
                "xtask: testing against a throwaway cluster at {}",
                cluster.url()
            );
            run(cluster.url())
        }
    }
}

/// Builds the server and the benchmark, then runs the benchmark; every
/// argument but `--debug` goes to `prospects-bench`.
fn bench(args: &[String]) -> anyhow::Result<()> {
    let debug = args.iter().any(|arg| arg == "--debug");
    let rest: Vec<String> = args
        .iter()
        .filter(|arg| *arg != "--debug")
        .cloned()
        .collect();
    // The whole workspace's binaries, so that a debug build reuses what
    // `cargo xtask test` compiled (same feature unification).
    let mut build = vec!["build", "--workspace", "--bins"];
    if !debug {
        build.push("--release");
    }
    cargo(&build)?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives in the repository")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), std::path::PathBuf::from)
        .join(if debug { "debug" } else { "release" });
    with_postgres(|url| {
        let status = Command::new(target.join("prospects-bench"))
            .current_dir(root)
            .arg("--server")
            .arg(target.join("prospects"))
            .args(&rest)
            .env("DATABASE_URL", url)
            .status()
            .context("cannot run prospects-bench")?;
        if !status.success() {
            bail!("the benchmark failed");
        }
        Ok(())
    })
}

/// Rewrites `docs/openapi.json` from the code (`prospects openapi`).
fn openapi() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives in the repository")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--bin", "prospects", "--", "openapi"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run prospects openapi")?;
    if !output.status.success() {
        bail!("prospects openapi failed");
    }
    let path = root.join("docs/openapi.json");
    std::fs::write(&path, &output.stdout)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    cargo_with_env(&args, &[])
}

fn cargo_with_env(args: &[String], env: &[(&str, &str)]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args).envs(env.iter().copied());
    let status = command
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}
