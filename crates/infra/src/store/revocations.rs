//! `RevocationList`, one code base for both backends.

use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use prospects_domain::{RepositoryError, RevocationList};

use super::{Revocations, with_conn};
use crate::errors::from_diesel;
use crate::rows::now;
use crate::schema::revoked_tokens;

#[async_trait]
impl RevocationList for Revocations {
    async fn revoke(&self, ids: &[String]) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let at = now();
                let mut conn = self.0.conn().await?;
                // One row at a time: diesel has no multi-row upsert on SQLite, and
                // a token has a handful of ids at most.
                for id in ids {
                    let row = (
                        revoked_tokens::revocation_id.eq(id),
                        revoked_tokens::revoked_at.eq(at),
                    );
                    with_conn!(&mut conn, |c| {
                        diesel::insert_into(revoked_tokens::table)
                            .values(row)
                            .on_conflict_do_nothing()
                            .execute(c)
                            .await
                    })
                    .map_err(from_diesel)?;
                }
                Ok(())
            })
            .await
    }

    async fn any_revoked(&self, ids: &[String]) -> Result<bool, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                with_conn!(&mut conn, |c| {
                    diesel::select(exists(
                        revoked_tokens::table.filter(revoked_tokens::revocation_id.eq_any(ids)),
                    ))
                    .get_result(c)
                    .await
                })
                .map_err(from_diesel)
            })
            .await
    }
}
