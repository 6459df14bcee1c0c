//! Biscuit bearer tokens: the authority block names the user and carries an
//! expiry check; the authorizer supplies time, operation and resource so that
//! holders can attenuate tokens offline.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use biscuit_auth::builder::{AuthorizerBuilder, BlockBuilder, Term};
use biscuit_auth::{AuthorizerLimits, Biscuit, UnverifiedBiscuit};
use prospects_domain::{Access, Operation, TokenAuthority, TokenRejected, UserId, VerifiedToken};

use crate::RootKey;

/// Id of the only root key so far; carried in every token for future rotation.
const ROOT_KEY_ID: u32 = 0;

/// Issues and verifies tokens signed by the service's root key.
#[derive(Debug, Clone)]
pub struct BiscuitAuthority {
    key: RootKey,
    limits: AuthorizerLimits,
}

impl BiscuitAuthority {
    pub fn new(key: RootKey) -> Self {
        Self {
            key,
            // Far above the 1 ms default, which a loaded debug build exceeds
            // now and then; running out is still a denial, never an error.
            limits: AuthorizerLimits {
                max_facts: 1_000,
                max_iterations: 100,
                max_time: Duration::from_millis(100),
            },
        }
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
            .root_key_id(ROOT_KEY_ID)
            .build(&self.key.0)?;
        Ok(token.to_base64()?)
    }

    fn revocation_ids(&self, token: &str) -> Result<Vec<String>, TokenRejected> {
        let token = Biscuit::from_base64(token.trim(), self.key.0.public()).map_err(rejected)?;
        Ok(hex_ids(&token))
    }

    fn verify(&self, token: &str, access: Access) -> Result<VerifiedToken, TokenRejected> {
        let public = self.key.0.public();
        let token = Biscuit::from_base64(token.trim(), public).map_err(rejected)?;
        let operation = match access.operation {
            Operation::Read => "read",
            Operation::Write => "write",
        };
        let mut params = HashMap::from([
            ("now".to_owned(), Term::from(SystemTime::now())),
            ("operation".to_owned(), Term::Str(operation.to_owned())),
        ]);
        let mut code = String::from("time({now}); operation({operation}); allow if user($u);");
        if let Some(prospect) = access.prospect {
            params.insert("prospect".to_owned(), Term::Integer(prospect.0));
            code.push_str(r#" resource("prospect", {prospect});"#);
        }
        let mut authorizer = AuthorizerBuilder::new()
            .code_with_params(code, params, HashMap::new())
            .map_err(rejected)?
            .set_limits(self.limits.clone())
            .build(&token)
            .map_err(rejected)?;
        authorizer.authorize().map_err(rejected)?;
        // Only the authority block is trusted here: a `user(..)` fact appended
        // by a holder is invisible to this query.
        let users: Vec<(i64,)> = authorizer.query("data($u) <- user($u)").map_err(rejected)?;
        match users.as_slice() {
            [(id,)] => Ok(VerifiedToken {
                user: UserId(*id),
                revocation_ids: hex_ids(&token),
            }),
            _ => Err(rejected("the token must name exactly one user")),
        }
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
    use prospects_domain::ProspectId;

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
        assert!(authority.verify(&read_only, READ).is_ok());
        assert!(authority.verify(&read_only, WRITE).is_err());
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
            prospect: Some(ProspectId(id)),
        };
        assert!(authority.verify(&one, on(5)).is_ok());
        assert!(authority.verify(&one, on(6)).is_err());
        assert!(authority.verify(&one, READ).is_err());
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
        assert!(authority.verify(&read_only, READ).is_ok());
        assert!(authority.verify(&read_only, WRITE).is_err());
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
}
