//! Unauthenticated probes: version, liveness, readiness.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::ApiState;

pub async fn version(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"version": state.settings.version, "status": "ok"}))
}

/// The process is up; says nothing about the database.
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready for traffic: the database answers and the server is not draining.
pub async fn readyz(state: web::Data<ApiState>) -> HttpResponse {
    if !state.is_draining() && state.health.ping().await.is_ok() {
        return HttpResponse::Ok().json(json!({"status": "ok"}));
    }
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, "5"))
        .json(json!({"message": "Service Unavailable"}))
}
