//! What a client sends to create or update a prospect, and its validation.
//!
//! The web layer turns loose JSON into a [`ProspectInput`], each field
//! carrying the rule its value broke when it could not be read
//! ([`Patch::Invalid`]); [`ProspectInput::validate_for_create`] and
//! [`ProspectInput::validate_for_update`] apply the contract's rules and are
//! the only ways to a value the repository will write.

use garde::Validate;
use garde::rules::email::Email;
use garde::rules::url::Url;

use crate::validation::{Rule, ValidationErrors};
use crate::{ProspectField, ProspectFields, ProspectInput};

/// One field of a request: not sent, sent as `null` (or `""`), sent with a
/// value, or sent with something that is no value of its type (the rule it
/// broke, reported by validation with every other error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Set(T),
    Invalid(Rule),
}

impl Patch<String> {
    /// A sent string: trimmed, and `null` when nothing is left.
    pub fn text(raw: &str) -> Self {
        match raw.trim() {
            "" => Patch::Null,
            trimmed => Patch::Set(trimmed.to_owned()),
        }
    }
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    fn value(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }
}

impl<T: Clone + PartialEq> Patch<T> {
    /// Writes a sent value into a nullable field; says whether it changed.
    pub(crate) fn apply_nullable(&self, target: &mut Option<T>) -> bool {
        let next = match self {
            Patch::Absent | Patch::Invalid(_) => return false,
            Patch::Null => None,
            Patch::Set(value) => Some(value.clone()),
        };
        replace_if_different(target, next)
    }

    /// Writes a sent value into a required field: `null` puts its default
    /// back (validation refuses it where there is none).
    pub(crate) fn apply_required(&self, target: &mut T, default: impl FnOnce() -> T) -> bool {
        match self {
            Patch::Set(value) => replace_if_different(target, value.clone()),
            Patch::Null => replace_if_different(target, default()),
            Patch::Absent | Patch::Invalid(_) => false,
        }
    }
}

fn replace_if_different<T: PartialEq>(target: &mut T, next: T) -> bool {
    if *target == next {
        false
    } else {
        *target = next;
        true
    }
}

/// Garde validators. Their messages keep Laravel's `:attribute` placeholder,
/// filled with the field's name when the report is read.
pub(crate) mod rules {
    use super::*;

    /// A value that could not be read as its type: the rule it broke. Listed
    /// first on every field; the other rules look only at values.
    pub fn well_formed<T>(value: &Patch<T>, _: &()) -> garde::Result {
        match value {
            Patch::Invalid(rule) => Err(garde::Error::new(rule.template())),
            _ => Ok(()),
        }
    }

    pub fn chars(min: usize, max: usize) -> impl FnOnce(&Patch<String>, &()) -> garde::Result {
        move |value, _| match value.value() {
            Some(text) if text.contains('\0') => Err(garde::Error::new(Rule::NoNul.template())),
            Some(text) if text.chars().count() < min => {
                Err(garde::Error::new(Rule::MinChars(min).template()))
            }
            Some(text) if text.chars().count() > max => {
                Err(garde::Error::new(Rule::MaxChars(max).template()))
            }
            _ => Ok(()),
        }
    }

    pub fn email(value: &Patch<String>, _: &()) -> garde::Result {
        match value.value() {
            Some(text) if text.validate_email().is_err() => {
                Err(garde::Error::new(Rule::Email.template()))
            }
            _ => Ok(()),
        }
    }

    /// An absolute `http`/`https` URL: other schemes (`javascript:`, `file:`) are refused.
    pub fn web_url(value: &Patch<String>, _: &()) -> garde::Result {
        let Some(text) = value.value() else {
            return Ok(());
        };
        let lower = text.to_ascii_lowercase();
        let http = lower.starts_with("http://") || lower.starts_with("https://");
        let host = lower
            .split_once("://")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .is_some_and(|host| !host.is_empty());
        if http && host && text.validate_url().is_ok() {
            Ok(())
        } else {
            Err(garde::Error::new(Rule::Url.template()))
        }
    }

    /// An integer within `min..=max`.
    pub fn between(min: i64, max: i64) -> impl FnOnce(&Patch<i64>, &()) -> garde::Result {
        move |value, _| match value.value() {
            Some(number) if !(min..=max).contains(number) => {
                Err(garde::Error::new(Rule::Between(min, max).template()))
            }
            _ => Ok(()),
        }
    }

    /// Booleans are not nullable: `null` (or `""`) is not true or false.
    pub fn boolean(value: &Patch<bool>, _: &()) -> garde::Result {
        match value {
            Patch::Null => Err(garde::Error::new(Rule::Boolean.template())),
            _ => Ok(()),
        }
    }
}

/// A create request that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCreate(pub(crate) ProspectInput);

/// An update request that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUpdate(pub(crate) ProspectInput);

impl ValidCreate {
    pub fn input(&self) -> &ProspectInput {
        &self.0
    }

    /// The fields to insert: the sent values over the defaults.
    pub fn into_fields(self) -> ProspectFields {
        let mut fields = ProspectFields::named(String::new());
        self.0.apply_to(&mut fields);
        fields
    }
}

impl ValidUpdate {
    pub fn input(&self) -> &ProspectInput {
        &self.0
    }

    /// Writes the sent fields into `fields`; says whether anything changed.
    pub fn apply_to(&self, fields: &mut ProspectFields) -> bool {
        self.0.apply_to(fields)
    }
}

impl ProspectInput {
    /// Applies the create rules (`name` required) and reports every broken
    /// rule at once, those found reading the request included.
    pub fn validate_for_create(self) -> Result<ValidCreate, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if matches!(self.name, Patch::Absent | Patch::Null) {
            errors.add("name", Rule::Required);
        }
        errors.merge(self.field_rule_errors());
        errors.into_result().map(|()| ValidCreate(self))
    }

    /// Applies the update rules (`name`, when sent, may not be empty).
    pub fn validate_for_update(self) -> Result<ValidUpdate, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if matches!(self.name, Patch::Null) {
            errors.add("name", Rule::Required);
        }
        errors.merge(self.field_rule_errors());
        errors.into_result().map(|()| ValidUpdate(self))
    }

    fn field_rule_errors(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        if let Err(report) = self.validate() {
            let mut failed: Vec<(ProspectField, String)> = report
                .iter()
                .filter_map(|(path, error)| {
                    let field = ProspectField::named(&path.to_string())?;
                    Some((field, error.message().to_owned()))
                })
                .collect();
            // garde reports by name; the list's order is the contract's.
            failed.sort_by_key(|(field, _)| *field as usize);
            for (field, template) in failed {
                errors.add_template(field.name(), template);
            }
        }
        errors
    }

    /// The references this input sets, to be checked against the database.
    pub fn references(&self) -> Vec<(crate::Reference, i64)> {
        use crate::Reference::*;
        [
            (Brand, &self.brand_id),
            (Representative, &self.representative_id),
            (Sector, &self.sector_id),
            (Cluster, &self.cluster_id),
            (Batch, &self.batch_id),
            (ProspectionCode, &self.prospection_code_id),
        ]
        .into_iter()
        .filter_map(|(reference, patch)| patch.value().map(|id| (reference, *id)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> ProspectInput {
        ProspectInput {
            name: Patch::text(name),
            ..Default::default()
        }
    }

    fn create_errors(input: ProspectInput) -> ValidationErrors {
        input
            .validate_for_create()
            .expect_err("input should be refused")
    }

    #[test]
    fn text_is_trimmed_and_empty_text_is_null() {
        assert_eq!(Patch::text("  Acme  "), Patch::Set("Acme".to_owned()));
        assert_eq!(Patch::text("   "), Patch::Null);
        assert_eq!(Patch::text(""), Patch::Null);
    }

    #[test]
    fn text_with_a_nul_character_is_refused() {
        let errors = create_errors(named("Acme\0Corp"));
        assert_eq!(
            errors.summary(),
            "The name field must not contain NUL characters."
        );
    }

    #[test]
    fn name_is_required_on_create() {
        let errors = create_errors(ProspectInput::default());
        assert_eq!(errors.summary(), "The name field is required.");
        let errors = create_errors(named("   "));
        assert_eq!(errors.summary(), "The name field is required.");
    }

    #[test]
    fn name_needs_two_to_255_characters_counted_as_characters() {
        assert_eq!(
            create_errors(named("A")).summary(),
            "The name field must be at least 2 characters."
        );
        assert_eq!(
            create_errors(named(&"x".repeat(256))).summary(),
            "The name field must not be greater than 255 characters."
        );
        assert!(named(&"é".repeat(255)).validate_for_create().is_ok());
        assert!(named("Ab").validate_for_create().is_ok());
    }

    #[test]
    fn a_create_gets_the_contract_defaults() {
        let fields = named("Acme")
            .validate_for_create()
            .expect("valid")
            .into_fields();
        assert_eq!(fields, ProspectFields::named("Acme".to_owned()));
        assert_eq!(fields.main_address_country, "France");
        assert!(fields.active && fields.charge_vat && !fields.merge_invoices);
        assert!(fields.accept_emails && fields.accept_calls);
    }

    #[test]
    fn emails_and_urls_are_checked() {
        let input = ProspectInput {
            email_address: Patch::text("not-an-email"),
            account_email_address: Patch::text("billing@acme.example"),
            website: Patch::text("javascript:alert(1)"),
            ..named("Acme")
        };
        let errors = create_errors(input);
        let fields: Vec<&str> = errors.fields().iter().map(|(name, _)| *name).collect();
        assert_eq!(fields, ["email_address", "website"]);
        assert_eq!(
            errors.summary(),
            "The email address field must be a valid email address. (and 1 more error)"
        );
    }

    #[test]
    fn only_absolute_http_urls_are_websites() {
        for good in [
            "https://acme.example",
            "http://acme.example/path?q=1",
            "HTTPS://ACME.EXAMPLE",
        ] {
            let input = ProspectInput {
                website: Patch::text(good),
                ..named("Acme")
            };
            assert!(input.validate_for_create().is_ok(), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "acme.example",
            "https://",
            "ftp://acme.example",
            "http:///x",
        ] {
            let input = ProspectInput {
                website: Patch::text(bad),
                ..named("Acme")
            };
            assert!(input.validate_for_create().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_boolean_cannot_be_null() {
        let input = ProspectInput {
            active: Patch::Null,
            ..named("Acme")
        };
        assert_eq!(
            create_errors(input).summary(),
            "The active field must be true or false."
        );
    }

    #[test]
    fn errors_name_fields_as_the_domain_does() {
        let input = ProspectInput {
            legal_form: Patch::text(&"x".repeat(300)),
            ..named("Acme")
        };
        let errors = create_errors(input);
        assert_eq!(errors.fields()[0].0, "legal_form");
        assert_eq!(
            errors.fields_as(|_| "type")[0].1,
            ["The type field must not be greater than 255 characters."]
        );
    }

    #[test]
    fn a_value_that_could_not_be_read_is_reported_once_with_the_rest() {
        let input = ProspectInput {
            name: Patch::Invalid(Rule::String),
            email_address: Patch::Invalid(Rule::String),
            brand_id: Patch::Invalid(Rule::Integer),
            website: Patch::text("ftp://x"),
            ..Default::default()
        };
        let errors = input.validate_for_create().expect_err("refused");
        assert_eq!(
            errors.fields(),
            [
                ("name", vec!["The name field must be a string.".to_owned()]),
                (
                    "brand_id",
                    vec!["The brand id field must be an integer.".to_owned()]
                ),
                (
                    "email_address",
                    vec!["The email address field must be a string.".to_owned()]
                ),
                (
                    "website",
                    vec!["The website field must be a valid URL.".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn an_update_may_omit_name_but_not_clear_it() {
        assert!(ProspectInput::default().validate_for_update().is_ok());
        let cleared = ProspectInput {
            name: Patch::Null,
            ..Default::default()
        };
        let errors = cleared.validate_for_update().expect_err("refused");
        assert_eq!(errors.summary(), "The name field is required.");
    }

    #[test]
    fn an_update_writes_only_what_was_sent_and_says_whether_anything_changed() {
        let mut fields = ProspectFields::named("Acme".to_owned());
        fields.phone = Some("01 23".to_owned());
        let same = ProspectInput {
            name: Patch::text("Acme"),
            ..Default::default()
        }
        .validate_for_update()
        .expect("valid");
        assert!(!same.apply_to(&mut fields));
        let change = ProspectInput {
            phone: Patch::Null,
            main_address_country: Patch::Null,
            merge_invoices: Patch::Set(true),
            ..Default::default()
        }
        .validate_for_update()
        .expect("valid");
        assert!(change.apply_to(&mut fields));
        assert_eq!(fields.phone, None);
        assert_eq!(fields.main_address_country, "France");
        assert!(fields.merge_invoices);
        assert_eq!(fields.name, "Acme");
    }

    #[test]
    fn references_lists_only_the_ids_sent() {
        let input = ProspectInput {
            brand_id: Patch::Set(3),
            sector_id: Patch::Null,
            ..named("Acme")
        };
        assert_eq!(input.references(), vec![(crate::Reference::Brand, 3)]);
    }
}
