//! Serving HTTP until SIGTERM/SIGINT, then draining: `/readyz` says 503
//! (for `PROSPECTS_DRAIN_DELAY` after SIGTERM, while everything else is
//! still served), then no new connections are accepted and in-flight
//! requests finish.

use std::sync::atomic::Ordering;

use std::time::Duration;

use actix_http::{HttpService, KeepAlive, error::DispatchError};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::AppConfig;
use actix_web::http::header;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, web};
use anyhow::Context;
use prospects_domain::documents::ORPHAN_AGE;
use prospects_http::inbound::Inbound;
use prospects_http::openapi::served_document;
use prospects_http::{ApiState, configure, cors, observe};
use tokio::net::TcpStream;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::{bootstrap, telemetry, wiring};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let metrics = telemetry::install_recorder()?;
    let services = wiring::build(&config).await?;
    bootstrap::first_start(&config, &services).await?;
    let state = services.state.clone();
    // Never younger than twice the longest upload, whatever it is set to.
    sweep_documents(
        state.clone().into_inner(),
        ORPHAN_AGE.max(config.upload_timeout * 2),
    );
    purge_idempotency_keys(state.clone().into_inner());
    let client_timeout = config.client_timeout;
    let cors_origins = config.cors_origins.clone();
    // actix-web's HttpServer, assembled by hand so that each connection
    // passes through `Inbound` before actix parses it (JSON answers for
    // heads actix would refuse bare, raw UTF-8 in request targets served).
    let server = actix_server::Server::build()
        .bind("prospects", &config.bind, move || {
            let app = App::new()
                .wrap(cors::layer(&cors_origins))
                .wrap(from_fn(observe))
                .wrap(Compress::default())
                .configure(routes(state.clone()));
            fn_service(move |stream: TcpStream| async move {
                let peer = stream.peer_addr().ok();
                Ok::<_, DispatchError>((Inbound::new(stream, client_timeout), peer))
            })
            .and_then(
                HttpService::build()
                    // `Inbound` bounds the time a head takes, and answers in JSON.
                    .client_request_timeout(Duration::ZERO)
                    .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
                    .h1(map_config(app, |_| AppConfig::default())),
            )
        })
        .with_context(|| format!("cannot listen on {}", config.bind))?
        .disable_signals()
        .run();
    let metrics_server = match config.metrics_address() {
        Some(bind) => Some(telemetry::serve(bind, metrics, services.store.clone())?),
        None => None,
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = services.store.backend().name(),
        address = %config.bind,
        metrics = metrics_server.as_ref().map(|(address, _)| tracing::field::display(address)),
        cors = %config.cors_origins,
        shared_rate_limits = config.redis_url.is_some(),
        "serving the Prospects API"
    );
    let metrics_handle = metrics_server.as_ref().map(|(_, server)| server.handle());
    if let Some((_, server)) = metrics_server {
        tokio::spawn(server);
    }
    let handle = server.handle();
    let draining = services.draining.clone();
    let drain_delay = config.drain_delay;
    tokio::spawn(async move {
        let signal = shutdown_signal().await;
        draining.store(true, Ordering::Relaxed);
        // A person's Ctrl-C stops at once; a supervisor's SIGTERM first
        // lets the load balancer see `/readyz` fail.
        if signal == Signal::Terminate && !drain_delay.is_zero() {
            tracing::info!(delay = ?drain_delay, "SIGTERM: /readyz answers 503 until the listener closes");
            tokio::time::sleep(drain_delay).await;
        }
        tracing::info!("shutting down: no new connections, in-flight requests finish");
        handle.stop(true).await;
        if let Some(metrics) = metrics_handle {
            metrics.stop(false).await;
        }
    });
    server.await.context("the server failed")
}

/// Removes, at start and then hourly, the files a killed process left
/// without a row, once older than `age` (see `DocumentService::sweep`).
fn sweep_documents(state: std::sync::Arc<ApiState>, age: Duration) {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(ORPHAN_AGE);
        loop {
            hourly.tick().await;
            match state.documents.sweep(age).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed files no document holds"),
                Err(error) => {
                    tracing::warn!(error = ?error, "could not sweep the documents' files")
                }
            }
        }
    });
}

/// Deletes, at start and then hourly, the idempotency keys older than
/// their retention.
fn purge_idempotency_keys(state: std::sync::Arc<ApiState>) {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            hourly.tick().await;
            match state.idempotency.purge().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged expired idempotency keys"),
                Err(error) => {
                    tracing::warn!(error = ?error, "could not purge the idempotency keys")
                }
            }
        }
    });
}

#[derive(Debug, PartialEq, Eq)]
enum Signal {
    Terminate,
    Interrupt,
}

async fn shutdown_signal() -> Signal {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => Signal::Terminate,
                _ = tokio::signal::ctrl_c() => Signal::Interrupt,
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}

/// Every route: the API, its OpenAPI document at `/api-docs/openapi.json`,
/// and Swagger UI at `/docs` (built in; nothing is fetched from the internet).
pub fn routes(state: web::Data<ApiState>) -> impl FnOnce(&mut web::ServiceConfig) {
    let document = served_document(state.settings.max_per_page);
    move |cfg| {
        cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", document))
            .service(web::resource("/docs").route(web::get().to(|| async {
                HttpResponse::MovedPermanently()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            })));
        configure(state)(cfg);
    }
}
