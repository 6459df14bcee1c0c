//! Any query string for the list: an error (400/422) or a query whose
//! paging arithmetic stays in bounds, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prospects_http::query;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = query::parse_list(raw, 100) {
        let query = request.query;
        assert!((1..=100).contains(&query.per_page));
        assert!(query.page >= 1);
        assert!(query.offset() >= 0);
    }
});
