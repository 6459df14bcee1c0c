//! What every handler shares: the domain services and a few settings.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use prospects_domain::{
    AccountService, AuthService, ContactService, DocumentService, HealthCheck, HistoryService,
    IdempotencyService, NoteService, PaymentPlanService, ReferenceDataService, UserService,
};

use crate::cursor::CursorKey;
use crate::origin::Origins;
use crate::throttle::Throttles;

/// Limits and labels the web layer applies.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The largest `per_page` a list accepts.
    pub max_per_page: u32,
    /// The largest request body, in bytes (413 above it).
    pub body_limit: usize,
    /// Reported by `/api/version`.
    pub version: String,
    /// How absolute URLs and client addresses are derived.
    pub origins: Origins,
    /// The longest a request's head, then its body, may take to arrive
    /// (408); for an upload, the longest gap between two chunks.
    pub client_timeout: Duration,
    /// The largest document, in bytes (413 above it).
    pub document_limit: u64,
    /// The longest a whole upload may take to arrive (408).
    pub upload_timeout: Duration,
    /// Signs list cursors; the same in every instance behind one address.
    pub cursor_key: CursorKey,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_per_page: 100,
            body_limit: 64 * 1024,
            version: "0.0.0".to_owned(),
            origins: Origins::default(),
            client_timeout: Duration::from_secs(10),
            document_limit: 10 * 1024 * 1024,
            upload_timeout: Duration::from_secs(300),
            cursor_key: CursorKey::random(),
        }
    }
}

pub struct ApiState {
    pub prospects: Arc<AccountService>,
    pub customers: Arc<AccountService>,
    pub contacts: Arc<ContactService>,
    pub documents: Arc<DocumentService>,
    pub notes: Arc<NoteService>,
    pub payment_plans: Arc<PaymentPlanService>,
    pub reference_data: Arc<ReferenceDataService>,
    pub users: Arc<UserService>,
    pub auth: Arc<AuthService>,
    pub health: Arc<dyn HealthCheck>,
    /// The accounts' histories.
    pub history: Arc<HistoryService>,
    /// Idempotency keys of creating requests.
    pub idempotency: IdempotencyService,
    pub settings: ApiSettings,
    /// The request budgets being spent (429 beyond them).
    pub throttles: Throttles,
    /// Set when the server is shutting down, so `/readyz` turns away new traffic.
    pub draining: Arc<AtomicBool>,
}

impl ApiState {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}
