//! Logging in and authenticating a request: credentials to a token, a token to an [`Actor`].

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::recent::Recent;

use crate::{
    Access, Actor, PasswordHasher, RepositoryError, RevocationList, TokenAuthority, User, UserId,
    UserRepository,
};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email, wrong password or inactive user: deliberately one case.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// No usable token, or its user is gone or inactive. The caller is
    /// told only that; the reason is for operators (metrics).
    #[error("unauthenticated ({0})")]
    Unauthenticated(Refusal),
    /// A live token whose own checks forbid this request.
    #[error("the token does not allow this request")]
    Forbidden,
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Why a presented token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not one well-formed token of ours, or expired.
    Rejected,
    /// Revoked, or derived from a revoked token.
    Revoked,
    /// Its user was deleted or deactivated.
    NoActiveUser,
}

impl Refusal {
    /// A stable label (`reason` in metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Rejected => "rejected",
            Refusal::Revoked => "revoked",
            Refusal::NoActiveUser => "no_active_user",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<RepositoryError> for AuthError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(cause) => AuthError::Unavailable(cause),
            other => AuthError::Unknown(other.into()),
        }
    }
}

/// An authenticated request: who is asking, with which token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    /// Revokes the token presented (and those derived from it) at logout.
    pub token_id: String,
    /// The issued token this one was attenuated from (itself when it was not
    /// attenuated): rate limits count per family, so narrowing a token
    /// offline buys no fresh budget.
    pub family_id: String,
}

/// A successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    pub token: String,
    /// When the token stops working: never later than its own expiry check.
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

pub struct AuthService {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenAuthority>,
    revocations: Arc<dyn RevocationList>,
    token_lifetime: Duration,
    /// Whether a token's revocation ids were revoked, and each user's row,
    /// as recently read: SPEC §5 lets a process act on them for up to a
    /// second, and every request needs both.
    recently_revoked: Recent<Vec<String>, bool>,
    recent_users: Recent<UserId, Option<User>>,
}

/// How long a revocation check or a user's row is believed: under SPEC §5's
/// one second, with room for the read itself.
pub const REMEMBERED_FOR: Duration = Duration::from_millis(900);
/// Entries per memo; past it the stale ones go (a memo never grows unbounded).
const REMEMBERED_ENTRIES: usize = 10_000;

impl AuthService {
    pub fn new(
        users: Arc<dyn UserRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenAuthority>,
        revocations: Arc<dyn RevocationList>,
        token_lifetime: Duration,
    ) -> Self {
        Self {
            users,
            hasher,
            tokens,
            revocations,
            token_lifetime,
            recently_revoked: Recent::new(REMEMBERED_FOR, REMEMBERED_ENTRIES),
            recent_users: Recent::new(REMEMBERED_FOR, REMEMBERED_ENTRIES),
        }
    }

    /// Remembers revocations and users for `ttl` instead (zero: never).
    pub fn remembering_for(mut self, ttl: Duration) -> Self {
        self.recently_revoked = Recent::new(ttl, REMEMBERED_ENTRIES);
        self.recent_users = Recent::new(ttl, REMEMBERED_ENTRIES);
        self
    }

    /// Forgets the users' rows read so far: this process just changed one,
    /// and its change applies from its next request on (other processes
    /// see it within [`REMEMBERED_FOR`]).
    pub fn forget_users(&self) {
        self.recent_users.clear();
    }

    async fn any_revoked(&self, ids: &[String]) -> Result<bool, AuthError> {
        let key = ids.to_vec();
        if let Some(revoked) = self.recently_revoked.get(&key) {
            return Ok(revoked);
        }
        let read_at = Instant::now();
        let revoked = self.revocations.any_revoked(ids).await?;
        self.recently_revoked.put(key, revoked, read_at);
        Ok(revoked)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, AuthError> {
        if let Some(user) = self.recent_users.get(&id) {
            return Ok(user);
        }
        let read_at = Instant::now();
        let user = self.users.find(id).await?;
        self.recent_users.put(id, user.clone(), read_at);
        Ok(user)
    }

    /// Exchanges credentials for a token. An unknown email costs the same
    /// password check as a wrong password, so timing tells nothing.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginOutcome, AuthError> {
        // No stored email holds a NUL (PostgreSQL cannot store one): such an
        // email names nobody, and is not sent to the database.
        let found = if email.contains('\0') {
            None
        } else {
            self.users
                .find_with_password(&normalize_email(email))
                .await?
        };
        let hash = found.as_ref().map(|(_, hash)| hash.clone());
        let password_ok = self.hasher.verify(password, hash).await;
        match found {
            Some((user, _)) if password_ok && user.active => {
                // Whole seconds, taken before issuing: the token's own
                // expiry (whole seconds too) is never earlier than this.
                let issued_at = Utc::now().trunc_subsecs(0);
                let expires_at = issued_at
                    + chrono::Duration::from_std(self.token_lifetime)
                        .unwrap_or(chrono::Duration::MAX);
                let token = self
                    .tokens
                    .issue(user.id, self.token_lifetime)
                    .map_err(AuthError::Unknown)?;
                Ok(LoginOutcome {
                    token,
                    expires_at,
                    user,
                })
            }
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// The session a bearer token opens, if none of its blocks was revoked,
    /// its user is still active and it allows `access` (`Forbidden` when it
    /// is live but does not). The role is read from the user's current row,
    /// never from the token.
    pub async fn authenticate(&self, token: &str, access: Access) -> Result<Session, AuthError> {
        let verified = self
            .tokens
            .verify(token, access)
            .map_err(|_| AuthError::Unauthenticated(Refusal::Rejected))?;
        if self.any_revoked(&verified.revocation_ids).await? {
            return Err(AuthError::Unauthenticated(Refusal::Revoked));
        }
        let (Some(token_id), Some(family_id)) = (
            verified.own_revocation_id(),
            verified.issued_revocation_id(),
        ) else {
            return Err(AuthError::Unauthenticated(Refusal::Rejected));
        };
        let (token_id, family_id) = (token_id.to_owned(), family_id.to_owned());
        match self.user(verified.user).await? {
            Some(user) if user.active && verified.permits => Ok(Session {
                actor: Actor::new(user.id, user.role),
                token_id,
                family_id,
            }),
            Some(user) if user.active => Err(AuthError::Forbidden),
            _ => Err(AuthError::Unauthenticated(Refusal::NoActiveUser)),
        }
    }

    /// Revokes the session's token and every token derived from it.
    pub async fn logout(&self, session: &Session) -> Result<(), AuthError> {
        self.revocations
            .revoke(std::slice::from_ref(&session.token_id))
            .await?;
        // This process honours its own revocations at once.
        self.recently_revoked.clear();
        self.tokens.forget_verified();
        Ok(())
    }

    /// Revokes any genuine token (an operator's command); `Unauthenticated`
    /// when it is not one of ours.
    pub async fn revoke(&self, token: &str) -> Result<(), AuthError> {
        let ids = self
            .tokens
            .revocation_ids(token)
            .map_err(|_| AuthError::Unauthenticated(Refusal::Rejected))?;
        let own = ids
            .last()
            .cloned()
            .ok_or(AuthError::Unauthenticated(Refusal::Rejected))?;
        self.revocations.revoke(&[own]).await?;
        self.recently_revoked.clear();
        self.tokens.forget_verified();
        Ok(())
    }
}

/// Emails are compared without regard to case or surrounding blanks.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{
        MockPasswordHasher, MockRevocationList, MockTokenAuthority, MockUserRepository,
    };
    use crate::{Operation, Role, TokenRejected, UserId, VerifiedToken};

    fn user(active: bool) -> User {
        User {
            id: UserId(3),
            name: "Ann".to_owned(),
            email: "ann@example.test".to_owned(),
            role: Role::new(5),
            active,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn read() -> Access {
        Access {
            operation: Operation::Read,
            prospect: None,
        }
    }

    fn service(
        users: MockUserRepository,
        hasher: MockPasswordHasher,
        tokens: MockTokenAuthority,
    ) -> AuthService {
        let mut revocations = MockRevocationList::new();
        revocations
            .expect_any_revoked()
            .returning(|ids| Ok(ids.iter().any(|id| id == "revoked")));
        AuthService::new(
            Arc::new(users),
            Arc::new(hasher),
            Arc::new(tokens),
            Arc::new(revocations),
            Duration::from_secs(60),
        )
    }

    fn verified(ids: &[&str]) -> VerifiedToken {
        VerifiedToken {
            user: UserId(3),
            revocation_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            permits: true,
        }
    }

    #[tokio::test]
    async fn an_unknown_email_still_pays_for_a_password_check() {
        let mut users = MockUserRepository::new();
        users.expect_find_with_password().returning(|_| Ok(None));
        let mut hasher = MockPasswordHasher::new();
        hasher
            .expect_verify()
            .withf(|_, hash| hash.is_none())
            .times(1)
            .returning(|_, _| false);
        let result = service(users, hasher, MockTokenAuthority::new())
            .login("x@y.test", "pw")
            .await;
        assert!(matches!(result, Err(AuthError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn the_right_password_gets_a_token_and_emails_ignore_case() {
        let mut users = MockUserRepository::new();
        users
            .expect_find_with_password()
            .withf(|email| email == "ann@example.test")
            .returning(|_| Ok(Some((user(true), "hash".to_owned()))));
        let mut hasher = MockPasswordHasher::new();
        hasher
            .expect_verify()
            .returning(|password, _| password == "secret");
        let mut tokens = MockTokenAuthority::new();
        tokens
            .expect_issue()
            .returning(|_, _| Ok("token".to_owned()));
        let service = service(users, hasher, tokens);
        let outcome = service
            .login(" Ann@Example.TEST ", "secret")
            .await
            .expect("logged in");
        assert_eq!(outcome.token, "token");
        assert!(matches!(
            service.login("ann@example.test", "wrong").await,
            Err(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn an_inactive_user_cannot_log_in_or_use_a_token() {
        let mut users = MockUserRepository::new();
        users
            .expect_find_with_password()
            .returning(|_| Ok(Some((user(false), "hash".to_owned()))));
        users.expect_find().returning(|_| Ok(Some(user(false))));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| true);
        let mut tokens = MockTokenAuthority::new();
        tokens
            .expect_verify()
            .returning(|_, _| Ok(verified(&["a"])));
        let service = service(users, hasher, tokens);
        assert!(matches!(
            service.login("ann@example.test", "pw").await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            service.authenticate("t", read()).await,
            Err(AuthError::Unauthenticated(Refusal::NoActiveUser))
        ));
    }

    #[tokio::test]
    async fn an_email_with_a_nul_is_never_looked_up_but_still_costs_a_hash() {
        let mut users = MockUserRepository::new();
        users.expect_find_with_password().never();
        let mut hasher = MockPasswordHasher::new();
        hasher
            .expect_verify()
            .withf(|_, hash| hash.is_none())
            .times(1)
            .returning(|_, _| false);
        let service = service(users, hasher, MockTokenAuthority::new());
        assert!(matches!(
            service.login("ann@example.test\0", "pw").await,
            Err(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn the_role_comes_from_the_user_row() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|_| {
            Ok(Some(User {
                role: Role::new(50),
                ..user(true)
            }))
        });
        let mut tokens = MockTokenAuthority::new();
        tokens
            .expect_verify()
            .returning(|_, _| Ok(verified(&["a"])));
        let session = service(users, MockPasswordHasher::new(), tokens)
            .authenticate("t", read())
            .await
            .expect("authenticated");
        assert_eq!(session.actor.role(), Role::new(50));
        assert_eq!(session.token_id, "a");
    }

    #[tokio::test]
    async fn a_token_with_any_revoked_block_is_unauthenticated() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|_| Ok(Some(user(true))));
        let mut tokens = MockTokenAuthority::new();
        tokens.expect_verify().returning(|token, _| match token {
            "derived-from-revoked" => Ok(verified(&["revoked", "b"])),
            "revoked-itself" => Ok(verified(&["a", "revoked"])),
            _ => Ok(verified(&["a", "b"])),
        });
        let service = service(users, MockPasswordHasher::new(), tokens);
        for token in ["derived-from-revoked", "revoked-itself"] {
            assert!(matches!(
                service.authenticate(token, read()).await,
                Err(AuthError::Unauthenticated(Refusal::Revoked))
            ));
        }
        let session = service
            .authenticate("fine", read())
            .await
            .expect("authenticated");
        assert_eq!(
            session.token_id, "b",
            "a token is named by its newest block"
        );
        assert_eq!(
            session.family_id, "a",
            "and belongs to the family of its issued token"
        );
    }

    #[tokio::test]
    async fn revocations_and_users_are_read_once_a_second_and_logout_forgets() {
        let mut users = MockUserRepository::new();
        users
            .expect_find()
            .times(2)
            .returning(|_| Ok(Some(user(true))));
        let mut tokens = MockTokenAuthority::new();
        tokens
            .expect_verify()
            .returning(|_, _| Ok(verified(&["a"])));
        tokens.expect_forget_verified().times(1).return_const(());
        let mut revocations = MockRevocationList::new();
        // Read once, then again after the logout and after the memo lapses.
        revocations
            .expect_any_revoked()
            .times(3)
            .returning(|_| Ok(false));
        revocations.expect_revoke().returning(|_| Ok(()));
        let service = AuthService::new(
            Arc::new(users),
            Arc::new(MockPasswordHasher::new()),
            Arc::new(tokens),
            Arc::new(revocations),
            Duration::from_secs(60),
        )
        .remembering_for(Duration::from_millis(200));
        let session = service.authenticate("t", read()).await.expect("first");
        service.authenticate("t", read()).await.expect("remembered");
        service.logout(&session).await.expect("logged out");
        service
            .authenticate("t", read())
            .await
            .expect("revocations read again");
        tokio::time::sleep(Duration::from_millis(250)).await;
        service
            .authenticate("t", read())
            .await
            .expect("both read again");
    }

    #[tokio::test]
    async fn logout_and_revoke_record_the_tokens_own_id() {
        let mut revocations = MockRevocationList::new();
        revocations
            .expect_revoke()
            .withf(|ids| ids == ["own".to_owned()])
            .times(2)
            .returning(|_| Ok(()));
        let mut tokens = MockTokenAuthority::new();
        tokens
            .expect_revocation_ids()
            .returning(|_| Ok(vec!["parent".to_owned(), "own".to_owned()]));
        // Neither leaves the revoked token verified in this process.
        tokens.expect_forget_verified().times(2).return_const(());
        let service = AuthService::new(
            Arc::new(MockUserRepository::new()),
            Arc::new(MockPasswordHasher::new()),
            Arc::new(tokens),
            Arc::new(revocations),
            Duration::from_secs(60),
        );
        let session = Session {
            actor: Actor::new(UserId(3), Role::new(5)),
            token_id: "own".to_owned(),
            family_id: "parent".to_owned(),
        };
        service.logout(&session).await.expect("logged out");
        service.revoke("attenuated token").await.expect("revoked");
    }

    #[tokio::test]
    async fn a_live_token_that_forbids_the_request_is_forbidden_unless_revoked() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|_| Ok(Some(user(true))));
        let mut tokens = MockTokenAuthority::new();
        tokens.expect_verify().returning(|token, _| {
            let ids: &[&str] = if token == "revoked" {
                &["a", "revoked"]
            } else {
                &["a", "b"]
            };
            Ok(VerifiedToken {
                permits: false,
                ..verified(ids)
            })
        });
        let service = service(users, MockPasswordHasher::new(), tokens);
        assert!(matches!(
            service.authenticate("read-only", read()).await,
            Err(AuthError::Forbidden)
        ));
        assert!(matches!(
            service.authenticate("revoked", read()).await,
            Err(AuthError::Unauthenticated(Refusal::Revoked))
        ));
    }

    #[tokio::test]
    async fn a_rejected_token_or_a_deleted_user_is_unauthenticated() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|_| Ok(None));
        let mut tokens = MockTokenAuthority::new();
        tokens.expect_verify().returning(|token, _| {
            if token == "good" {
                Ok(verified(&["a"]))
            } else {
                Err(TokenRejected {
                    reason: "forged".into(),
                })
            }
        });
        let service = service(users, MockPasswordHasher::new(), tokens);
        assert!(matches!(
            service.authenticate("forged", read()).await,
            Err(AuthError::Unauthenticated(Refusal::Rejected))
        ));
        assert!(matches!(
            service.authenticate("good", read()).await,
            Err(AuthError::Unauthenticated(Refusal::NoActiveUser))
        ));
    }
}
