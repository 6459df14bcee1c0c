//! The JSON shapes of prospects and what they own, field for field and in
//! the contract's order (SPEC §2): what a client sends ([`ProspectChanges`],
//! [`NewProspect`]) and what it gets back ([`ProspectBody`] and the records
//! a prospect owns). Each property is named once here; the conversions to
//! and from the domain are built from the domain's list of fields.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use prospects_domain::{
    Account, AccountDetails, AccountKind, PaymentPlan, ProspectField, ProspectInput,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::contacts::ContactBody;
use super::documents::DocumentBody;
use super::lenient::{Country, EmailText, Flag, Id, Text, UrlText, lenient_request};
use super::{optional_timestamp, timestamp};

/// The wire's name for a field the domain names `field` (`legal_form` is
/// the contract's `type`).
pub fn field_name(field: &str) -> &str {
    match ProspectField::named(field) {
        Some(ProspectField::LegalForm) => "type",
        _ => field,
    }
}

/// Where a field the wire names `name` comes in the contract's order.
pub fn field_position(name: &str) -> Option<usize> {
    ProspectField::ALL
        .iter()
        .position(|field| field_name(field.name()) == name)
}

// Per-field `///` comments would wrap each inlined kind in an `allOf` with
// a contradicting `type: object`; each kind documents itself instead.
// Defaults are stated in descriptions rather than as `default` keywords,
// which openapi-typescript would turn into required properties; email and
// URL rules likewise, rather than `format`s, which would forbid the `""`
// the server reads as null.
lenient_request! {
    /// The fields to change; any subset of a prospect's or a customer's
    /// writable fields. Fields not sent are kept. Unknown keys and the server-owned `id`,
    /// `customer_account`, `created_at`, `updated_at` are ignored. Strings are
    /// trimmed and `""` counts as `null`; booleans also accept `1`, `0`, `"1"`,
    /// `"0"`; integers also accept numeric strings. Every field is also
    /// accepted under the vendor PHP client's camelCase name (`emailAddress`,
    /// `chargeVAT`, ...).
    #[schema(example = json!({"main_address_city": "Lyon", "accept_calls": false}))]
    pub struct ProspectChanges {
        pub name: Text<2, 255, false>,
        // Brands.
        pub brand_id: Id,
        // Users; ignored for a sales user, who always becomes the representative.
        pub representative_id: Id,
        pub accounts_reference: Text<0, 255>,
        pub registration_number: Text<0, 255>,
        pub tax_registration_number: Text<0, 255>,
        // The legal form.
        #[serde(rename = "type")]
        pub legal_form: Text<0, 255>,
        pub capital: Text<0, 255>,
        pub activity_code: Text<0, 255>,
        pub sector_id: Id,
        pub cluster_id: Id,
        pub batch_id: Id,
        pub email_address: EmailText<255>,
        pub account_email_address: EmailText<255>,
        pub phone: Text<0, 255>,
        pub mobile_phone: Text<0, 255>,
        pub fax: Text<0, 255>,
        pub main_contact_first_name: Text<0, 255>,
        pub main_contact_last_name: Text<0, 255>,
        pub main_address_line1: Text<0, 255>,
        pub main_address_line2: Text<0, 255>,
        pub main_address_postal_code: Text<0, 255>,
        pub main_address_city: Text<0, 255>,
        pub main_address_country: Country,
        pub website: UrlText<2048>,
        // Defaults: `active`, `charge_vat`, `accept_emails`, `accept_calls`
        // true; `merge_invoices` false.
        pub active: Flag,
        pub charge_vat: Flag,
        pub merge_invoices: Flag,
        pub accept_emails: Flag,
        pub accept_calls: Flag,
        pub comment: Text<0, 65_535>,
        // The pipeline stage: prospection codes.
        pub prospection_code_id: Id,
    }
}

/// A prospect to create: the same fields as an update, `name` required.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct NewProspect(pub ProspectChanges);

impl PartialSchema for NewProspect {
    fn schema() -> RefOr<Schema> {
        let mut schema = ProspectChanges::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required = vec!["name".to_owned()];
            object.description = Some(format!(
                "A prospect or customer to create.{}",
                object
                    .description
                    .as_deref()
                    .and_then(|text| text.split_once(" kept."))
                    .map_or("", |(_, rest)| rest)
            ));
            // What Swagger UI's "Try it out" sends: a body that creates a
            // prospect as it stands.
            object.example = Some(serde_json::json!({
                "name": "Acme Corp",
                "email_address": "info@acme.example",
                "main_address_city": "Paris",
                "website": "https://acme.example",
            }));
        }
        schema
    }
}

impl ToSchema for NewProspect {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewProspect")
    }
}

/// The response bodies of the two kinds of account, which share every
/// field in the contract's order (SPEC §2) and differ in their account
/// number's prefix and in what follows `updated_at`.
macro_rules! account_bodies {
    ($(
        $(#[$doc:meta])*
        $body:ident as $schema:ident,
        number($number_doc:literal, $number_pattern:literal, $number_example:literal)
        { $($(#[$extra_meta:meta])* pub $extra:ident: $extra_type:ty,)* }
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        #[schema(as = $schema)]
        pub struct $body<'a> {
            #[schema(read_only, example = 42)]
            pub id: i64,
            #[schema(min_length = 2, max_length = 255, example = "Acme Corp")]
            pub name: &'a str,
            pub brand_id: Option<i64>,
            /// The assigned sales representative (a user id).
            pub representative_id: Option<i64>,
            #[doc = $number_doc]
            #[schema(read_only, pattern = $number_pattern, example = $number_example)]
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
            $($(#[$extra_meta])* pub $extra: $extra_type,)*
        }
    )*};
}

account_bodies! {
    /// A prospect: a company or person the sales team is courting.
    ProspectBody as Prospect,
    number(
        "`PR` + the id zero-padded to at least six digits; generated, never changes.",
        "^PR[0-9]{6,}$",
        "PR000042"
    ) {
        /// The customer the prospect was converted to; null until converted
        /// (and again if that customer is deleted).
        #[schema(read_only)]
        pub converted_customer_id: Option<i64>,
        /// When the prospect was converted; null until then. A converted
        /// prospect stays readable and takes no more writes.
        #[serde(serialize_with = "optional_timestamp")]
        #[schema(read_only, value_type = Option<String>, format = DateTime, example = json!(null))]
        pub converted_at: Option<DateTime<Utc>>,
    }

    /// A customer: an account that buys. Created directly or by converting
    /// a prospect; the same fields and rules as a prospect.
    CustomerBody as Customer,
    number(
        "`CL` + the id zero-padded to at least six digits; generated, never changes.",
        "^CL[0-9]{6,}$",
        "CL000043"
    ) {
        /// The prospect this customer was converted from, or null.
        #[schema(read_only)]
        pub prospect_id: Option<i64>,
    }
}

/// A stored value as the wire shows it, borrowed.
trait Shown<'a> {
    type Wire;
    fn shown(&'a self) -> Self::Wire;
}

impl<'a> Shown<'a> for String {
    type Wire = &'a str;
    fn shown(&'a self) -> &'a str {
        self
    }
}

impl<'a> Shown<'a> for Option<String> {
    type Wire = Option<&'a str>;
    fn shown(&'a self) -> Option<&'a str> {
        self.as_deref()
    }
}

impl Shown<'_> for Option<i64> {
    type Wire = Option<i64>;
    fn shown(&self) -> Option<i64> {
        *self
    }
}

impl Shown<'_> for bool {
    type Wire = bool;
    fn shown(&self) -> bool {
        *self
    }
}

/// The conversions between the wire types and the domain's, field for
/// field, from the domain's list.
macro_rules! conversions {
    ($($variant:ident $field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        impl<'a> From<&'a Account> for ProspectBody<'a> {
            fn from(p: &'a Account) -> Self {
                Self {
                    id: p.id.0,
                    customer_account: p.customer_account.as_str(),
                    $($field: p.fields.$field.shown(),)*
                    created_at: p.created_at,
                    updated_at: p.updated_at,
                    converted_customer_id: p.converted_customer_id.map(|id| id.0),
                    converted_at: p.converted_at,
                }
            }
        }

        impl<'a> From<&'a Account> for CustomerBody<'a> {
            fn from(c: &'a Account) -> Self {
                Self {
                    id: c.id.0,
                    customer_account: c.customer_account.as_str(),
                    $($field: c.fields.$field.shown(),)*
                    created_at: c.created_at,
                    updated_at: c.updated_at,
                    prospect_id: c.prospect_id.map(|id| id.0),
                }
            }
        }

        impl From<ProspectChanges> for ProspectInput {
            fn from(sent: ProspectChanges) -> Self {
                ProspectInput {
                    $($field: sent.$field.into_patch(),)*
                }
            }
        }
    };
}

prospects_domain::prospect_fields!(conversions);

/// An account as its kind shows it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AccountJson<'a> {
    Prospect(ProspectBody<'a>),
    Customer(CustomerBody<'a>),
}

impl<'a> From<&'a Account> for AccountJson<'a> {
    fn from(account: &'a Account) -> Self {
        match account.kind {
            AccountKind::Prospect => AccountJson::Prospect(account.into()),
            AccountKind::Customer => AccountJson::Customer(account.into()),
        }
    }
}

/// A prospect followed by `payment_plan`, `contacts` and `documents`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProspectDetails)]
pub struct ProspectDetailsBody<'a> {
    #[serde(flatten)]
    pub prospect: ProspectBody<'a>,
    #[serde(flatten)]
    pub owned: OwnedBody<'a>,
}

/// A customer followed by `payment_plan`, `contacts` and `documents`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CustomerDetails)]
pub struct CustomerDetailsBody<'a> {
    #[serde(flatten)]
    pub customer: CustomerBody<'a>,
    #[serde(flatten)]
    pub owned: OwnedBody<'a>,
}

/// What an account owns, as its details show it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountRecords)]
pub struct OwnedBody<'a> {
    pub payment_plan: Option<PaymentPlanBody<'a>>,
    pub contacts: Vec<ContactBody<'a>>,
    pub documents: Vec<DocumentBody<'a>>,
}

/// An account with what it owns, as its kind shows it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AccountDetailsJson<'a> {
    Prospect(ProspectDetailsBody<'a>),
    Customer(CustomerDetailsBody<'a>),
}

impl<'a> From<&'a AccountDetails> for AccountDetailsJson<'a> {
    fn from(d: &'a AccountDetails) -> Self {
        let owned = OwnedBody {
            payment_plan: d.payment_plan.as_ref().map(Into::into),
            contacts: d.contacts.iter().map(Into::into).collect(),
            documents: d.documents.iter().map(Into::into).collect(),
        };
        match d.account.kind {
            AccountKind::Prospect => AccountDetailsJson::Prospect(ProspectDetailsBody {
                prospect: (&d.account).into(),
                owned,
            }),
            AccountKind::Customer => AccountDetailsJson::Customer(CustomerDetailsBody {
                customer: (&d.account).into(),
                owned,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PaymentPlan)]
pub struct PaymentPlanBody<'a> {
    pub id: i64,
    /// The prospect or customer that owns it.
    pub account_id: i64,
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
            account_id: p.account_id.0,
            payment_method: p.payment_method.as_deref(),
            payment_terms_days: p.payment_terms_days,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use prospects_domain::Patch;
    use serde_json::{Value, json};

    use super::*;
    use crate::ApiError;
    use crate::dialect::SentAs;

    fn read(body: Value) -> ProspectInput {
        serde_json::from_value::<ProspectChanges>(body)
            .expect("a JSON object always reads")
            .into()
    }

    #[test]
    fn lenient_scalars_are_accepted() {
        let input = read(json!({
            "name": "  Acme  ", "brand_id": "12", "sector_id": 3.0, "active": "0",
            "charge_vat": 1, "merge_invoices": true, "phone": "", "email": "ignored@x.test"
        }));
        assert!(input.clone().validate_for_create().is_ok());
        assert_eq!(input.name, Patch::Set("Acme".to_owned()));
        assert_eq!(input.brand_id, Patch::Set(12));
        assert_eq!(input.sector_id, Patch::Set(3));
        assert_eq!(input.active, Patch::Set(false));
        assert_eq!(input.charge_vat, Patch::Set(true));
        assert_eq!(input.merge_invoices, Patch::Set(true));
        assert_eq!(input.phone, Patch::Null);
        assert_eq!(input.email_address, Patch::Absent);
    }

    #[test]
    fn wrong_types_are_field_errors_under_wire_names_in_contract_order() {
        let errors = read(json!({
            "accept_calls": 2, "type": ["x"], "name": 42, "brand_id": "abc", "batch_id": 1.5, "active": "yes"
        }))
        .validate_for_create()
        .expect_err("refused");
        let response = ApiError::Invalid(errors, SentAs::default());
        let body = actix_web::ResponseError::error_response(&response);
        let bytes =
            futures_util::FutureExt::now_or_never(actix_web::body::to_bytes(body.into_body()))
                .expect("a JSON body is ready")
                .expect("body");
        let body: Value = serde_json::from_slice(&bytes).expect("json");
        let fields: Vec<&String> = body["errors"].as_object().expect("errors").keys().collect();
        assert_eq!(
            fields,
            [
                "name",
                "brand_id",
                "type",
                "batch_id",
                "active",
                "accept_calls"
            ]
        );
        assert_eq!(
            body["message"],
            "The name field must be a string. (and 5 more errors)"
        );
        assert_eq!(
            body["errors"]["type"][0],
            "The type field must be a string."
        );
    }
}
