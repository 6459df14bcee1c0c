//! `GET /api/v1/prospects` query strings, with spatie/laravel-query-builder's
//! semantics and messages: `filter[name|id|term_match]`, `sort`, `page`, `per_page`.

use prospects_domain::search::{SearchTerm, name_key};
use prospects_domain::{
    AccountId, AccountKind, HistoryQuery, ListQuery, Owner, Rule, SortDirection, SortField,
    SortKey, UserQuery, ValidationErrors,
};

use utoipa::IntoParams;

use crate::errors::{ApiError, query_not_utf8};
use crate::form;

const ALLOWED_FILTERS: [&str; 3] = ["name", "id", "term_match"];

/// A parsed list request, and the parameters page URLs must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub query: ListQuery,
    /// `Some` when the list is read by cursor: `""` for the first page.
    pub cursor: Option<String>,
    /// Every received parameter but `page` and `cursor`, decoded, in the
    /// order received.
    pub carried: Vec<(String, String)>,
}

/// The list's query parameters, each declared under its literal name
/// (`filter[name]`, not a deepObject `filter`), as received: the last
/// occurrence of each, a filter's last non-empty one.
// Examples live in the descriptions: Swagger UI pre-fills an `example` into
// "Try it out", which would filter the list to nothing.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case- and accent-insensitive substring of the name; a comma-separated
    /// value matches any of the parts (`acme,globex`). At most 50 parts.
    #[param(rename = "filter[name]", max_length = 1000)]
    pub filter_name: Option<String>,
    /// An exact id, or a comma-separated list of ids (`1,2,3`). Parts that
    /// are not integers match nothing. At most 100 parts.
    #[param(rename = "filter[id]", max_length = 1000)]
    pub filter_id: Option<String>,
    /// Every word must match the name, account number, email addresses,
    /// contact names, phone numbers, postal code, city, registration or VAT
    /// number; the last word may be the start of one. Without `sort`,
    /// results come by relevance (`societe generale`). At most 20 words.
    #[param(rename = "filter[term_match]", max_length = 1000)]
    pub filter_term_match: Option<String>,
    /// Comma-separated `id`, `created_at`, `updated_at`, each optionally
    /// prefixed by `-` for descending, applied in order (`-created_at,id`).
    #[param(pattern = "^,*(-?(id|created_at|updated_at)(,+-?(id|created_at|updated_at))*)?,*$")]
    pub sort: Option<String>,
    /// The page, from 1. Anything that is not an integer of at least 1 means 1.
    pub page: Option<String>,
    /// Rows per page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 15)]
    pub per_page: Option<String>,
    /// Reads the list with Laravel's cursor paginator instead of pages: empty
    /// for the first page, then a page's `next_cursor` or `prev_cursor`
    /// (`page` is ignored, and nothing is counted). A cursor is opaque,
    /// signed, and valid only for the filters and sort it was given with
    /// (`per_page` may change); any other value is refused (422, `cursor`).
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// Parses a raw query string. Percent-encoded brackets (`filter%5Bname%5D`,
/// as browsers send them) and `+` for space are decoded first.
pub fn parse_list(raw: &str, max_per_page: u32) -> Result<ListRequest, ApiError> {
    let pairs = form::pairs(raw.as_bytes()).map_err(|_| query_not_utf8())?;
    let mut params = ListParams::default();
    let mut unknown_filters: Vec<String> = Vec::new();
    let mut carried = Vec::new();
    let mut per_page_repeated = false;
    // Filters are applied, and their errors reported, in the order received.
    let mut filters: Vec<&'static str> = Vec::new();
    for (key, value) in pairs {
        if key != "page" && key != "cursor" {
            carried.push((key.clone(), value.clone()));
        }
        let filter = key
            .strip_prefix("filter[")
            .and_then(|rest| rest.strip_suffix(']'));
        let slot = match (key.as_str(), filter) {
            ("page", _) => &mut params.page,
            ("cursor", _) => &mut params.cursor,
            ("per_page", _) => {
                per_page_repeated = params.per_page.is_some();
                &mut params.per_page
            }
            ("sort", _) => &mut params.sort,
            (_, Some("name")) => &mut params.filter_name,
            (_, Some("id")) => &mut params.filter_id,
            (_, Some("term_match")) => &mut params.filter_term_match,
            (_, Some(name)) => {
                if !unknown_filters.iter().any(|known| known == name) {
                    unknown_filters.push(name.to_owned());
                }
                continue;
            }
            _ => continue,
        };
        // An empty filter value is skipped.
        if filter.is_none() || !value.is_empty() {
            *slot = Some(value);
        }
        if let Some(name) = ALLOWED_FILTERS.iter().find(|known| Some(**known) == filter)
            && !filters.contains(name)
        {
            filters.push(name);
        }
    }
    if !unknown_filters.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Requested filter(s) `{}` are not allowed. Allowed filter(s) are `{}`.",
            unknown_filters.join(", "),
            ALLOWED_FILTERS.join(", ")
        )));
    }
    let mut query = ListQuery::default();
    let mut too_large = ValidationErrors::new();
    for name in filters {
        let value = match name {
            "name" => &params.filter_name,
            "id" => &params.filter_id,
            _ => &params.filter_term_match,
        };
        if let Some(value) = value
            && let Err(rule) = apply_filter(&mut query, name, value)
        {
            too_large.add(&format!("filter.{name}"), rule);
        }
    }
    if !too_large.is_empty() {
        return Err(too_large.into());
    }
    if let Some(page) = &params.page {
        query.page = page
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|page| *page >= 1)
            .unwrap_or(1);
    }
    if let Some(sort) = &params.sort {
        query.sort = parse_sort(sort)?;
    }
    if per_page_repeated {
        // Several values are a list, and a list is no integer.
        let mut errors = ValidationErrors::new();
        errors.add("per_page", Rule::Integer);
        return Err(errors.into());
    }
    if let Some(per_page) = &params.per_page {
        query.per_page = parse_per_page(per_page, max_per_page)?;
    }
    Ok(ListRequest {
        query,
        cursor: params.cursor,
        carried,
    })
}

/// `GET /api/v1/users` query strings: `filter[name]`, `filter[email]`
/// (case-insensitive substrings), `page`, `per_page`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Case-insensitive substring of the name.
    #[param(rename = "filter[name]", max_length = 1000)]
    pub filter_name: Option<String>,
    /// Case-insensitive substring of the email address.
    #[param(rename = "filter[email]", max_length = 1000)]
    pub filter_email: Option<String>,
    /// The page, from 1. Anything that is not an integer of at least 1 means 1.
    pub page: Option<String>,
    /// Rows per page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 15)]
    pub per_page: Option<String>,
}

const USER_FILTERS: [&str; 2] = ["name", "email"];

/// Parses a users list's query string, with the same semantics as
/// [`parse_list`] (last occurrence wins; an empty filter is skipped).
pub fn parse_user_list(raw: &str, max_per_page: u32) -> Result<UserListRequest, ApiError> {
    let pairs = form::pairs(raw.as_bytes()).map_err(|_| query_not_utf8())?;
    let mut params = UserListParams::default();
    let mut unknown_filters: Vec<String> = Vec::new();
    let mut carried = Vec::new();
    for (key, value) in pairs {
        if key != "page" {
            carried.push((key.clone(), value.clone()));
        }
        let filter = key
            .strip_prefix("filter[")
            .and_then(|rest| rest.strip_suffix(']'));
        let slot = match (key.as_str(), filter) {
            ("page", _) => &mut params.page,
            ("per_page", _) => &mut params.per_page,
            (_, Some("name")) => &mut params.filter_name,
            (_, Some("email")) => &mut params.filter_email,
            (_, Some(name)) => {
                if !unknown_filters.iter().any(|known| known == name) {
                    unknown_filters.push(name.to_owned());
                }
                continue;
            }
            _ => continue,
        };
        if filter.is_none() || !value.is_empty() {
            *slot = Some(value);
        }
    }
    if !unknown_filters.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Requested filter(s) `{}` are not allowed. Allowed filter(s) are `{}`.",
            unknown_filters.join(", "),
            USER_FILTERS.join(", ")
        )));
    }
    let mut too_large = ValidationErrors::new();
    for (name, value) in [
        ("name", &params.filter_name),
        ("email", &params.filter_email),
    ] {
        if value
            .as_ref()
            .is_some_and(|value| value.chars().count() > MAX_FILTER_CHARS)
        {
            too_large.add(&format!("filter.{name}"), Rule::MaxChars(MAX_FILTER_CHARS));
        }
    }
    if !too_large.is_empty() {
        return Err(too_large.into());
    }
    let (page, per_page) = numbered_page(&params.page, &params.per_page, max_per_page)?;
    Ok(UserListRequest {
        query: UserQuery {
            name: params.filter_name,
            email: params.filter_email,
            page,
            per_page,
        },
        carried,
    })
}

/// The query of an account's history: which page.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryListParams {
    /// The page, from 1. Anything that is not an integer of at least 1 means 1.
    pub page: Option<String>,
    /// Entries per page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 15)]
    pub per_page: Option<String>,
}

/// A parsed history request, and the parameters page URLs must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryListRequest {
    pub query: HistoryQuery,
    pub carried: Vec<(String, String)>,
}

/// Parses a history's query string: `page` and `per_page` as for every
/// list (the last occurrence wins); anything else is ignored and carried.
pub fn parse_history_list(raw: &str, max_per_page: u32) -> Result<HistoryListRequest, ApiError> {
    let pairs = form::pairs(raw.as_bytes()).map_err(|_| query_not_utf8())?;
    let mut params = HistoryListParams::default();
    let mut carried = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "page" => params.page = Some(value.clone()),
            "per_page" => params.per_page = Some(value.clone()),
            _ => {}
        }
        if key != "page" {
            carried.push((key, value));
        }
    }
    let (page, per_page) = numbered_page(&params.page, &params.per_page, max_per_page)?;
    Ok(HistoryListRequest {
        query: HistoryQuery { page, per_page },
        carried,
    })
}

/// A parsed users list request, and the parameters page URLs must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserListRequest {
    pub query: UserQuery,
    pub carried: Vec<(String, String)>,
}

/// The longest value any filter takes, in characters. With the part and
/// word bounds below it keeps every filter's SQL small and flat on both
/// backends (SQLite refuses LIKE patterns over 50,000 bytes and expressions
/// deeper than 1,000), and no input can grow a query without bound.
pub const MAX_FILTER_CHARS: usize = 1_000;
/// The most comma-separated parts `filter[name]` matches any of.
pub const MAX_NAME_PARTS: usize = 50;
/// The most ids `filter[id]` lists: a page's worth at the largest `per_page`.
pub const MAX_ID_PARTS: usize = 100;
/// The most words `filter[term_match]` requires.
pub const MAX_TERM_WORDS: usize = 20;

/// Sets a filter; a value beyond the bounds above is refused with the
/// rule it breaks.
fn apply_filter(query: &mut ListQuery, name: &str, value: &str) -> Result<(), Rule> {
    if value.chars().count() > MAX_FILTER_CHARS {
        return Err(Rule::MaxChars(MAX_FILTER_CHARS));
    }
    match name {
        "name" => {
            let parts: Vec<&str> = value.split(',').filter(|part| !part.is_empty()).collect();
            if parts.len() > MAX_NAME_PARTS {
                return Err(Rule::MaxItems(MAX_NAME_PARTS));
            }
            query.name_any_of = parts.into_iter().map(name_key).collect();
        }
        "id" => {
            let parts: Vec<&str> = value.split(',').collect();
            if parts.len() > MAX_ID_PARTS {
                return Err(Rule::MaxItems(MAX_ID_PARTS));
            }
            // Parts that are not integers match nothing (never an error).
            query.ids = Some(
                parts
                    .into_iter()
                    .filter_map(|part| part.trim().parse().ok())
                    .collect(),
            );
        }
        "term_match" => {
            let term = SearchTerm::parse(value);
            if term
                .as_ref()
                .is_some_and(|term| term.len() > MAX_TERM_WORDS)
            {
                return Err(Rule::MaxItems(MAX_TERM_WORDS));
            }
            query.term = term;
        }
        _ => {}
    }
    Ok(())
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
/// A numbered list's `page` (anything that is not an integer of at least 1
/// means 1) and `per_page` (the default when absent, else within bounds).
fn numbered_page(
    page: &Option<String>,
    per_page: &Option<String>,
    max_per_page: u32,
) -> Result<(u64, u32), ApiError> {
    let page = page
        .as_deref()
        .and_then(|page| page.trim().parse::<u64>().ok())
        .filter(|page| *page >= 1)
        .unwrap_or(1);
    let per_page = match per_page {
        Some(per_page) => parse_per_page(per_page, max_per_page)?,
        None => ListQuery::default().per_page,
    };
    Ok((page, per_page))
}

fn parse_per_page(value: &str, max: u32) -> Result<u32, ApiError> {
    let value = value.trim();
    let mut errors = ValidationErrors::new();
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("per_page", Rule::Integer);
        return Err(errors.into());
    }
    match value.parse::<i64>() {
        Ok(n) if n >= 1 && n <= i64::from(max) => Ok(u32::try_from(n).unwrap_or(max)),
        _ => {
            errors.add("per_page", Rule::Between(1, i64::from(max)));
            Err(errors.into())
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
    fn filters_beyond_their_bounds_are_refused_on_the_filter() {
        let names = (0..=MAX_NAME_PARTS)
            .map(|n| format!("n{n}"))
            .collect::<Vec<_>>();
        let invalid = |raw: &str| match parse(raw) {
            Err(ApiError::Invalid(errors, _)) => errors
                .fields()
                .into_iter()
                .map(|(field, messages)| (field.to_owned(), messages.to_vec()))
                .collect::<Vec<_>>(),
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(
            invalid(&format!("filter[name]={}", names.join(","))),
            [(
                "filter.name".to_owned(),
                vec!["The filter.name field must not have more than 50 items.".to_owned()]
            )]
        );
        let ids = (0..=MAX_ID_PARTS)
            .map(|n| n.to_string())
            .collect::<Vec<_>>();
        let words = names.join(" ");
        let errors = invalid(&format!(
            "filter[id]={}&filter[term_match]={words}&filter[name]={}",
            ids.join(","),
            "a".repeat(MAX_FILTER_CHARS + 1)
        ));
        assert_eq!(
            errors,
            [
                (
                    "filter.id".to_owned(),
                    vec!["The filter.id field must not have more than 100 items.".to_owned()]
                ),
                (
                    "filter.term_match".to_owned(),
                    vec![
                        "The filter.term match field must not have more than 20 items.".to_owned()
                    ]
                ),
                (
                    "filter.name".to_owned(),
                    vec![
                        "The filter.name field must not be greater than 1000 characters."
                            .to_owned()
                    ]
                ),
            ]
        );
        // At the bounds, everything is accepted.
        let at_bounds = format!(
            "filter[name]={}&filter[id]={}&filter[term_match]={}",
            names[..MAX_NAME_PARTS].join(","),
            ids[..MAX_ID_PARTS].join(","),
            names[..MAX_TERM_WORDS].join("+")
        );
        let query = parse(&at_bounds).expect("valid").query;
        assert_eq!(query.name_any_of.len(), MAX_NAME_PARTS);
        assert_eq!(query.ids.map(|ids| ids.len()), Some(MAX_ID_PARTS));
        assert_eq!(query.term.map(|term| term.len()), Some(MAX_TERM_WORDS));
        assert!(parse(&format!("filter[name]={}", "é".repeat(MAX_FILTER_CHARS))).is_ok());
    }

    #[test]
    fn no_filter_value_within_bounds_folds_past_sqlites_like_pattern_limit() {
        // SQLite refuses LIKE patterns over 50,000 bytes. A pattern is a
        // folded part, its escapes (`%`, `_`, `\` doubled) and two `%`.
        let widest = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .map(|c| prospects_domain::search::fold(c.encode_utf8(&mut [0; 4])).len())
            .max()
            .unwrap_or_default()
            .max(2);
        assert!(MAX_FILTER_CHARS * widest + 2 < 50_000, "{widest}");
    }

    #[test]
    fn escapes_that_are_not_utf8_are_a_bad_request() {
        assert_eq!(
            message(parse("filter[name]=Bad%FF")),
            "The query string is not valid UTF-8."
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

/// The account a note hangs on, as the vendor's client names it in the
/// query string of `GET` and `POST /api/v1/notes`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoteableParams {
    /// `prospect` or `customer`.
    #[param(required = true, pattern = "^(prospect|customer)$")]
    pub noteable_type: Option<String>,
    /// The prospect's or customer's id.
    #[param(required = true, value_type = i64, minimum = 1)]
    pub noteable_id: Option<String>,
}

/// The account a contact hangs on, as the vendor's client names it in the
/// query string of `GET` and `POST /api/v1/contacts`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactableParams {
    /// `prospect` or `customer`.
    #[param(required = true, pattern = "^(prospect|customer)$")]
    pub contactable_type: Option<String>,
    /// The prospect's or customer's id.
    #[param(required = true, value_type = i64, minimum = 1)]
    pub contactable_id: Option<String>,
}

/// Reads `noteable_type` and `noteable_id`.
pub fn parse_noteable(raw: &str) -> Result<Owner, ApiError> {
    parse_owner(raw, "noteable")
}

/// Reads `contactable_type` and `contactable_id`.
pub fn parse_contactable(raw: &str) -> Result<Owner, ApiError> {
    parse_owner(raw, "contactable")
}

/// Reads `{role}_type` and `{role}_id` (the last of each); a missing or
/// malformed one is a 422 naming it.
fn parse_owner(raw: &str, role: &str) -> Result<Owner, ApiError> {
    let type_key = format!("{role}_type");
    let id_key = format!("{role}_id");
    let pairs = form::pairs(raw.as_bytes()).map_err(|_| query_not_utf8())?;
    let (mut sent_type, mut sent_id) = (None, None);
    for (key, value) in pairs {
        if key == type_key {
            sent_type = Some(value);
        } else if key == id_key {
            sent_id = Some(value);
        }
    }
    let mut errors = ValidationErrors::new();
    // Taken as sent (untrimmed), as documented: a name or a run of digits.
    let kind = match sent_type.as_deref() {
        None | Some("") => {
            errors.add(&type_key, Rule::Required);
            None
        }
        Some(sent) => {
            let kind = AccountKind::from_stored(sent);
            if kind.is_none() {
                errors.add(&type_key, Rule::Exists);
            }
            kind
        }
    };
    let id = match sent_id.as_deref() {
        None | Some("") => {
            errors.add(&id_key, Rule::Required);
            None
        }
        Some(sent) => {
            let id = Some(sent)
                .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<i64>().ok())
                .filter(|id| *id > 0);
            if id.is_none() {
                errors.add(&id_key, Rule::Integer);
            }
            id
        }
    };
    match (kind, id) {
        (Some(kind), Some(id)) => Ok(Owner {
            kind,
            id: AccountId(id),
        }),
        _ => Err(errors.into()),
    }
}

/// The number `GET /api/v1/contacts/numbers` looks for, as the vendor's
/// client names it.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PhoneNumberParams {
    /// A phone number however it is written (`06 11 13 17 19`,
    /// `+33 6 11 13 17 19`); one without a country code is French.
    #[param(required = true, value_type = String, example = "+33 6 11 13 17 19")]
    pub phone_number: Option<String>,
}

/// The query string's `phoneNumber` (the last one); missing is a 422.
pub fn parse_phone_number(raw: &str) -> Result<String, ApiError> {
    let pairs = form::pairs(raw.as_bytes()).map_err(|_| query_not_utf8())?;
    let number = pairs
        .into_iter()
        .filter(|(key, _)| key == PHONE_NUMBER)
        .map(|(_, value)| value)
        .next_back()
        .filter(|value| !value.trim().is_empty());
    number.ok_or_else(|| {
        let mut errors = ValidationErrors::new();
        errors.add(PHONE_NUMBER, Rule::Required);
        errors.into()
    })
}

/// The query parameter `/contacts/numbers` reads, as the SDK names it.
pub const PHONE_NUMBER: &str = "phoneNumber";
