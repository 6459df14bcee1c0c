//! `/api/v1/prospects`: list, create, show, update, delete.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::ProspectId;
use serde_json::json;

use crate::auth::{Caller, parse_id};
use crate::errors::ApiError;
use crate::pagination::PageContext;
use crate::state::ApiState;
use crate::wire::{ProspectBody, ProspectDetailsBody};
use crate::{body, input, query};

pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let request = query::parse_list(req.query_string(), state.settings.max_per_page)?;
    let page = state.prospects.list(caller.0, &request.query).await?;
    let data: Vec<ProspectBody> = page.items.iter().map(Into::into).collect();
    let body = PageContext {
        path: absolute_url(&req, "/api/v1/prospects"),
        carried: &request.carried,
        page: request.query.page,
        per_page: request.query.per_page,
        total: page.total,
    }
    .paginate(data);
    Ok(HttpResponse::Ok().json(body))
}

pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let raw = body::read(&req, payload, state.settings.body_limit).await?;
    let (input, earlier) = input::prospect_input(&body::object(&req, &raw)?);
    let created = state.prospects.create(caller.0, input, earlier).await?;
    let location = absolute_url(&req, &format!("/api/v1/prospects/{}", created.id.0));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(ProspectBody::from(&created)))
}

pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    let details = state.prospects.show(caller.0, id).await?;
    Ok(HttpResponse::Ok().json(ProspectDetailsBody::from(&details)))
}

/// PUT (and PATCH): the fields sent are written; 201 as the vendor documents.
pub async fn update(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    let raw = body::read(&req, payload, state.settings.body_limit).await?;
    let (input, earlier) = input::prospect_input(&body::object(&req, &raw)?);
    let updated = state.prospects.update(caller.0, id, input, earlier).await?;
    Ok(HttpResponse::Created().json(ProspectBody::from(&updated)))
}

pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    state.prospects.delete(caller.0, id).await?;
    Ok(HttpResponse::Ok().json(json!({"message": "Prospect deleted."})))
}

/// The `{id}` segment; one that is not a positive integer names no prospect.
fn prospect_id(req: &HttpRequest) -> Result<ProspectId, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment).ok_or_else(|| ApiError::ProspectNotFound(segment.to_owned()))
}

/// `scheme://host` of the request followed by `path`.
fn absolute_url(req: &HttpRequest, path: &str) -> String {
    let info = req.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), path)
}
