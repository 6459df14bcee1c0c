//! Logging in and authenticating a request: credentials to a token, a token to an [`Actor`].

use std::sync::Arc;
use std::time::Duration;

use crate::{Access, Actor, PasswordHasher, RepositoryError, TokenAuthority, User, UserRepository};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email, wrong password or inactive user: deliberately one case.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// No usable token, or the token does not allow this request, or its user
    /// is gone or inactive.
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl From<RepositoryError> for AuthError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(cause) => AuthError::Unavailable(cause),
            other => AuthError::Unknown(other.into()),
        }
    }
}

/// A successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    pub token: String,
    pub user: User,
}

pub struct AuthService {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenAuthority>,
    token_lifetime: Duration,
}

impl AuthService {
    pub fn new(
        users: Arc<dyn UserRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenAuthority>,
        token_lifetime: Duration,
    ) -> Self {
        Self {
            users,
            hasher,
            tokens,
            token_lifetime,
        }
    }

    /// Exchanges credentials for a token. An unknown email costs the same
    /// password check as a wrong password, so timing tells nothing.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginOutcome, AuthError> {
        let found = self
            .users
            .find_with_password(&normalize_email(email))
            .await?;
        let hash = found.as_ref().map(|(_, hash)| hash.clone());
        let password_ok = self.hasher.verify(password, hash).await;
        match found {
            Some((user, _)) if password_ok && user.active => {
                let token = self
                    .tokens
                    .issue(user.id, self.token_lifetime)
                    .map_err(AuthError::Unknown)?;
                Ok(LoginOutcome { token, user })
            }
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// The actor a bearer token speaks for, if it allows `access`. The role is
    /// read from the user's current row, never from the token.
    pub async fn authenticate(&self, token: &str, access: Access) -> Result<Actor, AuthError> {
        let user_id = self
            .tokens
            .verify(token, access)
            .map_err(|_| AuthError::Unauthenticated)?;
        match self.users.find(user_id).await? {
            Some(user) if user.active => Ok(Actor::new(user.id, user.role)),
            _ => Err(AuthError::Unauthenticated),
        }
    }
}

/// Emails are compared without regard to case or surrounding blanks.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockPasswordHasher, MockTokenAuthority, MockUserRepository};
    use crate::{Operation, Role, TokenRejected, UserId};

    fn user(active: bool) -> User {
        User {
            id: UserId(3),
            name: "Ann".to_owned(),
            email: "ann@example.test".to_owned(),
            role: Role::new(5),
            active,
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
        AuthService::new(
            Arc::new(users),
            Arc::new(hasher),
            Arc::new(tokens),
            Duration::from_secs(60),
        )
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
        tokens.expect_verify().returning(|_, _| Ok(UserId(3)));
        let service = service(users, hasher, tokens);
        assert!(matches!(
            service.login("ann@example.test", "pw").await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            service.authenticate("t", read()).await,
            Err(AuthError::Unauthenticated)
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
        tokens.expect_verify().returning(|_, _| Ok(UserId(3)));
        let actor = service(users, MockPasswordHasher::new(), tokens)
            .authenticate("t", read())
            .await
            .expect("authenticated");
        assert_eq!(actor.role(), Role::new(50));
    }

    #[tokio::test]
    async fn a_rejected_token_or_a_deleted_user_is_unauthenticated() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|_| Ok(None));
        let mut tokens = MockTokenAuthority::new();
        tokens.expect_verify().returning(|token, _| {
            if token == "good" {
                Ok(UserId(3))
            } else {
                Err(TokenRejected {
                    reason: "forged".into(),
                })
            }
        });
        let service = service(users, MockPasswordHasher::new(), tokens);
        assert!(matches!(
            service.authenticate("forged", read()).await,
            Err(AuthError::Unauthenticated)
        ));
        assert!(matches!(
            service.authenticate("good", read()).await,
            Err(AuthError::Unauthenticated)
        ));
    }
}
