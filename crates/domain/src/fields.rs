//! A prospect's writable fields, listed once for every layer.
//!
//! [`prospect_fields!`] hands the list to a macro of the caller's: the domain
//! builds [`ProspectFields`], [`ProspectInput`] and [`ProspectField`] from it
//! (below), the storage adapter its columns, the web layer its conversions.
//! A new field is one line of the list, one column, and one property of
//! each wire type.

use garde::Validate;

use crate::input::{Patch, rules};

/// Calls `$callback!` with every writable field of a prospect, in the
/// contract's order (SPEC §2). Each entry: the field's [`ProspectField`]
/// variant, its name, `Required` (never null) or `Nullable`, its value type,
/// a required field's default, and the garde rules a sent value must pass.
#[macro_export]
macro_rules! prospect_fields {
    ($callback:path) => {
        $callback! {
            Name name: Required<String> = String::new() => [custom(rules::chars(2, 255))],
            BrandId brand_id: Nullable<i64> => [],
            RepresentativeId representative_id: Nullable<i64> => [],
            AccountsReference accounts_reference: Nullable<String> => [custom(rules::chars(0, 255))],
            RegistrationNumber registration_number: Nullable<String> => [custom(rules::chars(0, 255))],
            TaxRegistrationNumber tax_registration_number: Nullable<String> => [custom(rules::chars(0, 255))],
            LegalForm legal_form: Nullable<String> => [custom(rules::chars(0, 255))],
            Capital capital: Nullable<String> => [custom(rules::chars(0, 255))],
            ActivityCode activity_code: Nullable<String> => [custom(rules::chars(0, 255))],
            SectorId sector_id: Nullable<i64> => [],
            ClusterId cluster_id: Nullable<i64> => [],
            BatchId batch_id: Nullable<i64> => [],
            EmailAddress email_address: Nullable<String> => [custom(rules::email), custom(rules::chars(0, 255))],
            AccountEmailAddress account_email_address: Nullable<String> => [custom(rules::email), custom(rules::chars(0, 255))],
            Phone phone: Nullable<String> => [custom(rules::chars(0, 255))],
            MobilePhone mobile_phone: Nullable<String> => [custom(rules::chars(0, 255))],
            Fax fax: Nullable<String> => [custom(rules::chars(0, 255))],
            MainContactFirstName main_contact_first_name: Nullable<String> => [custom(rules::chars(0, 255))],
            MainContactLastName main_contact_last_name: Nullable<String> => [custom(rules::chars(0, 255))],
            MainAddressLine1 main_address_line1: Nullable<String> => [custom(rules::chars(0, 255))],
            MainAddressLine2 main_address_line2: Nullable<String> => [custom(rules::chars(0, 255))],
            MainAddressPostalCode main_address_postal_code: Nullable<String> => [custom(rules::chars(0, 255))],
            MainAddressCity main_address_city: Nullable<String> => [custom(rules::chars(0, 255))],
            MainAddressCountry main_address_country: Required<String> = $crate::ProspectFields::DEFAULT_COUNTRY.to_owned() => [custom(rules::chars(0, 255))],
            Website website: Nullable<String> => [custom(rules::web_url), custom(rules::chars(0, 2048))],
            Active active: Required<bool> = true => [custom(rules::boolean)],
            ChargeVat charge_vat: Required<bool> = true => [custom(rules::boolean)],
            MergeInvoices merge_invoices: Required<bool> = false => [custom(rules::boolean)],
            AcceptEmails accept_emails: Required<bool> = true => [custom(rules::boolean)],
            AcceptCalls accept_calls: Required<bool> = true => [custom(rules::boolean)],
            Comment comment: Nullable<String> => [custom(rules::chars(0, 65_535))],
            ProspectionCodeId prospection_code_id: Nullable<i64> => [],
        }
    };
}

/// A stored field's type: `Required` fields are never null.
#[macro_export]
macro_rules! stored_type {
    (Required, $inner:ty) => { $inner };
    (Nullable, $inner:ty) => { Option<$inner> };
}

/// The domain's types, from the list.
macro_rules! declare {
    ($($variant:ident $field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        /// Every field a client may write, in the order of the contract
        /// (SPEC §2). A value of this type has passed validation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct ProspectFields {
            $(pub $field: stored_type!($presence, $inner),)*
        }

        impl ProspectFields {
            /// A prospect with this name and every other field at its default.
            pub fn named(name: String) -> Self {
                Self {
                    $($field: default_value!($presence $(, $default)?),)*
                }
                .with_name(name)
            }
        }

        /// Every writable field of a prospect as a request sent it (see
        /// [`Patch`]). Server-owned fields (`id`, `customer_account`,
        /// timestamps) have no place here.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Validate)]
        pub struct ProspectInput {
            $(
                #[garde(custom(rules::well_formed), $($rule)*)]
                pub $field: Patch<$inner>,
            )*
        }

        impl ProspectInput {
            /// Writes the sent fields into `fields`; says whether anything
            /// changed. A required field sent as `null` gets its default back
            /// (validation refuses `null` where there is no sensible default).
            pub(crate) fn apply_to(&self, fields: &mut ProspectFields) -> bool {
                let mut changed = false;
                $(changed |= apply!($presence, &self.$field, &mut fields.$field $(, $default)?);)*
                changed
            }
        }

        /// A prospect's writable field, as the domain names it in errors.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProspectField {
            $($variant,)*
        }

        impl ProspectField {
            /// Every field, in the contract's order.
            pub const ALL: &[ProspectField] = &[$(ProspectField::$variant,)*];

            /// The field's name in the domain (and the column's in storage).
            pub fn name(self) -> &'static str {
                match self {
                    $(ProspectField::$variant => stringify!($field),)*
                }
            }
        }
    };
}

macro_rules! default_value {
    (Required, $default:expr) => {
        $default
    };
    (Nullable) => {
        None
    };
}

macro_rules! apply {
    (Required, $patch:expr, $target:expr, $default:expr) => {
        $patch.apply_required($target, || $default)
    };
    (Nullable, $patch:expr, $target:expr) => {
        $patch.apply_nullable($target)
    };
}

pub(crate) use {apply, default_value};

prospect_fields!(declare);

impl ProspectFields {
    /// The country a prospect gets when none is given.
    pub const DEFAULT_COUNTRY: &'static str = "France";

    fn with_name(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    /// The assigned sales representative.
    pub fn representative(&self) -> Option<crate::UserId> {
        self.representative_id.map(crate::UserId)
    }
}

impl ProspectField {
    /// The field a domain name stands for.
    pub fn named(name: &str) -> Option<ProspectField> {
        Self::ALL.iter().copied().find(|field| field.name() == name)
    }
}
