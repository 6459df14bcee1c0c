//! Biscuit bearer tokens: the authority block names the user and carries an
//! expiry check; the authorizer supplies time, operation and resource so that
//! holders can attenuate tokens offline.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use biscuit_auth::builder::{
    AuthorizerBuilder, BlockBuilder, Policy, Rule, Term, date, fact, int, string,
};
use biscuit_auth::{AuthorizerLimits, Biscuit, PublicKey, UnverifiedBiscuit};
use prospects_domain::recent::Recent;
use prospects_domain::{Access, Operation, TokenAuthority, TokenRejected, UserId, VerifiedToken};
use sha2::{Digest, Sha256};

use crate::RootKey;

/// Issues tokens signed with the newest root key, and accepts tokens signed
/// with it or with a retired key still configured (key rotation: a token
/// names its root key id, which picks the public key to verify it with).
#[derive(Debug, Clone)]
pub struct BiscuitAuthority {
    key: RootKey,
    key_id: u32,
    retired: HashMap<u32, PublicKey>,
    limits: AuthorizerLimits,
    verified: VerifiedTokens,
    rules: Rules,
}

/// The authorizer's policy and the query of a token's user, parsed once.
#[derive(Debug, Clone)]
struct Rules {
    allow_users: Policy,
    users: Rule,
}

impl Rules {
    fn new() -> Self {
        Self {
            allow_users: "allow if user($u)".try_into().expect("a valid policy"),
            users: "data($u) <- user($u)".try_into().expect("a valid rule"),
        }
    }
}

/// How long a token whose signatures were checked is kept parsed. Only the
/// decoding and the signatures are remembered: every request still runs
/// the authorizer (time, operation, resource), so a token past its expiry
/// is refused at once whatever this cache holds, and dropped from it.
const VERIFIED_FOR: Duration = Duration::from_secs(60);
const VERIFIED_ENTRIES: usize = 10_000;

/// Tokens whose signatures were verified, by the SHA-256 of their text (a
/// fixed-size key; the token itself is only the parsed value, which lives
/// in this process's memory anyway while requests use it).
#[derive(Clone)]
struct VerifiedTokens(Arc<Recent<[u8; 32], Arc<Biscuit>>>);

impl VerifiedTokens {
    fn key(text: &str) -> [u8; 32] {
        Sha256::digest(text.as_bytes()).into()
    }
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedTokens")
    }
}

impl BiscuitAuthority {
    /// One key, id 0.
    pub fn new(key: RootKey) -> Self {
        Self::with_keys(0, key, HashMap::new())
    }

    /// Signs with `key` (id `key_id`); also accepts the `retired` public keys by id.
    pub fn with_keys(key_id: u32, key: RootKey, retired: HashMap<u32, PublicKey>) -> Self {
        Self {
            key,
            key_id,
            retired,
            // Far above the 1 ms default, which a loaded debug build exceeds
            // now and then; running out is still a denial, never an error.
            limits: AuthorizerLimits {
                max_facts: 1_000,
                max_iterations: 100,
                max_time: Duration::from_millis(100),
            },
            verified: VerifiedTokens(Arc::new(Recent::new(VERIFIED_FOR, VERIFIED_ENTRIES))),
            rules: Rules::new(),
        }
    }
}

impl BiscuitAuthority {
    /// The public key for a token's root key id (no id: the first key, 0).
    fn public_key(&self, id: Option<u32>) -> Result<PublicKey, biscuit_auth::error::Format> {
        let id = id.unwrap_or(0);
        if id == self.key_id {
            Ok(self.key.0.public())
        } else {
            self.retired
                .get(&id)
                .copied()
                .ok_or(biscuit_auth::error::Format::UnknownPublicKey)
        }
    }

    /// Exactly one well-formed token: the decoder would also take two
    /// tokens run together (`<A><B>`, read as a protobuf merge that acts as
    /// B), so the text must be what the parsed token serializes back to.
    fn parse(&self, token: &str) -> Result<Arc<Biscuit>, TokenRejected> {
        let text = token.trim();
        let key = VerifiedTokens::key(text);
        if let Some(parsed) = self.verified.0.get(&key) {
            return Ok(parsed);
        }
        let read_at = Instant::now();
        let parsed = Biscuit::from_base64(text, |id| self.public_key(id)).map_err(rejected)?;
        if parsed.to_base64().map_err(rejected)? != text {
            return Err(rejected("not in canonical form"));
        }
        let parsed = Arc::new(parsed);
        self.verified.0.put(key, Arc::clone(&parsed), read_at);
        Ok(parsed)
    }
}

fn rejected(reason: impl std::fmt::Display) -> TokenRejected {
    TokenRejected {
        reason: reason.to_string(),
    }
}

impl TokenAuthority for BiscuitAuthority {
    fn issue(&self, user: UserId, lifetime: Duration) -> anyhow::Result<String> {
        let params = HashMap::from([
            ("user".to_owned(), Term::Integer(user.0)),
            (
                "expiry".to_owned(),
                Term::from(SystemTime::now() + lifetime),
            ),
        ]);
        let token = Biscuit::builder()
            .code_with_params(
                "user({user}); check if time($t), $t <= {expiry};",
                params,
                HashMap::new(),
            )?
            .root_key_id(self.key_id)
            .build(&self.key.0)?;
        Ok(token.to_base64()?)
    }

    fn forget_verified(&self) {
        self.verified.0.clear();
    }

    fn revocation_ids(&self, token: &str) -> Result<Vec<String>, TokenRejected> {
        Ok(hex_ids(&*self.parse(token)?))
    }

    fn verify(&self, text: &str, access: Access) -> Result<VerifiedToken, TokenRejected> {
        let token = self.parse(text)?;
        let operation = match access.operation {
            Operation::Read => "read",
            Operation::Write => "write",
        };
        // Facts built, not parsed from source: parsing the authorizer's
        // code on every request took a third of its authorization.
        let mut facts = vec![
            fact("time", &[date(&SystemTime::now())]),
            fact("operation", &[string(operation)]),
        ];
        if let Some(prospect) = access.prospect {
            facts.push(fact("resource", &[string("prospect"), int(prospect.0)]));
        }
        let mut authorizer = facts
            .into_iter()
            .try_fold(AuthorizerBuilder::new(), AuthorizerBuilder::fact)
            .and_then(|builder| builder.policy(self.rules.allow_users.clone()))
            .map_err(rejected)?
            .set_limits(self.limits.clone())
            .build(&token)
            .map_err(rejected)?;
        let permits = match authorizer.authorize() {
            Ok(_) => true,
            Err(error) if only_narrowing_checks_failed(&error) => false,
            Err(error) => {
                // Expired, most likely: it will never pass again.
                self.verified.0.forget(&VerifiedTokens::key(text.trim()));
                return Err(rejected(error));
            }
        };
        // Only the authority block is trusted here: a `user(..)` fact appended
        // by a holder is invisible to this query.
        let users: Vec<(i64,)> = authorizer
            .query(self.rules.users.clone())
            .map_err(rejected)?;
        match users.as_slice() {
            [(id,)] => Ok(VerifiedToken {
                user: UserId(*id),
                revocation_ids: hex_ids(&token),
                permits,
            }),
            _ => Err(rejected("the token must name exactly one user")),
        }
    }
}

/// Whether authorization failed only on checks a holder added to narrow
/// what the token does (`operation`, `resource`): the token is live but
/// forbids this request, a 403. A failed check on `time` means it expired
/// (as does any other failure: no matching policy, run limits), a 401.
fn only_narrowing_checks_failed(error: &biscuit_auth::error::Token) -> bool {
    use biscuit_auth::error::{FailedCheck, Logic, MatchedPolicy, Token};
    match error {
        Token::FailedLogic(Logic::Unauthorized {
            policy: MatchedPolicy::Allow(_),
            checks,
        }) => {
            !checks.is_empty()
                && checks.iter().all(|check| match check {
                    FailedCheck::Block(check) => !check.rule.contains("time("),
                    FailedCheck::Authorizer(_) => false,
                })
        }
        _ => false,
    }
}

fn hex_ids(token: &Biscuit) -> Vec<String> {
    token
        .revocation_identifiers()
        .iter()
        .map(hex::encode)
        .collect()
}

/// Narrows a token offline, as any holder may: no key is needed to append a
/// block, and a block can only add checks. `read_only` limits it to reading;
/// `lifetime` to that long from now.
pub fn attenuate(
    token: &str,
    read_only: bool,
    lifetime: Option<Duration>,
) -> anyhow::Result<String> {
    let token = UnverifiedBiscuit::from_base64(token.trim())?;
    let mut block = BlockBuilder::new();
    if read_only {
        block = block.code(r#"check if operation("read");"#)?;
    }
    if let Some(lifetime) = lifetime {
        let params = HashMap::from([(
            "expiry".to_owned(),
            Term::from(SystemTime::now() + lifetime),
        )]);
        block =
            block.code_with_params("check if time($t), $t <= {expiry};", params, HashMap::new())?;
    }
    Ok(token.append(block)?.to_base64()?)
}

#[cfg(test)]
mod tests {
    use biscuit_auth::macros::block;
    use prospects_domain::AccountId;

    use super::*;

    const READ: Access = Access {
        operation: Operation::Read,
        prospect: None,
    };
    const WRITE: Access = Access {
        operation: Operation::Write,
        prospect: None,
    };

    fn authority() -> BiscuitAuthority {
        BiscuitAuthority::new(RootKey::generate())
    }

    fn append_block(
        token: &str,
        authority: &BiscuitAuthority,
        block: biscuit_auth::builder::BlockBuilder,
    ) -> String {
        Biscuit::from_base64(token, authority.key.0.public())
            .expect("parse")
            .append(block)
            .expect("append")
            .to_base64()
            .expect("serialize")
    }

    /// Verified, and its own checks allow `access`.
    fn permits(authority: &BiscuitAuthority, token: &str, access: Access) -> bool {
        authority
            .verify(token, access)
            .is_ok_and(|verified| verified.permits)
    }

    #[test]
    fn only_one_token_exactly_as_issued_is_accepted() {
        let authority = authority();
        let a = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let b = authority
            .issue(UserId(2), Duration::from_secs(60))
            .expect("token");
        assert!(authority.verify(&a, READ).is_ok());
        for bad in [
            format!("{a}{a}"),
            format!("{a}{b}"),
            format!("{a}AAAA"),
            format!("{a}="),
        ] {
            assert!(authority.verify(&bad, READ).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_expired_narrowed_token_is_rejected_not_merely_forbidden() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let short = attenuate(&token, true, Some(Duration::ZERO)).expect("attenuated");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(authority.verify(&short, WRITE).is_err());
        assert!(authority.verify(&short, READ).is_err());
    }

    #[test]
    fn an_issued_token_names_its_user() {
        let authority = authority();
        let token = authority
            .issue(UserId(42), Duration::from_secs(60))
            .expect("token");
        assert_eq!(
            authority.verify(&token, READ).expect("valid").user,
            UserId(42)
        );
        assert_eq!(
            authority.verify(&token, WRITE).expect("valid").user,
            UserId(42)
        );
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let authority = authority();
        let token = authority.issue(UserId(1), Duration::ZERO).expect("token");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(authority.verify(&token, READ).is_err());
    }

    #[test]
    fn a_token_verified_before_is_refused_once_it_expires() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(1))
            .expect("token");
        assert!(authority.verify(&token, READ).is_ok());
        assert!(
            authority
                .verified
                .0
                .get(&VerifiedTokens::key(&token))
                .is_some()
        );
        std::thread::sleep(Duration::from_millis(2100));
        assert!(
            authority.verify(&token, READ).is_err(),
            "the cache decides nothing"
        );
        assert!(
            authority
                .verified
                .0
                .get(&VerifiedTokens::key(&token))
                .is_none(),
            "and no longer holds it"
        );
    }

    #[test]
    fn a_token_from_another_key_or_garbage_is_rejected() {
        let token = authority()
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        assert!(authority().verify(&token, READ).is_err());
        assert!(authority().verify("not a token", READ).is_err());
    }

    #[test]
    fn a_read_only_attenuation_denies_writes() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let read_only = append_block(&token, &authority, block!(r#"check if operation("read");"#));
        assert!(permits(&authority, &read_only, READ));
        let write = authority.verify(&read_only, WRITE).expect("live");
        assert!(!write.permits, "a live token that forbids writing");
    }

    #[test]
    fn a_later_block_cannot_satisfy_an_earlier_blocks_check() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let read_only = append_block(&token, &authority, block!(r#"check if operation("read");"#));
        let lying = append_block(
            &read_only,
            &authority,
            block!(r#"operation("read"); time(1970-01-01T00:00:00Z);"#),
        );
        assert!(!permits(&authority, &lying, WRITE));
        let short = attenuate(&token, false, Some(Duration::ZERO)).expect("attenuated");
        std::thread::sleep(Duration::from_millis(1100));
        let backdated = append_block(&short, &authority, block!("time(1970-01-01T00:00:00Z);"));
        assert!(authority.verify(&backdated, READ).is_err());
    }

    #[test]
    fn a_one_prospect_token_denies_other_prospects_and_lists() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let one = append_block(
            &token,
            &authority,
            block!(r#"check if resource("prospect", 5);"#),
        );
        let on = |id| Access {
            operation: Operation::Read,
            prospect: Some(AccountId(id)),
        };
        assert!(permits(&authority, &one, on(5)));
        assert!(!permits(&authority, &one, on(6)));
        assert!(!permits(&authority, &one, READ));
    }

    #[test]
    fn an_appended_user_fact_cannot_change_who_the_token_is() {
        let authority = authority();
        let token = authority
            .issue(UserId(7), Duration::from_secs(60))
            .expect("token");
        let forged = append_block(&token, &authority, block!("user(1);"));
        assert_eq!(
            authority.verify(&forged, READ).expect("still valid").user,
            UserId(7)
        );
    }

    #[test]
    fn attenuate_narrows_without_the_key_and_keeps_the_parents_ids() {
        let authority = authority();
        let token = authority
            .issue(UserId(4), Duration::from_secs(3600))
            .expect("token");
        let read_only =
            super::attenuate(&token, true, Some(Duration::from_secs(60))).expect("attenuated");
        assert!(permits(&authority, &read_only, READ));
        assert!(!permits(&authority, &read_only, WRITE));
        let parent = authority
            .verify(&token, READ)
            .expect("valid")
            .revocation_ids;
        let child = authority
            .verify(&read_only, READ)
            .expect("valid")
            .revocation_ids;
        assert_eq!(child.len(), 2);
        assert_eq!(
            child[0], parent[0],
            "a derived token carries its parent's id"
        );
        assert_eq!(
            authority.revocation_ids(&read_only).expect("genuine"),
            child
        );
        let expired = super::attenuate(&token, false, Some(Duration::ZERO)).expect("attenuated");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(authority.verify(&expired, READ).is_err());
    }

    #[test]
    fn after_a_rotation_old_tokens_work_until_their_key_is_removed() {
        let old_key = RootKey::generate();
        let old = BiscuitAuthority::new(old_key.clone());
        let old_token = old
            .issue(UserId(9), Duration::from_secs(60))
            .expect("token");

        let new_key = RootKey::generate();
        let retired = HashMap::from([(0, old_key.0.public())]);
        let rotated = BiscuitAuthority::with_keys(1, new_key.clone(), retired);
        assert_eq!(
            rotated
                .verify(&old_token, READ)
                .expect("still accepted")
                .user,
            UserId(9)
        );
        let new_token = rotated
            .issue(UserId(9), Duration::from_secs(60))
            .expect("token");
        assert_eq!(
            Biscuit::from_base64(&new_token, new_key.0.public())
                .expect("parse")
                .root_key_id(),
            Some(1)
        );
        assert!(rotated.verify(&new_token, READ).is_ok());
        assert!(
            old.verify(&new_token, READ).is_err(),
            "the old configuration knows no key 1"
        );

        let old_key_removed = BiscuitAuthority::with_keys(1, new_key, HashMap::new());
        assert!(old_key_removed.verify(&old_token, READ).is_err());
        assert!(old_key_removed.verify(&new_token, READ).is_ok());
    }
}
