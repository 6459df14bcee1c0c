//! `cargo xtask`: the project's own automation.
//!
//! - `cargo xtask test`: the whole test suite. PostgreSQL comes from
//!   `DATABASE_URL` (a server where tests may create databases) or, when it is
//!   unset, from a throwaway cluster started with the machine's `initdb` and
//!   `pg_ctl` and removed afterwards.
//! - `cargo xtask ci`: formatting, clippy, then `test`.

mod postgres;
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
    let (task, rest) = args.split_first().map(|(t, r)| (t.as_str(), r.to_vec())).unwrap_or(("help", vec![]));
    match task {
        "test" => test(&rest),
        "ci" => {
            cargo(&["fmt", "--all", "--", "--check"])?;
            cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
            test(&rest)
        }
        _ => {
            eprintln!("usage: cargo xtask <test|ci> [extra cargo test arguments]");
            if task == "help" { Ok(()) } else { bail!("unknown task {task}") }
        }
    }
}

/// Runs `cargo test --workspace` with a PostgreSQL server at hand.
fn test(extra: &[String]) -> anyhow::Result<()> {
    let mut args = vec!["test".to_owned(), "--workspace".to_owned()];
    args.extend_from_slice(extra);
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            eprintln!("xtask: testing against DATABASE_URL");
            cargo_with_env(&args, None)
        }
        _ => {
            let cluster = postgres::Cluster::start().context(
                "DATABASE_URL is unset and no throwaway PostgreSQL could be started. Install \
                 PostgreSQL's server binaries (initdb, pg_ctl; Debian: postgresql) or set \
                 DATABASE_URL=postgres://USER@HOST:PORT/postgres to a server where USER may \
                 create databases",
            )?;
            eprintln!("xtask: testing against a throwaway cluster at {}", cluster.url());
            cargo_with_env(&args, Some(cluster.url()))
        }
    }
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    cargo_with_env(&args, None)
}

fn cargo_with_env(args: &[String], database_url: Option<&str>) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args);
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let status = command.status().with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}
