//! `TestApp`: a fully wired service on a fresh database, with helpers that
//! read like the scenarios they set up.

use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::test as actix_test;
use actix_web::{App, http::header};
use prospects_app::Config;
use prospects_app::wiring::{self, Services};
use prospects_domain::{UserDraft, UserId};
use prospects_http::{RateLimit, observe};
use prospects_testkit::TestDb;
use serde_json::Value;

pub struct TestApp {
    pub db: TestDb,
    pub services: Services,
    pub config: Config,
    _data_dir: TempDir,
}

/// A user with a valid token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub token: String,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: header::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("prospects-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn config_for(database_url: &str, data_dir: &std::path::Path) -> Config {
    Config {
        bind: "127.0.0.1:0".to_owned(),
        database_url: Some(database_url.parse().expect("infallible")),
        data_dir: data_dir.to_owned(),
        documents_dir: None,
        document_limit: 10 * 1024 * 1024,
        upload_timeout: Duration::from_secs(300),
        root_key: None,
        retired_keys: String::new(),
        token_ttl: Duration::from_secs(3600),
        idempotency_ttl: Duration::from_secs(24 * 3600),
        max_per_page: 100,
        body_limit: 64 * 1024,
        db_pool_size: 8,
        db_timeout: Duration::from_secs(5),
        client_timeout: Duration::from_secs(10),
        public_url: None,
        trusted_proxies: Default::default(),
        // Served by the binary only; the tests that scrape it pick a port.
        metrics_bind: "off".to_owned(),
        drain_delay: Duration::ZERO,
        cors_origins: Default::default(),
        redis_url: None,
        // Budgets are tested on their own (`limits.rs`), with small ones.
        rate_limit: RateLimit::Off,
        login_rate_limit_email: RateLimit::Off,
        login_rate_limit_address: RateLimit::Off,
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// A service configured as the tests' default, then changed by `adjust`.
    pub async fn with(adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::create().await;
        let data_dir = TempDir::new();
        let mut config = config_for(db.url(), &data_dir.0);
        adjust(&mut config);
        let services = wiring::build(&config).await.expect("wired");
        Self {
            db,
            services,
            config,
            _data_dir: data_dir,
        }
    }

    /// Creates a user with password `password` and returns them with a token.
    pub async fn user(&self, email: &str, role: i32) -> TestUser {
        let user = self
            .services
            .user_service
            .create(UserDraft {
                name: email.to_owned(),
                email: email.to_owned(),
                role,
                password: "password".to_owned(),
            })
            .await
            .expect("user");
        TestUser {
            id: user.id.0,
            token: self.token_for(user.id.0),
        }
    }

    /// A sales user (role 5) named `name`, as `name@example.test`.
    pub async fn sales_user(&self, name: &str) -> TestUser {
        self.user(&format!("{name}@example.test"), 5).await
    }

    /// A user above the sales level (role 10), as `name@example.test`.
    pub async fn manager(&self, name: &str) -> TestUser {
        self.user(&format!("{name}@example.test"), 10).await
    }

    pub async fn admin(&self) -> TestUser {
        self.manager("admin").await
    }

    pub fn token_for(&self, user: i64) -> String {
        self.services
            .tokens
            .issue(UserId(user), Duration::from_secs(3600))
            .expect("token")
    }

    pub async fn sql(&self, statement: &str) {
        self.db.execute(statement).await;
    }

    /// Waits out what this process may still believe of a user or a token
    /// changed elsewhere (SPEC §5: up to a second).
    pub async fn after_other_processes_change_users(&self) {
        tokio::time::sleep(prospects_domain::auth::REMEMBERED_FOR).await;
    }

    pub async fn call(&self, request: actix_test::TestRequest) -> TestResponse {
        self.call_on(&self.services, request).await
    }

    /// Another process's services on the same database and keys, built from
    /// the same configuration.
    pub async fn twin(&self) -> Services {
        wiring::build(&self.config).await.expect("wired")
    }

    /// `request` served by `services` (this app's, or a twin's), through
    /// the same layers as the server's.
    pub async fn call_on(
        &self,
        services: &Services,
        request: actix_test::TestRequest,
    ) -> TestResponse {
        let app = actix_test::init_service(
            App::new()
                .wrap(prospects_http::cors::layer(&self.config.cors_origins))
                .wrap(from_fn(observe))
                .wrap(actix_web::middleware::Compress::default())
                .configure(prospects_app::server::routes(services.state.clone())),
        )
        .await;
        let response = actix_test::call_service(&app, request.to_request()).await;
        into_test_response(response.map_into_boxed_body()).await
    }

    /// `request`'s status, headers and body bytes as sent (compressed, say).
    pub async fn raw(
        &self,
        request: actix_test::TestRequest,
    ) -> (u16, header::HeaderMap, actix_web::web::Bytes) {
        let app = actix_test::init_service(
            App::new()
                .wrap(from_fn(observe))
                .wrap(actix_web::middleware::Compress::default())
                .configure(prospects_app::server::routes(self.services.state.clone())),
        )
        .await;
        let response = actix_test::call_service(&app, request.to_request()).await;
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        (status, headers, actix_test::read_body(response).await)
    }

    pub async fn get(&self, user: &TestUser, path: &str) -> TestResponse {
        self.call(
            actix_test::TestRequest::get()
                .uri(path)
                .insert_header(bearer(user)),
        )
        .await
    }

    pub async fn post(&self, user: &TestUser, path: &str, body: Value) -> TestResponse {
        self.call(
            actix_test::TestRequest::post()
                .uri(path)
                .insert_header(bearer(user))
                .set_json(body),
        )
        .await
    }

    pub async fn put(&self, user: &TestUser, path: &str, body: Value) -> TestResponse {
        self.call(
            actix_test::TestRequest::put()
                .uri(path)
                .insert_header(bearer(user))
                .set_json(body),
        )
        .await
    }

    pub async fn delete(&self, user: &TestUser, path: &str) -> TestResponse {
        self.call(
            actix_test::TestRequest::delete()
                .uri(path)
                .insert_header(bearer(user)),
        )
        .await
    }

    /// Creates a prospect as `user` and returns its id.
    pub async fn prospect(&self, user: &TestUser, body: Value) -> i64 {
        let response = self.post(user, "/api/v1/prospects", body).await;
        assert_eq!(response.status, 201, "{:?}", response.body);
        response.body["id"].as_i64().expect("id")
    }
}

pub async fn into_test_response(response: actix_web::dev::ServiceResponse) -> TestResponse {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = actix_test::read_body(response).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    TestResponse {
        status,
        headers,
        body,
    }
}

pub fn bearer(user: &TestUser) -> (header::HeaderName, String) {
    (header::AUTHORIZATION, format!("Bearer {}", user.token))
}

/// The keys of a JSON object, in order.
pub fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}
