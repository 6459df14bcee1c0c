//! Row structs and their conversions to and from domain values, written once
//! for every backend.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use prospects_domain::search;
use prospects_domain::{
    Account, AccountId, AccountKind, AccountNumber, Contact, ContactFields, Document, FileKey,
    NewDocument, Note, NoteValues, Owner, PaymentPlan, ProspectFields, Role, User, UserId, Version,
};

use crate::schema::{accounts, contacts, documents, notes, payment_plans, users};

/// Now, in UTC, at the microsecond precision every backend stores and the
/// wire shows. Columns hold UTC without a zone, so both backends agree.
pub fn now() -> NaiveDateTime {
    Utc::now().trunc_subsecs(6).naive_utc()
}

/// The kind of a stored account (a CHECK constraint allows no other value).
pub fn account_kind(stored: &str) -> AccountKind {
    AccountKind::from_stored(stored).unwrap_or(AccountKind::Prospect)
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// The columns of a prospect's writable fields, built from the domain's
/// list of them (`prospect_fields!`): one column per field, same name, same type.
macro_rules! field_columns {
    ($($variant:ident $field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        #[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
        #[diesel(table_name = accounts, treat_none_as_null = true)]
        pub struct FieldColumns {
            $(pub $field: prospects_domain::stored_type!($presence, $inner),)*
        }

        impl From<FieldColumns> for ProspectFields {
            fn from(columns: FieldColumns) -> Self {
                ProspectFields { $($field: columns.$field,)* }
            }
        }

        impl From<&ProspectFields> for FieldColumns {
            fn from(fields: &ProspectFields) -> Self {
                FieldColumns { $($field: fields.$field.clone(),)* }
            }
        }
    };
}

prospects_domain::prospect_fields!(field_columns);

/// An account as stored, without the search columns.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub kind: String,
    pub customer_account: String,
    #[diesel(embed)]
    pub fields: FieldColumns,
    pub prospect_id: Option<i64>,
    pub converted_customer_id: Option<i64>,
    pub converted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            id: AccountId(row.id),
            kind: account_kind(&row.kind),
            customer_account: AccountNumber::from_stored(row.customer_account),
            fields: row.fields.into(),
            prospect_id: row.prospect_id.map(AccountId),
            converted_customer_id: row.converted_customer_id.map(AccountId),
            converted_at: row.converted_at.map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: Version(row.version),
        }
    }
}

/// Every column a write sets: the fields, their search copies and the
/// timestamps, and on insert the kind and a customer's prospect.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
pub struct AccountWrite {
    /// `None` on update: an account never changes kind.
    #[diesel(treat_none_as_null = false)]
    pub kind: Option<&'static str>,
    #[diesel(treat_none_as_null = false)]
    pub prospect_id: Option<i64>,
    #[diesel(embed)]
    pub fields: FieldColumns,
    /// `None` on update: the creation time never changes.
    #[diesel(treat_none_as_null = false)]
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub name_key: String,
    pub search_document: String,
}

impl AccountWrite {
    /// The columns of a new account; a customer may name its prospect.
    pub fn insert(
        kind: AccountKind,
        prospect_id: Option<AccountId>,
        fields: &ProspectFields,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            kind: Some(kind.as_str()),
            prospect_id: prospect_id.map(|id| id.0),
            ..Self::new(fields, Some(at), at)
        }
    }

    /// The columns of an updated row (kind and `created_at` untouched).
    pub fn update(fields: &ProspectFields, at: NaiveDateTime) -> Self {
        Self::new(fields, None, at)
    }

    fn new(
        fields: &ProspectFields,
        created_at: Option<NaiveDateTime>,
        updated_at: NaiveDateTime,
    ) -> Self {
        Self {
            kind: None,
            prospect_id: None,
            fields: fields.into(),
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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            name: row.name,
            email: row.email,
            role: Role::new(row.role),
            active: row.active,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
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

/// The columns a user update writes; `None` keeps a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangesRow {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<i32>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// The columns of a contact's writable fields, built from the domain's list
/// of them (`contact_fields!`): one column per field, same name, same type.
macro_rules! contact_columns {
    ($($field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        #[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
        #[diesel(table_name = contacts, treat_none_as_null = true)]
        pub struct ContactColumns {
            $(pub $field: prospects_domain::stored_type!($presence, $inner),)*
        }

        impl From<ContactColumns> for ContactFields {
            fn from(columns: ContactColumns) -> Self {
                ContactFields { $($field: columns.$field,)* }
            }
        }

        impl From<&ContactFields> for ContactColumns {
            fn from(fields: &ContactFields) -> Self {
                ContactColumns { $($field: fields.$field.clone(),)* }
            }
        }
    };
}

prospects_domain::contact_fields!(contact_columns);

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub account_id: i64,
    #[diesel(embed)]
    pub fields: ContactColumns,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl ContactRow {
    /// The contact, on an account of `kind`.
    pub fn into_contact(self, kind: AccountKind) -> Contact {
        Contact {
            id: self.id,
            owner: Owner {
                kind,
                id: AccountId(self.account_id),
            },
            fields: self.fields.into(),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            version: Version(self.version),
        }
    }
}

/// The columns a contact's write sets: its fields, and its numbers in
/// E.164 form, derived from them.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactWrite {
    #[diesel(embed)]
    pub fields: ContactColumns,
    pub mobile_phone_e164: Option<String>,
    pub landline_phone_e164: Option<String>,
    pub updated_at: NaiveDateTime,
}

impl ContactWrite {
    pub fn new(fields: &ContactFields, at: NaiveDateTime) -> Self {
        let (mobile_phone_e164, landline_phone_e164) = fields.dialable();
        Self {
            fields: fields.into(),
            mobile_phone_e164,
            landline_phone_e164,
            updated_at: at,
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DocumentRow {
    pub fn into_document(self, kind: AccountKind) -> Document {
        Document {
            id: self.id,
            owner: Owner {
                kind,
                id: AccountId(self.account_id),
            },
            name: self.name,
            mime_type: self.mime_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256,
            key: FileKey(self.storage_key),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        }
    }
}

/// A new document's columns.
#[derive(Debug, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentWrite<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub mime_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl<'a> DocumentWrite<'a> {
    pub fn new(account_id: i64, document: &'a NewDocument, at: NaiveDateTime) -> Self {
        Self {
            account_id,
            name: &document.name,
            mime_type: &document.mime_type,
            size_bytes: document.file.size_bytes,
            sha256: &document.file.sha256,
            storage_key: &document.file.key.0,
            created_at: at,
            updated_at: at,
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = payment_plans)]
pub struct PaymentPlanRow {
    pub id: i64,
    pub account_id: i64,
    pub payment_method: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl From<PaymentPlanRow> for PaymentPlan {
    fn from(row: PaymentPlanRow) -> Self {
        PaymentPlan {
            id: row.id,
            account_id: AccountId(row.account_id),
            payment_method: row.payment_method,
            payment_terms_days: row.payment_terms_days,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: Version(row.version),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = notes)]
pub struct NoteRow {
    pub id: i64,
    pub account_id: i64,
    pub user_id: Option<i64>,
    pub title: Option<String>,
    pub body: String,
    pub note_type: Option<String>,
    pub priority: i32,
    pub shared: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl NoteRow {
    /// The note, on an account of `kind`.
    pub fn into_note(self, kind: AccountKind) -> Note {
        Note {
            id: self.id,
            owner: Owner {
                kind,
                id: AccountId(self.account_id),
            },
            author: self.user_id.map(UserId),
            values: NoteValues {
                title: self.title,
                body: self.body,
                note_type: self.note_type,
                priority: self.priority,
                shared: self.shared,
            },
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            version: Version(self.version),
        }
    }
}

/// The columns a note's write sets.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = notes, treat_none_as_null = true)]
pub struct NoteWrite<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub note_type: Option<&'a str>,
    pub priority: i32,
    pub shared: bool,
    pub updated_at: NaiveDateTime,
}

impl<'a> NoteWrite<'a> {
    pub fn new(values: &'a NoteValues, at: NaiveDateTime) -> Self {
        Self {
            title: values.title.as_deref(),
            body: &values.body,
            note_type: values.note_type.as_deref(),
            priority: values.priority,
            shared: values.shared,
            updated_at: at,
        }
    }
}
