//! `/api/v1/prospects`: list, create, show, update, delete.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{AccountId, ProspectInput};

use crate::auth::{Caller, parse_id};
use crate::errors::ApiError;
use crate::pagination::{PageContext, Paginated};

/// One page of prospects.
type ProspectPage<'a> = Paginated<ProspectBody<'a>>;
use crate::query::ListParams;
use crate::state::ApiState;
use crate::wire::{
    ErrorBody, NewProspect, ProspectBody, ProspectChanges, ProspectDetailsBody, ValidationErrorBody,
};
use crate::{body, dialect, query};

/// List prospects
///
/// Filters combine with AND; an empty filter value is skipped. Without `sort`
/// the order is by id (by relevance first when `filter[term_match]` is given).
/// A sales user sees only the prospects they represent, and `total` counts only those.
#[utoipa::path(
    get,
    path = "/api/v1/prospects",
    tag = "Prospects",
    operation_id = "listProspects",
    params(ListParams),
    responses(
        (status = 200, description = "One page of prospects", body = ProspectPage),
        (status = 400, description = "An unknown filter or sort, or a query string that is not UTF-8", body = ErrorBody),
        (status = 422, description = "`per_page` out of bounds, or a filter over its bounds (1,000 characters; parts or words as stated on each filter), reported on `filter.name`, `filter.id` or `filter.term_match`", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let request = query::parse_list(req.query_string(), state.settings.max_per_page)?;
    let page = state.prospects.list(caller.actor(), &request.query).await?;
    let data: Vec<ProspectBody> = page.items.iter().map(Into::into).collect();
    let body = PageContext {
        path: state.settings.origins.absolute_url(&req, req.path()),
        carried: &request.carried,
        page: request.query.page,
        per_page: request.query.per_page,
        total: page.total,
    }
    .paginate(data);
    Ok(HttpResponse::Ok().json(body))
}

/// Create a prospect
///
/// The account number is generated. A sales user always becomes the
/// representative, whatever `representative_id` says.
#[utoipa::path(
    post,
    path = "/api/v1/prospects",
    tag = "Prospects",
    operation_id = "createProspect",
    request_body = NewProspect,
    responses(
        (status = 201, description = "Created; `Location` names the new prospect", body = ProspectBody,
            headers(("Location" = String, description = "URL of the created prospect"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let raw = body::read(&req, payload, &state.settings).await?;
    let mut fields = body::object(&req, &raw)?;
    let sent_as = dialect::accept(&mut fields);
    let NewProspect(sent) = body::typed(fields)?;
    let input = ProspectInput::from(sent);
    let created = state
        .prospects
        .create(caller.actor(), input)
        .await
        .map_err(|error| sent_as.relabel(error.into()))?;
    // Under the path the request came by (the SDK mount has its own).
    let location = state
        .settings
        .origins
        .absolute_url(&req, &format!("{}/{}", req.path(), created.id.0));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(ProspectBody::from(&created)))
}

/// Show a prospect
///
/// With its payment plan, contacts and documents. A sales user gets 403 for
/// a prospect they do not represent.
#[utoipa::path(
    get,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "showProspect",
    params(("id" = i64, Path, description = "Prospect id")),
    responses(
        (status = 200, description = "The prospect", body = ProspectDetailsBody),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    let details = state.prospects.show(caller.actor(), id).await?;
    Ok(HttpResponse::Ok().json(ProspectDetailsBody::from(&details)))
}

/// Update a prospect
///
/// The fields sent are validated and written, the others kept; answers 201 as
/// the vendor documents. A sales user gets 403 for a
/// prospect they do not represent, or for a `representative_id` other than their own.
#[utoipa::path(
    put,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "updateProspect",
    params(("id" = i64, Path, description = "Prospect id")),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated prospect", body = ProspectBody),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the prospect to someone else", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn update(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    let raw = body::read(&req, payload, &state.settings).await?;
    let mut fields = body::object(&req, &raw)?;
    let sent_as = dialect::accept(&mut fields);
    let input = ProspectInput::from(body::typed::<ProspectChanges>(fields)?);
    let updated = state
        .prospects
        .update(caller.actor(), id, input)
        .await
        .map_err(|error| sent_as.relabel(error.into()))?;
    Ok(HttpResponse::Created().json(ProspectBody::from(&updated)))
}

/// Update a prospect (PATCH)
///
/// The same as `PUT`: the fields sent are validated and written, the others
/// kept; answers 201.
#[utoipa::path(
    patch,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "patchProspect",
    params(("id" = i64, Path, description = "Prospect id")),
    request_body = Option<ProspectChanges>,
    responses(
        (status = 201, description = "The updated prospect", body = ProspectBody),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "Outside the caller's scope, or handing the prospect to someone else", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn patch(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, payload, state).await
}

/// Delete a prospect
///
/// With its contacts, documents and payment plan, in one transaction.
#[utoipa::path(
    delete,
    path = "/api/v1/prospects/{id}",
    tag = "Prospects",
    operation_id = "deleteProspect",
    params(("id" = i64, Path, description = "Prospect id")),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody, example = json!({"message": "Prospect deleted."})),
        (status = 403, description = "Outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such prospect", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = prospect_id(&req)?;
    state.prospects.delete(caller.actor(), id).await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Prospect deleted.".to_owned(),
    }))
}

/// The `{id}` segment; one that is not a positive integer names no prospect.
fn prospect_id(req: &HttpRequest) -> Result<AccountId, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment).ok_or_else(|| ApiError::ProspectNotFound(segment.to_owned()))
}
