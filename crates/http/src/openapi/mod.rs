//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the wire types they read and write; the `modifiers` add what every
//! operation shares.

mod modifiers;

use utoipa::OpenApi;
use utoipa::openapi::{RefOr, Schema};

use crate::routes;
use modifiers::{BearerSecurity, SharedResponses};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Prospects API",
        description = "A sales pipeline over REST: the companies and people a sales team is courting, \
                       who owns each one, where each stands.\n\n\
                       Authenticate with `POST /api/login`, then send `Authorization: Bearer <token>`.\n\n\
                       **Sales users** (role level 5 or below) see and change only the prospects they \
                       represent: lists, counts and searches show nothing else, a prospect they create is \
                       always theirs, and reading, changing or deleting someone else's prospect is a 403.\n\n\
                       Every error body is `{\"message\": ...}` (validation adds `errors`). A method a \
                       path does not support is a 405 with `Allow`; an unknown path a 404. Each token has \
                       a request budget (`X-RateLimit-Limit`, `X-RateLimit-Remaining`), and so do login \
                       attempts per email and per client address: beyond it, 429 with `Retry-After`.",
        license(name = "MIT")
    ),
    paths(
        routes::login::login,
        routes::login::logout,
        routes::prospects::list,
        routes::prospects::create,
        routes::prospects::show,
        routes::prospects::update,
        routes::prospects::patch,
        routes::prospects::delete,
        routes::prospects::convert,
        routes::customers::list,
        routes::customers::create,
        routes::customers::show,
        routes::customers::update,
        routes::customers::patch,
        routes::customers::delete,
        routes::history::of_prospects::list,
        routes::history::of_customers::list,
        routes::payment_plans::of_prospects::show,
        routes::payment_plans::of_prospects::put,
        routes::payment_plans::of_prospects::delete,
        routes::payment_plans::of_customers::show,
        routes::payment_plans::of_customers::put,
        routes::payment_plans::of_customers::delete,
        routes::documents::of_prospects::list,
        routes::documents::of_prospects::upload,
        routes::documents::of_customers::list,
        routes::documents::of_customers::upload,
        routes::documents::show,
        routes::documents::content,
        routes::documents::delete,
        routes::contacts::list,
        routes::contacts::create,
        routes::contacts::find_by_number,
        routes::contacts::show,
        routes::contacts::update,
        routes::contacts::delete,
        routes::notes::list,
        routes::notes::create,
        routes::notes::show,
        routes::notes::update,
        routes::notes::delete,
        routes::users::current,
        routes::users::list,
        routes::users::create,
        routes::users::show,
        routes::users::update,
        routes::users::delete,
        routes::reference_data::brands::list,
        routes::reference_data::brands::create,
        routes::reference_data::brands::show,
        routes::reference_data::brands::update,
        routes::reference_data::brands::delete,
        routes::reference_data::sectors::list,
        routes::reference_data::sectors::create,
        routes::reference_data::sectors::show,
        routes::reference_data::sectors::update,
        routes::reference_data::sectors::delete,
        routes::reference_data::clusters::list,
        routes::reference_data::clusters::create,
        routes::reference_data::clusters::show,
        routes::reference_data::clusters::update,
        routes::reference_data::clusters::delete,
        routes::reference_data::batches::list,
        routes::reference_data::batches::create,
        routes::reference_data::batches::show,
        routes::reference_data::batches::update,
        routes::reference_data::batches::delete,
        routes::reference_data::prospection_codes::list,
        routes::reference_data::prospection_codes::create,
        routes::reference_data::prospection_codes::show,
        routes::reference_data::prospection_codes::update,
        routes::reference_data::prospection_codes::delete,
        routes::system::version,
        routes::system::livez,
        routes::system::readyz,
    ),
    modifiers(&BearerSecurity, &SharedResponses),
    tags(
        (name = "Auth", description = "Exchanging credentials for a bearer token, and revoking it"),
        (name = "Prospects", description = "The sales pipeline"),
        (name = "Customers", description = "Accounts that buy: created directly or by converting a prospect"),
        (name = "Contacts", description = "The people at a prospect or a customer"),
        (name = "Documents", description = "Files kept for a prospect or a customer: uploaded under the account, then read, downloaded and deleted by id"),
        (name = "Notes", description = "Notes on a prospect or a customer"),
        (name = "Users", description = "Who can log in; everyone reads them, users above the sales level write them"),
        (name = "Brands", description = "Reference data: the brands prospects belong to"),
        (name = "Sectors", description = "Reference data: business sectors"),
        (name = "Clusters", description = "Reference data: geographic or strategic clusters"),
        (name = "Batches", description = "Reference data: batches prospects were imported or worked in"),
        (name = "Prospection codes", description = "Reference data: the pipeline's stages, in `position` order"),
        (name = "System", description = "Version and health probes; no token needed"),
    )
)]
pub struct ApiDoc;

/// The document a running server serves: the committed one, with the
/// `per_page` maximum this server is configured with.
pub fn served_document(max_per_page: u32) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    let maximum = Some(utoipa::Number::from(max_per_page));
    let parameters = document
        .paths
        .paths
        .values_mut()
        .filter_map(|item| item.get.as_mut())
        .filter_map(|operation| operation.parameters.as_mut())
        .flatten();
    for parameter in parameters {
        if let RefOr::T(parameter) = parameter
            && parameter.name == "per_page"
            && let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
        {
            schema.maximum = maximum.clone();
        }
    }
    let schemas = document
        .components
        .iter_mut()
        .flat_map(|components| components.schemas.values_mut());
    for schema in schemas {
        if let RefOr::T(Schema::Object(page)) = schema
            && let Some(RefOr::T(Schema::Object(per_page))) = page.properties.get_mut("per_page")
        {
            per_page.maximum = maximum.clone();
        }
    }
    document
}

/// The document as JSON, pretty-printed, ending with a newline (as committed in `docs/openapi.json`).
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_document_states_the_configured_per_page_maximum() {
        assert_eq!(
            serde_json::to_value(served_document(100)).expect("json"),
            serde_json::to_value(ApiDoc::openapi()).expect("json"),
            "the default is the committed document"
        );
        let json = serde_json::to_value(served_document(250)).expect("json");
        let list = &json["paths"]["/api/v1/prospects"]["get"]["parameters"];
        let per_page = list
            .as_array()
            .expect("parameters")
            .iter()
            .find(|parameter| parameter["name"] == "per_page")
            .expect("per_page");
        assert_eq!(per_page["schema"]["maximum"], 250);
        assert_eq!(
            json["components"]["schemas"]["ProspectPage"]["properties"]["per_page"]["maximum"],
            250
        );
    }

    #[test]
    fn the_committed_document_is_the_one_the_code_generates() {
        let committed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/openapi.json"
        ))
        .unwrap_or_default();
        assert!(
            committed == document_json(),
            "docs/openapi.json is out of date: run `cargo xtask openapi`"
        );
    }

    #[test]
    fn every_v1_operation_requires_the_bearer_token() {
        let doc = ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            if !path.starts_with("/api/v1") {
                continue;
            }
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                assert!(
                    operation.security.as_ref().is_some_and(|s| !s.is_empty()),
                    "{path}"
                );
            }
        }
    }
}
