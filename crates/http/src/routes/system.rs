//! Unauthenticated probes: version, liveness, readiness.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::state::ApiState;
use crate::wire::ErrorBody;
use crate::wire::system::{StatusBody, VersionBody};

/// Version
#[utoipa::path(get, path = "/api/version", tag = "System", operation_id = "version",
    responses((status = 200, description = "The running version", body = VersionBody)))]
pub async fn version(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().json(VersionBody {
        version: &state.settings.version,
        status: "ok",
    })
}

/// Liveness
///
/// The process is up; says nothing about the database.
#[utoipa::path(get, path = "/livez", tag = "System", operation_id = "livez",
    responses((status = 200, description = "Alive", body = StatusBody)))]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(StatusBody { status: "ok" })
}

/// Readiness
///
/// Ready for traffic: the database answers and the server is not draining.
#[utoipa::path(get, path = "/readyz", tag = "System", operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = StatusBody),
        (status = 503, description = "Draining, or the database does not answer", body = ErrorBody),
    ))]
pub async fn readyz(state: web::Data<ApiState>) -> HttpResponse {
    if !state.is_draining() && state.health.ping().await.is_ok() {
        return HttpResponse::Ok().json(StatusBody { status: "ok" });
    }
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, "5"))
        .json(ErrorBody {
            message: "Service Unavailable".to_owned(),
        })
}
