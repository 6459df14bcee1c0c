//! Logs and metrics. Logs: one flat JSON object per line on stderr (no
//! nested `fields`), filtered by `RUST_LOG`. Metrics: Prometheus text at
//! `GET /metrics` on `PROSPECTS_METRICS_BIND`, apart from the API.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use prospects_http::metrics::{RATE_LIMIT_REFUSALS, REQUEST_DURATION, REQUESTS, TOKEN_REFUSALS};
use prospects_infra::Store;
use prospects_infra::store::DATABASE_ERRORS;

const POOL_CONNECTIONS: &str = "prospects_db_pool_connections";
const POOL_WAITING: &str = "prospects_db_pool_waiting";
const POOL_MAX: &str = "prospects_db_pool_max_connections";
const BUILD_INFO: &str = "prospects_build_info";

/// Latency buckets, in seconds: from a cached GET to a timed-out call.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often histograms are folded (the exporter's own upkeep).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Flat JSON lines on stderr, `info` unless `RUST_LOG` says otherwise.
pub fn init_logs() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .init();
}

/// Installs the process's recorder: from here on, what the web layer and
/// the store count is kept.
pub fn install_recorder() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.to_owned()), &LATENCY_BUCKETS)
        .context("latency buckets")?
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    describe();
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "Requests answered, by method, route template and status."
    );
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Time from a request's head to its response, by method and route template."
    );
    describe_counter!(
        TOKEN_REFUSALS,
        "Requests whose token was refused, by reason (missing, rejected, revoked, no_active_user, forbidden)."
    );
    describe_counter!(
        RATE_LIMIT_REFUSALS,
        "Requests refused with 429, by budget (token, login_email, login_address)."
    );
    describe_counter!(
        DATABASE_ERRORS,
        "Storage calls that failed, by kind (unavailable, unexpected)."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database connections, by state (in_use, idle)."
    );
    describe_gauge!(
        POOL_WAITING,
        "Storage calls waiting for a database connection."
    );
    describe_gauge!(POOL_MAX, "The most database connections the pool opens.");
    describe_gauge!(BUILD_INFO, "Always 1; the version is a label.");
}

/// Binds the metrics address (a port of 0 picks a free one) and serves
/// `GET /metrics` there until the process ends; returns the bound address.
pub fn serve(
    bind: &str,
    handle: PrometheusHandle,
    store: Store,
) -> anyhow::Result<(std::net::SocketAddr, actix_web::dev::Server)> {
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let server = HttpServer::new(move || {
        let handle = handle.clone();
        let store = store.clone();
        App::new().route(
            "/metrics",
            web::get().to(move || {
                let (handle, store) = (handle.clone(), store.clone());
                async move {
                    record_pool(&store);
                    HttpResponse::Ok()
                        .content_type("text/plain; version=0.0.4; charset=utf-8")
                        .body(handle.render())
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(bind)
    .with_context(|| {
        format!("cannot serve metrics on {bind} (PROSPECTS_METRICS_BIND; `off` serves none)")
    })?;
    let address = server
        .addrs()
        .first()
        .copied()
        .context("the metrics address")?;
    Ok((address, server.run()))
}

/// The pool as it is at the scrape.
fn record_pool(store: &Store) {
    let status = store.pool_status();
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(status.in_use as f64);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(status.idle as f64);
    metrics::gauge!(POOL_WAITING).set(status.waiting as f64);
    metrics::gauge!(POOL_MAX).set(status.max_size as f64);
}
