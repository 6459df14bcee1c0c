//! `UserRepository`, one code base for both backends.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use prospects_domain::{
    NewUser, Page, RepositoryError, User, UserId, UserQuery, UserRepository, UserUpdate,
};

use super::{Users, with_conn};
use crate::errors::from_diesel;
use crate::rows::{NewUserRow, UserChangesRow, UserRow, UserWithPasswordRow, now};
use crate::schema::users;
use crate::store::query::contains_pattern;

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
                    active: user.active,
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
                .map_err(taken_or)?;
                Ok(row.into())
            })
            .await
    }

    async fn list(&self, query: &UserQuery) -> Result<Page<User>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (total, rows) = with_conn!(&mut conn, |c| {
                    // Built per backend: boxed queries are backend-specific.
                    let filtered = || {
                        let mut rows = users::table.into_boxed();
                        if let Some(name) = &query.name {
                            rows = rows.filter(
                                lower(users::name)
                                    .like(contains_pattern(&name.to_lowercase()))
                                    .escape('\\'),
                            );
                        }
                        if let Some(email) = &query.email {
                            rows = rows.filter(
                                users::email
                                    .like(contains_pattern(&email.to_lowercase()))
                                    .escape('\\'),
                            );
                        }
                        rows
                    };
                    async {
                        let total: i64 = filtered().count().get_result(c).await?;
                        let rows: Vec<UserRow> = filtered()
                            .order(users::id)
                            .select(UserRow::as_select())
                            .limit(i64::from(query.per_page))
                            .offset(query.offset())
                            .load(c)
                            .await?;
                        Ok::<_, DieselError>((total, rows))
                    }
                    .await
                })
                .map_err(from_diesel)?;
                Ok(Page {
                    items: rows.into_iter().map(Into::into).collect(),
                    total: u64::try_from(total).unwrap_or_default(),
                })
            })
            .await
    }

    async fn update(&self, id: UserId, changes: UserUpdate) -> Result<User, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let values = UserChangesRow {
                    name: changes.name,
                    email: changes.email,
                    role: changes.role.map(|role| role.level()),
                    active: changes.active,
                    password_hash: changes.password_hash,
                    updated_at: now(),
                };
                let row: UserRow = with_conn!(&mut conn, |c| {
                    diesel::update(users::table.find(id.0))
                        .set(&values)
                        .returning(UserRow::as_returning())
                        .get_result(c)
                        .await
                })
                .map_err(taken_or)?;
                Ok(row.into())
            })
            .await
    }

    async fn delete(&self, id: UserId) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted = with_conn!(&mut conn, |c| {
                    diesel::delete(users::table.find(id.0)).execute(c).await
                })
                .map_err(from_diesel)?;
                if deleted == 0 {
                    return Err(RepositoryError::NotFound);
                }
                Ok(())
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

/// A unique violation (the email) is `AlreadyExists`; anything else as usual.
fn taken_or(error: DieselError) -> RepositoryError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            RepositoryError::AlreadyExists
        }
        other => from_diesel(other),
    }
}

diesel::define_sql_function! {
    /// SQL's `lower`: both backends fold ASCII letters at least.
    fn lower(text: Text) -> Text;
}
