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
    /// One round trip, whatever is asked: an `EXISTS` per reference kind,
    /// each a primary-key lookup (a kind not asked about looks up id 0,
    /// which no row has, and is ignored).
    async fn missing(
        &self,
        wanted: &[(Reference, i64)],
    ) -> Result<Vec<Reference>, RepositoryError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let id = |kind: Reference| {
            wanted
                .iter()
                .find(|(reference, _)| *reference == kind)
                .map_or(0, |(_, id)| *id)
        };
        let ids = [
            id(Reference::Brand),
            id(Reference::Representative),
            id(Reference::Sector),
            id(Reference::Cluster),
            id(Reference::Batch),
            id(Reference::ProspectionCode),
        ];
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let found: (bool, bool, bool, bool, bool, bool) = with_conn!(&mut conn, |c| {
                    diesel::select((
                        exists(brands::table.find(ids[0])),
                        exists(users::table.find(ids[1])),
                        exists(sectors::table.find(ids[2])),
                        exists(clusters::table.find(ids[3])),
                        exists(batches::table.find(ids[4])),
                        exists(prospection_codes::table.find(ids[5])),
                    ))
                    .get_result(c)
                    .await
                })
                .map_err(from_diesel)?;
                let found = [found.0, found.1, found.2, found.3, found.4, found.5];
                let kinds = [
                    Reference::Brand,
                    Reference::Representative,
                    Reference::Sector,
                    Reference::Cluster,
                    Reference::Batch,
                    Reference::ProspectionCode,
                ];
                Ok(wanted
                    .iter()
                    .filter_map(|(reference, _)| {
                        let at = kinds.iter().position(|kind| kind == reference)?;
                        (!found[at]).then_some(*reference)
                    })
                    .collect())
            })
            .await
    }
}
