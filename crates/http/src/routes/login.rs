//! `POST /api/login`: credentials from a JSON (or form) body or the query string.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::auth::normalize_email;
use prospects_domain::{Rule, ValidationErrors};
use serde_json::Value;

use crate::auth::Caller;
use crate::body;
use crate::errors::{ApiError, query_not_utf8};
use crate::form;
use crate::state::ApiState;
use crate::wire::session::{LoginBody, LoginRequest, UserBody};
use crate::wire::{ErrorBody, ValidationErrorBody};

/// Log in
///
/// Exchanges an email and password (JSON body, form, or query string) for a
/// bearer token. Unknown email and wrong password get the same 401, in the same time.
#[utoipa::path(
    post,
    path = "/api/login",
    tag = "Auth",
    operation_id = "login",
    request_body = LoginRequest,
    params(
        ("email" = Option<String>, Query, description = "Alternative to the body, as the vendor's client sends it"),
        ("password" = Option<String>, Query, description = "Alternative to the body"),
    ),
    responses(
        (status = 200, description = "A token and who it is for", body = LoginBody),
        (status = 400, description = "The body is not a JSON object", body = ErrorBody),
        (status = 401, description = "`Invalid credentials`", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Email or password missing", body = ValidationErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    )
)]
pub async fn login(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, ApiError> {
    let raw = body::read(&req, payload, &state.settings).await?;
    let mut fields = body::object(&req, &raw)?;
    // The vendor's client sends `?email=...&password=...` with an empty body.
    for (key, value) in form::pairs(req.query_string().as_bytes()).map_err(|_| query_not_utf8())? {
        fields.entry(key).or_insert(Value::String(value));
    }
    let sent: LoginRequest = body::typed(fields)?;
    let mut errors = ValidationErrors::new();
    let email = required_string(sent.email.as_ref(), "email", &mut errors);
    let password = required_string(sent.password.as_ref(), "password", &mut errors);
    let (Some(email), Some(password)) = (email, password) else {
        return Err(errors.into());
    };
    spend_login_attempt(&req, &state, email).await?;
    let outcome = state.auth.login(email, password).await?;
    Ok(HttpResponse::Ok().json(LoginBody {
        token: &outcome.token,
        expires_at: outcome.expires_at,
        user: UserBody {
            id: outcome.user.id.0,
            name: &outcome.user.name,
            email: &outcome.user.email,
            role: outcome.user.role.level(),
        },
    }))
}

/// Counts an attempt against the caller's address and the email tried,
/// before any password is checked: a spent budget costs no Argon2 time.
async fn spend_login_attempt(
    req: &HttpRequest,
    state: &ApiState,
    email: &str,
) -> Result<(), ApiError> {
    let address = state
        .settings
        .origins
        .client_address(req)
        .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    let throttles = &state.throttles;
    throttles
        .login_per_address
        .hit(&address)
        .await
        .map_err(ApiError::TooManyRequests)?;
    throttles
        .login_per_email
        .hit(&normalize_email(email))
        .await
        .map_err(ApiError::TooManyRequests)?;
    Ok(())
}

fn required_string<'a>(
    value: Option<&'a Value>,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<&'a str> {
    match value {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text),
        Some(Value::String(_) | Value::Null) | None => {
            errors.add(field, Rule::Required);
            None
        }
        Some(_) => {
            errors.add(field, Rule::String);
            None
        }
    }
}

/// Log out
///
/// Revokes the token presented, and every token derived from it (not the
/// token it was derived from). Any live token may log itself out, a
/// read-only one included.
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "Auth",
    operation_id = "logout",
    responses(
        (status = 200, description = "The token no longer works", body = ErrorBody,
            example = json!({"message": "Logged out."})),
    ),
    security(("bearerAuth" = []))
)]
pub async fn logout(caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&caller.0).await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Logged out.".to_owned(),
    }))
}
