//! Any bytes as a create or update body, JSON or form: parsing and
//! validation answer an error or a valid input, never a panic; a valid
//! input always becomes a prospect and a search document.
#![no_main]

use actix_web::test::TestRequest;
use libfuzzer_sys::fuzz_target;
use prospects_domain::search::document;
use prospects_domain::{ProspectFields, ProspectInput};
use prospects_http::body;
use prospects_http::wire::ProspectChanges;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = match selector % 3 {
        0 => "application/json",
        1 => "application/x-www-form-urlencoded",
        _ => "text/plain",
    };
    let req = TestRequest::post()
        .insert_header(("content-type", content_type))
        .to_http_request();
    let Ok(object) = body::object(&req, body) else {
        return;
    };
    let changes: ProspectChanges = body::typed(object).expect("any object reads");
    let input = ProspectInput::from(changes);
    if let Ok(valid) = input.clone().validate_for_create() {
        let fields = valid.into_fields();
        assert!(fields.name.trim().chars().count() >= 2);
        document(&fields);
    }
    if let Ok(valid) = input.validate_for_update() {
        let mut fields = ProspectFields::named("Acme".to_owned());
        valid.apply_to(&mut fields);
        document(&fields);
    }
});
