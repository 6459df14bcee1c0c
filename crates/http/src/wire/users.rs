//! Users on the wire: what a client sends to create or change one, and what
//! it gets back (never a password or its hash).

use chrono::{DateTime, Utc};
use prospects_domain::{User, UserInput};
use serde::Serialize;
use utoipa::ToSchema;

use super::lenient::{EmailText, Flag, Integer, Password, Text, lenient_request};
use super::timestamp;

lenient_request! {
    /// A user to create (`name`, `email` and `role` required) or the fields
    /// to change. Role levels run from 1 to 100; 5 and below are sales users.
    /// A writer cannot give a role above their own. A user created without
    /// a password cannot log in until one is set.
    #[schema(example = json!({"name": "Ann", "email": "ann@example.com", "role": 5, "password": "a long passphrase"}))]
    pub struct UserRequest {
        pub name: Text<1, 255, false>,
        pub email: EmailText<255>,
        // 1 to 100.
        pub role: Integer,
        // Default true; an inactive user cannot log in, and their tokens stop working.
        pub active: Flag<true>,
        pub password: Password,
    }
}

impl From<UserRequest> for UserInput {
    fn from(sent: UserRequest) -> Self {
        UserInput {
            name: sent.name.into_patch(),
            email: sent.email.into_patch(),
            role: sent.role.into_patch(),
            active: sent.active.into_patch(),
            password: sent.password.into_patch(),
        }
    }
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserBody<'a> {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Ann")]
    pub name: &'a str,
    #[schema(format = Email, example = "ann@example.com")]
    pub email: &'a str,
    /// 5 or below: a sales user, who sees only the prospects they represent.
    #[schema(example = 5)]
    pub role: i32,
    pub active: bool,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a User> for UserBody<'a> {
    fn from(user: &'a User) -> Self {
        Self {
            id: user.id.0,
            name: &user.name,
            email: &user.email,
            role: user.role.level(),
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}
