//! `ReferenceLookup` on PostgreSQL.

use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use prospects_domain::{Reference, ReferenceLookup, RepositoryError};

use super::PgReferences;
use crate::errors::from_diesel;
use crate::schema::{batches, brands, clusters, prospection_codes, sectors, users};

#[async_trait]
impl ReferenceLookup for PgReferences {
    async fn missing(
        &self,
        wanted: &[(Reference, i64)],
    ) -> Result<Vec<Reference>, RepositoryError> {
        let mut conn = self.0.conn().await?;
        let mut missing = Vec::new();
        for &(reference, id) in wanted {
            let found: bool = match reference {
                Reference::Brand => {
                    diesel::select(exists(brands::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
                Reference::Representative => {
                    diesel::select(exists(users::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
                Reference::Sector => {
                    diesel::select(exists(sectors::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
                Reference::Cluster => {
                    diesel::select(exists(clusters::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
                Reference::Batch => {
                    diesel::select(exists(batches::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
                Reference::ProspectionCode => {
                    diesel::select(exists(prospection_codes::table.find(id)))
                        .get_result(&mut conn)
                        .await
                }
            }
            .map_err(from_diesel)?;
            if !found {
                missing.push(reference);
            }
        }
        Ok(missing)
    }
}
