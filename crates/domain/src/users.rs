//! Users, whoever asks (the API, the admin commands, the first start,
//! tests): fields validated with Laravel's messages, the email normalized
//! once, passwords hashed before they reach storage. Everyone reads users
//! (clients pick representatives); users above the sales level write them,
//! never beyond their own role, and never lock themselves out.

use std::sync::Arc;

use garde::rules::email::Email;

use crate::auth::normalize_email;
use crate::input::Patch;
use crate::validation::{Rule, ValidationErrors};
use crate::{
    Actor, NewUser, Page, PasswordHasher, RepositoryError, Role, User, UserId, UserQuery,
    UserRepository, UserUpdate,
};

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

/// A user as a request sent it (create or update).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInput {
    pub name: Patch<String>,
    pub email: Patch<String>,
    pub role: Patch<i64>,
    pub active: Patch<bool>,
    /// Not trimmed. A user created without one cannot log in until one is set.
    pub password: Patch<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{}", .0.summary())]
    Invalid(ValidationErrors),
    #[error("The email has already been taken.")]
    EmailTaken,
    #[error("No query results for model [User] {}", .0.0)]
    NotFound(UserId),
    /// A sales user writing users, or a write beyond the writer's own role.
    #[error("This action is unauthorized.")]
    Forbidden,
    #[error("You cannot delete or deactivate your own account.")]
    SelfLockout,
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
                active: true,
                password_hash,
            })
            .await
            .map_err(UserError::from)
    }

    /// The page of users the query selects; anyone may list users.
    pub async fn list(&self, query: &UserQuery) -> Result<Page<User>, UserError> {
        // No stored name or email holds a NUL (PostgreSQL cannot store one,
        // nor take one as a parameter): such a filter matches nothing.
        let filters = [&query.name, &query.email];
        if filters
            .into_iter()
            .flatten()
            .any(|text| text.contains('\0'))
        {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        self.users.list(query).await.map_err(UserError::from)
    }

    /// `NotFound` when there is no such user.
    pub async fn show(&self, id: UserId) -> Result<User, UserError> {
        self.users.find(id).await?.ok_or(UserError::NotFound(id))
    }

    /// The user with this email (normalized first), for the admin commands.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, UserError> {
        let found = self
            .users
            .find_with_password(&normalize_email(email))
            .await?;
        Ok(found.map(|(user, _)| user))
    }

    /// Creates a user on behalf of `actor`: `Forbidden` for a sales user or
    /// for a role above the actor's own. Without a password the user exists
    /// but cannot log in until one is set.
    pub async fn create_as(&self, actor: &Actor, input: UserInput) -> Result<User, UserError> {
        if actor.role().is_sales() {
            return Err(UserError::Forbidden);
        }
        let changes = checked(input, true)?;
        let role = changes.role.unwrap_or(Role::new(ROLE_RANGE.0));
        if role > actor.role() {
            return Err(UserError::Forbidden);
        }
        let password_hash = match &changes.password {
            Some(password) => self
                .hasher
                .hash(password)
                .await
                .map_err(UserError::Unknown)?,
            None => LOCKED.to_owned(),
        };
        self.users
            .create(NewUser {
                name: changes.name.unwrap_or_default(),
                email: changes.email.unwrap_or_default(),
                role,
                active: changes.active.unwrap_or(true),
                password_hash,
            })
            .await
            .map_err(UserError::from)
    }

    /// Changes what was sent. `Forbidden` for a sales user, for a user above
    /// the actor's role, or for a role above it; `SelfLockout` when the actor
    /// would deactivate themselves.
    pub async fn update(
        &self,
        actor: &Actor,
        id: UserId,
        input: UserInput,
    ) -> Result<User, UserError> {
        if actor.role().is_sales() {
            return Err(UserError::Forbidden);
        }
        let target = self.show(id).await?;
        let changes = checked(input, false)?;
        if target.role > actor.role() || changes.role.is_some_and(|role| role > actor.role()) {
            return Err(UserError::Forbidden);
        }
        if id == actor.user_id() && changes.active == Some(false) {
            return Err(UserError::SelfLockout);
        }
        let password_hash = match &changes.password {
            Some(password) => Some(
                self.hasher
                    .hash(password)
                    .await
                    .map_err(UserError::Unknown)?,
            ),
            None => None,
        };
        self.users
            .update(
                id,
                UserUpdate {
                    name: changes.name,
                    email: changes.email,
                    role: changes.role,
                    active: changes.active,
                    password_hash,
                },
            )
            .await
            .map_err(|error| match error {
                RepositoryError::NotFound => UserError::NotFound(id),
                other => other.into(),
            })
    }

    /// Deletes a user; their prospects are left without a representative.
    /// Same refusals as [`UserService::update`].
    pub async fn delete(&self, actor: &Actor, id: UserId) -> Result<(), UserError> {
        if actor.role().is_sales() {
            return Err(UserError::Forbidden);
        }
        let target = self.show(id).await?;
        if target.role > actor.role() {
            return Err(UserError::Forbidden);
        }
        if id == actor.user_id() {
            return Err(UserError::SelfLockout);
        }
        self.users.delete(id).await.map_err(|error| match error {
            RepositoryError::NotFound => UserError::NotFound(id),
            other => other.into(),
        })
    }
}

impl From<RepositoryError> for UserError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::AlreadyExists => UserError::EmailTaken,
            RepositoryError::Unavailable(cause) => UserError::Unavailable(cause),
            other => UserError::Unknown(other.into()),
        }
    }
}

/// The stored hash of a user who has no password yet: no hash format
/// reads it, so every password fails against it (as `!` locks a Unix account).
pub const LOCKED: &str = "!";

/// What a valid request changes: each `Some` was sent and passed its rules.
struct Checked {
    name: Option<String>,
    email: Option<String>,
    role: Option<Role>,
    active: Option<bool>,
    password: Option<String>,
}

/// Applies the rules to what was sent; on create, `name`, `email` and
/// `role` are required. Every broken rule is reported at once.
fn checked(input: UserInput, creating: bool) -> Result<Checked, UserError> {
    let mut errors = ValidationErrors::new();
    if lacks(&input.name, creating) {
        errors.add("name", Rule::Required);
    }
    let name = sent("name", input.name, &mut errors);
    if let Some(name) = &name {
        check_name(name, &mut errors);
    }
    if lacks(&input.email, creating) {
        errors.add("email", Rule::Required);
    }
    let email = sent("email", input.email, &mut errors).map(|email| normalize_email(&email));
    if let Some(email) = &email {
        check_email(email, &mut errors);
    }
    if lacks(&input.role, creating) {
        errors.add("role", Rule::Required);
    }
    let role = match input.role {
        Patch::Set(level) => {
            let (min, max) = ROLE_RANGE;
            if (i64::from(min)..=i64::from(max)).contains(&level) {
                i32::try_from(level).ok().map(Role::new)
            } else {
                errors.add("role", Rule::Between(i64::from(min), i64::from(max)));
                None
            }
        }
        Patch::Invalid(rule) => {
            errors.add("role", rule);
            None
        }
        Patch::Absent | Patch::Null => None,
    };
    // `null` counts as not sent: the vendor's client sends `active: null`
    // for a user it has not read.
    let active = match input.active {
        Patch::Set(flag) => Some(flag),
        Patch::Invalid(rule) => {
            errors.add("active", rule);
            None
        }
        Patch::Absent | Patch::Null => None,
    };
    let password = sent("password", input.password, &mut errors);
    if let Some(password) = &password {
        check_password(password, &mut errors);
    }
    errors.into_result().map_err(UserError::Invalid)?;
    Ok(Checked {
        name,
        email,
        role,
        active,
        password,
    })
}

/// Whether a required field is missing: `null`, or not sent on create.
fn lacks<T>(patch: &Patch<T>, creating: bool) -> bool {
    matches!(patch, Patch::Null) || (creating && patch.is_absent())
}

/// The value sent, or `None` (the rule a wrong type broke is recorded).
fn sent(field: &str, patch: Patch<String>, errors: &mut ValidationErrors) -> Option<String> {
    match patch {
        Patch::Set(value) => Some(value),
        Patch::Invalid(rule) => {
            errors.add(field, rule);
            None
        }
        Patch::Absent | Patch::Null => None,
    }
}

fn check_name(name: &str, errors: &mut ValidationErrors) {
    let chars = name.chars().count();
    if chars == 0 {
        errors.add("name", Rule::Required);
    } else if chars > 255 {
        errors.add("name", Rule::MaxChars(255));
    }
    if name.contains('\0') {
        errors.add("name", Rule::NoNul);
    }
}

fn check_email(email: &str, errors: &mut ValidationErrors) {
    if email.is_empty() {
        errors.add("email", Rule::Required);
    } else if email.chars().count() > 255 {
        errors.add("email", Rule::MaxChars(255));
    } else if email.validate_email().is_err() {
        errors.add("email", Rule::Email);
    }
    if email.contains('\0') {
        errors.add("email", Rule::NoNul);
    }
}

fn check_password(password: &str, errors: &mut ValidationErrors) {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add("password", Rule::MinChars(MIN_PASSWORD_CHARS));
    } else if password.chars().count() > 1024 {
        errors.add("password", Rule::MaxChars(1024));
    }
    if password.contains('\0') {
        errors.add("password", Rule::NoNul);
    }
}

fn validate(name: &str, email: &str, role: i32, password: &str) -> Result<(), UserError> {
    let mut errors = ValidationErrors::new();
    check_name(name, &mut errors);
    check_email(email, &mut errors);
    let (min, max) = ROLE_RANGE;
    if !(min..=max).contains(&role) {
        errors.add("role", Rule::Between(i64::from(min), i64::from(max)));
    }
    check_password(password, &mut errors);
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
                    created_at: chrono::Utc::now(),
                    updated_at: chrono::Utc::now(),
                })
            });
        let user = UserService::new(Arc::new(users), Arc::new(hasher()))
            .create(draft())
            .await
            .expect("created");
        assert_eq!(user.email, "ann@example.test");
    }

    #[tokio::test]
    async fn a_filter_holding_a_nul_matches_nobody_without_asking_the_store() {
        let mut users = MockUserRepository::new();
        users.expect_list().never();
        let service = UserService::new(Arc::new(users), Arc::new(hasher()));
        let query = UserQuery {
            name: None,
            email: Some("ann\0".to_owned()),
            page: 1,
            per_page: 15,
        };
        let page = service.list(&query).await.expect("listed");
        assert_eq!((page.items.len(), page.total), (0, 0));
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

    fn stored(id: i64, role: i32) -> User {
        User {
            id: UserId(id),
            name: "Someone".to_owned(),
            email: format!("user{id}@example.test"),
            role: Role::new(role),
            active: true,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn manager() -> Actor {
        Actor::new(UserId(1), Role::new(10))
    }

    #[tokio::test]
    async fn writers_stay_within_their_own_role() {
        let mut users = MockUserRepository::new();
        users.expect_find().returning(|id| {
            Ok(Some(match id.0 {
                2 => stored(2, 50),
                other => stored(other, 5),
            }))
        });
        users.expect_update().never();
        users.expect_delete().never();
        users.expect_create().never();
        let service = UserService::new(Arc::new(users), Arc::new(hasher()));
        let promote = UserInput {
            role: Patch::Set(11),
            ..Default::default()
        };
        let cases = [
            service.update(&manager(), UserId(3), promote.clone()).await,
            service
                .update(&manager(), UserId(2), UserInput::default())
                .await,
        ];
        for result in cases {
            assert!(matches!(result, Err(UserError::Forbidden)), "{result:?}");
        }
        assert!(matches!(
            service.delete(&manager(), UserId(2)).await,
            Err(UserError::Forbidden)
        ));
        let sales = Actor::new(UserId(3), Role::new(5));
        assert!(matches!(
            service.create_as(&sales, UserInput::default()).await,
            Err(UserError::Forbidden)
        ));
        let above = UserInput {
            name: Patch::Set("Root".to_owned()),
            email: Patch::Set("root@example.test".to_owned()),
            role: Patch::Set(100),
            ..Default::default()
        };
        assert!(matches!(
            service.create_as(&manager(), above).await,
            Err(UserError::Forbidden)
        ));
    }

    #[tokio::test]
    async fn nobody_deactivates_or_deletes_themselves() {
        let mut users = MockUserRepository::new();
        users
            .expect_find()
            .returning(|id| Ok(Some(stored(id.0, 10))));
        users.expect_update().never();
        users.expect_delete().never();
        let service = UserService::new(Arc::new(users), Arc::new(hasher()));
        let deactivate = UserInput {
            active: Patch::Set(false),
            ..Default::default()
        };
        assert!(matches!(
            service.update(&manager(), UserId(1), deactivate).await,
            Err(UserError::SelfLockout)
        ));
        assert!(matches!(
            service.delete(&manager(), UserId(1)).await,
            Err(UserError::SelfLockout)
        ));
    }

    #[tokio::test]
    async fn a_user_created_without_a_password_is_locked() {
        let mut users = MockUserRepository::new();
        users
            .expect_create()
            .withf(|user| user.password_hash == LOCKED && user.email == "dan@example.test")
            .returning(|user| {
                let mut created = stored(4, user.role.level());
                created.email = user.email;
                Ok(created)
            });
        let mut never = MockPasswordHasher::new();
        never.expect_hash().never();
        let service = UserService::new(Arc::new(users), Arc::new(never));
        let input = UserInput {
            name: Patch::Set("Dan".to_owned()),
            email: Patch::Set(" DAN@example.test ".to_owned()),
            role: Patch::Set(5),
            ..Default::default()
        };
        let created = service.create_as(&manager(), input).await.expect("created");
        assert_eq!(created.email, "dan@example.test");
    }
}
