//! Any bytes arriving on a connection, cut anywhere: what the inbound layer
//! hands actix must not depend on where the reads split the input, and
//! nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prospects_http::inbound::reframe;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a piece size, the rest is the input.
    let Some((&size, input)) = data.split_first() else {
        return;
    };
    let whole = reframe([input]);
    let pieces = input.chunks(usize::from(size).max(1));
    assert_eq!(reframe(pieces), whole);
});
