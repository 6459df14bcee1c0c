//! `ProspectRepository` on PostgreSQL.

use async_trait::async_trait;
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use prospects_domain::input::{ValidCreate, ValidUpdate};
use prospects_domain::search::{self, SearchTerm};
use prospects_domain::{
    ListQuery, Page, Prospect, ProspectDetails, ProspectId, ProspectRepository, RepositoryError,
    Scope, SortDirection, SortField, UserId,
};

use super::PgProspects;
use crate::errors::{StoreError, from_diesel};
use crate::rows::{ContactRow, DocumentRow, PaymentPlanRow, ProspectRow, ProspectWrite, now};
use crate::schema::{contacts, documents, payment_plans, prospects};

#[async_trait]
impl ProspectRepository for PgProspects {
    async fn create(&self, input: ValidCreate) -> Result<Prospect, RepositoryError> {
        let fields = input.into_fields();
        let mut conn = self.0.conn().await?;
        let created = conn
            .transaction(async |conn| {
                let row: ProspectRow = diesel::insert_into(prospects::table)
                    .values(ProspectWrite::insert(&fields, now()))
                    .returning(ProspectRow::as_returning())
                    .get_result(conn)
                    .await?;
                let prospect = Prospect::from(row);
                // The account number exists only now; index it in the same transaction.
                diesel::update(prospects::table.find(prospect.id.0))
                    .set(prospects::search_document.eq(search::document(
                        &prospect.fields,
                        &prospect.customer_account,
                    )))
                    .execute(conn)
                    .await?;
                Ok::<_, StoreError>(prospect)
            })
            .await?;
        Ok(created)
    }

    async fn find(&self, id: ProspectId) -> Result<ProspectDetails, RepositoryError> {
        let mut conn = self.0.conn().await?;
        let row: ProspectRow = prospects::table
            .find(id.0)
            .select(ProspectRow::as_select())
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        let contacts = contacts::table
            .filter(contacts::prospect_id.eq(id.0))
            .order(contacts::id)
            .select(ContactRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let documents = documents::table
            .filter(documents::prospect_id.eq(id.0))
            .order(documents::id)
            .select(DocumentRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let payment_plan = payment_plans::table
            .filter(payment_plans::prospect_id.eq(id.0))
            .select(PaymentPlanRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(ProspectDetails {
            prospect: row.into(),
            payment_plan: payment_plan.map(Into::into),
            contacts: contacts.into_iter().map(Into::into).collect(),
            documents: documents.into_iter().map(Into::into).collect(),
        })
    }

    async fn list(
        &self,
        query: &ListQuery,
        scope: Scope,
    ) -> Result<Page<Prospect>, RepositoryError> {
        let mut conn = self.0.conn().await?;
        let total: i64 = filtered(query, scope)
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        let rows: Vec<ProspectRow> = sorted(filtered(query, scope), query)
            .select(ProspectRow::as_select())
            .limit(i64::from(query.per_page))
            .offset(query.offset())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    async fn update(
        &self,
        id: ProspectId,
        scope: Scope,
        changes: ValidUpdate,
    ) -> Result<Prospect, RepositoryError> {
        let mut conn = self.0.conn().await?;
        let updated = conn
            .transaction(async |conn| {
                let row: Option<ProspectRow> = prospects::table
                    .find(id.0)
                    .select(ProspectRow::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let mut prospect = Prospect::from(row.ok_or(RepositoryError::NotFound)?);
                if !scope.contains(prospect.fields.representative_id) {
                    return Err(RepositoryError::OutOfScope.into());
                }
                if !changes.apply_to(&mut prospect.fields) {
                    return Ok(prospect);
                }
                let row: ProspectRow = diesel::update(prospects::table.find(id.0))
                    .set(ProspectWrite::update(
                        &prospect.fields,
                        &prospect.customer_account,
                        now(),
                    ))
                    .returning(ProspectRow::as_returning())
                    .get_result(conn)
                    .await?;
                Ok::<_, StoreError>(row.into())
            })
            .await?;
        Ok(updated)
    }

    async fn delete(&self, id: ProspectId, scope: Scope) -> Result<(), RepositoryError> {
        let mut conn = self.0.conn().await?;
        conn.transaction(async |conn| {
            let representative: Option<Option<i64>> = prospects::table
                .find(id.0)
                .select(prospects::representative_id)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let representative = representative.ok_or(RepositoryError::NotFound)?;
            if !scope.contains(representative.map(UserId)) {
                return Err(RepositoryError::OutOfScope.into());
            }
            diesel::delete(contacts::table.filter(contacts::prospect_id.eq(id.0)))
                .execute(conn)
                .await?;
            diesel::delete(documents::table.filter(documents::prospect_id.eq(id.0)))
                .execute(conn)
                .await?;
            diesel::delete(payment_plans::table.filter(payment_plans::prospect_id.eq(id.0)))
                .execute(conn)
                .await?;
            diesel::delete(prospects::table.find(id.0))
                .execute(conn)
                .await?;
            Ok::<_, StoreError>(())
        })
        .await?;
        Ok(())
    }
}

/// The rows the query and scope select, before sorting and paging; used
/// for both the count and the page so the two can never disagree.
fn filtered(query: &ListQuery, scope: Scope) -> prospects::BoxedQuery<'static, Pg> {
    let mut rows = prospects::table.into_boxed();
    if let Scope::RepresentedBy(user) = scope {
        rows = rows.filter(prospects::representative_id.eq(user.0));
    }
    if !query.name_any_of.is_empty() {
        let mut any: Box<dyn BoxableExpression<prospects::table, Pg, SqlType = Bool>> =
            Box::new(false.into_sql::<Bool>());
        for part in &query.name_any_of {
            any = Box::new(
                any.or(prospects::name_key
                    .like(contains_pattern(part))
                    .escape('\\')),
            );
        }
        rows = rows.filter(any);
    }
    if let Some(ids) = &query.ids {
        rows = rows.filter(prospects::id.eq_any(ids.clone()));
    }
    if let Some(term) = &query.term {
        // Words hold only letters and digits, so they need no LIKE escaping.
        for word in term.whole_words() {
            rows = rows.filter(prospects::search_document.like(format!("% {word} %")));
        }
        rows = rows.filter(prospects::search_document.like(format!("% {}%", term.prefix())));
    }
    rows
}

fn sorted(
    mut rows: prospects::BoxedQuery<'static, Pg>,
    query: &ListQuery,
) -> prospects::BoxedQuery<'static, Pg> {
    if let (true, Some(term)) = (query.sort.is_empty(), &query.term) {
        rows = rows.then_order_by(relevance(term));
    }
    for key in &query.sort {
        rows = match (key.field, key.direction) {
            (SortField::Id, SortDirection::Ascending) => rows.then_order_by(prospects::id.asc()),
            (SortField::Id, SortDirection::Descending) => rows.then_order_by(prospects::id.desc()),
            (SortField::CreatedAt, SortDirection::Ascending) => {
                rows.then_order_by(prospects::created_at.asc())
            }
            (SortField::CreatedAt, SortDirection::Descending) => {
                rows.then_order_by(prospects::created_at.desc())
            }
            (SortField::UpdatedAt, SortDirection::Ascending) => {
                rows.then_order_by(prospects::updated_at.asc())
            }
            (SortField::UpdatedAt, SortDirection::Descending) => {
                rows.then_order_by(prospects::updated_at.desc())
            }
        };
    }
    // Ties (equal timestamps, equal relevance) always break by id: pages never overlap.
    if !query.sort.iter().any(|key| key.field == SortField::Id) {
        rows = rows.then_order_by(prospects::id.asc());
    }
    rows
}

/// 0 when the name starts with the term, 1 when a word of the name does, 2 otherwise.
fn relevance(
    term: &SearchTerm,
) -> diesel::expression::SqlLiteral<
    Integer,
    impl diesel::query_builder::QueryFragment<Pg> + Send + 'static,
> {
    let phrase = term.phrase();
    sql::<Integer>("CASE WHEN name_key LIKE ")
        .bind::<Text, _>(format!("{phrase}%"))
        .sql(" THEN 0 WHEN name_key LIKE ")
        .bind::<Text, _>(format!("% {phrase}%"))
        .sql(" THEN 1 ELSE 2 END")
}

/// `%part%` with LIKE's wildcards in `part` taken literally.
fn contains_pattern(part: &str) -> String {
    let mut pattern = String::with_capacity(part.len() + 2);
    pattern.push('%');
    for c in part.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
