//! A list request (filters, sort, page) and one page of results.

use crate::search::SearchTerm;

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
    fn sort_fields_are_known_by_their_wire_names() {
        assert_eq!(
            SortField::from_name("created_at"),
            Some(SortField::CreatedAt)
        );
        assert_eq!(SortField::from_name("name"), None);
    }
}
