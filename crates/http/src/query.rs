//! `GET /api/v1/prospects` query strings, with spatie/laravel-query-builder's
//! semantics and messages: `filter[name|id|term_match]`, `sort`, `page`, `per_page`.

use prospects_domain::search::{SearchTerm, name_key};
use prospects_domain::{ListQuery, Rule, SortDirection, SortField, SortKey, ValidationErrors};

use crate::errors::ApiError;

const ALLOWED_FILTERS: [&str; 3] = ["name", "id", "term_match"];

/// A parsed list request, and the parameters page URLs must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub query: ListQuery,
    /// Every received parameter but `page`, decoded, in the order received.
    pub carried: Vec<(String, String)>,
}

/// Parses a raw query string. Percent-encoded brackets (`filter%5Bname%5D`,
/// as browsers send them) and `+` for space are decoded first.
pub fn parse_list(raw: &str, max_per_page: u32) -> Result<ListRequest, ApiError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let mut query = ListQuery::default();
    let mut unknown_filters: Vec<String> = Vec::new();
    let mut carried = Vec::new();
    let mut per_page: Option<&str> = None;
    let mut per_page_repeated = false;
    let mut sort: Option<&str> = None;
    for (key, value) in &pairs {
        if key != "page" {
            carried.push((key.clone(), value.clone()));
        }
        match key.as_str() {
            "page" => {
                query.page = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|page| *page >= 1)
                    .unwrap_or(1)
            }
            "per_page" => {
                per_page_repeated = per_page.is_some();
                per_page = Some(value);
            }
            "sort" => sort = Some(value),
            _ => {
                if let Some(name) = key
                    .strip_prefix("filter[")
                    .and_then(|rest| rest.strip_suffix(']'))
                {
                    if !ALLOWED_FILTERS.contains(&name) {
                        if !unknown_filters.iter().any(|known| known == name) {
                            unknown_filters.push(name.to_owned());
                        }
                    } else {
                        apply_filter(&mut query, name, value);
                    }
                }
            }
        }
    }
    if !unknown_filters.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Requested filter(s) `{}` are not allowed. Allowed filter(s) are `{}`.",
            unknown_filters.join(", "),
            ALLOWED_FILTERS.join(", ")
        )));
    }
    if let Some(sort) = sort {
        query.sort = parse_sort(sort)?;
    }
    if per_page_repeated {
        // Several values are a list, and a list is no integer.
        let mut errors = ValidationErrors::new();
        errors.add("per_page", Rule::Integer);
        return Err(ApiError::Invalid(errors));
    }
    if let Some(per_page) = per_page {
        query.per_page = parse_per_page(per_page, max_per_page)?;
    }
    Ok(ListRequest { query, carried })
}

/// Filters are set by their last occurrence; an empty value is skipped.
fn apply_filter(query: &mut ListQuery, name: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    match name {
        "name" => {
            query.name_any_of = value
                .split(',')
                .filter(|part| !part.is_empty())
                .map(name_key)
                .collect();
        }
        "id" => {
            // Parts that are not integers match nothing (never an error).
            query.ids = Some(
                value
                    .split(',')
                    .filter_map(|part| part.trim().parse().ok())
                    .collect(),
            );
        }
        "term_match" => query.term = SearchTerm::parse(value),
        _ => {}
    }
}

fn parse_sort(value: &str) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = Vec::new();
    let mut unknown = Vec::new();
    for part in value.split(',').filter(|part| !part.is_empty()) {
        let (direction, name) = match part.strip_prefix('-') {
            Some(name) => (SortDirection::Descending, name),
            None => (SortDirection::Ascending, part),
        };
        match SortField::from_name(name) {
            // A field sorted on again changes nothing: rows equal on it were
            // already ordered by its first occurrence. Dropping repeats also
            // keeps a hostile `sort` from growing the ORDER BY without bound.
            Some(field) if keys.iter().any(|key: &SortKey| key.field == field) => {}
            Some(field) => keys.push(SortKey { field, direction }),
            None => unknown.push(name),
        }
    }
    if unknown.is_empty() {
        Ok(keys)
    } else {
        let allowed: Vec<&str> = SortField::ALL.iter().map(|field| field.name()).collect();
        Err(ApiError::BadRequest(format!(
            "Requested sort(s) `{}` is not allowed. Allowed sort(s) are `{}`.",
            unknown.join(", "),
            allowed.join(", ")
        )))
    }
}

/// An integer from 1 to the configured maximum.
fn parse_per_page(value: &str, max: u32) -> Result<u32, ApiError> {
    let value = value.trim();
    let mut errors = ValidationErrors::new();
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("per_page", Rule::Integer);
        return Err(ApiError::Invalid(errors));
    }
    match value.parse::<i64>() {
        Ok(n) if n >= 1 && n <= i64::from(max) => Ok(u32::try_from(n).unwrap_or(max)),
        _ => {
            errors.add("per_page", Rule::Between(1, i64::from(max)));
            Err(ApiError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<ListRequest, ApiError> {
        parse_list(raw, 100)
    }

    fn message(result: Result<ListRequest, ApiError>) -> String {
        result.expect_err("refused").to_string()
    }

    #[test]
    fn filters_sort_and_pages_are_read() {
        let request = parse("filter%5Bname%5D=Soci%C3%A9t%C3%A9,acme&filter[id]=1,x,3&sort=-created_at,id&page=2&per_page=25")
            .expect("valid");
        let query = request.query;
        assert_eq!(query.name_any_of, ["societe", "acme"]);
        assert_eq!(query.ids, Some(vec![1, 3]));
        assert_eq!(query.sort.len(), 2);
        assert_eq!(
            query.sort[0],
            SortKey {
                field: SortField::CreatedAt,
                direction: SortDirection::Descending
            }
        );
        assert_eq!((query.page, query.per_page), (2, 25));
        let carried: Vec<&str> = request
            .carried
            .iter()
            .map(|(key, _)| key.as_str())
            .collect();
        assert_eq!(carried, ["filter[name]", "filter[id]", "sort", "per_page"]);
    }

    #[test]
    fn a_field_sorted_on_again_is_dropped() {
        let sort = parse("sort=-id,created_at,id,-created_at,updated_at,,id")
            .expect("valid")
            .query
            .sort;
        let fields: Vec<_> = sort.iter().map(|key| (key.field, key.direction)).collect();
        assert_eq!(
            fields,
            [
                (SortField::Id, SortDirection::Descending),
                (SortField::CreatedAt, SortDirection::Ascending),
                (SortField::UpdatedAt, SortDirection::Ascending),
            ]
        );
    }

    #[test]
    fn empty_filters_are_skipped_and_bad_pages_mean_one() {
        let query = parse("filter[name]=&filter[term_match]=&page=abc")
            .expect("valid")
            .query;
        assert_eq!(query, ListQuery::default());
        assert_eq!(parse("page=0").expect("valid").query.page, 1);
        assert_eq!(parse("page=-4").expect("valid").query.page, 1);
    }

    #[test]
    fn ids_that_are_not_integers_match_nothing() {
        assert_eq!(
            parse("filter[id]=abc").expect("valid").query.ids,
            Some(vec![])
        );
    }

    #[test]
    fn unknown_filters_and_sorts_are_refused_with_spaties_messages() {
        assert_eq!(
            message(parse("filter[foo]=1&filter[bar]=2")),
            "Requested filter(s) `foo, bar` are not allowed. Allowed filter(s) are `name, id, term_match`."
        );
        assert_eq!(
            message(parse("sort=-name")),
            "Requested sort(s) `name` is not allowed. Allowed sort(s) are `id, created_at, updated_at`."
        );
    }

    #[test]
    fn per_page_must_be_an_integer_within_bounds() {
        assert_eq!(
            message(parse("per_page=0")),
            "The per page field must be between 1 and 100."
        );
        assert_eq!(
            message(parse("per_page=101")),
            "The per page field must be between 1 and 100."
        );
        assert_eq!(
            message(parse("per_page=-1")),
            "The per page field must be between 1 and 100."
        );
        assert_eq!(
            message(parse("per_page=99999999999999999999")),
            "The per page field must be between 1 and 100."
        );
        assert_eq!(
            message(parse("per_page=ten")),
            "The per page field must be an integer."
        );
        assert_eq!(parse("per_page=100").expect("valid").query.per_page, 100);
    }
}
