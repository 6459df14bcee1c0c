//! Re-derives the folded search columns (`name_key`, `search_document`) of
//! rows written under older folding rules, once, when a store opens: SQL
//! cannot fold, so a change of `search::fold` is a data migration in Rust.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::search::{self, FOLDING_VERSION};
use prospects_domain::{ProspectFields, RepositoryError};

use super::{Store, with_conn};
use crate::rows::FieldColumns;
use crate::schema::{accounts, search_folding};

/// Rows read and rewritten per transaction, each batch within the store's
/// bound; only rows whose folded text changes are written.
const BATCH: i64 = 1000;

/// Brings every row to [`FOLDING_VERSION`]. Idempotent and safe to run from
/// several processes at once: they write the same values; `updated_at` is
/// untouched (nobody changed the account).
pub(crate) async fn refold(store: &Store) -> Result<(), RepositoryError> {
    let mut conn = store.conn().await?;
    let stored: i32 = with_conn!(&mut conn, |c| {
        search_folding::table
            .select(diesel::dsl::max(search_folding::version))
            .first::<Option<i32>>(c)
            .await
    })
    .map_err(crate::errors::from_diesel)?
    .unwrap_or(0);
    drop(conn);
    if stored >= FOLDING_VERSION {
        return Ok(());
    }
    let mut after = 0_i64;
    while let Some(last) = refold_batch(store, after).await? {
        after = last;
    }
    let mut conn = store.conn().await?;
    with_conn!(&mut conn, |c| {
        diesel::update(search_folding::table.filter(search_folding::version.lt(FOLDING_VERSION)))
            .set(search_folding::version.eq(FOLDING_VERSION))
            .execute(c)
            .await
    })
    .map_err(crate::errors::from_diesel)?;
    Ok(())
}

/// Re-folds the rows after id `after`; the last id it read, or `None` past the end.
async fn refold_batch(store: &Store, after: i64) -> Result<Option<i64>, RepositoryError> {
    let mut conn = store.conn().await?;
    with_conn!(&mut conn, |c| {
        c.transaction(async |c| {
            let rows: Vec<(i64, FieldColumns, String, String)> = accounts::table
                .filter(accounts::id.gt(after))
                .order(accounts::id)
                .limit(BATCH)
                .select((
                    accounts::id,
                    FieldColumns::as_select(),
                    accounts::name_key,
                    accounts::search_document,
                ))
                .load(c)
                .await?;
            let last = rows.last().map(|(id, ..)| *id);
            for (id, columns, name_key, document) in rows {
                let fields = ProspectFields::from(columns);
                let (new_key, new_document) =
                    (search::name_key(&fields.name), search::document(&fields));
                if new_key != name_key || new_document != document {
                    diesel::update(accounts::table.find(id))
                        .set((
                            accounts::name_key.eq(new_key),
                            accounts::search_document.eq(new_document),
                        ))
                        .execute(c)
                        .await?;
                }
            }
            Ok::<_, diesel::result::Error>(last)
        })
        .await
    })
    .map_err(crate::errors::from_diesel)
}
