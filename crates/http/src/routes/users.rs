//! `/api/user` (the caller) and `/api/v1/users`: every user reads users
//! (clients pick representatives from them); users above the sales level
//! create, change and delete them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{UserId, UserInput};

use crate::auth::{Caller, parse_id};
use crate::body;
use crate::errors::ApiError;
use crate::pagination::{PageContext, Paginated};
use crate::query::{self, UserListParams};
use crate::state::ApiState;
use crate::wire::users::{UserBody, UserRequest};
use crate::wire::{ErrorBody, ValidationErrorBody};

/// One page of users.
type UserPage<'a> = Paginated<UserBody<'a>>;

/// The caller
///
/// The user the token speaks for.
#[utoipa::path(get, path = "/api/user", tag = "Users", operation_id = "currentUser",
    responses((status = 200, description = "The caller", body = UserBody)),
    security(("bearerAuth" = [])))]
pub async fn current(caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
    let user = state.users.show(caller.actor().user_id()).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

/// List users
///
/// By id, filtered by case-insensitive substrings of the name and email.
#[utoipa::path(get, path = "/api/v1/users", tag = "Users", operation_id = "listUsers",
    params(UserListParams),
    responses(
        (status = 200, description = "One page of users", body = UserPage),
        (status = 400, description = "An unknown filter, or a query string that is not UTF-8", body = ErrorBody),
        (status = 422, description = "`per_page` out of bounds, or a filter over 1,000 characters", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = [])))]
pub async fn list(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let request = query::parse_user_list(req.query_string(), state.settings.max_per_page)?;
    let page = state.users.list(&request.query).await?;
    let data: Vec<UserBody> = page.items.iter().map(Into::into).collect();
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

/// Create a user
#[utoipa::path(post, path = "/api/v1/users", tag = "Users", operation_id = "createUser",
    request_body = UserRequest,
    responses(
        (status = 201, description = "Created; `Location` names the new user", body = UserBody,
            headers(("Location" = String, description = "URL of the created user"))),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "A sales user, or a role above the caller's own", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed, or the email is taken", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = [])))]
pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let input = read_input(&req, payload, &state).await?;
    let user = state.users.create_as(caller.actor(), input).await?;
    let location = state
        .settings
        .origins
        .absolute_url(&req, &format!("{}/{}", req.path(), user.id.0));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(UserBody::from(&user)))
}

/// Show a user
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "Users", operation_id = "showUser",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ),
    security(("bearerAuth" = [])))]
pub async fn show(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let user = state.users.show(user_id(&req)?).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

/// Update a user
///
/// The fields sent are validated and written, the others kept (an empty
/// body changes nothing). A role,
/// deactivation or deletion takes effect on the user's very next request.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "Users", operation_id = "updateUser",
    params(("id" = i64, Path, description = "User id")),
    request_body = Option<UserRequest>,
    responses(
        (status = 200, description = "The updated user", body = UserBody),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 403, description = "A sales user, a user or role above the caller's own", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The caller deactivating themselves", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Validation failed, or the email is taken", body = ValidationErrorBody),
    ),
    security(("bearerAuth" = [])))]
pub async fn update(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id(&req)?;
    let input = read_input(&req, payload, &state).await?;
    let user = state.users.update(caller.actor(), id, input).await?;
    state.auth.forget_users();
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

/// Delete a user
///
/// The prospects they represent are left without a representative.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "Users", operation_id = "deleteUser",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Deleted", body = ErrorBody),
        (status = 403, description = "A sales user, or a user above the caller's role", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The caller deleting themselves", body = ErrorBody),
    ),
    security(("bearerAuth" = [])))]
pub async fn delete(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    state.users.delete(caller.actor(), user_id(&req)?).await?;
    state.auth.forget_users();
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "User deleted.".to_owned(),
    }))
}

async fn read_input(
    req: &HttpRequest,
    payload: web::Payload,
    state: &ApiState,
) -> Result<UserInput, ApiError> {
    Ok(body::request::<UserRequest>(req, payload, &state.settings)
        .await?
        .into())
}

/// The `{id}` segment; one that is not a positive integer names no user.
fn user_id(req: &HttpRequest) -> Result<UserId, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .map(|id| UserId(id.0))
        .ok_or_else(|| ApiError::ModelNotFound("User", segment.to_owned()))
}
