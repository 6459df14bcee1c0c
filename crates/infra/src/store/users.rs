//! `UserRepository`, one code base for both backends.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;
use prospects_domain::{NewUser, RepositoryError, User, UserId, UserRepository};

use super::{Users, with_conn};
use crate::errors::from_diesel;
use crate::rows::{NewUserRow, UserRow, UserWithPasswordRow, now};
use crate::schema::users;

#[async_trait]
impl UserRepository for Users {
    async fn find_with_password(
        &self,
        email: &str,
    ) -> Result<Option<(User, String)>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let row: Option<UserWithPasswordRow> = with_conn!(&mut conn, |c| {
                    users::table
                        .filter(users::email.eq(email))
                        .select(UserWithPasswordRow::as_select())
                        .first(c)
                        .await
                        .optional()
                })
                .map_err(from_diesel)?;
                Ok(row.map(|row| (row.user.into(), row.password_hash)))
            })
            .await
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let row: Option<UserRow> = with_conn!(&mut conn, |c| {
                    users::table
                        .find(id.0)
                        .select(UserRow::as_select())
                        .first(c)
                        .await
                        .optional()
                })
                .map_err(from_diesel)?;
                Ok(row.map(User::from))
            })
            .await
    }

    async fn create(&self, user: NewUser) -> Result<User, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let at = now();
                let values = NewUserRow {
                    name: &user.name,
                    email: &user.email,
                    role: user.role.level(),
                    active: true,
                    password_hash: &user.password_hash,
                    created_at: at,
                    updated_at: at,
                };
                let row: UserRow = with_conn!(&mut conn, |c| {
                    diesel::insert_into(users::table)
                        .values(&values)
                        .returning(UserRow::as_returning())
                        .get_result(c)
                        .await
                })
                .map_err(|error| match error {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        RepositoryError::AlreadyExists
                    }
                    other => from_diesel(other),
                })?;
                Ok(row.into())
            })
            .await
    }

    async fn count(&self) -> Result<u64, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let count: i64 =
                    with_conn!(&mut conn, |c| users::table.count().get_result(c).await)
                        .map_err(from_diesel)?;
                Ok(u64::try_from(count).unwrap_or_default())
            })
            .await
    }
}
