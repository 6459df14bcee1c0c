//! Logging in: the credentials, and the token with who it is for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::timestamp;

/// Credentials (also accepted as `?email=...&password=...`).
// Read as any JSON value, so that a missing or mistyped credential is a
// field error rather than a 400.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Email, min_length = 1, example = "ann@example.com")]
    pub email: Option<Value>,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, min_length = 1)]
    pub password: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LoginResponse)]
pub struct LoginBody<'a> {
    /// Send as `Authorization: Bearer <token>`.
    pub token: &'a str,
    /// When the token stops working; log in again before then.
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2024-01-31T10:00:00.000000Z")]
    pub expires_at: DateTime<Utc>,
    pub user: UserBody<'a>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LoginUser)]
pub struct UserBody<'a> {
    pub id: i64,
    pub name: &'a str,
    #[schema(format = Email)]
    pub email: &'a str,
    /// 5 or below: a sales user.
    pub role: i32,
}
