//! Tokens: any bytes as a bearer token are refused without a panic; and a
//! genuine token with any block a holder could append (any Datalog) is
//! either refused or still speaks for the same user, never another.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use biscuit_auth::UnverifiedBiscuit;
use biscuit_auth::builder::BlockBuilder;
use libfuzzer_sys::fuzz_target;
use prospects_domain::{Access, Operation, AccountId, TokenAuthority, UserId};
use prospects_infra::{BiscuitAuthority, RootKey};

/// Long enough for any realistic attenuation block.
const MAX_BLOCK_TEXT: usize = 256;
/// Unary operators and parentheses the holder-side parser is given.
const MAX_NESTING: usize = 12;

static AUTHORITY: LazyLock<BiscuitAuthority> =
    LazyLock::new(|| BiscuitAuthority::new(RootKey::generate()));
static GENUINE: LazyLock<String> = LazyLock::new(|| {
    AUTHORITY
        .issue(UserId(7), Duration::from_secs(3600))
        .expect("a token")
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let access = Access {
        operation: if selector & 1 == 0 {
            Operation::Read
        } else {
            Operation::Write
        },
        prospect: (selector & 2 == 0).then_some(AccountId(42)),
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector & 4 == 0 {
        assert!(
            AUTHORITY.verify(text, access).is_err(),
            "a random token passed"
        );
        return;
    }
    // The block is written as Datalog text, as a holder would, and parsed
    // here on the holder's side: the service itself only ever receives the
    // signed binary form. biscuit-parser recurses once per `!` or `(`: ~1,200
    // of them overflow its stack, and a few dozen take exponential time
    // (the first two findings of this target), so such texts are skipped to
    // spend the time on the service's own code.
    if text.len() > MAX_BLOCK_TEXT || text.matches(['!', '(']).count() > MAX_NESTING {
        return;
    }
    let Ok(block) = BlockBuilder::new().code(text) else {
        return;
    };
    let Ok(appended) = UnverifiedBiscuit::from_base64(GENUINE.as_str())
        .and_then(|token| token.append(block))
        .and_then(|token| token.to_base64())
    else {
        return;
    };
    if let Ok(verified) = AUTHORITY.verify(&appended, access) {
        assert_eq!(
            verified.user,
            UserId(7),
            "an appended block changed the user"
        );
        assert_eq!(verified.revocation_ids.len(), 2);
    }
});
