//! Any query string for the list, through the whole path the server takes:
//! parsed (an error, 400/422, or a query whose paging arithmetic stays in
//! bounds), then built into the SQL text of both backends, never a panic,
//! a stack overflow or an unbounded statement.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prospects_domain::{AccountKind, Scope, UserId};
use prospects_http::query;
use prospects_infra::store::list_sql;

/// Far above what the filter bounds allow, far below anything harmful.
const MAX_SQL_BYTES: usize = 256 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = query::parse_list(raw, 100) {
        let query = request.query;
        assert!((1..=100).contains(&query.per_page));
        assert!(query.page >= 1);
        assert!(query.offset() >= 0);
        for scope in [Scope::All, Scope::RepresentedBy(UserId(7))] {
            for sql in list_sql(AccountKind::Prospect, &query, scope) {
                assert!(sql.len() < MAX_SQL_BYTES, "{} bytes of SQL", sql.len());
            }
        }
    }
});
