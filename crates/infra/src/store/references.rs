//! `ReferenceLookup`, one code base for both backends.

use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use prospects_domain::{Reference, ReferenceLookup, RepositoryError};

use super::{References, with_conn};
use crate::errors::from_diesel;
use crate::schema::{batches, brands, clusters, prospection_codes, sectors, users};

#[async_trait]
impl ReferenceLookup for References {
    async fn missing(
        &self,
        wanted: &[(Reference, i64)],
    ) -> Result<Vec<Reference>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let mut missing = Vec::new();
                for &(reference, id) in wanted {
                    let found: bool = with_conn!(&mut conn, |c| match reference {
                        Reference::Brand =>
                            diesel::select(exists(brands::table.find(id)))
                                .get_result(c)
                                .await,
                        Reference::Representative =>
                            diesel::select(exists(users::table.find(id)))
                                .get_result(c)
                                .await,
                        Reference::Sector =>
                            diesel::select(exists(sectors::table.find(id)))
                                .get_result(c)
                                .await,
                        Reference::Cluster =>
                            diesel::select(exists(clusters::table.find(id)))
                                .get_result(c)
                                .await,
                        Reference::Batch =>
                            diesel::select(exists(batches::table.find(id)))
                                .get_result(c)
                                .await,
                        Reference::ProspectionCode => {
                            diesel::select(exists(prospection_codes::table.find(id)))
                                .get_result(c)
                                .await
                        }
                    })
                    .map_err(from_diesel)?;
                    if !found {
                        missing.push(reference);
                    }
                }
                Ok(missing)
            })
            .await
    }
}
