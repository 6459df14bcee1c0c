//! The Prospect entity and the records it owns.

use chrono::{DateTime, Utc};

use crate::{AccountNumber, UserId};

/// A prospect's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProspectId(pub i64);

/// Every field a client may write, in the order of the contract (SPEC §2).
/// A value of this type has passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProspectFields {
    pub name: String,
    pub brand_id: Option<i64>,
    pub representative_id: Option<UserId>,
    pub accounts_reference: Option<String>,
    pub registration_number: Option<String>,
    pub tax_registration_number: Option<String>,
    pub legal_form: Option<String>,
    pub capital: Option<String>,
    pub activity_code: Option<String>,
    pub sector_id: Option<i64>,
    pub cluster_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub email_address: Option<String>,
    pub account_email_address: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub fax: Option<String>,
    pub main_contact_first_name: Option<String>,
    pub main_contact_last_name: Option<String>,
    pub main_address_line1: Option<String>,
    pub main_address_line2: Option<String>,
    pub main_address_postal_code: Option<String>,
    pub main_address_city: Option<String>,
    pub main_address_country: String,
    pub website: Option<String>,
    pub active: bool,
    pub charge_vat: bool,
    pub merge_invoices: bool,
    pub accept_emails: bool,
    pub accept_calls: bool,
    pub comment: Option<String>,
    pub prospection_code_id: Option<i64>,
}

impl ProspectFields {
    /// The country a prospect gets when none is given.
    pub const DEFAULT_COUNTRY: &'static str = "France";

    /// A prospect with this name and every other field at its default.
    pub fn named(name: String) -> Self {
        Self {
            name,
            brand_id: None,
            representative_id: None,
            accounts_reference: None,
            registration_number: None,
            tax_registration_number: None,
            legal_form: None,
            capital: None,
            activity_code: None,
            sector_id: None,
            cluster_id: None,
            batch_id: None,
            email_address: None,
            account_email_address: None,
            phone: None,
            mobile_phone: None,
            fax: None,
            main_contact_first_name: None,
            main_contact_last_name: None,
            main_address_line1: None,
            main_address_line2: None,
            main_address_postal_code: None,
            main_address_city: None,
            main_address_country: Self::DEFAULT_COUNTRY.to_owned(),
            website: None,
            active: true,
            charge_vat: true,
            merge_invoices: false,
            accept_emails: true,
            accept_calls: true,
            comment: None,
            prospection_code_id: None,
        }
    }
}

/// A stored prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prospect {
    pub id: ProspectId,
    pub customer_account: AccountNumber,
    pub fields: ProspectFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A prospect with the records it owns, as `GET /prospects/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProspectDetails {
    pub prospect: Prospect,
    pub payment_plan: Option<PaymentPlan>,
    pub contacts: Vec<Contact>,
    pub documents: Vec<Document>,
}

/// A person at the prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub prospect_id: ProspectId,
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
    pub prospect_id: ProspectId,
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
    pub prospect_id: ProspectId,
    pub payment_method: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
