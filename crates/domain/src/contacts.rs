//! The people at an account, in the vendor's shape. A contact is read and
//! written by whoever may see its account; a converted prospect takes no
//! new contact and no change to one.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use garde::Validate;

use crate::fields::{apply, default_value};
use crate::input::rules;
use crate::owned::{OwnedError, Record};
use crate::validation::{Rule, ValidationErrors};
use crate::{
    AccountRepository, Actor, Expected, Owner, Patch, Receipt, RepositoryError, Scope, UserId,
    Version, phone,
};

/// Calls `$callback!` with every writable field of a contact, in the
/// wire's order. Each entry: the field's name, `Required` (never null) or
/// `Nullable`, its value type, a required field's default, and the garde
/// rules a sent value must pass.
#[macro_export]
macro_rules! contact_fields {
    ($callback:path) => {
        $callback! {
            civility: Nullable<i64> => [custom(rules::between(0, 255))],
            first_name: Nullable<String> => [custom(rules::chars(0, 255))],
            last_name: Nullable<String> => [custom(rules::chars(0, 255))],
            email_address: Nullable<String> => [custom(rules::email), custom(rules::chars(0, 255))],
            company: Nullable<String> => [custom(rules::chars(0, 255))],
            mobile_phone: Nullable<String> => [custom(rules::chars(0, 255))],
            landline_phone: Nullable<String> => [custom(rules::chars(0, 255))],
            role: Nullable<String> => [custom(rules::chars(0, 255))],
            active: Required<bool> = true => [custom(rules::boolean)],
            legal_representative: Required<bool> = false => [custom(rules::boolean)],
            invoices_recipient: Required<bool> = false => [custom(rules::boolean)],
            newsletters_recipient: Required<bool> = false => [custom(rules::boolean)],
            technical_contact: Required<bool> = false => [custom(rules::boolean)],
            comment: Nullable<String> => [custom(rules::chars(0, 65_535))],
        }
    };
}

macro_rules! declare {
    ($($field:ident : $presence:ident<$inner:ty> $(= $default:expr)? => [$($rule:tt)*]),* $(,)?) => {
        /// Every field a client may write, valid.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct ContactFields {
            $(pub $field: $crate::stored_type!($presence, $inner),)*
        }

        impl Default for ContactFields {
            fn default() -> Self {
                Self { $($field: default_value!($presence $(, $default)?),)* }
            }
        }

        /// A contact as sent: each field absent, null, a value or a value
        /// that broke a rule.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Validate)]
        pub struct ContactInput {
            $(
                #[garde(custom(rules::well_formed), $($rule)*)]
                pub $field: Patch<$inner>,
            )*
        }

        impl ContactInput {
            /// The fields, in the wire's order (errors are reported in it).
            const NAMES: &[&str] = &[$(stringify!($field),)*];

            fn apply_to(&self, fields: &mut ContactFields) -> bool {
                let mut changed = false;
                $(changed |= apply!($presence, &self.$field, &mut fields.$field $(, $default)?);)*
                changed
            }
        }
    };
}

contact_fields!(declare);

impl ContactFields {
    /// The mobile and landline numbers in E.164 form, where they are valid
    /// numbers: what `/contacts/numbers` compares.
    pub fn dialable(&self) -> (Option<String>, Option<String>) {
        let e164 = |number: &Option<String>| number.as_deref().and_then(phone::e164);
        (e164(&self.mobile_phone), e164(&self.landline_phone))
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub owner: Owner,
    pub fields: ContactFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every write to it.
    pub version: Version,
}

/// The changes of an update, each field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChanges(ContactInput);

impl ContactChanges {
    /// Writes the sent fields over `fields`; says whether anything changed.
    pub fn apply_to(&self, fields: &mut ContactFields) -> bool {
        self.0.apply_to(fields)
    }
}

impl ContactInput {
    /// The values of a new contact: every field optional, as the vendor's
    /// client sends them, the rest defaulted.
    pub fn validate_for_create(self) -> Result<ContactFields, ValidationErrors> {
        let changes = self.validate_for_update()?;
        let mut fields = ContactFields::default();
        changes.apply_to(&mut fields);
        Ok(fields)
    }

    /// The fields sent, each checked.
    pub fn validate_for_update(self) -> Result<ContactChanges, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Err(report) = self.validate() {
            let mut failed: Vec<(usize, String, String)> = report
                .iter()
                .map(|(path, error)| {
                    let name = path.to_string();
                    let position = Self::NAMES.iter().position(|known| *known == name);
                    (
                        position.unwrap_or(usize::MAX),
                        name,
                        error.message().to_owned(),
                    )
                })
                .collect();
            // garde reports by name; the wire's order is the list's.
            failed.sort_by_key(|(position, _, _)| *position);
            for (_, field, template) in failed {
                errors.add_template(&field, template);
            }
        }
        errors.into_result()?;
        Ok(ContactChanges(self))
    }
}

/// Storage of contacts. Every write locks the contact's account first, the
/// same door as the account's own writes, so it is decided on the account
/// as it stands (scope, conversion).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ContactRepository: Send + Sync {
    /// The contacts of `owner`, oldest first. `NotFound` when there is no
    /// such account, `OutOfScope` outside `scope`.
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Contact>, RepositoryError>;

    /// The contact, and its account's representative (the caller decides
    /// 403). `NotFound` when there is no such contact.
    async fn find(&self, id: i64) -> Result<(Contact, Option<UserId>), RepositoryError>;

    /// The first contact (by id) within `scope` whose mobile or landline
    /// number is `e164`.
    async fn find_by_number(
        &self,
        e164: String,
        scope: Scope,
    ) -> Result<Option<Contact>, RepositoryError>;

    /// Adds a contact, storing the `receipt`'s response in the same
    /// transaction. `NotFound` (no such account), `OutOfScope`,
    /// `Converted`, `InFlight`.
    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        fields: ContactFields,
        receipt: Option<Receipt<Contact>>,
    ) -> Result<Contact, RepositoryError>;

    /// `NotFound` (no such contact), `OutOfScope`, `Converted`, `Stale`
    /// (not at an `expected` version).
    async fn update(
        &self,
        id: i64,
        by: &Actor,
        changes: ContactChanges,
        expected: &Expected,
    ) -> Result<Contact, RepositoryError>;

    /// As [`ContactRepository::update`].
    async fn delete(&self, id: i64, by: &Actor, expected: &Expected)
    -> Result<(), RepositoryError>;
}

/// Lists, finds, adds, changes and deletes contacts on behalf of an [`Actor`].
pub struct ContactService {
    contacts: Arc<dyn ContactRepository>,
    accounts: Arc<dyn AccountRepository>,
}

impl ContactService {
    pub fn new(contacts: Arc<dyn ContactRepository>, accounts: Arc<dyn AccountRepository>) -> Self {
        Self { contacts, accounts }
    }

    /// The contacts of an account the actor may see, oldest first.
    pub async fn list(&self, actor: &Actor, owner: Owner) -> Result<Vec<Contact>, OwnedError> {
        self.contacts
            .list(owner, actor.scope())
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e))
    }

    /// One contact: `NotFound`, or `Forbidden` when its account is outside
    /// the actor's scope.
    pub async fn show(&self, actor: &Actor, id: i64) -> Result<Contact, OwnedError> {
        let (contact, representative) = self
            .contacts
            .find(id)
            .await
            .map_err(|e| OwnedError::from_repository(missing(id), e))?;
        if !actor.scope().contains(representative) {
            return Err(OwnedError::Forbidden);
        }
        Ok(contact)
    }

    /// The contact the actor may see whose mobile or landline number is
    /// `number` however it is written (`None` when there is none); a
    /// `number` that is no valid phone number is a 422 on `field`.
    pub async fn find_by_number(
        &self,
        actor: &Actor,
        field: &str,
        number: &str,
    ) -> Result<Option<Contact>, OwnedError> {
        let Some(e164) = phone::e164(number) else {
            let mut errors = ValidationErrors::new();
            errors.add(field, Rule::Phone);
            return Err(OwnedError::Invalid(errors));
        };
        self.contacts
            .find_by_number(e164, actor.scope())
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::Forbidden, e))
    }

    /// Adds a contact. Checks, in order: the account exists (404) and is in
    /// scope (403), the contact is valid (422), the account is not a
    /// converted prospect (409).
    pub async fn create(
        &self,
        actor: &Actor,
        owner: Owner,
        input: ContactInput,
        receipt: Option<Receipt<Contact>>,
    ) -> Result<Contact, OwnedError> {
        let owner_error = |e| OwnedError::from_repository(OwnedError::owner_missing(owner), e);
        let fields = match input.validate_for_create() {
            Ok(fields) => fields,
            Err(errors) => {
                let representative = self
                    .accounts
                    .representative_of(owner.kind, owner.id)
                    .await
                    .map_err(owner_error)?;
                if !actor.scope().contains(representative) {
                    return Err(OwnedError::Forbidden);
                }
                return Err(OwnedError::Invalid(errors));
            }
        };
        self.contacts
            .create(owner, actor, fields, receipt)
            .await
            .map_err(owner_error)
    }

    /// Changes the fields sent: 404, 403, 422, 409, then 412.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: ContactInput,
        expected: &Expected,
    ) -> Result<Contact, OwnedError> {
        let changes = match input.validate_for_update() {
            Ok(changes) => changes,
            Err(errors) => {
                self.show(actor, id).await?;
                return Err(OwnedError::Invalid(errors));
            }
        };
        self.contacts
            .update(id, actor, changes, expected)
            .await
            .map_err(|e| OwnedError::from_repository(missing(id), e))
    }

    /// Deletes a contact: 404, 403, 409, 412.
    pub async fn delete(
        &self,
        actor: &Actor,
        id: i64,
        expected: &Expected,
    ) -> Result<(), OwnedError> {
        self.contacts
            .delete(id, actor, expected)
            .await
            .map_err(|e| OwnedError::from_repository(missing(id), e))
    }
}

fn missing(id: i64) -> OwnedError {
    OwnedError::NotFound(Record::Contact, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockAccountRepository;
    use crate::{AccountId, AccountKind, Role};

    fn sales_user(id: i64) -> Actor {
        Actor::new(UserId(id), Role::new(5))
    }

    fn owner() -> Owner {
        Owner {
            kind: AccountKind::Customer,
            id: AccountId(3),
        }
    }

    #[test]
    fn a_new_contact_gets_the_vendors_defaults_and_every_error_in_order() {
        let fields = ContactInput {
            last_name: Patch::text(" Martin "),
            ..ContactInput::default()
        }
        .validate_for_create()
        .expect("valid");
        assert_eq!(fields.last_name.as_deref(), Some("Martin"));
        assert!(fields.active && !fields.legal_representative && !fields.technical_contact);
        let errors = ContactInput {
            comment: Patch::Set("x".repeat(65_536)),
            civility: Patch::Set(256),
            email_address: Patch::text("not an address"),
            active: Patch::Null,
            ..ContactInput::default()
        }
        .validate_for_create()
        .expect_err("refused");
        let fields: Vec<&str> = errors.fields().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["civility", "email_address", "active", "comment"]);
    }

    #[test]
    fn numbers_are_compared_in_e164_form() {
        let fields = ContactFields {
            mobile_phone: Some("06 11 13 17 19".to_owned()),
            landline_phone: Some("call the desk".to_owned()),
            ..ContactFields::default()
        };
        assert_eq!(fields.dialable(), (Some("+33611131719".to_owned()), None));
    }

    #[tokio::test]
    async fn a_lookup_by_number_normalizes_it_and_refuses_what_is_no_number() {
        let mut contacts = MockContactRepository::new();
        contacts
            .expect_find_by_number()
            .withf(|e164, scope| {
                e164 == "+33611131719" && *scope == Scope::RepresentedBy(UserId(7))
            })
            .times(1)
            .returning(|_, _| Ok(None));
        let service =
            ContactService::new(Arc::new(contacts), Arc::new(MockAccountRepository::new()));
        let found = service
            .find_by_number(&sales_user(7), "phoneNumber", "+33 6 11 13 17 19")
            .await;
        assert!(matches!(found, Ok(None)));
        let refused = service
            .find_by_number(&sales_user(7), "phoneNumber", "nobody")
            .await;
        let Err(OwnedError::Invalid(errors)) = refused else {
            panic!("expected a 422, got {refused:?}");
        };
        assert_eq!(
            errors.summary(),
            "The phoneNumber field must be a valid phone number."
        );
    }

    #[tokio::test]
    async fn an_invalid_contact_for_an_account_out_of_scope_is_forbidden_first() {
        let mut accounts = MockAccountRepository::new();
        accounts
            .expect_representative_of()
            .returning(|_, _| Ok(Some(UserId(8))));
        let mut contacts = MockContactRepository::new();
        contacts.expect_create().never();
        let service = ContactService::new(Arc::new(contacts), Arc::new(accounts));
        let input = ContactInput {
            civility: Patch::Set(-1),
            ..ContactInput::default()
        };
        let result = service.create(&sales_user(7), owner(), input, None).await;
        assert!(matches!(result, Err(OwnedError::Forbidden)));
    }
}
