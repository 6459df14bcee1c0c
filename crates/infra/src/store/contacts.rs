//! `ContactRepository`, one code base for both backends. Every write locks
//! the contact's account first (`locked_record!`), as a conversion does
//! before moving contacts, so the two queue rather than deadlock.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::{
    Action, Actor, Contact, ContactChanges, ContactFields, ContactRepository, Expected, Owner,
    Receipt, Recorded, RepositoryError, Scope, Subject, UserId,
};

use super::accounts::{
    ensure_version, locked_in_scope, locked_record, owner_of, readable_in_scope,
};
use super::history::{EntryWrite, record};
use super::idempotency::keep_response;
use super::{Contacts, with_conn};
use crate::errors::{StoreError, from_diesel};
use crate::rows::{ContactRow, ContactWrite, account_kind, now};
use crate::schema::{accounts, contacts};

#[async_trait]
impl ContactRepository for Contacts {
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Contact>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let rows: Result<Vec<ContactRow>, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        readable_in_scope!(c, owner, scope);
                        Ok::<_, StoreError>(
                            contacts::table
                                .filter(contacts::account_id.eq(owner.id.0))
                                .order(contacts::id)
                                .select(ContactRow::as_select())
                                .load(c)
                                .await?,
                        )
                    }
                    .await
                });
                Ok(rows?
                    .into_iter()
                    .map(|row| row.into_contact(owner.kind))
                    .collect())
            })
            .await
    }

    async fn find(&self, id: i64) -> Result<(Contact, Option<UserId>), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let (row, stored_kind, representative): (ContactRow, String, Option<i64>) =
                    with_conn!(&mut conn, |c| {
                        contacts::table
                            .inner_join(accounts::table)
                            .filter(contacts::id.eq(id))
                            .select((
                                ContactRow::as_select(),
                                accounts::kind,
                                accounts::representative_id,
                            ))
                            .first(c)
                            .await
                    })
                    .map_err(from_diesel)?;
                Ok((
                    row.into_contact(account_kind(&stored_kind)),
                    representative.map(UserId),
                ))
            })
            .await
    }

    async fn find_by_number(
        &self,
        e164: String,
        scope: Scope,
    ) -> Result<Option<Contact>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let found: Option<(ContactRow, String)> = with_conn!(&mut conn, |c| {
                    let matches = contacts::table
                        .inner_join(accounts::table)
                        .filter(
                            contacts::mobile_phone_e164
                                .eq(&e164)
                                .or(contacts::landline_phone_e164.eq(&e164)),
                        )
                        .order(contacts::id)
                        .select((ContactRow::as_select(), accounts::kind))
                        .into_boxed();
                    let matches = match scope {
                        Scope::All => matches,
                        Scope::RepresentedBy(user) => {
                            matches.filter(accounts::representative_id.eq(user.0))
                        }
                    };
                    matches.first(c).await.optional()
                })
                .map_err(from_diesel)?;
                Ok(found.map(|(row, stored_kind)| row.into_contact(account_kind(&stored_kind))))
            })
            .await
    }

    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        fields: ContactFields,
        receipt: Option<Receipt<Contact>>,
    ) -> Result<Contact, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let created: Result<Contact, StoreError> = with_conn!(&mut conn, |c| {
                    c.transaction(async |c| {
                        locked_in_scope!(c, owner.kind, owner.id.0, by.scope());
                        let at = now();
                        let row: ContactRow = diesel::insert_into(contacts::table)
                            .values((
                                contacts::account_id.eq(owner.id.0),
                                contacts::created_at.eq(at),
                                ContactWrite::new(&fields, at),
                            ))
                            .returning(ContactRow::as_returning())
                            .get_result(c)
                            .await?;
                        let created = row.into_contact(owner.kind);
                        record!(
                            c,
                            &EntryWrite::new(
                                (owner.id.0, owner.kind),
                                Action::Created,
                                Subject::Contact(created.id),
                                by,
                                &created.fields.as_created(),
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
        changes: ContactChanges,
        expected: &Expected,
    ) -> Result<Contact, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let updated: Result<Contact, StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of!(c, contacts, id);
                        c.transaction(async |c| {
                            let row = locked_record!(
                                c,
                                contacts,
                                ContactRow,
                                id,
                                account_id,
                                kind,
                                by.scope()
                            );
                            ensure_version(expected, row.version)?;
                            let mut contact = row.into_contact(kind);
                            let before = contact.fields.clone();
                            if !changes.apply_to(&mut contact.fields) {
                                return Ok(contact);
                            }
                            let row: ContactRow = diesel::update(contacts::table.find(id))
                                .set((
                                    ContactWrite::new(&contact.fields, now()),
                                    contacts::version.eq(contacts::version + 1),
                                ))
                                .returning(ContactRow::as_returning())
                                .get_result(c)
                                .await?;
                            record!(
                                c,
                                &EntryWrite::new(
                                    (account_id, kind),
                                    Action::Updated,
                                    Subject::Contact(id),
                                    by,
                                    &before.changes_to(&contact.fields),
                                )
                            );
                            Ok::<_, StoreError>(row.into_contact(kind))
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
        expected: &Expected,
    ) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let deleted: Result<(), StoreError> = with_conn!(&mut conn, |c| {
                    async {
                        let (account_id, kind) = owner_of!(c, contacts, id);
                        c.transaction(async |c| {
                            let row = locked_record!(
                                c,
                                contacts,
                                ContactRow,
                                id,
                                account_id,
                                kind,
                                by.scope()
                            );
                            ensure_version(expected, row.version)?;
                            diesel::delete(contacts::table.find(id)).execute(c).await?;
                            record!(
                                c,
                                &EntryWrite::new(
                                    (account_id, kind),
                                    Action::Deleted,
                                    Subject::Contact(id),
                                    by,
                                    &row.into_contact(kind).fields.as_deleted(),
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
