//! The list query (filters, scope, sort), built once for both backends.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use prospects_domain::search::SearchTerm;
use prospects_domain::{
    AccountKind, Direction, ListQuery, Position, Scope, Seek, SortDirection, SortField, SortKey,
};

use crate::schema::accounts;

/// The list query for one backend. Written once in [`list_queries!`] and
/// instantiated per backend: diesel's boxed queries are backend-specific, and
/// spelling the generic bounds out would bury the query.
pub trait ListQueries: TermSearch + NameSearch + Compare {
    /// The rows the query and scope select, before sorting and paging; used
    /// for both the count and the page so the two can never disagree.
    fn filtered(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// One relevance tier of a term search's rows, in id order read
    /// `towards` its end (`Forward`) or its start, past `beyond_id` if given.
    fn tier(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
        term: &SearchTerm,
        read: TierRead,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// Orders by [`ListQuery::order`], read forwards or backwards. (A term
    /// search without `sort` is read tier by tier instead, see [`Tier`].)
    fn sorted(
        rows: accounts::BoxedQuery<'static, Self>,
        query: &ListQuery,
        towards: Direction,
    ) -> accounts::BoxedQuery<'static, Self>;

    /// The rows of a sorted list strictly beyond a cursor's position:
    /// `(k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...` over [`ListQuery::order`]
    /// (`<` where a key runs the other way), led by `k1 >= v1` so that the
    /// first key's index bounds the walk. Built of plain comparisons with
    /// no constant in an OR, so a generic plan can use the index too.
    fn beyond(query: &ListQuery, seek: Seek) -> AccountCondition<Self>;

    /// Up to `limit` rows of a sorted list from its start, or beyond a
    /// cursor's position in its direction, nearest first.
    fn seek(
        kind: AccountKind,
        query: &ListQuery,
        scope: Scope,
        from: Option<Seek>,
        limit: u32,
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

pub type AccountCondition<B> = Box<dyn BoxableExpression<accounts::table, B, SqlType = Bool>>;

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

/// The rows whose `name_key` holds a `filter[name]` part: the other part of
/// the list query each backend answers its own way.
pub trait NameSearch: diesel::backend::Backend + Sized {
    fn name_contains(part: &str) -> AccountCondition<Self>;
}

/// PostgreSQL's trigram index on `name_key` answers the LIKE itself.
impl NameSearch for diesel::pg::Pg {
    fn name_contains(part: &str) -> AccountCondition<Self> {
        Box::new(accounts::name_key.like(contains_pattern(part)).escape('\\'))
    }
}

/// SQLite has no index for a LIKE inside the text: its FTS5 index of the
/// names' trigrams (migration 000017) first narrows the rows down to those
/// holding every trigram of the part, and the LIKE checks only those.
impl NameSearch for diesel::sqlite::Sqlite {
    fn name_contains(part: &str) -> AccountCondition<Self> {
        let like = accounts::name_key.like(contains_pattern(part)).escape('\\');
        let Some(trigrams) = fts5_trigrams(part) else {
            return Box::new(like);
        };
        Box::new(
            sql::<Bool>(
                "accounts.id IN (SELECT rowid FROM accounts_name_trigrams \
                 WHERE accounts_name_trigrams MATCH ",
            )
            .bind::<Text, _>(trigrams)
            .sql(")")
            .and(like),
        )
    }
}

/// At most this many of a part's trigrams go to the index: a few already
/// leave few rows for the LIKE, and a 60 KB part must not build a 60 KB query.
const MOST_TRIGRAMS: usize = 8;

/// `"abc" AND "bcd" AND ...`: `part`'s distinct trigrams (every n-th in
/// sorted order when there are more than [`MOST_TRIGRAMS`]), each a quoted
/// one-token string with its quotes doubled; `None` when the part is shorter
/// than a trigram.
fn fts5_trigrams(part: &str) -> Option<String> {
    let chars: Vec<char> = part.chars().collect();
    let mut all: Vec<String> = chars
        .windows(3)
        .map(|trigram| trigram.iter().collect())
        .collect();
    all.sort_unstable();
    all.dedup();
    if all.is_empty() {
        return None;
    }
    let step = all.len().div_ceil(MOST_TRIGRAMS);
    let quoted: Vec<String> = all
        .iter()
        .step_by(step)
        .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
        .collect();
    Some(quoted.join(" AND "))
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

/// The relevance tiers of a term search without `sort` (SPEC §3 [ours]),
/// as `prospects_domain::listing::relevance` numbers them: accounts whose
/// name starts with the term, then those with a word of the name starting
/// with it, then the other matches; by id within each. A page
/// reads each tier in id order and only as far as it reaches, and nothing
/// ranks every match; but on SQLite a name tier with few rows is found by
/// testing the matches' names one by one (docs/benchmarks.md says why the
/// names' trigram index does not help there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    NameStarts,
    NameWordStarts,
    Elsewhere,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::NameStarts, Tier::NameWordStarts, Tier::Elsewhere];

    fn number(self) -> u8 {
        self as u8
    }

    /// The reads a relevance list takes, in order: every tier from the
    /// start, or from a cursor's position onwards (its own tier past its
    /// id, then the following tiers whole) or backwards.
    pub fn reads(from: Option<Seek>) -> Vec<TierRead> {
        let whole = |tier, towards| TierRead {
            tier,
            towards,
            beyond_id: None,
        };
        let Some(Seek { from, direction }) = from else {
            return Self::ALL
                .map(|tier| whole(tier, Direction::Forward))
                .to_vec();
        };
        let own = |tier: Tier| tier.number() == from.relevance;
        let mut reads: Vec<TierRead> = match direction {
            Direction::Forward => Self::ALL
                .into_iter()
                .filter(|tier| tier.number() >= from.relevance)
                .map(|tier| whole(tier, direction))
                .collect(),
            Direction::Backward => Self::ALL
                .into_iter()
                .rev()
                .filter(|tier| tier.number() <= from.relevance)
                .map(|tier| whole(tier, direction))
                .collect(),
        };
        for read in reads.iter_mut().filter(|read| own(read.tier)) {
            read.beyond_id = Some(from.id);
        }
        reads
    }
}

/// One read of a relevance tier (see [`Tier::reads`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRead {
    pub tier: Tier,
    pub towards: Direction,
    pub beyond_id: Option<i64>,
}

/// [`ListQueries::tier`] for the backend of connection `_conn`.
pub fn tier<C>(
    _conn: &C,
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
    term: &SearchTerm,
    read: TierRead,
) -> accounts::BoxedQuery<'static, C::Backend>
where
    C: diesel_async::AsyncConnectionCore,
    C::Backend: ListQueries,
{
    C::Backend::tier(kind, query, scope, term, read)
}

/// [`ListQueries::seek`] for the backend of connection `_conn`.
pub fn seek<C>(
    _conn: &C,
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
    from: Option<Seek>,
    limit: u32,
) -> accounts::BoxedQuery<'static, C::Backend>
where
    C: diesel_async::AsyncConnectionCore,
    C::Backend: ListQueries,
{
    C::Backend::seek(kind, query, scope, from, limit)
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

/// The SQL text of a list's count (when filtered) and page (or relevance tiers) on
/// PostgreSQL, then on SQLite, with the values bound inline. Rendering walks
/// the same expression tree that running the query does, so the fuzz target
/// and tests use this to check that no accepted query string builds
/// unbounded SQL.
pub fn list_sql(kind: AccountKind, query: &ListQuery, scope: Scope) -> Vec<String> {
    macro_rules! render {
        ($backend:ty, $all:ident) => {{
            // An unfiltered total is read from the maintained counts.
            if !query.filters_nothing() {
                let count = <$backend>::filtered(kind, query, scope).count();
                $all.push(diesel::debug_query::<$backend, _>(&count).to_string());
            }
            let page = <$backend>::page(kind, query, scope);
            $all.push(diesel::debug_query::<$backend, _>(&page).to_string());
            if let Some(term) = &query.term {
                for read in Tier::reads(None) {
                    let ids = <$backend>::tier(kind, query, scope, term, read).select(accounts::id);
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

/// The SQL text of a cursor page's reads ([`ListQueries::seek`], or the
/// relevance tiers' reads), on PostgreSQL then SQLite, values inline.
pub fn seek_sql(
    kind: AccountKind,
    query: &ListQuery,
    scope: Scope,
    from: Option<Seek>,
    limit: u32,
) -> Vec<String> {
    macro_rules! render {
        ($backend:ty, $all:ident) => {{
            match query.relevance_term() {
                Some(term) => {
                    for read in Tier::reads(from) {
                        let ids = <$backend>::tier(kind, query, scope, term, read)
                            .select(accounts::id)
                            .limit(i64::from(limit));
                        $all.push(diesel::debug_query::<$backend, _>(&ids).to_string());
                    }
                }
                None => {
                    let rows =
                        <$backend>::seek(kind, query, scope, from, limit).select(accounts::id);
                    $all.push(diesel::debug_query::<$backend, _>(&rows).to_string());
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
                    // No stored name holds a NUL (validation refuses one) and
                    // PostgreSQL cannot take one as a parameter: such a part
                    // matches nothing, so it adds nothing to the OR. The OR
                    // holds no constant (`$1 OR ...`), which would keep a
                    // generic plan off the trigram index.
                    let mut any: Option<AccountCondition<Self>> = None;
                    for part in query.name_any_of.iter().filter(|part| !part.contains('\0')) {
                        let this = Self::name_contains(part);
                        any = Some(match any {
                            None => this,
                            Some(any) => Box::new(any.or(this)),
                        });
                    }
                    rows = match any {
                        Some(any) => rows.filter(any),
                        None => rows.filter(false.into_sql::<Bool>()),
                    };
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
                let ids = Self::sorted(
                    Self::filtered(kind, query, scope),
                    query,
                    Direction::Forward,
                )
                .select(accounts::id)
                .limit(i64::from(query.per_page))
                .offset(query.offset());
                Self::sorted(
                    accounts::table
                        .filter(accounts::id.eq_any(ids))
                        .into_boxed(),
                    query,
                    Direction::Forward,
                )
            }

            fn seek(
                kind: AccountKind,
                query: &ListQuery,
                scope: Scope,
                from: Option<Seek>,
                limit: u32,
            ) -> accounts::BoxedQuery<'static, Self> {
                let mut rows = Self::filtered(kind, query, scope);
                if let Some(seek) = from {
                    rows = rows.filter(Self::beyond(query, seek));
                }
                let towards = from.map_or(Direction::Forward, |seek| seek.direction);
                Self::sorted(rows, query, towards).limit(i64::from(limit))
            }

            fn beyond(query: &ListQuery, seek: Seek) -> AccountCondition<Self> {
                let keys = query.order();
                let onward = |direction: SortDirection| {
                    (direction == SortDirection::Ascending)
                        == (seek.direction == Direction::Forward)
                };
                let strictly = |key: &SortKey| {
                    let op = if onward(key.direction) {
                        Cmp::Above
                    } else {
                        Cmp::Below
                    };
                    Self::compare(key.field, op, &seek.from)
                };
                let mut any: Option<AccountCondition<Self>> = None;
                for (at, key) in keys.iter().enumerate() {
                    let mut this = strictly(key);
                    for earlier in &keys[..at] {
                        this = Box::new(
                            Self::compare(earlier.field, Cmp::Equal, &seek.from).and(this),
                        );
                    }
                    any = Some(match any {
                        None => this,
                        Some(any) => Box::new(any.or(this)),
                    });
                }
                let first = keys[0];
                let op = if onward(first.direction) {
                    Cmp::AtOrAbove
                } else {
                    Cmp::AtOrBelow
                };
                let lead = Self::compare(first.field, op, &seek.from);
                match any {
                    Some(any) => Box::new(lead.and(any)),
                    None => lead,
                }
            }

            fn tier(
                kind: AccountKind,
                query: &ListQuery,
                scope: Scope,
                term: &SearchTerm,
                read: TierRead,
            ) -> accounts::BoxedQuery<'static, Self> {
                // The phrase holds only letters, digits and single spaces:
                // nothing to escape.
                let starts = format!("{}%", term.phrase());
                let word_starts = format!("% {}%", term.phrase());
                let rows = Self::filtered(kind, query, scope);
                let rows = match read.tier {
                    Tier::NameStarts => rows.filter(accounts::name_key.like(starts)),
                    Tier::NameWordStarts => rows
                        .filter(accounts::name_key.like(word_starts))
                        .filter(accounts::name_key.not_like(starts)),
                    Tier::Elsewhere => rows
                        .filter(accounts::name_key.not_like(starts))
                        .filter(accounts::name_key.not_like(word_starts)),
                };
                match (read.towards, read.beyond_id) {
                    (Direction::Forward, None) => rows.order_by(accounts::id.asc()),
                    (Direction::Forward, Some(id)) => rows
                        .filter(accounts::id.gt(id))
                        .order_by(accounts::id.asc()),
                    (Direction::Backward, None) => rows.order_by(accounts::id.desc()),
                    (Direction::Backward, Some(id)) => rows
                        .filter(accounts::id.lt(id))
                        .order_by(accounts::id.desc()),
                }
            }

            fn sorted(
                mut rows: accounts::BoxedQuery<'static, Self>,
                query: &ListQuery,
                towards: Direction,
            ) -> accounts::BoxedQuery<'static, Self> {
                for key in query.order() {
                    let direction = match (towards, key.direction) {
                        (Direction::Forward, direction) => direction,
                        (Direction::Backward, SortDirection::Ascending) => {
                            SortDirection::Descending
                        }
                        (Direction::Backward, SortDirection::Descending) => {
                            SortDirection::Ascending
                        }
                    };
                    rows = match (key.field, direction) {
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
                rows
            }
        }

        impl Compare for $backend {
            fn compare(field: SortField, op: Cmp, at: &Position) -> AccountCondition<Self> {
                macro_rules! by {
                    ($column:expr, $value:expr) => {
                        match op {
                            Cmp::Above => Box::new($column.gt($value)),
                            Cmp::AtOrAbove => Box::new($column.ge($value)),
                            Cmp::Equal => Box::new($column.eq($value)),
                            Cmp::AtOrBelow => Box::new($column.le($value)),
                            Cmp::Below => Box::new($column.lt($value)),
                        }
                    };
                }
                match field {
                    SortField::Id => by!(accounts::id, at.id),
                    SortField::CreatedAt => by!(accounts::created_at, at.created_at.naive_utc()),
                    SortField::UpdatedAt => by!(accounts::updated_at, at.updated_at.naive_utc()),
                }
            }
        }
    };
}

/// How a column compares with a cursor position's value.
#[derive(Debug, Clone, Copy)]
pub enum Cmp {
    Above,
    AtOrAbove,
    Equal,
    AtOrBelow,
    Below,
}

/// One sort column compared with a cursor position's value.
pub trait Compare: diesel::backend::Backend + Sized {
    fn compare(field: SortField, op: Cmp, at: &Position) -> AccountCondition<Self>;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_becomes_its_quoted_trigrams_and_a_short_one_none() {
        assert_eq!(fts5_trigrams("ab"), None);
        assert_eq!(fts5_trigrams("é\"x"), Some("\"é\"\"x\"".to_owned()));
        assert_eq!(
            fts5_trigrams("acme"),
            Some("\"acm\" AND \"cme\"".to_owned())
        );
        assert_eq!(fts5_trigrams("aaaa"), Some("\"aaa\"".to_owned()));
        let long = fts5_trigrams(&"abcdefghij".repeat(6000)).expect("trigrams");
        assert!(long.split(" AND ").count() <= MOST_TRIGRAMS);
    }
}
