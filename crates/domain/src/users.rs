//! Creating users, whoever asks (the admin command, the first start, tests):
//! the fields validated with Laravel's messages, the email normalized once,
//! the password hashed before it reaches storage.

use std::sync::Arc;

use garde::rules::email::Email;

use crate::auth::normalize_email;
use crate::validation::{Rule, ValidationErrors};
use crate::{NewUser, PasswordHasher, RepositoryError, Role, User, UserRepository};

/// The role levels a user may hold: 5 and below are sales users.
pub const ROLE_RANGE: (i32, i32) = (1, 100);
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A user as asked for, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub name: String,
    pub email: String,
    pub role: i32,
    pub password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{}", .0.summary())]
    Invalid(ValidationErrors),
    #[error("The email has already been taken.")]
    EmailTaken,
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

pub struct UserService {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
}

impl UserService {
    pub fn new(users: Arc<dyn UserRepository>, hasher: Arc<dyn PasswordHasher>) -> Self {
        Self { users, hasher }
    }

    /// Creates the user. `Invalid` lists every field error at once;
    /// `EmailTaken` when another user has the (normalized) email.
    pub async fn create(&self, draft: UserDraft) -> Result<User, UserError> {
        let email = normalize_email(&draft.email);
        let name = draft.name.trim().to_owned();
        validate(&name, &email, draft.role, &draft.password)?;
        let password_hash = self
            .hasher
            .hash(&draft.password)
            .await
            .map_err(UserError::Unknown)?;
        self.users
            .create(NewUser {
                name,
                email,
                role: Role::new(draft.role),
                password_hash,
            })
            .await
            .map_err(|error| match error {
                RepositoryError::AlreadyExists => UserError::EmailTaken,
                RepositoryError::Unavailable(cause) => UserError::Unavailable(cause),
                other => UserError::Unknown(other.into()),
            })
    }
}

fn validate(name: &str, email: &str, role: i32, password: &str) -> Result<(), UserError> {
    let mut errors = ValidationErrors::new();
    let chars = name.chars().count();
    if chars == 0 {
        errors.add("name", Rule::Required);
    } else if chars > 255 {
        errors.add("name", Rule::MaxChars(255));
    }
    if email.is_empty() {
        errors.add("email", Rule::Required);
    } else if email.chars().count() > 255 {
        errors.add("email", Rule::MaxChars(255));
    } else if email.validate_email().is_err() {
        errors.add("email", Rule::Email);
    }
    for (field, text) in [("name", name), ("email", email), ("password", password)] {
        if text.contains('\0') {
            errors.add(field, Rule::NoNul);
        }
    }
    let (min, max) = ROLE_RANGE;
    if !(min..=max).contains(&role) {
        errors.add("role", Rule::Between(i64::from(min), i64::from(max)));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add("password", Rule::MinChars(MIN_PASSWORD_CHARS));
    }
    errors.into_result().map_err(UserError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use crate::ports::{MockPasswordHasher, MockUserRepository};

    fn draft() -> UserDraft {
        UserDraft {
            name: "  Ann  ".to_owned(),
            email: " Ann@Example.TEST ".to_owned(),
            role: 5,
            password: "correct horse".to_owned(),
        }
    }

    fn hasher() -> MockPasswordHasher {
        let mut hasher = MockPasswordHasher::new();
        hasher
            .expect_hash()
            .returning(|password| Ok(format!("hash of {password}")));
        hasher
    }

    #[tokio::test]
    async fn a_valid_draft_is_stored_normalized_and_hashed() {
        let mut users = MockUserRepository::new();
        users
            .expect_create()
            .withf(|user| {
                user.name == "Ann"
                    && user.email == "ann@example.test"
                    && user.password_hash == "hash of correct horse"
            })
            .returning(|user| {
                Ok(User {
                    id: UserId(1),
                    name: user.name,
                    email: user.email,
                    role: user.role,
                    active: true,
                })
            });
        let user = UserService::new(Arc::new(users), Arc::new(hasher()))
            .create(draft())
            .await
            .expect("created");
        assert_eq!(user.email, "ann@example.test");
    }

    #[tokio::test]
    async fn every_bad_field_is_reported_at_once_and_nothing_is_stored() {
        let mut users = MockUserRepository::new();
        users.expect_create().never();
        let service = UserService::new(Arc::new(users), Arc::new(hasher()));
        let bad = UserDraft {
            name: " ".to_owned(),
            email: "not-an-email".to_owned(),
            role: -3,
            password: "short".to_owned(),
        };
        let Err(UserError::Invalid(errors)) = service.create(bad).await else {
            panic!("expected every field refused")
        };
        let fields: Vec<&str> = errors
            .fields()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, ["name", "email", "role", "password"]);
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 3 more errors)"
        );
    }

    #[tokio::test]
    async fn a_taken_email_says_so() {
        let mut users = MockUserRepository::new();
        users
            .expect_create()
            .returning(|_| Err(RepositoryError::AlreadyExists));
        let result = UserService::new(Arc::new(users), Arc::new(hasher()))
            .create(draft())
            .await;
        assert!(matches!(result, Err(UserError::EmailTaken)));
    }
}
