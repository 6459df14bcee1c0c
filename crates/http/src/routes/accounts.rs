//! What `/api/v1/prospects` and `/api/v1/customers` do, once for both kinds
//! of account: each resource's module documents its own routes and calls
//! these with its service.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use prospects_domain::{
    Account, AccountId, AccountKind, AccountService, Owner, ProspectInput, Rule, ValidationErrors,
};

use crate::auth::{Caller, parse_id};
use crate::errors::{ApiError, account_model};
use crate::idempotency::{self, Admitted, fingerprint};
use crate::pagination::{CursorContext, PageContext};
use crate::preconditions::{holds, if_match, not_modified, tagged};
use crate::state::ApiState;
use crate::wire::{AccountDetailsJson, AccountJson, ErrorBody, NewProspect, ProspectChanges};
use crate::{body, query};

pub(crate) async fn list(
    accounts: &AccountService,
    req: &HttpRequest,
    caller: &Caller,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let request = query::parse_list(req.query_string(), state.settings.max_per_page)?;
    let path = state.settings.origins.absolute_url(req, req.path());
    if let Some(cursor) = &request.cursor {
        let (kind, key) = (accounts.kind(), &state.settings.cursor_key);
        let from = match cursor.as_str() {
            "" => None,
            cursor => Some(key.decode(kind, &request.query, cursor).ok_or_else(|| {
                let mut errors = ValidationErrors::new();
                errors.add("cursor", Rule::Exists);
                ApiError::from(errors)
            })?),
        };
        let slice = accounts.walk(caller.actor(), &request.query, from).await?;
        let data: Vec<AccountJson> = slice.items.iter().map(Into::into).collect();
        let encode = |seek| key.encode(kind, &request.query, seek);
        let body = CursorContext {
            path,
            carried: &request.carried,
            per_page: request.query.per_page,
        }
        .paginate(data, slice.next.map(encode), slice.previous.map(encode));
        return Ok(HttpResponse::Ok().json(body));
    }
    let page = accounts.list(caller.actor(), &request.query).await?;
    let data: Vec<AccountJson> = page.items.iter().map(Into::into).collect();
    let body = PageContext {
        path,
        carried: &request.carried,
        page: request.query.page,
        per_page: request.query.per_page,
        total: page.total,
    }
    .paginate(data);
    Ok(HttpResponse::Ok().json(body))
}

pub(crate) async fn create(
    accounts: &AccountService,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let raw = body::read(req, payload, &state.settings).await?;
    let (NewProspect(sent), sent_as) = body::with_sdk_names(req, &raw)?;
    // Under the path the request came by (the SDK mount has its own).
    let collection = state.settings.origins.absolute_url(req, req.path());
    let render = move |created: &Account| {
        let location = format!("{collection}/{}", created.id.0);
        let body = AccountJson::from(created);
        idempotency::created(
            StatusCode::CREATED,
            Some(created.version),
            Some(location),
            &body,
        )
    };
    let once =
        match idempotency::admit(state, req, caller, || fingerprint(req, &[&raw]), render).await? {
            Admitted::Run(once) => once,
            Admitted::Replayed(response) => return Ok(response),
        };
    let created = accounts
        .create(caller.actor(), ProspectInput::from(sent), once.receipt())
        .await
        .map_err(|error| sent_as.relabel(error.into()));
    once.respond(state, created).await
}

pub(crate) async fn show(
    accounts: &AccountService,
    req: &HttpRequest,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let id = account_id(accounts, req)?;
    let details = accounts.show(caller.actor(), id).await?;
    let version = details.account.version;
    if holds(req, version) {
        return Ok(not_modified(version));
    }
    Ok(tagged(HttpResponse::Ok(), version).json(AccountDetailsJson::from(&details)))
}

/// Answers 201, as the vendor documents.
pub(crate) async fn update(
    accounts: &AccountService,
    req: &HttpRequest,
    caller: &Caller,
    payload: web::Payload,
    state: &ApiState,
) -> Result<HttpResponse, ApiError> {
    let id = account_id(accounts, req)?;
    let (sent, sent_as) =
        body::request_with_sdk_names::<ProspectChanges>(req, payload, &state.settings).await?;
    let input = ProspectInput::from(sent);
    let updated = accounts
        .update(caller.actor(), id, input, &if_match(req))
        .await
        .map_err(|error| sent_as.relabel(error.into()))?;
    Ok(tagged(HttpResponse::Created(), updated.version).json(AccountJson::from(&updated)))
}

pub(crate) async fn delete(
    accounts: &AccountService,
    req: &HttpRequest,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let id = account_id(accounts, req)?;
    accounts.delete(caller.actor(), id, &if_match(req)).await?;
    Ok(HttpResponse::Ok().json(ErrorBody {
        message: format!("{} deleted.", account_model(accounts.kind())),
    }))
}

/// The `{id}` segment; one that is not a positive integer names no account.
/// The account of kind `kind` the `{id}` segment names, for what hangs on it.
pub(crate) fn owner_in_path(
    kind: AccountKind,
    req: &HttpRequest,
    state: &ApiState,
) -> Result<Owner, ApiError> {
    let accounts = match kind {
        AccountKind::Prospect => &state.prospects,
        AccountKind::Customer => &state.customers,
    };
    Ok(Owner {
        kind,
        id: account_id(accounts, req)?,
    })
}

pub(crate) fn account_id(
    accounts: &AccountService,
    req: &HttpRequest,
) -> Result<AccountId, ApiError> {
    let segment = req.match_info().get("id").unwrap_or_default();
    parse_id(segment)
        .ok_or_else(|| ApiError::ModelNotFound(account_model(accounts.kind()), segment.to_owned()))
}
