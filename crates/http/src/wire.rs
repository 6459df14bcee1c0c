//! The JSON shapes of prospects and what they own, field for field and in
//! the contract's order (SPEC §2).

use chrono::{DateTime, Utc};
use prospects_domain::{Contact, Document, PaymentPlan, Prospect, ProspectDetails};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// Laravel's timestamp format: UTC, microseconds, `Z`.
fn timestamp<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// A prospect: a company or person the sales team is courting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Prospect)]
pub struct ProspectBody<'a> {
    #[schema(read_only, example = 42)]
    pub id: i64,
    #[schema(min_length = 2, max_length = 255, example = "Acme Corp")]
    pub name: &'a str,
    pub brand_id: Option<i64>,
    /// The assigned sales representative (a user id).
    pub representative_id: Option<i64>,
    /// `PR` + the id zero-padded to at least six digits; generated, never changes.
    #[schema(read_only, pattern = "^PR[0-9]{6,}$", example = "PR000042")]
    pub customer_account: &'a str,
    pub accounts_reference: Option<&'a str>,
    pub registration_number: Option<&'a str>,
    pub tax_registration_number: Option<&'a str>,
    /// Legal form.
    #[serde(rename = "type")]
    pub legal_form: Option<&'a str>,
    pub capital: Option<&'a str>,
    pub activity_code: Option<&'a str>,
    pub sector_id: Option<i64>,
    pub cluster_id: Option<i64>,
    pub batch_id: Option<i64>,
    #[schema(format = Email)]
    pub email_address: Option<&'a str>,
    #[schema(format = Email)]
    pub account_email_address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub mobile_phone: Option<&'a str>,
    pub fax: Option<&'a str>,
    pub main_contact_first_name: Option<&'a str>,
    pub main_contact_last_name: Option<&'a str>,
    pub main_address_line1: Option<&'a str>,
    pub main_address_line2: Option<&'a str>,
    pub main_address_postal_code: Option<&'a str>,
    pub main_address_city: Option<&'a str>,
    #[schema(example = "France")]
    pub main_address_country: &'a str,
    #[schema(format = Uri, max_length = 2048)]
    pub website: Option<&'a str>,
    pub active: bool,
    pub charge_vat: bool,
    pub merge_invoices: bool,
    pub accept_emails: bool,
    pub accept_calls: bool,
    pub comment: Option<&'a str>,
    /// The current pipeline stage.
    pub prospection_code_id: Option<i64>,
    #[serde(serialize_with = "timestamp")]
    #[schema(read_only, value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(read_only, value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Prospect> for ProspectBody<'a> {
    fn from(p: &'a Prospect) -> Self {
        let f = &p.fields;
        Self {
            id: p.id.0,
            name: &f.name,
            brand_id: f.brand_id,
            representative_id: f.representative_id.map(|user| user.0),
            customer_account: p.customer_account.as_str(),
            accounts_reference: f.accounts_reference.as_deref(),
            registration_number: f.registration_number.as_deref(),
            tax_registration_number: f.tax_registration_number.as_deref(),
            legal_form: f.legal_form.as_deref(),
            capital: f.capital.as_deref(),
            activity_code: f.activity_code.as_deref(),
            sector_id: f.sector_id,
            cluster_id: f.cluster_id,
            batch_id: f.batch_id,
            email_address: f.email_address.as_deref(),
            account_email_address: f.account_email_address.as_deref(),
            phone: f.phone.as_deref(),
            mobile_phone: f.mobile_phone.as_deref(),
            fax: f.fax.as_deref(),
            main_contact_first_name: f.main_contact_first_name.as_deref(),
            main_contact_last_name: f.main_contact_last_name.as_deref(),
            main_address_line1: f.main_address_line1.as_deref(),
            main_address_line2: f.main_address_line2.as_deref(),
            main_address_postal_code: f.main_address_postal_code.as_deref(),
            main_address_city: f.main_address_city.as_deref(),
            main_address_country: &f.main_address_country,
            website: f.website.as_deref(),
            active: f.active,
            charge_vat: f.charge_vat,
            merge_invoices: f.merge_invoices,
            accept_emails: f.accept_emails,
            accept_calls: f.accept_calls,
            comment: f.comment.as_deref(),
            prospection_code_id: f.prospection_code_id,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A prospect followed by `payment_plan`, `contacts` and `documents`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProspectDetails)]
pub struct ProspectDetailsBody<'a> {
    #[serde(flatten)]
    pub prospect: ProspectBody<'a>,
    pub payment_plan: Option<PaymentPlanBody<'a>>,
    pub contacts: Vec<ContactBody<'a>>,
    pub documents: Vec<DocumentBody<'a>>,
}

impl<'a> From<&'a ProspectDetails> for ProspectDetailsBody<'a> {
    fn from(d: &'a ProspectDetails) -> Self {
        Self {
            prospect: (&d.prospect).into(),
            payment_plan: d.payment_plan.as_ref().map(Into::into),
            contacts: d.contacts.iter().map(Into::into).collect(),
            documents: d.documents.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactBody<'a> {
    pub id: i64,
    pub prospect_id: i64,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub email_address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub mobile_phone: Option<&'a str>,
    pub is_main: bool,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Contact> for ContactBody<'a> {
    fn from(c: &'a Contact) -> Self {
        Self {
            id: c.id,
            prospect_id: c.prospect_id.0,
            first_name: c.first_name.as_deref(),
            last_name: c.last_name.as_deref(),
            job_title: c.job_title.as_deref(),
            email_address: c.email_address.as_deref(),
            phone: c.phone.as_deref(),
            mobile_phone: c.mobile_phone.as_deref(),
            is_main: c.is_main,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocumentBody<'a> {
    pub id: i64,
    pub prospect_id: i64,
    pub name: &'a str,
    pub mime_type: Option<&'a str>,
    pub size_bytes: i64,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Document> for DocumentBody<'a> {
    fn from(d: &'a Document) -> Self {
        Self {
            id: d.id,
            prospect_id: d.prospect_id.0,
            name: &d.name,
            mime_type: d.mime_type.as_deref(),
            size_bytes: d.size_bytes,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PaymentPlan)]
pub struct PaymentPlanBody<'a> {
    pub id: i64,
    pub prospect_id: i64,
    pub payment_method: Option<&'a str>,
    pub payment_terms_days: Option<i32>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a PaymentPlan> for PaymentPlanBody<'a> {
    fn from(p: &'a PaymentPlan) -> Self {
        Self {
            id: p.id,
            prospect_id: p.prospect_id.0,
            payment_method: p.payment_method.as_deref(),
            payment_terms_days: p.payment_terms_days,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}
