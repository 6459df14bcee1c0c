//! The composition root: the one place adapters are chosen and connected to
//! the domain services.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use actix_web::web;
use anyhow::Context;
use prospects_domain::{
    AccountKind, AccountService, AuthService, ContactService, DocumentService, FileStore,
    HistoryService, IdempotencyService, IdempotencySettings, NoteService, PasswordHasher,
    PaymentPlanService, ReferenceDataService, TokenAuthority, UserRepository, UserService,
};
use prospects_http::cursor::CursorKey;
use prospects_http::{ApiSettings, ApiState, Origins, SharedStore, Throttles};
use prospects_infra::{
    Argon2Hasher, Backend, BiscuitAuthority, LocalFiles, PoolSettings, RootKey, StatementCounter,
    Store, parse_public_keys, split_key_id,
};

use crate::config::Config;
use crate::shared_budgets::RedisBudgets;

/// Everything the server and the admin commands use.
pub struct Services {
    pub state: web::Data<ApiState>,
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenAuthority>,
    pub auth: Arc<AuthService>,
    /// Creates users for the admin command, the first start and the tests alike.
    pub user_service: Arc<UserService>,
    pub draining: Arc<AtomicBool>,
    /// Statements sent to the database (what tests count a request's cost in).
    pub statements: StatementCounter,
    /// The store itself, for its pool's metrics.
    pub store: Store,
}

pub async fn build(config: &Config) -> anyhow::Result<Services> {
    let url = config.database_url();
    let pool = PoolSettings {
        max_size: config.db_pool_size,
        timeout: config.db_timeout,
    };
    let store = Store::connect(url.expose(), &pool).await.with_context(|| {
        format!(
            "cannot open the {:?} database",
            Backend::of_url(url.expose())
        )
    })?;
    let (key_id, key) = root_key(config)?;
    let cursor_key = CursorKey::new(key.derived_secret("prospects list cursors"));
    let retired = parse_public_keys(&config.retired_keys)?;
    let users: Arc<dyn UserRepository> = Arc::new(store.users());
    let hasher: Arc<dyn PasswordHasher> = Arc::new(Argon2Hasher::new()?);
    let tokens: Arc<dyn TokenAuthority> =
        Arc::new(BiscuitAuthority::with_keys(key_id, key, retired));
    let draining = Arc::new(AtomicBool::new(false));
    let shared_budgets = match &config.redis_url {
        Some(url) if !url.expose().trim().is_empty() => Some(SharedStore::new(Arc::new(
            RedisBudgets::open(url.expose())?,
        ))),
        _ => None,
    };
    let statements = store.statements();
    let auth = Arc::new(AuthService::new(
        users.clone(),
        hasher.clone(),
        tokens.clone(),
        Arc::new(store.revocations()),
        config.token_ttl,
    ));
    let user_service = Arc::new(UserService::new(users.clone(), hasher.clone()));
    let files: Arc<dyn FileStore> = Arc::new(LocalFiles::open(&config.documents_path())?);
    let accounts = |kind| {
        Arc::new(AccountService::new(
            kind,
            Arc::new(store.accounts()),
            Arc::new(store.references()),
            files.clone(),
        ))
    };
    let state = ApiState {
        prospects: accounts(AccountKind::Prospect),
        customers: accounts(AccountKind::Customer),
        contacts: Arc::new(ContactService::new(
            Arc::new(store.contacts()),
            Arc::new(store.accounts()),
        )),
        documents: Arc::new(DocumentService::new(
            Arc::new(store.documents()),
            files.clone(),
        )),
        notes: Arc::new(NoteService::new(
            Arc::new(store.notes()),
            Arc::new(store.accounts()),
        )),
        payment_plans: Arc::new(PaymentPlanService::new(Arc::new(store.payment_plans()))),
        history: Arc::new(HistoryService::new(
            Arc::new(store.accounts()),
            Arc::new(store.history()),
        )),
        reference_data: Arc::new(ReferenceDataService::new(Arc::new(store.references()))),
        users: user_service.clone(),
        auth: auth.clone(),
        health: Arc::new(store.clone()),
        idempotency: IdempotencyService::new(
            Arc::new(store.idempotency_keys()),
            IdempotencySettings {
                retention: config.idempotency_ttl,
                ..IdempotencySettings::default()
            },
        ),
        settings: ApiSettings {
            max_per_page: config.max_per_page,
            body_limit: config.body_limit,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            client_timeout: config.client_timeout,
            document_limit: config.document_limit,
            upload_timeout: config.upload_timeout,
            cursor_key,
            origins: Origins {
                public_url: config.public_url.clone(),
                trusted_proxies: config.trusted_proxies.clone(),
            },
        },
        throttles: Throttles::sharing(config.rate_limits(), shared_budgets),
        draining: draining.clone(),
    };
    Ok(Services {
        state: web::Data::new(state),
        users,
        hasher,
        tokens,
        auth,
        user_service,
        draining,
        statements,
        store,
    })
}

/// The signing key and its id: `PROSPECTS_ROOT_KEY`, else the key file (id 0),
/// created on first use.
pub fn root_key(config: &Config) -> anyhow::Result<(u32, RootKey)> {
    match &config.root_key {
        Some(value) => {
            let (id, hex) = split_key_id(value.expose())?;
            Ok((id, RootKey::from_hex(hex)?))
        }
        None => Ok((0, RootKey::load_or_create(&config.root_key_path())?)),
    }
}
