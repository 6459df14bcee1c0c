//! Loose JSON values to a [`ProspectInput`], the way the vendor's stack reads
//! them: strings trimmed and `""` as null, booleans as `true/false/1/0/"1"/"0"`,
//! integers as numbers or numeric strings. A value of the wrong type becomes
//! the rule it broke ([`Patch::Invalid`]), reported by validation with every
//! other error of the request, never a 400.

use prospects_domain::{Patch, ProspectInput, Rule};
use serde_json::{Map, Value};

/// The input, each field as sent or as the rule its value broke.
pub fn prospect_input(body: &Map<String, Value>) -> ProspectInput {
    let read = Reader { body };
    ProspectInput {
        name: read.text("name"),
        brand_id: read.integer("brand_id"),
        representative_id: read.integer("representative_id"),
        accounts_reference: read.text("accounts_reference"),
        registration_number: read.text("registration_number"),
        tax_registration_number: read.text("tax_registration_number"),
        legal_form: read.text("type"),
        capital: read.text("capital"),
        activity_code: read.text("activity_code"),
        sector_id: read.integer("sector_id"),
        cluster_id: read.integer("cluster_id"),
        batch_id: read.integer("batch_id"),
        email_address: read.text("email_address"),
        account_email_address: read.text("account_email_address"),
        phone: read.text("phone"),
        mobile_phone: read.text("mobile_phone"),
        fax: read.text("fax"),
        main_contact_first_name: read.text("main_contact_first_name"),
        main_contact_last_name: read.text("main_contact_last_name"),
        main_address_line1: read.text("main_address_line1"),
        main_address_line2: read.text("main_address_line2"),
        main_address_postal_code: read.text("main_address_postal_code"),
        main_address_city: read.text("main_address_city"),
        main_address_country: read.text("main_address_country"),
        website: read.text("website"),
        active: read.boolean("active"),
        charge_vat: read.boolean("charge_vat"),
        merge_invoices: read.boolean("merge_invoices"),
        accept_emails: read.boolean("accept_emails"),
        accept_calls: read.boolean("accept_calls"),
        comment: read.text("comment"),
        prospection_code_id: read.integer("prospection_code_id"),
    }
}

struct Reader<'a> {
    body: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn text(&self, field: &str) -> Patch<String> {
        match self.body.get(field) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(text)) => Patch::text(text),
            Some(_) => Patch::Invalid(Rule::String),
        }
    }

    fn integer(&self, field: &str) -> Patch<i64> {
        match self.body.get(field) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(text)) if text.trim().is_empty() => Patch::Null,
            Some(value) => match as_integer(value) {
                Some(number) => Patch::Set(number),
                None => Patch::Invalid(Rule::Integer),
            },
        }
    }

    fn boolean(&self, field: &str) -> Patch<bool> {
        match self.body.get(field) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(text)) if text.trim().is_empty() => Patch::Null,
            Some(value) => match as_boolean(value) {
                Some(flag) => Patch::Set(flag),
                None => Patch::Invalid(Rule::Boolean),
            },
        }
    }
}

/// `12`, `12.0`, `"12"`, `" -3 "`; not `1.5`, `"1e3"` or `true`.
fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(text) => {
            let text = text.trim();
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.parse().ok()
        }
        _ => None,
    }
}

/// `true`, `false`, `1`, `0`, `"1"`, `"0"`, and nothing else.
fn as_boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(text) => match text.trim() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(body: Value) -> ProspectInput {
        prospect_input(body.as_object().expect("object"))
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
    fn wrong_types_are_field_errors() {
        let errors = read(json!({
            "name": 42, "brand_id": "abc", "batch_id": 1.5, "active": "yes", "accept_calls": 2, "type": ["x"]
        }))
        .validate_for_create()
        .expect_err("refused");
        let fields: Vec<&str> = errors.fields().iter().map(|(field, _)| *field).collect();
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
            errors.summary(),
            "The name field must be a string. (and 5 more errors)"
        );
    }
}
