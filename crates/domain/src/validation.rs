//! Validation failures as the contract words them (Laravel's messages), keyed by field.

use std::fmt;

/// The order fields are reported in: the order of the contract's field table.
pub const FIELD_ORDER: &[&str] = &[
    "id",
    "name",
    "brand_id",
    "representative_id",
    "customer_account",
    "accounts_reference",
    "registration_number",
    "tax_registration_number",
    "type",
    "capital",
    "activity_code",
    "sector_id",
    "cluster_id",
    "batch_id",
    "email_address",
    "account_email_address",
    "phone",
    "mobile_phone",
    "fax",
    "main_contact_first_name",
    "main_contact_last_name",
    "main_address_line1",
    "main_address_line2",
    "main_address_postal_code",
    "main_address_city",
    "main_address_country",
    "website",
    "active",
    "charge_vat",
    "merge_invoices",
    "accept_emails",
    "accept_calls",
    "comment",
    "prospection_code_id",
    "created_at",
    "updated_at",
];

/// A broken rule; renders as the contract's message for a given field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Required,
    String,
    MinChars(usize),
    MaxChars(usize),
    Email,
    Url,
    Boolean,
    Integer,
    /// A reference to a row that does not exist.
    Exists,
    Between(i64, i64),
    /// A list with more than this many items.
    MaxItems(usize),
    /// A string with a NUL character, which PostgreSQL cannot store.
    NoNul,
}

impl Rule {
    /// The message with Laravel's `:attribute` placeholder left in.
    pub fn template(self) -> String {
        match self {
            Rule::Required => "The :attribute field is required.".to_owned(),
            Rule::String => "The :attribute field must be a string.".to_owned(),
            Rule::MinChars(min) => {
                format!("The :attribute field must be at least {min} characters.")
            }
            Rule::MaxChars(max) => {
                format!("The :attribute field must not be greater than {max} characters.")
            }
            Rule::Email => "The :attribute field must be a valid email address.".to_owned(),
            Rule::Url => "The :attribute field must be a valid URL.".to_owned(),
            Rule::Boolean => "The :attribute field must be true or false.".to_owned(),
            Rule::Integer => "The :attribute field must be an integer.".to_owned(),
            Rule::Exists => "The selected :attribute is invalid.".to_owned(),
            Rule::Between(min, max) => {
                format!("The :attribute field must be between {min} and {max}.")
            }
            Rule::MaxItems(max) => {
                format!("The :attribute field must not have more than {max} items.")
            }
            Rule::NoNul => "The :attribute field must not contain NUL characters.".to_owned(),
        }
    }

    /// The message for `field`.
    pub fn message(self, field: &str) -> String {
        render(&self.template(), field)
    }
}

/// Fills a message template for `field`; `_` in the field name reads as a space.
pub fn render(template: &str, field: &str) -> String {
    template.replace(":attribute", &field.replace('_', " "))
}

/// Every failed rule of one request, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    entries: Vec<(String, Vec<String>)>,
    /// Fields reported under another key (the name the client sent).
    labels: Vec<(String, String)>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` broke `rule`.
    pub fn add(&mut self, field: &str, rule: Rule) {
        self.add_message(field, rule.message(field));
    }

    pub fn add_message(&mut self, field: &str, message: String) {
        match self.entries.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.entries.push((field.to_owned(), vec![message])),
        }
    }

    /// Reports `field`'s errors under the key `label`, in `field`'s place.
    pub fn relabel(&mut self, field: &str, label: &str) {
        self.labels.push((field.to_owned(), label.to_owned()));
    }

    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(name, _)| name == field)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: ValidationErrors) {
        for (field, messages) in other.entries {
            for message in messages {
                self.add_message(&field, message);
            }
        }
    }

    /// `Ok(())` when nothing failed.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Fields in contract order (unknown names, such as query parameters, after
    /// them in the order they failed), each with its messages.
    pub fn fields(&self) -> Vec<(&str, &[String])> {
        let mut fields: Vec<(&str, &[String])> = self
            .entries
            .iter()
            .map(|(name, messages)| (name.as_str(), messages.as_slice()))
            .collect();
        fields.sort_by_key(|(name, _)| {
            FIELD_ORDER
                .iter()
                .position(|known| known == name)
                .unwrap_or(FIELD_ORDER.len())
        });
        for (name, _) in &mut fields {
            if let Some((_, label)) = self.labels.iter().find(|(field, _)| field == name) {
                *name = label;
            }
        }
        fields
    }

    /// The headline: the first message, plus how many more there are.
    pub fn summary(&self) -> String {
        let fields = self.fields();
        let total: usize = fields.iter().map(|(_, messages)| messages.len()).sum();
        let first = fields
            .first()
            .and_then(|(_, messages)| messages.first())
            .cloned()
            .unwrap_or_else(|| "The given data was invalid.".to_owned());
        match total.saturating_sub(1) {
            0 => first,
            1 => format!("{first} (and 1 more error)"),
            more => format!("{first} (and {more} more errors)"),
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_the_field_name_with_spaces() {
        assert_eq!(
            Rule::MaxChars(255).message("main_address_line1"),
            "The main address line1 field must not be greater than 255 characters."
        );
        assert_eq!(
            Rule::Exists.message("brand_id"),
            "The selected brand id is invalid."
        );
        assert_eq!(
            Rule::Between(1, 100).message("per_page"),
            "The per page field must be between 1 and 100."
        );
    }

    #[test]
    fn fields_come_in_contract_order_whatever_order_they_failed_in() {
        let mut errors = ValidationErrors::new();
        errors.add("website", Rule::Url);
        errors.add("name", Rule::Required);
        errors.add("type", Rule::String);
        let names: Vec<&str> = errors.fields().iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["name", "type", "website"]);
    }

    #[test]
    fn summary_counts_the_other_errors() {
        let mut errors = ValidationErrors::new();
        errors.add("name", Rule::Required);
        assert_eq!(errors.summary(), "The name field is required.");
        errors.add("email_address", Rule::Email);
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 1 more error)"
        );
        errors.add("email_address", Rule::MaxChars(255));
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 2 more errors)"
        );
    }
}
