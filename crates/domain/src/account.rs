//! The Account entity and the records it owns.

use chrono::{DateTime, Utc};

use crate::{AccountNumber, ProspectFields};

/// A prospect's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// A stored prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub customer_account: AccountNumber,
    pub fields: ProspectFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A prospect with the records it owns, as `GET /prospects/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub prospect: Account,
    pub payment_plan: Option<PaymentPlan>,
    pub contacts: Vec<Contact>,
    pub documents: Vec<Document>,
}

/// A person at the prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub prospect_id: AccountId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub email_address: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub is_main: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A file kept for the prospect (metadata; the content is stored by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub prospect_id: AccountId,
    pub name: String,
    pub mime_type: Option<String>,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How the prospect will pay once a customer; at most one per prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    pub id: i64,
    pub prospect_id: AccountId,
    pub payment_method: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
