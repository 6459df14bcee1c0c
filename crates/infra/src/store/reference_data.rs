//! `ReferenceDataRepository`: the five tables of reference data, one code
//! base for both backends and all five tables.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::dsl::{max, sql};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable};
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    ReferenceDataRepository, ReferenceEntry, ReferenceKind, RepositoryError, ValidReference,
};

use super::{References, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::now;

/// Runs `$body` with `$t` naming the kind's table module and `$position()`
/// its position column (a `NULL` for tables without one), so each query is
/// written once for all five tables.
macro_rules! with_table {
    ($kind:expr, |$t:ident, $position:ident| $body:expr) => {
        match $kind {
            ReferenceKind::Brand => {
                use crate::schema::brands as $t;
                let $position = || sql::<Nullable<Integer>>("CAST(NULL AS INTEGER)");
                $body
            }
            ReferenceKind::Sector => {
                use crate::schema::sectors as $t;
                let $position = || sql::<Nullable<Integer>>("CAST(NULL AS INTEGER)");
                $body
            }
            ReferenceKind::Cluster => {
                use crate::schema::clusters as $t;
                let $position = || sql::<Nullable<Integer>>("CAST(NULL AS INTEGER)");
                $body
            }
            ReferenceKind::Batch => {
                use crate::schema::batches as $t;
                let $position = || sql::<Nullable<Integer>>("CAST(NULL AS INTEGER)");
                $body
            }
            ReferenceKind::ProspectionCode => {
                use crate::schema::prospection_codes as $t;
                let $position = || $t::position.nullable();
                $body
            }
        }
    };
}

type Row = (i64, String, Option<i32>, NaiveDateTime, NaiveDateTime);

fn entry((id, name, position, created_at, updated_at): Row) -> ReferenceEntry {
    ReferenceEntry {
        id,
        name,
        position,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
    }
}

/// Sets a pipeline stage's position: the one given, or (for a new stage
/// given none) one past the last. Other kinds have no position.
macro_rules! place {
    ($c:expr, $kind:expr, $id:expr, $position:expr, $is_new:expr) => {
        if $kind == ReferenceKind::ProspectionCode && ($position.is_some() || $is_new) {
            use crate::schema::prospection_codes as codes;
            let position = match $position {
                Some(position) => position,
                None => codes::table
                    .select(max(codes::position))
                    .first::<Option<i32>>($c)
                    .await?
                    .map_or(1, |last| last.saturating_add(1)),
            };
            diesel::update(codes::table.find($id))
                .set(codes::position.eq(position))
                .execute($c)
                .await?;
        }
    };
}

/// The tables whose rows may point at reference data, named as the 409
/// message names them.
const USED_BY: &str = "prospects or customers";

#[async_trait]
impl ReferenceDataRepository for References {
    async fn list(&self, kind: ReferenceKind) -> Result<Vec<ReferenceEntry>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let rows: Vec<Row> = with_conn!(&mut conn, |c| with_table!(kind, |t, position| {
                    t::table
                        .select((t::id, t::name, position(), t::created_at, t::updated_at))
                        .order((position().asc(), t::id.asc()))
                        .load(c)
                        .await
                }))
                .map_err(from_diesel)?;
                Ok(rows.into_iter().map(entry).collect())
            })
            .await
    }

    async fn find(&self, kind: ReferenceKind, id: i64) -> Result<ReferenceEntry, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let row: Row = with_conn!(&mut conn, |c| with_table!(kind, |t, position| {
                    t::table
                        .find(id)
                        .select((t::id, t::name, position(), t::created_at, t::updated_at))
                        .first(c)
                        .await
                }))
                .map_err(from_diesel)?;
                Ok(entry(row))
            })
            .await
    }

    async fn create(
        &self,
        kind: ReferenceKind,
        new: &ValidReference,
    ) -> Result<ReferenceEntry, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let at = now();
                let row: Row = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        let id: i64 = with_table!(kind, |t, _position| {
                            diesel::insert_into(t::table)
                                .values((
                                    t::name.eq(&new.name),
                                    t::created_at.eq(at),
                                    t::updated_at.eq(at),
                                ))
                                .returning(t::id)
                                .get_result(c)
                                .await?
                        });
                        place!(c, kind, id, new.position, true);
                        with_table!(kind, |t, position| {
                            t::table
                                .find(id)
                                .select((t::id, t::name, position(), t::created_at, t::updated_at))
                                .first(c)
                                .await
                        })
                    })
                    .await
                })
                .map_err(from_diesel)?;
                Ok(entry(row))
            })
            .await
    }

    async fn update(
        &self,
        kind: ReferenceKind,
        id: i64,
        changed: &ValidReference,
    ) -> Result<ReferenceEntry, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let at = now();
                let row: Row = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        with_table!(kind, |t, _position| {
                            diesel::update(t::table.find(id))
                                .set((t::name.eq(&changed.name), t::updated_at.eq(at)))
                                .execute(c)
                                .await?
                        });
                        place!(c, kind, id, changed.position, false);
                        with_table!(kind, |t, position| {
                            t::table
                                .find(id)
                                .select((t::id, t::name, position(), t::created_at, t::updated_at))
                                .first(c)
                                .await
                        })
                    })
                    .await
                })
                .map_err(from_diesel)?;
                Ok(entry(row))
            })
            .await
    }

    async fn delete(&self, kind: ReferenceKind, id: i64) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<usize, StoreError> = with_conn!(&mut conn, |c| {
                    with_table!(kind, |t, _position| {
                        diesel::delete(t::table.find(id))
                            .execute(c)
                            .await
                            .map_err(StoreError::from)
                    })
                });
                match deleted {
                    Ok(0) => Err(RepositoryError::NotFound),
                    Ok(_) => Ok(()),
                    // Foreign keys refuse to orphan a row that points here.
                    Err(StoreError::Diesel(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        _,
                    ))) => Err(RepositoryError::StillReferenced(USED_BY)),
                    Err(error) => Err(error.into()),
                }
            })
            .await
    }
}
