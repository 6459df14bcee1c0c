//! The vendor SDK's dialect. The vendor's official PHP client
//! (`bluerocktel/php-sdk`, `src/Entities/*.php`) sends and reads 19
//! prospect fields and 9 contact fields under camelCase names. Every endpoint accepts those names
//! on input ([`accept`]); the same API mounted under [`SDK_PREFIX`] also
//! answers in them ([`speak`]), so an SDK user points the client's base URL
//! there (`http://host/sdk/api`) and changes nothing else.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use serde_json::{Map, Value};

use crate::errors::ApiError;

/// Where the API is mounted a second time, speaking the SDK's names.
pub const SDK_PREFIX: &str = "/sdk";

/// Our wire name and the SDK's, for each field the SDK spells differently.
const SDK_NAMES: [(&str, &str); 26] = [
    ("customer_account", "customerAccount"),
    ("accounts_reference", "accountsReference"),
    ("registration_number", "registrationNumber"),
    ("tax_registration_number", "taxRegistrationNumber"),
    ("activity_code", "activityCode"),
    ("main_contact_first_name", "mainContactFirstName"),
    ("main_contact_last_name", "mainContactLastName"),
    ("main_address_line1", "mainAddressLine1"),
    ("main_address_line2", "mainAddressLine2"),
    ("main_address_postal_code", "mainAddressPostalCode"),
    ("main_address_city", "mainAddressCity"),
    ("main_address_country", "mainAddressCountry"),
    ("email_address", "emailAddress"),
    ("account_email_address", "accountEmailAddress"),
    ("mobile_phone", "mobilePhone"),
    ("accept_emails", "acceptEmails"),
    ("accept_calls", "acceptCalls"),
    ("charge_vat", "chargeVAT"),
    ("merge_invoices", "mergeInvoices"),
    // Contacts (`src/Entities/Contact.php`; `emailAddress` and
    // `mobilePhone` above serve them too).
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("landline_phone", "landlinePhone"),
    ("legal_representative", "legalRepresentative"),
    ("invoices_recipient", "invoicesRecipient"),
    ("newsletters_recipient", "newslettersRecipient"),
    ("technical_contact", "technicalContact"),
];

/// Integer fields the SDK cannot hold as null (its entity declares them
/// `int` with a default of 1): left out of an answer rather than sent null,
/// so the client keeps its default instead of failing to build the entity.
const SDK_NON_NULLABLE: [&str; 2] = ["brand_id", "prospection_code_id"];

/// The fields a request sent under the SDK's names, to report their errors
/// under the name the client used.
#[derive(Debug, Default)]
pub struct SentAs(Vec<(&'static str, &'static str)>);

impl SentAs {
    /// `error` with its field errors keyed as the client sent them.
    pub fn relabel(self, error: ApiError) -> ApiError {
        match error {
            ApiError::Invalid(errors, _) => ApiError::Invalid(errors, self),
            other => other,
        }
    }

    /// The name the client sent the field `ours` under.
    pub fn label<'a>(&self, ours: &'a str) -> &'a str {
        match self.0.iter().find(|(field, _)| *field == ours) {
            Some((_, theirs)) => theirs,
            None => ours,
        }
    }
}

/// Moves fields sent under the SDK's names to ours. When a body carries
/// both spellings of a field, ours wins and the SDK's is dropped: it is the
/// contract's own name, and the one generated clients send.
pub fn accept(body: &mut Map<String, Value>) -> SentAs {
    let mut sent_as = SentAs::default();
    for (ours, theirs) in SDK_NAMES {
        if let Some(value) = body.shift_remove(theirs)
            && !body.contains_key(ours)
        {
            body.insert(ours.to_owned(), value);
            sent_as.0.push((ours, theirs));
        }
    }
    sent_as
}

/// Renames our fields to the SDK's throughout an answer (prospects, pages of
/// them, validation errors), and leaves out the integers it cannot hold as null.
pub fn speak(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for field in SDK_NON_NULLABLE {
                if object.get(field).is_some_and(Value::is_null) {
                    object.shift_remove(field);
                }
            }
            if SDK_NAMES.iter().any(|(ours, _)| object.contains_key(*ours)) {
                // Rebuilt in order, so that keys keep their places.
                *object = std::mem::take(object)
                    .into_iter()
                    .map(
                        |(key, value)| match SDK_NAMES.iter().find(|(ours, _)| *ours == key) {
                            Some((_, theirs)) => ((*theirs).to_owned(), value),
                            None => (key, value),
                        },
                    )
                    .collect();
            }
            object.values_mut().for_each(speak);
        }
        Value::Array(items) => items.iter_mut().for_each(speak),
        _ => {}
    }
}

/// Middleware of the SDK mount: every JSON answer in the SDK's names.
pub async fn speak_sdk(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("an answer could not be read")))?;
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut value) => {
            speak(&mut value);
            BoxBody::new(serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.into()))?)
        }
        Err(_) => BoxBody::new(bytes),
    };
    Ok(ServiceResponse::new(req, response.set_body(body)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_sdks_names_are_read_as_ours_and_ours_win_a_tie() {
        let mut body = json!({
            "emailAddress": "a@b.test",
            "chargeVAT": false,
            "mainAddressCity": "Lyon",
            "main_address_city": "Paris",
            "name": "Acme",
        });
        let sent_as = accept(body.as_object_mut().expect("object"));
        assert_eq!(
            body,
            json!({"email_address": "a@b.test", "charge_vat": false, "main_address_city": "Paris", "name": "Acme"})
        );
        assert_eq!(
            sent_as.0,
            [
                ("email_address", "emailAddress"),
                ("charge_vat", "chargeVAT")
            ]
        );
    }

    #[test]
    fn answers_speak_the_sdks_names_in_place_and_never_a_null_it_cannot_hold() {
        let mut page = json!({"current_page": 1, "data": [
            {"id": 1, "name": "Acme", "brand_id": null, "customer_account": "PR000001", "charge_vat": true, "prospection_code_id": 2}
        ]});
        speak(&mut page);
        assert_eq!(
            page,
            json!({"current_page": 1, "data": [
                {"id": 1, "name": "Acme", "customerAccount": "PR000001", "chargeVAT": true, "prospection_code_id": 2}
            ]})
        );
        let keys: Vec<&String> = page["data"][0]
            .as_object()
            .expect("object")
            .keys()
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "customerAccount",
                "chargeVAT",
                "prospection_code_id"
            ]
        );
    }
}
