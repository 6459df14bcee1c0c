//! Biscuit bearer tokens: the authority block names the user and carries an
//! expiry check; the authorizer supplies time, operation and resource so that
//! holders can attenuate tokens offline.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use biscuit_auth::builder::{AuthorizerBuilder, Term};
use biscuit_auth::{AuthorizerLimits, Biscuit};
use prospects_domain::{Access, Operation, TokenAuthority, TokenRejected, UserId};

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

    fn verify(&self, token: &str, access: Access) -> Result<UserId, TokenRejected> {
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
            [(id,)] => Ok(UserId(*id)),
            _ => Err(rejected("the token must name exactly one user")),
        }
    }
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

    fn attenuate(
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
        assert_eq!(authority.verify(&token, READ).expect("valid"), UserId(42));
        assert_eq!(authority.verify(&token, WRITE).expect("valid"), UserId(42));
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
        let read_only = attenuate(&token, &authority, block!(r#"check if operation("read");"#));
        assert!(authority.verify(&read_only, READ).is_ok());
        assert!(authority.verify(&read_only, WRITE).is_err());
    }

    #[test]
    fn a_one_prospect_token_denies_other_prospects_and_lists() {
        let authority = authority();
        let token = authority
            .issue(UserId(1), Duration::from_secs(60))
            .expect("token");
        let one = attenuate(
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
        let forged = attenuate(&token, &authority, block!("user(1);"));
        assert_eq!(
            authority.verify(&forged, READ).expect("still valid"),
            UserId(7)
        );
    }
}
