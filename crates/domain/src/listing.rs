//! A list request (filters, sort, page) and one page of results.

use chrono::{DateTime, Utc};

use crate::Account;
use crate::search::{SearchTerm, name_key};

/// A column a list may be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Id,
    CreatedAt,
    UpdatedAt,
}

impl SortField {
    pub const ALL: [SortField; 3] = [SortField::Id, SortField::CreatedAt, SortField::UpdatedAt];

    pub fn name(self) -> &'static str {
        match self {
            SortField::Id => "id",
            SortField::CreatedAt => "created_at",
            SortField::UpdatedAt => "updated_at",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// One element of `sort=-created_at,id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub direction: SortDirection,
}

/// What a caller asked to list. Filters combine with AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Folded name fragments; a prospect matches when its name contains any.
    pub name_any_of: Vec<String>,
    /// `Some(ids)`: only these ids (an empty list matches nothing).
    pub ids: Option<Vec<i64>>,
    pub term: Option<SearchTerm>,
    /// Applied in order; empty means by relevance (with a term), then by id.
    pub sort: Vec<SortKey>,
    /// 1-based.
    pub page: u64,
    pub per_page: u32,
}

impl ListQuery {
    pub const DEFAULT_PER_PAGE: u32 = 15;

    /// Whether the list is the whole table (or a representative's share):
    /// its total is then a maintained count, not a count of rows.
    pub fn filters_nothing(&self) -> bool {
        self.name_any_of.is_empty() && self.ids.is_none() && self.term.is_none()
    }

    /// The term whose relevance orders the list: only without `sort`.
    pub fn relevance_term(&self) -> Option<&SearchTerm> {
        self.term.as_ref().filter(|_| self.sort.is_empty())
    }

    /// The keys the list is ordered by (after relevance, if any): the
    /// requested ones, ending with `id` in the last key's direction unless
    /// `id` is among them, so that no two rows tie and pages never overlap;
    /// and the order stays one index's, read forwards or backwards.
    pub fn order(&self) -> Vec<SortKey> {
        let mut keys = self.sort.clone();
        if !keys.iter().any(|key| key.field == SortField::Id) {
            let direction = keys
                .last()
                .map_or(SortDirection::Ascending, |key| key.direction);
            keys.push(SortKey {
                field: SortField::Id,
                direction,
            });
        }
        keys
    }

    /// Rows to skip, saturating rather than overflowing on absurd page numbers.
    pub fn offset(&self) -> i64 {
        let skipped = self
            .page
            .saturating_sub(1)
            .saturating_mul(u64::from(self.per_page));
        i64::try_from(skipped).unwrap_or(i64::MAX)
    }
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            name_any_of: Vec::new(),
            ids: None,
            term: None,
            sort: Vec::new(),
            page: 1,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }
}

/// One page of a list and the number of rows across all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Where a row stands in a list's order: what a cursor points at. Holds
/// every value any order may compare, so it fits whatever `sort` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The relevance tier, from 0 (see [`relevance`]); 0 when the list is
    /// not ordered by relevance.
    pub relevance: u8,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub id: i64,
}

impl Position {
    /// Where `account` stands in the list `query` asks for.
    pub fn of(account: &Account, query: &ListQuery) -> Self {
        Self {
            relevance: query
                .relevance_term()
                .map_or(0, |term| relevance(term, &account.fields.name)),
            created_at: account.created_at,
            updated_at: account.updated_at,
            id: account.id.0,
        }
    }
}

/// The relevance tiers of a term search without `sort` (SPEC §3 [ours]):
/// 0 when the folded name starts with the term's phrase, 1 when one of its
/// words does, 2 otherwise. The adapters select the tiers with the same
/// tests on the stored `name_key`.
pub fn relevance(term: &SearchTerm, name: &str) -> u8 {
    let key = name_key(name);
    let phrase = term.phrase();
    if key.starts_with(&phrase) {
        0
    } else if key.contains(&format!(" {phrase}")) {
        1
    } else {
        2
    }
}

/// Which way a cursor reads from its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The rows after the position, in the list's order.
    Forward,
    /// The rows before it, nearest first.
    Backward,
}

/// Where a cursor page starts: the rows strictly beyond `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seek {
    pub from: Position,
    pub direction: Direction,
}

/// One cursor page (Laravel's cursor paginator), in the list's order, and
/// where the next and previous pages start, if they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice<T> {
    pub items: Vec<T>,
    pub next: Option<Seek>,
    pub previous: Option<Seek>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_counts_whole_pages_and_never_overflows() {
        let query = ListQuery {
            page: 3,
            per_page: 25,
            ..Default::default()
        };
        assert_eq!(query.offset(), 50);
        let huge = ListQuery {
            page: u64::MAX,
            per_page: 100,
            ..Default::default()
        };
        assert_eq!(huge.offset(), i64::MAX);
    }

    #[test]
    fn the_order_ends_with_id_in_the_last_keys_direction() {
        let key = |field, direction| SortKey { field, direction };
        let by = |sort: Vec<SortKey>| {
            ListQuery {
                sort,
                ..Default::default()
            }
            .order()
        };
        use SortDirection::*;
        use SortField::*;
        assert_eq!(by(vec![]), [key(Id, Ascending)]);
        assert_eq!(
            by(vec![key(CreatedAt, Descending)]),
            [key(CreatedAt, Descending), key(Id, Descending)]
        );
        assert_eq!(
            by(vec![key(Id, Descending), key(UpdatedAt, Ascending)]),
            [key(Id, Descending), key(UpdatedAt, Ascending)]
        );
    }

    #[test]
    fn relevance_ranks_the_name_start_then_a_name_word_then_the_rest() {
        let term = SearchTerm::parse("Société gén").expect("a term");
        assert_eq!(relevance(&term, "Société Générale"), 0);
        assert_eq!(relevance(&term, "La SOCIETE GENERIQUE"), 1);
        assert_eq!(relevance(&term, "Générale, Société"), 2);
    }

    #[test]
    fn sort_fields_are_known_by_their_wire_names() {
        assert_eq!(
            SortField::from_name("created_at"),
            Some(SortField::CreatedAt)
        );
        assert_eq!(SortField::from_name("name"), None);
    }
}
