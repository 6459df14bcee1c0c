//! `cargo xtask fuzz`: runs the cargo-fuzz targets for a bounded time each.
//! Needs the nightly toolchain and `cargo install cargo-fuzz`. New inputs
//! go to `fuzz/corpus/<target>` (not committed); the committed seeds in
//! `fuzz/seeds/<target>` are read, never written; a crash stops the run and
//! leaves its input in `fuzz/artifacts/<target>`, and so does an input that
//! takes more than 10 s.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

pub const TARGETS: [&str; 4] = ["request_body", "list_query", "token", "inbound"];
const DEFAULT_SECONDS: u64 = 60;
const SLOW_INPUT_SECONDS: u64 = 10;
const MAX_INPUT_BYTES: usize = 64 * 1024;

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let (seconds, targets) = parse(args)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives in the repository")?;
    for target in &targets {
        let corpus = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("cannot create {}", corpus.display()))?;
        let seeds = root.join("fuzz/seeds").join(target);
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let started = Instant::now();
        let status = nightly_cargo()
            .current_dir(root)
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            // An input that takes longer is a finding too (a request must not hang).
            .arg(format!("-timeout={SLOW_INPUT_SECONDS}"))
            // Inputs as large as the server takes (its body limit; a query
            // string of this size is well past any filter's bounds).
            .arg(format!("-max_len={MAX_INPUT_BYTES}"))
            .status()
            .context(
                "cannot run `cargo +nightly fuzz`: install it with `cargo install cargo-fuzz`",
            )?;
        if !status.success() {
            bail!("{target} found a crash: see fuzz/artifacts/{target}");
        }
        eprintln!(
            "xtask: {target}: no crash in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `[SECONDS] [TARGET...]`, in either order.
fn parse(args: &[String]) -> anyhow::Result<(u64, Vec<String>)> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    for arg in args {
        if let Ok(value) = arg.parse() {
            seconds = value;
        } else if TARGETS.contains(&arg.as_str()) {
            targets.push(arg.clone());
        } else {
            bail!(
                "unknown fuzz target {arg}; the targets are {}",
                TARGETS.join(", ")
            );
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    Ok((seconds, targets))
}

/// The rustup `cargo` with `+nightly`: the variables cargo set for this
/// process would pin the stable toolchain.
fn nightly_cargo() -> Command {
    let mut command = Command::new("cargo");
    command.arg("+nightly");
    for variable in [
        "CARGO",
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "RUSTC_WRAPPER",
    ] {
        command.env_remove(variable);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn seconds_and_targets_are_optional() {
        let (seconds, targets) = parse(&[]).expect("defaults");
        assert_eq!(seconds, 60);
        assert_eq!(targets, TARGETS);
        let (seconds, targets) = parse(&args(&["token", "300"])).expect("both");
        assert_eq!((seconds, targets), (300, args(&["token"])));
        assert!(parse(&args(&["nonsense"])).is_err());
    }

    #[test]
    fn every_target_has_a_source_and_seeds() {
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
        for target in TARGETS {
            assert!(
                fuzz.join(format!("fuzz_targets/{target}.rs")).is_file(),
                "{target}"
            );
            assert!(
                fuzz.join(format!("seeds/{target}")).read_dir().is_ok(),
                "{target}"
            );
        }
    }
}
