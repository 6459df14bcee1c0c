//! The list query (filters, scope, sort), built once for both backends.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use prospects_domain::search::SearchTerm;
use prospects_domain::{AccountKind, ListQuery, Scope, SortDirection, SortField};

use crate::schema::accounts;

/// The list query for one backend. Written once in [`list_queries!`] and
/// instantiated per backend: diesel's boxed queries are backend-specific, and
/// spelling the generic bounds out would bury the query.
pub trait ListQueries: TermSearch {
    /// The rows the query and scope select, before sorting and paging; used
    /// for both the count and the page so the two can never disagree.
    fn filtered(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// One relevance tier of a term search's rows, in id order.
    fn tier(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
        term: &SearchTerm,
        tier: Tier,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// Orders by the requested keys, always ending with `id` (in the last
    /// key's direction) so that pages never overlap. (A term search without
    /// `sort` is read tier by tier instead, see [`Tier`].)
    fn sorted(
        rows: accounts::BoxedQuery<'static, Self>,
        query: &ListQuery,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// The rows of the requested page: their ids first, from the filtered
    /// and sorted list (an index-only walk when the order is an index's,
    /// however deep the page), then those rows alone, in the same order.
    fn page(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
    ) -> accounts::BoxedQuery<'static, Self>;
}

/// The rows a `filter[term_match]` term matches: the one part of the list
/// query each backend answers its own way (STYLE §8).
pub trait TermSearch: diesel::backend::Backend + Sized {
    fn matching(term: &SearchTerm) -> AccountCondition<Self>;
}

type AccountCondition<B> = Box<dyn BoxableExpression<accounts::table, B, SqlType = Bool>>;

/// PostgreSQL matches the searched text with LIKE, which its trigram index
/// answers (migration 000004).
impl TermSearch for diesel::pg::Pg {
    fn matching(term: &SearchTerm) -> AccountCondition<Self> {
        // Words hold only letters and digits, so they need no LIKE escaping.
        let mut all: AccountCondition<Self> =
            Box::new(searched_text().like(format!("% {}%", term.prefix())));
        for word in term.whole_words() {
            all = Box::new(all.and(searched_text().like(format!("% {word} %"))));
        }
        all
    }
}

/// SQLite looks the words up in its FTS5 index (migration 000013).
impl TermSearch for diesel::sqlite::Sqlite {
    fn matching(term: &SearchTerm) -> AccountCondition<Self> {
        Box::new(
            sql::<Bool>(
                "accounts.id IN (SELECT rowid FROM accounts_search WHERE accounts_search MATCH ",
            )
            .bind::<Text, _>(fts5_query(term))
            .sql(")"),
        )
    }
}

/// `"every" AND "whole" AND "word" AND "prefix" *`: each word a quoted
/// one-token string (a word holds only letters and digits, so no quote to
/// escape), the last one matching the start of a token.
fn fts5_query(term: &SearchTerm) -> String {
    let mut query = String::new();
    for word in term.whole_words() {
        query.push_str(&format!("\"{word}\" AND "));
    }
    query.push_str(&format!("\"{}\" *", term.prefix()));
    query
}

/// [`ListQueries::filtered`] for the backend of connection `_conn`.
pub fn filtered<C>(
    _conn: &C,
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
) -> accounts::BoxedQuery<'static, C::Backend>
where
    C: diesel_async::AsyncConnectionCore,
    C::Backend: ListQueries,
{
    C::Backend::filtered(kind, query, scope)
}

/// The relevance tiers of a term search without `sort` (SPEC §3 [ours]):
/// accounts whose name starts with the term, then those with a word of the
/// name starting with it, then the other matches; by id within each. A page
/// reads each tier in id order and only as far as it reaches, and nothing
/// ranks every match; but a name tier with few rows is found by testing the
/// matches' names one by one, since no index holds them (docs/benchmarks.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    NameStarts,
    NameWordStarts,
    Elsewhere,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::NameStarts, Tier::NameWordStarts, Tier::Elsewhere];
}

/// [`ListQueries::tier`] for the backend of connection `_conn`.
pub fn tier<C>(
    _conn: &C,
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
    term: &SearchTerm,
    tier: Tier,
) -> accounts::BoxedQuery<'static, C::Backend>
where
    C: diesel_async::AsyncConnectionCore,
    C::Backend: ListQueries,
{
    C::Backend::tier(kind, query, scope, term, tier)
}

/// [`ListQueries::page`] for the backend of connection `_conn`.
pub fn page<C>(
    _conn: &C,
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
) -> accounts::BoxedQuery<'static, C::Backend>
where
    C: diesel_async::AsyncConnectionCore,
    C::Backend: ListQueries,
{
    C::Backend::page(kind, query, scope)
}

/// The SQL text of a list's count and page (or relevance tiers) on
/// PostgreSQL, then on SQLite, with the values bound inline. Rendering walks
/// the same expression tree that running the query does, so the fuzz target
/// and tests use this to check that no accepted query string builds
/// unbounded SQL.
pub fn list_sql(kind: AccountKind, query: &ListQuery, scope: Scope) -> Vec<String> {
    macro_rules! render {
        ($backend:ty, $all:ident) => {{
            let count = <$backend>::filtered(kind, query, scope).count();
            $all.push(diesel::debug_query::<$backend, _>(&count).to_string());
            let page = <$backend>::page(kind, query, scope);
            $all.push(diesel::debug_query::<$backend, _>(&page).to_string());
            if let Some(term) = &query.term {
                for tier in Tier::ALL {
                    let ids = <$backend>::tier(kind, query, scope, term, tier).select(accounts::id);
                    $all.push(diesel::debug_query::<$backend, _>(&ids).to_string());
                }
            }
        }};
    }
    let mut all = Vec::new();
    render!(diesel::pg::Pg, all);
    render!(diesel::sqlite::Sqlite, all);
    all
}

macro_rules! list_queries {
    ($backend:ty) => {
        impl ListQueries for $backend {
            fn filtered(
                kind: AccountKind,
                query: &ListQuery,
                scope: Scope,
            ) -> accounts::BoxedQuery<'static, Self> {
                let mut rows = accounts::table
                    .filter(accounts::kind.eq(kind.as_str()))
                    .into_boxed();
                if let Scope::RepresentedBy(user) = scope {
                    rows = rows.filter(accounts::representative_id.eq(user.0));
                }
                if !query.name_any_of.is_empty() {
                    let mut any: Box<dyn BoxableExpression<accounts::table, Self, SqlType = Bool>> =
                        Box::new(false.into_sql::<Bool>());
                    // No stored name holds a NUL (validation refuses one) and
                    // PostgreSQL cannot take one as a parameter: such a part
                    // matches nothing, so it adds nothing to the OR.
                    for part in query.name_any_of.iter().filter(|part| !part.contains('\0')) {
                        any = Box::new(
                            any.or(accounts::name_key.like(contains_pattern(part)).escape('\\')),
                        );
                    }
                    rows = rows.filter(any);
                }
                if let Some(ids) = &query.ids {
                    rows = rows.filter(accounts::id.eq_any(ids.clone()));
                }
                if let Some(term) = &query.term {
                    rows = rows.filter(Self::matching(term));
                }
                rows
            }

            fn page(
                kind: AccountKind,
                query: &ListQuery,
                scope: Scope,
            ) -> accounts::BoxedQuery<'static, Self> {
                let ids = Self::sorted(Self::filtered(kind, query, scope), query)
                    .select(accounts::id)
                    .limit(i64::from(query.per_page))
                    .offset(query.offset());
                Self::sorted(
                    accounts::table
                        .filter(accounts::id.eq_any(ids))
                        .into_boxed(),
                    query,
                )
            }

            fn tier(
                kind: AccountKind,
                query: &ListQuery,
                scope: Scope,
                term: &SearchTerm,
                tier: Tier,
            ) -> accounts::BoxedQuery<'static, Self> {
                // The phrase holds only letters, digits and single spaces:
                // nothing to escape.
                let starts = format!("{}%", term.phrase());
                let word_starts = format!("% {}%", term.phrase());
                let rows = Self::filtered(kind, query, scope);
                let rows = match tier {
                    Tier::NameStarts => rows.filter(accounts::name_key.like(starts)),
                    Tier::NameWordStarts => rows
                        .filter(accounts::name_key.like(word_starts))
                        .filter(accounts::name_key.not_like(starts)),
                    Tier::Elsewhere => rows
                        .filter(accounts::name_key.not_like(starts))
                        .filter(accounts::name_key.not_like(word_starts)),
                };
                rows.order_by(accounts::id.asc())
            }

            fn sorted(
                mut rows: accounts::BoxedQuery<'static, Self>,
                query: &ListQuery,
            ) -> accounts::BoxedQuery<'static, Self> {
                for key in &query.sort {
                    rows = match (key.field, key.direction) {
                        (SortField::Id, SortDirection::Ascending) => {
                            rows.then_order_by(accounts::id.asc())
                        }
                        (SortField::Id, SortDirection::Descending) => {
                            rows.then_order_by(accounts::id.desc())
                        }
                        (SortField::CreatedAt, SortDirection::Ascending) => {
                            rows.then_order_by(accounts::created_at.asc())
                        }
                        (SortField::CreatedAt, SortDirection::Descending) => {
                            rows.then_order_by(accounts::created_at.desc())
                        }
                        (SortField::UpdatedAt, SortDirection::Ascending) => {
                            rows.then_order_by(accounts::updated_at.asc())
                        }
                        (SortField::UpdatedAt, SortDirection::Descending) => {
                            rows.then_order_by(accounts::updated_at.desc())
                        }
                    };
                }
                // Ties go by id, in the direction of the last key, so that
                // the order is one index's order read forwards or backwards.
                if !query.sort.iter().any(|key| key.field == SortField::Id) {
                    rows = match query.sort.last().map(|key| key.direction) {
                        Some(SortDirection::Descending) => rows.then_order_by(accounts::id.desc()),
                        _ => rows.then_order_by(accounts::id.asc()),
                    };
                }
                rows
            }
        }
    };
}

list_queries!(diesel::pg::Pg);
list_queries!(diesel::sqlite::Sqlite);

/// What a term is matched against, as `prospects_domain::search::searched_text`
/// builds it: the account number (derived from the id by the database, so
/// not in the stored document) as a word, then the document.
fn searched_text() -> diesel::expression::SqlLiteral<Text> {
    sql::<Text>("(' ' || lower(customer_account) || search_document)")
}

/// `%part%` with LIKE's wildcards in `part` taken literally.
pub(crate) fn contains_pattern(part: &str) -> String {
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
