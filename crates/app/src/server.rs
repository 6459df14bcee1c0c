//! Serving HTTP until SIGTERM/SIGINT, then draining: `/readyz` says 503,
//! no new connections are accepted, in-flight requests finish.

use std::sync::atomic::Ordering;

use std::time::Duration;

use actix_http::{HttpService, KeepAlive, error::DispatchError};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::AppConfig;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};
use anyhow::Context;
use prospects_domain::documents::ORPHAN_AGE;
use prospects_http::inbound::Inbound;
use prospects_http::openapi::served_document;
use prospects_http::{ApiState, configure, observe};
use tokio::net::TcpStream;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::{bootstrap, wiring};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let services = wiring::build(&config).await?;
    bootstrap::first_start(&config, &services).await?;
    let state = services.state.clone();
    // Never younger than twice the longest upload, whatever it is set to.
    sweep_documents(
        state.clone().into_inner(),
        ORPHAN_AGE.max(config.upload_timeout * 2),
    );
    let client_timeout = config.client_timeout;
    // actix-web's HttpServer, assembled by hand so that each connection
    // passes through `Inbound` before actix parses it (JSON answers for
    // heads actix would refuse bare, raw UTF-8 in request targets served).
    let server = actix_server::Server::build()
        .bind("prospects", &config.bind, move || {
            let app = App::new()
                .wrap(from_fn(observe))
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
