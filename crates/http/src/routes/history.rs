//! `/api/v1/{prospects,customers}/{id}/history`: every write to the account
//! and to what it owns, newest first, paginated like the lists. Read by
//! whoever may see the account; a deleted account's by users above the
//! sales level.

use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::AccountKind;

use super::accounts::owner_in_path as owner;
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::pagination::{PageContext, Paginated};
use crate::query::{self, HistoryListParams};
use crate::state::ApiState;
use crate::wire::history::HistoryEntryBody;
use crate::wire::{ErrorBody, ValidationErrorBody};

/// One page of an account's history.
type HistoryPage<'a> = Paginated<HistoryEntryBody<'a>>;

async fn list(
    kind: AccountKind,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let account = owner(kind, req, state)?;
    let request = query::parse_history_list(req.query_string(), state.settings.max_per_page)?;
    let page = state
        .history
        .list(caller.actor(), kind, account.id, request.query)
        .await?;
    let data: Vec<HistoryEntryBody> = page.items.iter().map(Into::into).collect();
    let body = PageContext {
        path: state.settings.origins.absolute_url(req, req.path()),
        carried: &request.carried,
        page: request.query.page,
        per_page: request.query.per_page,
        total: page.total,
    }
    .paginate(data);
    Ok(HttpResponse::Ok().json(body))
}

/// One kind of account's history, documented under its own path and
/// operation id.
macro_rules! history_routes {
    ($module:ident, $kind:expr, $tag:literal, $path:literal, $noun:literal, $list:literal) => {
        pub mod $module {
            use super::*;

            #[doc = concat!("The history of a ", $noun)]
            ///
            /// Every write to it and to its contacts, notes, documents and
            /// payment plan, newest first: who made it (user, token and
            /// request), when, and each field it changed with its old and
            /// new value. Nothing writes or edits the history; it outlives
            /// the account, for users above the sales level.
            #[utoipa::path(get, path = $path, tag = $tag, operation_id = $list,
                params(("id" = i64, Path, description = concat!($noun, " id")), HistoryListParams),
                responses(
                    (status = 200, description = "One page of the history, newest first", body = HistoryPage),
                    (status = 400, description = "A query string that is not UTF-8", body = ErrorBody),
                    (status = 403, description = "Outside the caller's scope", body = ErrorBody),
                    (status = 404, description = concat!("No such ", $noun, " (for a sales user: no longer)"), body = ErrorBody),
                    (status = 422, description = "`per_page` out of bounds", body = ValidationErrorBody),
                ),
                security(("bearerAuth" = [])))]
            pub async fn list(req: HttpRequest, caller: Caller, state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
                super::list($kind, &req, &caller, &state).await
            }

            pub fn configure(cfg: &mut web::ServiceConfig) {
                cfg.service(
                    crate::routes::resource($path, &["GET", "HEAD"])
                        .route(web::get().to(list))
                        .route(web::head().to(list)),
                );
            }
        }
    };
}

history_routes!(
    of_prospects,
    AccountKind::Prospect,
    "Prospects",
    "/api/v1/prospects/{id}/history",
    "prospect",
    "listProspectHistory"
);
history_routes!(
    of_customers,
    AccountKind::Customer,
    "Customers",
    "/api/v1/customers/{id}/history",
    "customer",
    "listCustomerHistory"
);
