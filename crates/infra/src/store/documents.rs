//! `DocumentRepository`, one code base for both backends: the metadata
//! rows. Writes lock the document's account first, as conversion does
//! before moving documents.

use std::collections::HashSet;

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    Action, Actor, Document, DocumentRepository, FileKey, NewDocument, Owner, Receipt, Recorded,
    RepositoryError, Scope, Subject, UserId,
};

use super::accounts::{locked_in_scope, locked_record, owner_of, readable_in_scope};
use super::history::{EntryWrite, record};
use super::idempotency::keep_response;
use super::{Documents, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{DocumentRow, DocumentWrite, account_kind, now};
use crate::schema::{accounts, documents};

#[async_trait]
impl DocumentRepository for Documents {
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Document>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let rows: Result<Vec<DocumentRow>, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        readable_in_scope!(c, owner, scope);
                        Ok::<_, StoreError>(
                            documents::table
                                .filter(documents::account_id.eq(owner.id.0))
                                .order(documents::id)
                                .select(DocumentRow::as_select())
                                .load(c)
                                .await?,
                        )
                    }
                    .await
                });
                Ok(rows?
                    .into_iter()
                    .map(|row| row.into_document(owner.kind))
                    .collect())
            })
            .await
    }

    async fn find(&self, id: i64) -> Result<(Document, Option<UserId>), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (row, stored_kind, representative): (DocumentRow, String, Option<i64>) =
                    with_conn!(&mut conn, |c| {
                        documents::table
                            .inner_join(accounts::table)
                            .filter(documents::id.eq(id))
                            .select((
                                DocumentRow::as_select(),
                                accounts::kind,
                                accounts::representative_id,
                            ))
                            .first(c)
                            .await
                    })
                    .map_err(from_diesel)?;
                Ok((
                    row.into_document(account_kind(&stored_kind)),
                    representative.map(UserId),
                ))
            })
            .await
    }

    async fn check_writable(&self, owner: Owner, scope: Scope) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (representative, converted_at) = with_conn!(&mut conn, |c| {
                    accounts::table
                        .find(owner.id.0)
                        .filter(accounts::kind.eq(owner.kind.as_str()))
                        .select((accounts::representative_id, accounts::converted_at))
                        .first::<(Option<i64>, Option<chrono::NaiveDateTime>)>(c)
                        .await
                })
                .map_err(from_diesel)?;
                if !scope.contains(representative.map(UserId)) {
                    return Err(RepositoryError::OutOfScope);
                }
                if converted_at.is_some() {
                    return Err(RepositoryError::Converted);
                }
                Ok(())
            })
            .await
    }

    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        document: NewDocument,
        receipt: Option<Receipt<Document>>,
    ) -> Result<Document, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let created: Result<Document, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, by.scope());
                        let row: DocumentRow = diesel::insert_into(documents::table)
                            .values(DocumentWrite::new(owner.id.0, &document, now()))
                            .returning(DocumentRow::as_returning())
                            .get_result(c)
                            .await?;
                        let created = row.into_document(owner.kind);
                        record!(
                            c,
                            &EntryWrite::new(
                                (owner.id.0, owner.kind),
                                Action::Created,
                                Subject::Document(created.id),
                                by,
                                &created.as_created(),
                            )
                        );
                        keep_response!(c, receipt, &created);
                        Ok::<_, StoreError>(created)
                    })
                    .await
                });
                Ok(created?)
            })
            .await
    }

    async fn delete(&self, id: i64, by: &Actor) -> Result<Document, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<Document, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of!(c, documents, id);
                        c.transaction(async |c| {
                            let row = locked_record!(
                                c,
                                documents,
                                DocumentRow,
                                id,
                                account_id,
                                kind,
                                by.scope()
                            );
                            diesel::delete(documents::table.find(id)).execute(c).await?;
                            let gone = row.into_document(kind);
                            record!(
                                c,
                                &EntryWrite::new(
                                    (account_id, kind),
                                    Action::Deleted,
                                    Subject::Document(id),
                                    by,
                                    &gone.as_deleted(),
                                )
                            );
                            Ok::<_, StoreError>(gone)
                        })
                        .await
                    }
                    .await
                });
                Ok(deleted?)
            })
            .await
    }

    async fn held(&self, keys: &[FileKey]) -> Result<HashSet<FileKey>, RepositoryError> {
        let wanted: Vec<&str> = keys.iter().map(|key| key.0.as_str()).collect();
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let held: Vec<String> = with_conn!(&mut conn, |c| {
                    documents::table
                        .filter(documents::storage_key.eq_any(&wanted))
                        .select(documents::storage_key)
                        .load(c)
                        .await
                })
                .map_err(from_diesel)?;
                Ok(held.into_iter().map(FileKey).collect())
            })
            .await
    }
}
