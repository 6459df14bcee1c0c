//! Row structs and their conversions to and from domain values, written once
//! for every backend.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use prospects_domain::search;
use prospects_domain::{
    AccountNumber, Contact, Document, PaymentPlan, Prospect, ProspectFields, ProspectId, Role,
    User, UserId,
};

use crate::schema::{contacts, documents, payment_plans, prospects, users};

/// Now, in UTC, at the microsecond precision every backend stores and the
/// wire shows. Columns hold UTC without a zone, so both backends agree.
pub fn now() -> NaiveDateTime {
    Utc::now().trunc_subsecs(6).naive_utc()
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A prospect as stored, without the search columns.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = prospects)]
pub struct ProspectRow {
    pub id: i64,
    pub name: String,
    pub brand_id: Option<i64>,
    pub representative_id: Option<i64>,
    pub customer_account: String,
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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<ProspectRow> for Prospect {
    fn from(row: ProspectRow) -> Self {
        Prospect {
            id: ProspectId(row.id),
            customer_account: AccountNumber::from_stored(row.customer_account),
            fields: ProspectFields {
                name: row.name,
                brand_id: row.brand_id,
                representative_id: row.representative_id.map(UserId),
                accounts_reference: row.accounts_reference,
                registration_number: row.registration_number,
                tax_registration_number: row.tax_registration_number,
                legal_form: row.legal_form,
                capital: row.capital,
                activity_code: row.activity_code,
                sector_id: row.sector_id,
                cluster_id: row.cluster_id,
                batch_id: row.batch_id,
                email_address: row.email_address,
                account_email_address: row.account_email_address,
                phone: row.phone,
                mobile_phone: row.mobile_phone,
                fax: row.fax,
                main_contact_first_name: row.main_contact_first_name,
                main_contact_last_name: row.main_contact_last_name,
                main_address_line1: row.main_address_line1,
                main_address_line2: row.main_address_line2,
                main_address_postal_code: row.main_address_postal_code,
                main_address_city: row.main_address_city,
                main_address_country: row.main_address_country,
                website: row.website,
                active: row.active,
                charge_vat: row.charge_vat,
                merge_invoices: row.merge_invoices,
                accept_emails: row.accept_emails,
                accept_calls: row.accept_calls,
                comment: row.comment,
                prospection_code_id: row.prospection_code_id,
            },
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// Every column a write sets: the fields, their search copies and the timestamps.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = prospects, treat_none_as_null = true)]
pub struct ProspectWrite<'a> {
    pub name: &'a str,
    pub brand_id: Option<i64>,
    pub representative_id: Option<i64>,
    pub accounts_reference: Option<&'a str>,
    pub registration_number: Option<&'a str>,
    pub tax_registration_number: Option<&'a str>,
    pub legal_form: Option<&'a str>,
    pub capital: Option<&'a str>,
    pub activity_code: Option<&'a str>,
    pub sector_id: Option<i64>,
    pub cluster_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub email_address: Option<&'a str>,
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
    pub main_address_country: &'a str,
    pub website: Option<&'a str>,
    pub active: bool,
    pub charge_vat: bool,
    pub merge_invoices: bool,
    pub accept_emails: bool,
    pub accept_calls: bool,
    pub comment: Option<&'a str>,
    pub prospection_code_id: Option<i64>,
    /// `None` on update: the creation time never changes.
    #[diesel(treat_none_as_null = false)]
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub name_key: String,
    pub search_document: String,
}

impl<'a> ProspectWrite<'a> {
    /// The columns of a new row.
    pub fn insert(fields: &'a ProspectFields, at: NaiveDateTime) -> Self {
        Self::new(fields, Some(at), at)
    }

    /// The columns of an updated row (`created_at` untouched).
    pub fn update(fields: &'a ProspectFields, at: NaiveDateTime) -> Self {
        Self::new(fields, None, at)
    }

    fn new(
        fields: &'a ProspectFields,
        created_at: Option<NaiveDateTime>,
        updated_at: NaiveDateTime,
    ) -> Self {
        Self {
            name: &fields.name,
            brand_id: fields.brand_id,
            representative_id: fields.representative_id.map(|user| user.0),
            accounts_reference: fields.accounts_reference.as_deref(),
            registration_number: fields.registration_number.as_deref(),
            tax_registration_number: fields.tax_registration_number.as_deref(),
            legal_form: fields.legal_form.as_deref(),
            capital: fields.capital.as_deref(),
            activity_code: fields.activity_code.as_deref(),
            sector_id: fields.sector_id,
            cluster_id: fields.cluster_id,
            batch_id: fields.batch_id,
            email_address: fields.email_address.as_deref(),
            account_email_address: fields.account_email_address.as_deref(),
            phone: fields.phone.as_deref(),
            mobile_phone: fields.mobile_phone.as_deref(),
            fax: fields.fax.as_deref(),
            main_contact_first_name: fields.main_contact_first_name.as_deref(),
            main_contact_last_name: fields.main_contact_last_name.as_deref(),
            main_address_line1: fields.main_address_line1.as_deref(),
            main_address_line2: fields.main_address_line2.as_deref(),
            main_address_postal_code: fields.main_address_postal_code.as_deref(),
            main_address_city: fields.main_address_city.as_deref(),
            main_address_country: &fields.main_address_country,
            website: fields.website.as_deref(),
            active: fields.active,
            charge_vat: fields.charge_vat,
            merge_invoices: fields.merge_invoices,
            accept_emails: fields.accept_emails,
            accept_calls: fields.accept_calls,
            comment: fields.comment.as_deref(),
            prospection_code_id: fields.prospection_code_id,
            created_at,
            updated_at,
            name_key: search::name_key(&fields.name),
            search_document: search::document(fields),
        }
    }
}

/// A user as every request reads it: never the password hash.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: i32,
    pub active: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            name: row.name,
            email: row.email,
            role: Role::new(row.role),
            active: row.active,
        }
    }
}

/// A user and their password hash, read only at login.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserWithPasswordRow {
    #[diesel(embed)]
    pub user: UserRow,
    pub password_hash: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: i32,
    pub active: bool,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub prospect_id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub email_address: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub is_main: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Self {
        Contact {
            id: row.id,
            prospect_id: ProspectId(row.prospect_id),
            first_name: row.first_name,
            last_name: row.last_name,
            job_title: row.job_title,
            email_address: row.email_address,
            phone: row.phone,
            mobile_phone: row.mobile_phone,
            is_main: row.is_main,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub prospect_id: i64,
    pub name: String,
    pub mime_type: Option<String>,
    pub size_bytes: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<DocumentRow> for Document {
    fn from(row: DocumentRow) -> Self {
        Document {
            id: row.id,
            prospect_id: ProspectId(row.prospect_id),
            name: row.name,
            mime_type: row.mime_type,
            size_bytes: row.size_bytes,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = payment_plans)]
pub struct PaymentPlanRow {
    pub id: i64,
    pub prospect_id: i64,
    pub payment_method: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<PaymentPlanRow> for PaymentPlan {
    fn from(row: PaymentPlanRow) -> Self {
        PaymentPlan {
            id: row.id,
            prospect_id: ProspectId(row.prospect_id),
            payment_method: row.payment_method,
            payment_terms_days: row.payment_terms_days,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}
