//! `NoteRepository`, one code base for both backends. Every write locks the
//! note's account first (`locked_record!`), as a conversion does before
//! moving notes, so the two queue rather than deadlock.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    Action, Actor, Editor, Expected, Note, NoteChanges, NoteRepository, NoteValues, Owner, Receipt,
    Recorded, RepositoryError, Scope, Subject, UserId,
};

use super::accounts::{
    ensure_version, locked_in_scope, locked_record, owner_of, readable_in_scope,
};
use super::history::{EntryWrite, record};
use super::idempotency::keep_response;
use super::{Notes, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{NoteRow, NoteWrite, account_kind, now};
use crate::schema::{accounts, notes};

/// Why a note may not be changed by `editor` (when one is named).
fn ensure_editor(editor: Editor, row: &NoteRow) -> Result<(), StoreError> {
    match editor {
        Some(author) if row.user_id != Some(author.0) => Err(RepositoryError::OutOfScope.into()),
        _ => Ok(()),
    }
}

#[async_trait]
impl NoteRepository for Notes {
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Note>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let rows: Result<Vec<NoteRow>, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        readable_in_scope!(c, owner, scope);
                        Ok::<_, StoreError>(
                            notes::table
                                .filter(notes::account_id.eq(owner.id.0))
                                .order((notes::created_at.desc(), notes::id.desc()))
                                .select(NoteRow::as_select())
                                .load(c)
                                .await?,
                        )
                    }
                    .await
                });
                Ok(rows?
                    .into_iter()
                    .map(|row| row.into_note(owner.kind))
                    .collect())
            })
            .await
    }

    async fn find(&self, id: i64) -> Result<(Note, Option<UserId>), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (row, stored_kind, representative): (NoteRow, String, Option<i64>) =
                    with_conn!(&mut conn, |c| {
                        notes::table
                            .inner_join(accounts::table)
                            .filter(notes::id.eq(id))
                            .select((
                                NoteRow::as_select(),
                                accounts::kind,
                                accounts::representative_id,
                            ))
                            .first(c)
                            .await
                    })
                    .map_err(from_diesel)?;
                Ok((
                    row.into_note(account_kind(&stored_kind)),
                    representative.map(UserId),
                ))
            })
            .await
    }

    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        values: NoteValues,
        receipt: Option<Receipt<Note>>,
    ) -> Result<Note, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let created: Result<Note, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, by.scope());
                        let at = now();
                        let row: NoteRow = diesel::insert_into(notes::table)
                            .values((
                                notes::account_id.eq(owner.id.0),
                                notes::user_id.eq(by.user_id().0),
                                notes::created_at.eq(at),
                                NoteWrite::new(&values, at),
                            ))
                            .returning(NoteRow::as_returning())
                            .get_result(c)
                            .await?;
                        let created = row.into_note(owner.kind);
                        record!(
                            c,
                            &EntryWrite::new(
                                (owner.id.0, owner.kind),
                                Action::Created,
                                Subject::Note(created.id),
                                by,
                                &created.values.as_created(),
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

    async fn update(
        &self,
        id: i64,
        by: &Actor,
        editor: Editor,
        changes: NoteChanges,
        expected: &Expected,
    ) -> Result<Note, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let updated: Result<Note, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of!(c, notes, id);
                        c.transaction(async |c| {
                            let row =
                                locked_record!(c, notes, NoteRow, id, account_id, kind, by.scope());
                            ensure_editor(editor, &row)?;
                            ensure_version(expected, row.version)?;
                            let mut note = row.into_note(kind);
                            let before = note.values.clone();
                            changes.apply_to(&mut note.values);
                            if note.values == before {
                                return Ok(note);
                            }
                            let row: NoteRow = diesel::update(notes::table.find(id))
                                .set((
                                    NoteWrite::new(&note.values, now()),
                                    notes::version.eq(notes::version + 1),
                                ))
                                .returning(NoteRow::as_returning())
                                .get_result(c)
                                .await?;
                            record!(
                                c,
                                &EntryWrite::new(
                                    (account_id, kind),
                                    Action::Updated,
                                    Subject::Note(id),
                                    by,
                                    &before.changes_to(&note.values),
                                )
                            );
                            Ok::<_, StoreError>(row.into_note(kind))
                        })
                        .await
                    }
                    .await
                });
                Ok(updated?)
            })
            .await
    }

    async fn delete(
        &self,
        id: i64,
        by: &Actor,
        editor: Editor,
        expected: &Expected,
    ) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<(), StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of!(c, notes, id);
                        c.transaction(async |c| {
                            let row =
                                locked_record!(c, notes, NoteRow, id, account_id, kind, by.scope());
                            ensure_editor(editor, &row)?;
                            ensure_version(expected, row.version)?;
                            diesel::delete(notes::table.find(id)).execute(c).await?;
                            record!(
                                c,
                                &EntryWrite::new(
                                    (account_id, kind),
                                    Action::Deleted,
                                    Subject::Note(id),
                                    by,
                                    &row.into_note(kind).values.as_deleted(),
                                )
                            );
                            Ok::<_, StoreError>(())
                        })
                        .await
                    }
                    .await
                });
                Ok(deleted?)
            })
            .await
    }
}
