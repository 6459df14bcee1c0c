//! `NoteRepository`, one code base for both backends. Every write locks the
//! note's account first (`locked_in_scope!`), as a conversion does before
//! moving notes, so the two queue rather than deadlock.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    AccountKind, Editor, Note, NoteChanges, NoteRepository, NoteValues, Owner, RepositoryError,
    Scope, UserId,
};

use super::accounts::{locked_in_scope, readable_in_scope};
use super::{Notes, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{NoteRow, NoteWrite, now};
use crate::schema::{accounts, notes};

/// The kind of a stored account (a CHECK constraint allows no other value).
fn kind(stored: &str) -> AccountKind {
    AccountKind::from_stored(stored).unwrap_or(AccountKind::Prospect)
}

/// Why a note may not be changed by `editor` (when one is named).
fn ensure_editor(editor: Editor, row: &NoteRow) -> Result<(), StoreError> {
    match editor {
        Some(author) if row.user_id != Some(author.0) => Err(RepositoryError::OutOfScope.into()),
        _ => Ok(()),
    }
}

/// Where note `$id` hangs, read before its transaction begins: on SQLite a
/// transaction must write first, or a concurrent writer could make its
/// later write fail at once rather than wait.
macro_rules! owner_of_note {
    ($c:expr, $id:expr) => {{
        let (account_id, stored_kind): (i64, String) = notes::table
            .inner_join(accounts::table)
            .filter(notes::id.eq($id))
            .select((notes::account_id, accounts::kind))
            .first($c)
            .await
            .optional()?
            .ok_or(StoreError::Domain(RepositoryError::NotFound))?;
        (account_id, kind(&stored_kind))
    }};
}

/// Locks the note's account, then reads the note as it stands: a
/// conversion that moved it first leaves its prospect converted (409).
macro_rules! locked_note {
    ($c:expr, $id:expr, $account_id:expr, $kind:expr, $scope:expr, $editor:expr) => {{
        locked_in_scope!($c, $kind, $account_id, $scope);
        let row: NoteRow = notes::table
            .find($id)
            .filter(notes::account_id.eq($account_id))
            .select(NoteRow::as_select())
            .first($c)
            .await
            .optional()?
            .ok_or(StoreError::Domain(RepositoryError::NotFound))?;
        ensure_editor($editor, &row)?;
        row
    }};
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
                    row.into_note(kind(&stored_kind)),
                    representative.map(UserId),
                ))
            })
            .await
    }

    async fn create(
        &self,
        owner: Owner,
        scope: Scope,
        author: UserId,
        values: NoteValues,
    ) -> Result<Note, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let row: Result<NoteRow, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, scope);
                        let at = now();
                        let row = diesel::insert_into(notes::table)
                            .values((
                                notes::account_id.eq(owner.id.0),
                                notes::user_id.eq(author.0),
                                notes::created_at.eq(at),
                                NoteWrite::new(&values, at),
                            ))
                            .returning(NoteRow::as_returning())
                            .get_result(c)
                            .await?;
                        Ok::<_, StoreError>(row)
                    })
                    .await
                });
                Ok(row?.into_note(owner.kind))
            })
            .await
    }

    async fn update(
        &self,
        id: i64,
        scope: Scope,
        editor: Editor,
        changes: NoteChanges,
    ) -> Result<Note, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let updated: Result<Note, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of_note!(c, id);
                        c.transaction(async |c| {
                            let row = locked_note!(c, id, account_id, kind, scope, editor);
                            let mut note = row.into_note(kind);
                            let before = note.values.clone();
                            changes.apply_to(&mut note.values);
                            if note.values == before {
                                return Ok(note);
                            }
                            let row: NoteRow = diesel::update(notes::table.find(id))
                                .set(NoteWrite::new(&note.values, now()))
                                .returning(NoteRow::as_returning())
                                .get_result(c)
                                .await?;
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

    async fn delete(&self, id: i64, scope: Scope, editor: Editor) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<(), StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of_note!(c, id);
                        c.transaction(async |c| {
                            locked_note!(c, id, account_id, kind, scope, editor);
                            diesel::delete(notes::table.find(id)).execute(c).await?;
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
