//! The routes, and the answers for unknown routes and unsupported methods.

pub(crate) mod accounts;
pub(crate) mod contacts;
pub(crate) mod customers;
pub(crate) mod documents;
pub(crate) mod history;
pub(crate) mod login;
pub(crate) mod notes;
pub(crate) mod payment_plans;
pub(crate) mod prospects;
pub(crate) mod reference_data;
pub(crate) mod system;
pub(crate) mod users;

use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::LOGOUT_PATH;
use crate::dialect;
use crate::errors::ApiError;
use crate::inbound::{self, Refusal};
use crate::state::ApiState;

/// Registers every route of the API with its state.
pub fn configure(state: web::Data<ApiState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state)
            .service(
                web::scope(dialect::SDK_PREFIX)
                    .wrap(from_fn(dialect::speak_sdk))
                    .configure(api)
                    .default_service(web::to(not_found)),
            )
            .configure(api)
            .default_service(web::to(not_found));
    }
}

/// The API's routes, mounted at the root and again under the SDK's prefix.
fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/login", &["POST"]).route(web::post().to(login::login)))
        .service(resource(LOGOUT_PATH, &["POST"]).route(web::post().to(login::logout)))
        .service(
            resource("/api/version", &["GET", "HEAD"])
                .route(web::get().to(system::version))
                .route(web::head().to(system::version)),
        )
        .service(
            resource("/livez", &["GET", "HEAD"])
                .route(web::get().to(system::livez))
                .route(web::head().to(system::livez)),
        )
        .service(
            resource("/readyz", &["GET", "HEAD"])
                .route(web::get().to(system::readyz))
                .route(web::head().to(system::readyz)),
        )
        .service(
            resource("/api/v1/prospects", &["GET", "HEAD", "POST"])
                .route(web::get().to(prospects::list))
                .route(web::head().to(prospects::list))
                .route(web::post().to(prospects::create)),
        )
        .service(
            resource(
                "/api/v1/prospects/{id}",
                &["GET", "HEAD", "PUT", "PATCH", "DELETE"],
            )
            .route(web::get().to(prospects::show))
            .route(web::head().to(prospects::show))
            .route(web::put().to(prospects::update))
            .route(web::patch().to(prospects::patch))
            .route(web::delete().to(prospects::delete)),
        )
        .service(
            resource("/api/v1/prospects/{id}/convert", &["POST"])
                .route(web::post().to(prospects::convert)),
        )
        .service(
            resource("/api/v1/customers", &["GET", "HEAD", "POST"])
                .route(web::get().to(customers::list))
                .route(web::head().to(customers::list))
                .route(web::post().to(customers::create)),
        )
        .service(
            resource(
                "/api/v1/customers/{id}",
                &["GET", "HEAD", "PUT", "PATCH", "DELETE"],
            )
            .route(web::get().to(customers::show))
            .route(web::head().to(customers::show))
            .route(web::put().to(customers::update))
            .route(web::patch().to(customers::patch))
            .route(web::delete().to(customers::delete)),
        )
        .service(
            resource("/api/v1/contacts", &["GET", "HEAD", "POST"])
                .route(web::get().to(contacts::list))
                .route(web::head().to(contacts::list))
                .route(web::post().to(contacts::create)),
        )
        // Before `{id}`, which it would otherwise match.
        .service(
            resource("/api/v1/contacts/numbers", &["GET", "HEAD"])
                .route(web::get().to(contacts::find_by_number))
                .route(web::head().to(contacts::find_by_number)),
        )
        .service(
            resource("/api/v1/contacts/{id}", &["GET", "HEAD", "PUT", "DELETE"])
                .route(web::get().to(contacts::show))
                .route(web::head().to(contacts::show))
                .route(web::put().to(contacts::update))
                .route(web::delete().to(contacts::delete)),
        )
        .service(
            resource("/api/v1/documents/{id}", &["GET", "HEAD", "DELETE"])
                .route(web::get().to(documents::show))
                .route(web::head().to(documents::show))
                .route(web::delete().to(documents::delete)),
        )
        .service(
            resource("/api/v1/documents/{id}/content", &["GET", "HEAD"])
                .route(web::get().to(documents::content))
                .route(web::head().to(documents::content)),
        )
        .service(
            resource("/api/v1/notes", &["GET", "HEAD", "POST"])
                .route(web::get().to(notes::list))
                .route(web::head().to(notes::list))
                .route(web::post().to(notes::create)),
        )
        .service(
            resource("/api/v1/notes/{id}", &["GET", "HEAD", "PUT", "DELETE"])
                .route(web::get().to(notes::show))
                .route(web::head().to(notes::show))
                .route(web::put().to(notes::update))
                .route(web::delete().to(notes::delete)),
        )
        .service(
            resource("/api/user", &["GET", "HEAD"])
                .route(web::get().to(users::current))
                .route(web::head().to(users::current)),
        )
        .service(
            resource("/api/v1/users", &["GET", "HEAD", "POST"])
                .route(web::get().to(users::list))
                .route(web::head().to(users::list))
                .route(web::post().to(users::create)),
        )
        .service(
            resource("/api/v1/users/{id}", &["GET", "HEAD", "PUT", "DELETE"])
                .route(web::get().to(users::show))
                .route(web::head().to(users::show))
                .route(web::put().to(users::update))
                .route(web::delete().to(users::delete)),
        )
        .configure(payment_plans::of_prospects::configure)
        .configure(payment_plans::of_customers::configure)
        .configure(documents::of_prospects::configure)
        .configure(documents::of_customers::configure)
        .configure(history::of_prospects::configure)
        .configure(history::of_customers::configure)
        .configure(reference_data::brands::configure)
        .configure(reference_data::sectors::configure)
        .configure(reference_data::clusters::configure)
        .configure(reference_data::batches::configure)
        .configure(reference_data::prospection_codes::configure);
}

/// A resource that answers 405 (with `Allow`) to any other method.
pub(crate) fn resource(path: &str, allowed: &'static [&'static str]) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            path: route_path(&req),
            allowed,
        })
    }))
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(refused_by_inbound(&req).unwrap_or_else(|| ApiError::RouteNotFound(route_path(&req))))
}

/// The answer to a request the inbound layer put in place of a head it
/// refused (see `crate::inbound`); `None` for any request of a client's.
fn refused_by_inbound(req: &HttpRequest) -> Option<ApiError> {
    let code = req
        .path()
        .strip_prefix(inbound::REFUSAL_PATH)?
        .strip_prefix('/')?;
    let proof = req.headers().get(inbound::REFUSAL_HEADER)?;
    if proof.as_bytes() != inbound::refusal_secret().as_bytes() {
        return None;
    }
    Some(match Refusal::from_code(code)? {
        Refusal::Malformed => ApiError::BadRequest("The request could not be parsed.".to_owned()),
        Refusal::TooSlow => ApiError::RequestTimeout,
        Refusal::UriTooLong => ApiError::UriTooLong,
        Refusal::HeadTooLarge => ApiError::HeadersTooLarge,
    })
}

/// The path as Laravel's messages show it: without the leading slash.
fn route_path(req: &HttpRequest) -> String {
    req.path().trim_start_matches('/').to_owned()
}
