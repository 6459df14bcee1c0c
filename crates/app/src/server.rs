//! Serving HTTP until SIGTERM/SIGINT, then draining: `/readyz` says 503,
//! no new connections are accepted, in-flight requests finish.

use std::sync::atomic::Ordering;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use anyhow::Context;
use prospects_http::{configure, observe};

use crate::config::Config;
use crate::{bootstrap, wiring};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let services = wiring::build(&config).await?;
    bootstrap::first_start(&config, &services).await?;
    let state = services.state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(observe))
            .configure(configure(state.clone()))
    })
    .bind(&config.bind)
    .with_context(|| format!("cannot listen on {}", config.bind))?
    .disable_signals()
    .run();
    tracing::info!(address = %config.bind, "serving the Prospects API");
    let handle = server.handle();
    let draining = services.draining.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: draining in-flight requests");
        draining.store(true, Ordering::Relaxed);
        handle.stop(true).await;
    });
    server.await.context("the server failed")
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
