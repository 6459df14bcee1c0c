//! Validation failures as the contract words them (Laravel's messages), keyed by field.

use std::fmt;

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
    /// Text that is no phone number.
    Phone,
    /// A one-line name with a control character (a line break, a tab).
    NoControl,
    /// A file field that holds no file.
    File,
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
            Rule::Phone => "The :attribute field must be a valid phone number.".to_owned(),
            Rule::NoControl => {
                "The :attribute field must not contain control characters.".to_owned()
            }
            Rule::File => "The :attribute field must be a file.".to_owned(),
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

/// Every failed rule of one request, field by field, in the order they
/// failed. Fields are named as the domain names them; messages keep their
/// `:attribute` placeholder until a reader names the field its own way
/// ([`ValidationErrors::fields_as`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    entries: Vec<(String, Vec<String>)>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` broke `rule`.
    pub fn add(&mut self, field: &str, rule: Rule) {
        self.add_template(field, rule.template());
    }

    /// Records a message with Laravel's `:attribute` placeholder.
    pub fn add_template(&mut self, field: &str, template: String) {
        match self.entries.iter_mut().find(|(name, _)| name == field) {
            Some((_, templates)) => templates.push(template),
            None => self.entries.push((field.to_owned(), vec![template])),
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(name, _)| name == field)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: ValidationErrors) {
        for (field, templates) in other.entries {
            for template in templates {
                self.add_template(&field, template);
            }
        }
    }

    /// `Ok(())` when nothing failed.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Each field under the name `label` gives it, with its messages
    /// worded for that name, in the order they failed.
    pub fn fields_as<'a>(
        &'a self,
        label: impl Fn(&'a str) -> &'a str,
    ) -> Vec<(&'a str, Vec<String>)> {
        self.entries
            .iter()
            .map(|(field, templates)| {
                let name = label(field);
                (name, templates.iter().map(|t| render(t, name)).collect())
            })
            .collect()
    }

    /// Each field under its own name, with its messages.
    pub fn fields(&self) -> Vec<(&str, Vec<String>)> {
        self.fields_as(|field| field)
    }

    /// The headline: the first message, plus how many more there are.
    pub fn summary(&self) -> String {
        summary(&self.fields())
    }
}

/// Laravel's headline for a list of field errors: the first message, plus
/// how many more there are.
pub fn summary(fields: &[(&str, Vec<String>)]) -> String {
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
