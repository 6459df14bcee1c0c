//! `/api/v1/{brands,sectors,clusters,batches,prospection-codes}`: reference
//! data. Every user reads it (a bare array, by id; prospection codes in
//! pipeline order); users above the sales level write it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{ReferenceInput, ReferenceKind};

use crate::auth::{Caller, parse_id};
use crate::body;
use crate::errors::ApiError;
use crate::state::ApiState;
use crate::wire::ErrorBody;
use crate::wire::reference_data::{ReferenceBody, ReferenceRequest};

async fn list(kind: ReferenceKind, state: &ApiState) -> Result<HttpResponse, ApiError> {
    let entries = state.reference_data.list(kind).await?;
    let body: Vec<ReferenceBody> = entries.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

async fn show(
    kind: ReferenceKind,
    req: &HttpRequest,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(kind, req)?;
    let entry = state.reference_data.show(kind, id).await?;
    Ok(HttpResponse::Ok().json(ReferenceBody::from(&entry)))
}

async fn create(
    kind: ReferenceKind,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let input = read_input(req, payload, state).await?;
    let entry = state
        .reference_data
        .create(caller.actor(), kind, input)
        .await?;
    let location = state
        .settings
        .origins
        .absolute_url(req, &format!("{}/{}", req.path(), entry.id));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(ReferenceBody::from(&entry)))
}

async fn update(
    kind: ReferenceKind,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(kind, req)?;
    let input = read_input(req, payload, state).await?;
    let entry = state
        .reference_data
        .update(caller.actor(), kind, id, input)
        .await?;
    Ok(HttpResponse::Ok().json(ReferenceBody::from(&entry)))
}

async fn delete(
    kind: ReferenceKind,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(kind, req)?;
    state
        .reference_data
        .delete(caller.actor(), kind, id)
        .await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: format!("{} deleted.", capitalized(kind.noun())),
    }))
}

async fn read_input(
    req: &HttpRequest,
    payload: web::Payload,
    state: &ApiState,
) -> Result<ReferenceInput, ApiError> {
    Ok(
        body::request::<ReferenceRequest>(req, payload, &state.settings)
            .await?
            .into(),
    )
}

/// The `{id}` segment; one that is not a positive integer names no entry.
fn entry_id(kind: ReferenceKind, req: &HttpRequest) -> Result<i64, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .map(|id| id.0)
        .ok_or_else(|| ApiError::ModelNotFound(kind.model(), segment.to_owned()))
}

fn capitalized(noun: &str) -> String {
    let mut chars = noun.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// One kind's five operations, each documented under its own path and
/// operation id (`listBrands`, `createBrand`, ...).
macro_rules! reference_routes {
    (
        $module:ident, $kind:expr, $tag:literal,
        $collection:literal, $member:literal,
        $list:literal, $create:literal, $show:literal, $update:literal, $delete:literal
    ) => {
        pub mod $module {
            use super::*;

            #[utoipa::path(get, path = $collection, tag = $tag, operation_id = $list,
                responses((status = 200, description = "Every entry", body = Vec<ReferenceBody>)),
                security(("bearerAuth" = [])))]
            pub async fn list(_caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::list($kind, &state).await
            }

            #[utoipa::path(post, path = $collection, tag = $tag, operation_id = $create,
                request_body = ReferenceRequest,
                responses(
                    (status = 201, description = "Created; `Location` names it", body = ReferenceBody,
                        headers(("Location" = String, description = "URL of the created entry"))),
                    (status = 400, description = "The body is not a JSON object", body = ErrorBody),
                    (status = 403, description = "A sales user", body = ErrorBody),
                    (status = 413, description = "The body is over the size limit", body = ErrorBody),
                    (status = 422, description = "Validation failed", body = crate::wire::ValidationErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn create(req: HttpRequest, caller: Caller, payload: web::Payload, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::create($kind, &req, &caller, payload, &state).await
            }

            #[utoipa::path(get, path = $member, tag = $tag, operation_id = $show,
                params(("id" = i64, Path, description = "Entry id")),
                responses(
                    (status = 200, description = "The entry", body = ReferenceBody),
                    (status = 404, description = "No such entry", body = ErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn show(req: HttpRequest, _caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::show($kind, &req, &state).await
            }

            #[utoipa::path(put, path = $member, tag = $tag, operation_id = $update,
                params(("id" = i64, Path, description = "Entry id")),
                request_body = ReferenceRequest,
                responses(
                    (status = 200, description = "The updated entry", body = ReferenceBody),
                    (status = 400, description = "The body is not a JSON object", body = ErrorBody),
                    (status = 403, description = "A sales user", body = ErrorBody),
                    (status = 404, description = "No such entry", body = ErrorBody),
                    (status = 413, description = "The body is over the size limit", body = ErrorBody),
                    (status = 422, description = "Validation failed", body = crate::wire::ValidationErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn update(req: HttpRequest, caller: Caller, payload: web::Payload, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::update($kind, &req, &caller, payload, &state).await
            }

            #[utoipa::path(delete, path = $member, tag = $tag, operation_id = $delete,
                params(("id" = i64, Path, description = "Entry id")),
                responses(
                    (status = 200, description = "Deleted", body = ErrorBody),
                    (status = 403, description = "A sales user", body = ErrorBody),
                    (status = 404, description = "No such entry", body = ErrorBody),
                    (status = 409, description = "Still used by prospects; nothing was deleted", body = ErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn delete(req: HttpRequest, caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::delete($kind, &req, &caller, &state).await
            }

            /// The kind's two resources.
            pub fn configure(cfg: &mut web::ServiceConfig) {
                cfg.service(
                    crate::routes::resource($collection, &["GET", "HEAD", "POST"])
                        .route(web::get().to(list))
                        .route(web::head().to(list))
                        .route(web::post().to(create)),
                )
                .service(
                    crate::routes::resource($member, &["GET", "HEAD", "PUT", "DELETE"])
                        .route(web::get().to(show))
                        .route(web::head().to(show))
                        .route(web::put().to(update))
                        .route(web::delete().to(delete)),
                );
            }
        }
    };
}

reference_routes!(
    brands,
    ReferenceKind::Brand,
    "Brands",
    "/api/v1/brands",
    "/api/v1/brands/{id}",
    "listBrands",
    "createBrand",
    "showBrand",
    "updateBrand",
    "deleteBrand"
);
reference_routes!(
    sectors,
    ReferenceKind::Sector,
    "Sectors",
    "/api/v1/sectors",
    "/api/v1/sectors/{id}",
    "listSectors",
    "createSector",
    "showSector",
    "updateSector",
    "deleteSector"
);
reference_routes!(
    clusters,
    ReferenceKind::Cluster,
    "Clusters",
    "/api/v1/clusters",
    "/api/v1/clusters/{id}",
    "listClusters",
    "createCluster",
    "showCluster",
    "updateCluster",
    "deleteCluster"
);
reference_routes!(
    batches,
    ReferenceKind::Batch,
    "Batches",
    "/api/v1/batches",
    "/api/v1/batches/{id}",
    "listBatches",
    "createBatch",
    "showBatch",
    "updateBatch",
    "deleteBatch"
);
reference_routes!(
    prospection_codes,
    ReferenceKind::ProspectionCode,
    "Prospection codes",
    "/api/v1/prospection-codes",
    "/api/v1/prospection-codes/{id}",
    "listProspectionCodes",
    "createProspectionCode",
    "showProspectionCode",
    "updateProspectionCode",
    "deleteProspectionCode"
);
