//! The JSON shapes of contacts, in the vendor's shape (snake_case here; the
//! SDK's camelCase names through the dialect).

use chrono::{DateTime, Utc};
use prospects_domain::{Contact, ContactInput};
use serde::Serialize;
use utoipa::ToSchema;

use super::lenient::{EmailText, Flag, Integer, Text, lenient_request};
use super::timestamp;

lenient_request! {
    /// A contact to add or the fields to change; every field is optional.
    /// The account it hangs on is named in the query string when adding it
    /// and never changes. Unknown keys (the vendor client's `source`,
    /// `myClient`, ...) are ignored; the vendor client's camelCase names
    /// (`firstName`, `emailAddress`, `legalRepresentative`, ...) are accepted.
    #[schema(example = json!({"first_name": "Anne", "last_name": "Martin", "role": "CFO", "mobile_phone": "06 11 13 17 19"}))]
    pub struct ContactRequest {
        // An integer code (0 to 255) as the vendor's client keeps it.
        pub civility: Integer,
        pub first_name: Text<0, 255>,
        pub last_name: Text<0, 255>,
        pub email_address: EmailText<255>,
        pub company: Text<0, 255>,
        pub mobile_phone: Text<0, 255>,
        pub landline_phone: Text<0, 255>,
        // The job title.
        pub role: Text<0, 255>,
        // Defaults: `active` true, the other flags false.
        pub active: Flag,
        pub legal_representative: Flag,
        pub invoices_recipient: Flag,
        pub newsletters_recipient: Flag,
        pub technical_contact: Flag,
        pub comment: Text<0, 65_535>,
    }
}

/// Every field of the domain's list read from the request: the compiler
/// checks the request declares each one.
macro_rules! from_request {
    ($($field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        impl From<ContactRequest> for ContactInput {
            fn from(sent: ContactRequest) -> Self {
                ContactInput { $($field: sent.$field.into_patch(),)* }
            }
        }
    };
}

prospects_domain::contact_fields!(from_request);

/// A person at a prospect or a customer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactBody<'a> {
    #[schema(example = 7)]
    pub id: i64,
    /// `prospect` or `customer`.
    #[schema(example = "prospect")]
    pub contactable_type: &'static str,
    #[schema(example = 42)]
    pub contactable_id: i64,
    /// An integer code, as the vendor's client keeps it.
    pub civility: Option<i64>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email_address: Option<&'a str>,
    pub company: Option<&'a str>,
    /// As written; `/contacts/numbers` compares it in E.164 form.
    pub mobile_phone: Option<&'a str>,
    pub landline_phone: Option<&'a str>,
    /// The job title.
    pub role: Option<&'a str>,
    pub active: bool,
    pub legal_representative: bool,
    pub invoices_recipient: bool,
    pub newsletters_recipient: bool,
    pub technical_contact: bool,
    pub comment: Option<&'a str>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Contact> for ContactBody<'a> {
    fn from(contact: &'a Contact) -> Self {
        let fields = &contact.fields;
        Self {
            id: contact.id,
            contactable_type: contact.owner.kind.as_str(),
            contactable_id: contact.owner.id.0,
            civility: fields.civility,
            first_name: fields.first_name.as_deref(),
            last_name: fields.last_name.as_deref(),
            email_address: fields.email_address.as_deref(),
            company: fields.company.as_deref(),
            mobile_phone: fields.mobile_phone.as_deref(),
            landline_phone: fields.landline_phone.as_deref(),
            role: fields.role.as_deref(),
            active: fields.active,
            legal_representative: fields.legal_representative,
            invoices_recipient: fields.invoices_recipient,
            newsletters_recipient: fields.newsletters_recipient,
            technical_contact: fields.technical_contact,
            comment: fields.comment.as_deref(),
            created_at: contact.created_at,
            updated_at: contact.updated_at,
        }
    }
}

/// What `/contacts/numbers` answers: the contact under `data`, where the
/// vendor's client reads it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactMatch)]
pub struct ContactMatchBody<'a> {
    pub data: ContactBody<'a>,
}
