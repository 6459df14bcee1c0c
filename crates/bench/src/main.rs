//! `prospects-bench`, run by `cargo xtask bench`: seeds realistic prospects
//! on PostgreSQL and SQLite, starts the server on each, checks every
//! scenario's answer against the database, then drives each scenario and,
//! interleaved with it, PostgreSQL's own floor for the same answer; writes
//! the tables into `docs/benchmarks.md`.

mod check;
mod data;
mod direct;
mod floor;
mod http;
mod load;
mod ours;
mod report;
mod scenarios;
mod seed;
mod server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};

use crate::direct::Direct;
use crate::floor::FloorWorker;
use crate::http::Connection;
use crate::load::{Worker, drive};
use crate::ours::HttpWorker;
use crate::report::{Row, Section};
use crate::scenarios::Context;
use crate::server::Server;

#[derive(Debug, Parser)]
#[command(
    name = "prospects-bench",
    about = "Benchmarks the prospects server against PostgreSQL's own floor"
)]
struct Args {
    /// Prospects to seed.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// How long each scenario, and then its floor, is measured.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Load before each measurement, not counted.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Use a database seeded by an earlier run with the same --rows.
    #[arg(long)]
    reuse: bool,
    #[arg(long, value_delimiter = ',', default_value = "postgres,sqlite")]
    backends: Vec<BackendArg>,
    /// A PostgreSQL server where the bench may create its database
    /// (`prospects_bench_ROWS`).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    postgres_url: Option<String>,
    /// The `prospects` binary to measure.
    #[arg(long)]
    server: PathBuf,
    /// Where SQLite databases, data directories and server logs go.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// Check every answer and fail on any error; write no report.
    #[arg(long)]
    check: bool,
    #[arg(long, default_value = "docs/benchmarks.md")]
    report: PathBuf,
    /// Concurrent HTTP connections (wrk's -c).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Concurrent PostgreSQL connections of the floor (pgbench's -c).
    #[arg(long, default_value_t = 8)]
    floor_connections: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Postgres,
    Sqlite,
}

// Two worker threads, as `wrk -t2`.
#[tokio::main(worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.work_dir)?;
    let started = Instant::now();
    let load_before = load_average();
    let mut sections = Vec::new();
    for backend in &args.backends {
        sections.push(run_backend(args, *backend).await?);
    }
    let header = format!(
        "Run of {} (commit {}), {} prospects, {:?} per measurement after {:?} of warm-up, \
         {} HTTP connections, {} floor connections; {}; load average {} before, {} after; \
         the whole run took {:.0?}.",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        commit(),
        args.rows,
        args.duration,
        args.warmup,
        args.connections,
        args.floor_connections,
        machine(),
        load_before,
        load_average(),
        started.elapsed(),
    );
    let tables = report::render(&header, &sections);
    if args.check {
        println!("{tables}");
        eprintln!("bench: every scenario answered correctly, with no error under load");
    } else {
        report::write(&args.report, &tables)?;
        eprintln!("bench: wrote {}", args.report.display());
    }
    Ok(())
}

async fn run_backend(args: &Args, backend: BackendArg) -> anyhow::Result<Section> {
    let (title, data_dir) = match backend {
        BackendArg::Postgres => (
            "PostgreSQL",
            args.work_dir.join(format!("postgres-{}", args.rows)),
        ),
        BackendArg::Sqlite => (
            "SQLite",
            args.work_dir.join(format!("sqlite-{}", args.rows)),
        ),
    };
    if !args.reuse && data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    std::fs::create_dir_all(&data_dir)?;
    let data_dir = std::fs::canonicalize(&data_dir)?;
    let url = match backend {
        BackendArg::Postgres => {
            let server = args
                .postgres_url
                .as_deref()
                .context("PostgreSQL needs --postgres-url or DATABASE_URL")?;
            postgres_database(server, args.rows, args.reuse).await?
        }
        BackendArg::Sqlite => format!("sqlite://{}", data_dir.join("prospects.db").display()),
    };
    eprintln!("bench: {title}: starting the server");
    let server = Server::start(&args.server, &url, &data_dir).await?;
    let admin_token = issue_admin_token(&args.server, &url, &data_dir)?;
    let mut conn = Connection::open(server.address).await?;
    let representatives = seed::users(&mut conn, &admin_token).await?;
    let direct = match backend {
        BackendArg::Postgres => Direct::postgres(&url).await?,
        BackendArg::Sqlite => Direct::sqlite(&data_dir.join("prospects.db").display().to_string())?,
    };
    let seeding = Instant::now();
    seed::prospects(&url, &direct, args.rows, &representatives).await?;
    match backend {
        BackendArg::Postgres => direct.execute("VACUUM ANALYZE").await?,
        BackendArg::Sqlite => direct.execute("ANALYZE").await?,
    }
    let seeded = format!(
        "seeded (or reused) and analyzed in {:.0?}",
        seeding.elapsed()
    );
    // The server closes a connection left idle that long: open another.
    let mut conn = Connection::open(server.address).await?;
    let deep_cursor = seed::deep_cursor(&mut conn, &admin_token, args.rows).await?;
    eprintln!(
        "bench: {title}: a cursor {} rows deep into sort=-created_at",
        deep_cursor.depth
    );
    let context = Arc::new(Context {
        rows: args.rows,
        admin_token,
        sales_token: seed::sales_token(&mut conn).await?,
        sales_id: representatives[0],
        deep_cursor,
    });
    let scenarios = scenarios::all(&context);

    let mut wrong = Vec::new();
    for scenario in &scenarios {
        if let Err(error) = check::answer(&mut conn, &direct, &context, scenario).await {
            wrong.push(format!("{}: {error:#}", scenario.name));
        }
    }
    if !wrong.is_empty() {
        bail!("{title}: wrong answers:\n  {}", wrong.join("\n  "));
    }
    eprintln!("bench: {title}: every scenario answers correctly");

    let mut rows = Vec::new();
    for (n, scenario) in scenarios.into_iter().enumerate() {
        let scenario = Arc::new(scenario);
        let mut workers: Vec<Box<dyn Worker>> = Vec::new();
        for worker in 0..args.connections {
            let seed = (n * 1000 + worker) as u64;
            workers.push(Box::new(
                HttpWorker::new(server.address, scenario.clone(), context.clone(), seed).await?,
            ));
        }
        let ours = drive(workers, args.warmup, args.duration).await;
        let floor = match backend {
            BackendArg::Postgres => {
                let mut workers: Vec<Box<dyn Worker>> = Vec::new();
                for worker in 0..args.floor_connections {
                    let seed = (n * 1000 + 500 + worker) as u64;
                    workers.push(Box::new(
                        FloorWorker::new(&url, scenario.clone(), context.clone(), seed).await?,
                    ));
                }
                Some(drive(workers, args.warmup, args.duration).await)
            }
            BackendArg::Sqlite => None,
        };
        eprintln!(
            "bench: {title}: {}: {:.0} req/s (p50 {:.1} ms, p99 {:.1} ms){}",
            scenario.name,
            ours.per_second,
            ours.p50_ms,
            ours.p99_ms,
            floor
                .as_ref()
                .map(|f| format!("; floor {:.0} req/s", f.per_second))
                .unwrap_or_default()
        );
        for measured in std::iter::once(&ours).chain(floor.as_ref()) {
            if args.check && (measured.errors > 0 || measured.operations == 0) {
                bail!(
                    "{title}: {}: {} errors in {} operations, the first: {}",
                    scenario.name,
                    measured.errors,
                    measured.operations,
                    measured.first_error.as_deref().unwrap_or("none")
                );
            }
        }
        rows.push(Row {
            scenario: scenario.name.to_owned(),
            floor_note: scenario.floor_note,
            ours,
            floor,
        });
    }
    Ok(Section {
        title: title.to_owned(),
        database: direct.version().await?,
        rows,
        memory_kib: server.memory_kib(),
        seeded,
    })
}

/// The URL of a database of its own on `server`, created afresh unless an
/// earlier run's may be reused.
async fn postgres_database(server: &str, rows: u64, reuse: bool) -> anyhow::Result<String> {
    let name = format!("prospects_bench_{rows}");
    let admin = floor::connect(server).await?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !(reuse && exists) {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
    }
    Ok(with_database(server, &name))
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A token for the administrator the server created on its first start.
fn issue_admin_token(binary: &Path, url: &str, data_dir: &Path) -> anyhow::Result<String> {
    let output = Command::new(binary)
        .args([
            "tokens",
            "issue",
            "--email",
            "admin@localhost",
            "--ttl",
            "4h",
        ])
        .env("DATABASE_URL", url)
        .env("PROSPECTS_DATA_DIR", data_dir)
        .output()
        .context("cannot run prospects tokens issue")?;
    if !output.status.success() {
        bail!(
            "prospects tokens issue: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

fn commit() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu})")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_database_replaces_the_servers() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgresql://u@h/db?sslmode=disable", "b"),
            "postgresql://u@h/b?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "b"), "postgres://u@h/b");
    }
}
