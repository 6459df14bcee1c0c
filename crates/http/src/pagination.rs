//! Laravel's length-aware and cursor paginators, key for key and in their order.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// One entry of `links`: previous, a page number, `...`, or next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = PageLink)]
pub struct Link {
    pub url: Option<String>,
    pub label: String,
    pub active: bool,
}

/// One page of a list, as Laravel's length-aware paginator shapes it;
/// documented per item type as `{Item}Page` (`ProspectPage`).
#[derive(Debug, Serialize)]
pub struct Paginated<T> {
    pub current_page: u64,
    pub data: Vec<T>,
    pub first_page_url: String,
    pub from: Option<u64>,
    pub last_page: u64,
    pub last_page_url: String,
    pub links: Vec<Link>,
    pub next_page_url: Option<String>,
    pub path: String,
    pub per_page: u32,
    pub prev_page_url: Option<String>,
    pub to: Option<u64>,
    pub total: u64,
}

impl<T: ToSchema> ToSchema for Paginated<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Page", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
        schemas.push((Link::name().into_owned(), Link::schema()));
    }
}

impl<T: ToSchema> PartialSchema for Paginated<T> {
    fn schema() -> RefOr<Schema> {
        let integer = |minimum: Option<u32>, description: Option<&str>| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(minimum)
                .description(description.map(str::to_owned))
        };
        let position = |description: &str| {
            integer(Some(1), Some(description)).schema_type(
                utoipa::openapi::schema::SchemaType::from_iter([Type::Integer, Type::Null]),
            )
        };
        let url = |nullable: bool, description: Option<&str>| {
            let types = if nullable {
                utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
            } else {
                utoipa::openapi::schema::SchemaType::Type(Type::String)
            };
            ObjectBuilder::new()
                .schema_type(types)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uri)))
                .description(description.map(str::to_owned))
        };
        ObjectBuilder::new()
            .description(Some(format!(
                "One page of {}s: Laravel's length-aware paginator, key for key.",
                T::name().to_lowercase()
            )))
            .property("current_page", integer(Some(1), None))
            .required("current_page")
            .property(
                "data",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("data")
            .property("first_page_url", url(false, None))
            .required("first_page_url")
            .property(
                "from",
                position("Position of the first item on this page; `null` when the page is empty."),
            )
            .property("last_page", integer(Some(1), None))
            .required("last_page")
            .property("last_page_url", url(false, None))
            .required("last_page_url")
            .property(
                "links",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(Link::name()))
                    .description(Some("Previous, the page numbers (with `...` gaps), next.")),
            )
            .required("links")
            .property("next_page_url", url(true, None))
            .property(
                "path",
                url(false, Some("The list's URL without query string.")),
            )
            .required("path")
            .property("per_page", per_page_schema())
            .required("per_page")
            .property("prev_page_url", url(true, None))
            .property(
                "to",
                position("Position of the last item on this page; `null` when the page is empty."),
            )
            .property(
                "total",
                integer(
                    Some(0),
                    Some("Every row the caller may see, across all pages."),
                ),
            )
            .required("total")
            .into()
    }
}

/// `per_page` as both paginators show it.
fn per_page_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(100))
}

/// A page's URL: the list's path, the carried parameters, then the one
/// that picks the page (`page` or `cursor`).
fn page_url(path: &str, carried: &[(String, String)], key: &str, value: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (carried_key, carried_value) in carried {
        query.append_pair(carried_key, carried_value);
    }
    query.append_pair(key, value);
    format!("{path}?{}", query.finish())
}

/// Where the page is and how to build its URLs.
pub struct PageContext<'a> {
    /// Absolute URL of the list, without query string.
    pub path: String,
    /// Parameters every page URL repeats before `page`.
    pub carried: &'a [(String, String)],
    pub page: u64,
    pub per_page: u32,
    pub total: u64,
}

impl PageContext<'_> {
    fn url(&self, page: u64) -> String {
        page_url(&self.path, self.carried, "page", &page.to_string())
    }

    fn last_page(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page)).max(1)
    }

    pub fn paginate<T>(self, data: Vec<T>) -> Paginated<T> {
        let last_page = self.last_page();
        let count = data.len() as u64;
        let from = (count > 0).then(|| {
            (self.page - 1)
                .saturating_mul(u64::from(self.per_page))
                .saturating_add(1)
        });
        let to = from.map(|from| from + count - 1);
        let prev_page_url = (self.page > 1).then(|| self.url(self.page - 1));
        let next_page_url = (self.page < last_page).then(|| self.url(self.page + 1));
        let mut links = vec![Link {
            url: prev_page_url.clone(),
            label: "&laquo; Previous".to_owned(),
            active: false,
        }];
        for element in window(self.page, last_page) {
            links.push(match element {
                Some(page) => Link {
                    url: Some(self.url(page)),
                    label: page.to_string(),
                    active: page == self.page,
                },
                None => Link {
                    url: None,
                    label: "...".to_owned(),
                    active: false,
                },
            });
        }
        links.push(Link {
            url: next_page_url.clone(),
            label: "Next &raquo;".to_owned(),
            active: false,
        });
        Paginated {
            current_page: self.page,
            data,
            first_page_url: self.url(1),
            from,
            last_page,
            last_page_url: self.url(last_page),
            links,
            next_page_url,
            path: self.path.clone(),
            per_page: self.per_page,
            prev_page_url,
            to,
            total: self.total,
        }
    }
}

/// One cursor page of a list, as Laravel's cursor paginator shapes it;
/// documented per item type as `{Item}CursorPage` (`ProspectCursorPage`).
#[derive(Debug, Serialize)]
pub struct CursorPaginated<T> {
    pub data: Vec<T>,
    pub path: String,
    pub per_page: u32,
    pub next_cursor: Option<String>,
    pub next_page_url: Option<String>,
    pub prev_cursor: Option<String>,
    pub prev_page_url: Option<String>,
}

impl<T: ToSchema> ToSchema for CursorPaginated<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}CursorPage", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

impl<T: ToSchema> PartialSchema for CursorPaginated<T> {
    fn schema() -> RefOr<Schema> {
        let nullable = |format: Option<KnownFormat>, description: &str| {
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                    Type::String,
                    Type::Null,
                ]))
                .format(format.map(SchemaFormat::KnownFormat))
                .description(Some(description.to_owned()))
        };
        ObjectBuilder::new()
            .description(Some(format!(
                "One cursor page of {}s: Laravel's cursor paginator, key for key.",
                T::name().to_lowercase()
            )))
            .property(
                "data",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("data")
            .property(
                "path",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uri)))
                    .description(Some("The list's URL without query string.")),
            )
            .required("path")
            .property("per_page", per_page_schema())
            .required("per_page")
            .property(
                "next_cursor",
                nullable(None, "`cursor` of the next page; `null` on the last."),
            )
            .required("next_cursor")
            .property(
                "next_page_url",
                nullable(Some(KnownFormat::Uri), "The next page; `null` on the last."),
            )
            .required("next_page_url")
            .property(
                "prev_cursor",
                nullable(None, "`cursor` of the previous page; `null` on the first."),
            )
            .required("prev_cursor")
            .property(
                "prev_page_url",
                nullable(
                    Some(KnownFormat::Uri),
                    "The previous page; `null` on the first.",
                ),
            )
            .required("prev_page_url")
            .into()
    }
}

/// What a list answers, documented as `{Item}List`: a numbered page, or a
/// cursor page when the request has `cursor`. (For the document only: each
/// handler answers one or the other.)
pub struct Listed<T>(std::marker::PhantomData<T>);

impl<T: ToSchema> ToSchema for Listed<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}List", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            Paginated::<T>::name().into_owned(),
            Paginated::<T>::schema(),
        ));
        Paginated::<T>::schemas(schemas);
        schemas.push((
            CursorPaginated::<T>::name().into_owned(),
            CursorPaginated::<T>::schema(),
        ));
    }
}

impl<T: ToSchema> PartialSchema for Listed<T> {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(Ref::from_schema_name(Paginated::<T>::name()))
            .item(Ref::from_schema_name(CursorPaginated::<T>::name()))
            .description(Some(
                "A numbered page; a cursor page when the request has `cursor`.",
            ))
            .into()
    }
}

/// Where a cursor page is and how to build its URLs.
pub struct CursorContext<'a> {
    /// Absolute URL of the list, without query string.
    pub path: String,
    /// Parameters every page URL repeats before `cursor`.
    pub carried: &'a [(String, String)],
    pub per_page: u32,
}

impl CursorContext<'_> {
    fn url(&self, cursor: &str) -> String {
        page_url(&self.path, self.carried, "cursor", cursor)
    }

    /// The page, given its items and the cursors of its neighbours.
    pub fn paginate<T>(
        self,
        data: Vec<T>,
        next_cursor: Option<String>,
        prev_cursor: Option<String>,
    ) -> CursorPaginated<T> {
        CursorPaginated {
            next_page_url: next_cursor.as_deref().map(|cursor| self.url(cursor)),
            prev_page_url: prev_cursor.as_deref().map(|cursor| self.url(cursor)),
            data,
            path: self.path.clone(),
            per_page: self.per_page,
            next_cursor,
            prev_cursor,
        }
    }
}

/// Laravel's `UrlWindow` with `onEachSide = 3`: page numbers, `None` for "...".
fn window(current: u64, last: u64) -> Vec<Option<u64>> {
    const EACH_SIDE: u64 = 3;
    const WINDOW: u64 = EACH_SIDE + 4;
    let range = |from: u64, to: u64| (from..=to).map(Some).collect::<Vec<_>>();
    if last < EACH_SIDE * 2 + 8 {
        return range(1, last);
    }
    let mut pages = Vec::new();
    if current <= WINDOW {
        pages.extend(range(1, WINDOW + EACH_SIDE));
        pages.push(None);
        pages.extend(range(last - 1, last));
    } else if current > last - WINDOW {
        pages.extend(range(1, 2));
        pages.push(None);
        pages.extend(range(last - (WINDOW + EACH_SIDE - 1), last));
    } else {
        pages.extend(range(1, 2));
        pages.push(None);
        pages.extend(range(current - EACH_SIDE, current + EACH_SIDE));
        pages.push(None);
        pages.extend(range(last - 1, last));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(current: u64, last: u64) -> Vec<String> {
        window(current, last)
            .into_iter()
            .map(|page| page.map_or("...".to_owned(), |p| p.to_string()))
            .collect()
    }

    #[test]
    fn few_pages_are_all_listed() {
        assert_eq!(labels(1, 1), ["1"]);
        assert_eq!(
            labels(5, 13),
            (1..=13).map(|p| p.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn many_pages_are_windowed_like_laravel() {
        assert_eq!(
            labels(1, 20),
            [
                "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "...", "19", "20"
            ]
        );
        assert_eq!(
            labels(14, 20),
            [
                "1", "2", "...", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"
            ]
        );
        assert_eq!(
            labels(10, 30),
            [
                "1", "2", "...", "7", "8", "9", "10", "11", "12", "13", "...", "29", "30"
            ]
        );
    }

    #[test]
    fn urls_carry_the_query_and_put_page_last() {
        let carried = vec![
            ("filter[name]".to_owned(), "a b".to_owned()),
            ("per_page".to_owned(), "2".to_owned()),
        ];
        let page = PageContext {
            path: "http://h/api/v1/prospects".to_owned(),
            carried: &carried,
            page: 2,
            per_page: 2,
            total: 5,
        }
        .paginate(vec![1, 2]);
        assert_eq!(
            page.next_page_url.as_deref(),
            Some("http://h/api/v1/prospects?filter%5Bname%5D=a+b&per_page=2&page=3")
        );
        assert_eq!((page.from, page.to, page.last_page), (Some(3), Some(4), 3));
        assert_eq!(page.links.len(), 5);
        assert!(page.links[2].active);
    }

    #[test]
    fn an_empty_page_has_no_bounds() {
        let page = PageContext {
            path: "p".to_owned(),
            carried: &[],
            page: 9,
            per_page: 15,
            total: 3,
        }
        .paginate(Vec::<u8>::new());
        assert_eq!((page.from, page.to, page.last_page), (None, None, 1));
        assert_eq!(page.next_page_url, None);
        assert_eq!(page.prev_page_url.as_deref(), Some("p?page=8"));
    }
}
