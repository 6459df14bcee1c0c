//! `/api/v1/{prospects,customers}/{id}/payment-plan`: at most one plan per
//! account, read by whoever may see it (`null` before it has one); `PUT`
//! creates (201) or replaces (200), `DELETE` removes it if there is one.

use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{AccountKind, Put};

use super::accounts::owner_in_path as owner;
use crate::auth::Caller;
use crate::body;
use crate::errors::ApiError;
use crate::preconditions::{IfMatch, IfNoneMatch, holds, if_match, not_modified, tagged};
use crate::state::ApiState;
use crate::wire::payment_plans::PaymentPlanRequest;
use crate::wire::{ErrorBody, PaymentPlanBody};

async fn show(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let plan = state
        .payment_plans
        .show(caller.actor(), owner(kind, req, state)?)
        .await?;
    let Some(plan) = plan else {
        return Ok(HttpResponse::Ok().json(None::<PaymentPlanBody>));
    };
    if holds(req, plan.version) {
        return Ok(not_modified(plan.version));
    }
    Ok(tagged(HttpResponse::Ok(), plan.version).json(PaymentPlanBody::from(&plan)))
}

async fn put(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let owner = owner(kind, req, state)?;
    let sent = body::request::<PaymentPlanRequest>(req, payload, &state.settings).await?;
    let (plan, outcome) = state
        .payment_plans
        .put(caller.actor(), owner, sent.into(), &if_match(req))
        .await?;
    let response = match outcome {
        Put::Created => HttpResponse::Created(),
        Put::Replaced => HttpResponse::Ok(),
    };
    Ok(tagged(response, plan.version).json(PaymentPlanBody::from(&plan)))
}

async fn delete(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    state
        .payment_plans
        .delete(caller.actor(), owner(kind, req, state)?, &if_match(req))
        .await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: "Payment plan deleted.".to_owned(),
    }))
}

/// One kind of account's three operations, each documented under its own
/// path and operation id.
macro_rules! payment_plan_routes {
    ($module:ident, $kind:expr, $tag:literal, $path:literal, $noun:literal,
     $show:literal, $put:literal, $delete:literal) => {
        pub mod $module {
            use super::*;

            #[utoipa::path(get, path = $path, tag = $tag, operation_id = $show,
                params(("id" = i64, Path, description = concat!($noun, " id")), IfNoneMatch),
                responses(
                    (status = 200, description = "The payment plan (with its `ETag`), or null when there is none", body = Option<PaymentPlanBody>,
                        headers(("ETag" = String, description = "The plan's version, for `If-Match` and `If-None-Match`"))),
                    (status = 304, description = "The plan is still at the `If-None-Match` version; no body",
                        headers(("ETag" = String, description = "The plan's version, for `If-Match` and `If-None-Match`"))),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun), body = ErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn show(req: HttpRequest, caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::show($kind, &req, &caller, &state).await
            }

            #[utoipa::path(put, path = $path, tag = $tag, operation_id = $put,
                params(("id" = i64, Path, description = concat!($noun, " id")), IfMatch),
                request_body = PaymentPlanRequest,
                responses(
                    (status = 200, description = "The plan, replaced", body = PaymentPlanBody,
                        headers(("ETag" = String, description = "The plan's version, for `If-Match` and `If-None-Match`"))),
                    (status = 201, description = "The plan, created (not under `If-Match`, which needs a plan to match)", body = PaymentPlanBody,
                        headers(("ETag" = String, description = "The plan's version, for `If-Match` and `If-None-Match`"))),
                    (status = 400, description = "The body is not a JSON object", body = ErrorBody),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun), body = ErrorBody),
                    (status = 409, description = "The prospect has been converted", body = ErrorBody),
                    (status = 413, description = "The body is over the size limit", body = ErrorBody),
                    (status = 422, description = "Validation failed", body = crate::wire::ValidationErrorBody),
                    (status = 412, description = "`If-Match` names a version the plan is no longer at, or there is no plan to match; nothing was written", body = ErrorBody,
                        example = json!({"message": "The resource has changed since it was read."})),
                ),
                security(("bearerAuth" = [])))]
            pub async fn put(req: HttpRequest, caller: Caller, payload: web::Payload, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::put($kind, &req, &caller, payload, &state).await
            }

            #[utoipa::path(delete, path = $path, tag = $tag, operation_id = $delete,
                params(("id" = i64, Path, description = concat!($noun, " id")), IfMatch),
                responses(
                    (status = 200, description = "Deleted, or there was none", body = ErrorBody, example = json!({"message": "Payment plan deleted."})),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun), body = ErrorBody),
                    (status = 409, description = "The prospect has been converted", body = ErrorBody),
                    (status = 412, description = "`If-Match` names a version the plan is no longer at, or there is no plan to match; nothing was written", body = ErrorBody,
                        example = json!({"message": "The resource has changed since it was read."})),
                ),
                security(("bearerAuth" = [])))]
            pub async fn delete(req: HttpRequest, caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::delete($kind, &req, &caller, &state).await
            }

            pub fn configure(cfg: &mut web::ServiceConfig) {
                cfg.service(
                    crate::routes::resource($path, &["GET", "HEAD", "PUT", "DELETE"])
                        .route(web::get().to(show))
                        .route(web::head().to(show))
                        .route(web::put().to(put))
                        .route(web::delete().to(delete)),
                );
            }
        }
    };
}

payment_plan_routes!(
    of_prospects,
    AccountKind::Prospect,
    "Prospects",
    "/api/v1/prospects/{id}/payment-plan",
    "prospect",
    "showProspectPaymentPlan",
    "putProspectPaymentPlan",
    "deleteProspectPaymentPlan"
);
payment_plan_routes!(
    of_customers,
    AccountKind::Customer,
    "Customers",
    "/api/v1/customers/{id}/payment-plan",
    "customer",
    "showCustomerPaymentPlan",
    "putCustomerPaymentPlan",
    "deleteCustomerPaymentPlan"
);
