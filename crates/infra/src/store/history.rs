//! `HistoryRepository`, one code base for both backends, and [`record!`],
//! which every write to an account, or to what it owns, runs in its own
//! transaction.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use prospects_domain::{
    AccountId, AccountKind, Action, Actor, Author, FieldChange, HistoryEntry, HistoryQuery,
    HistoryRepository, Page, RepositoryError, Subject, UserId, Value,
};
use serde_json::{Map, Value as Json, json};

use super::{History, with_conn};
use crate::errors::from_diesel;
use crate::rows::now;
use crate::schema::account_history as history;

/// A new entry: who wrote what to which account.
#[derive(Insertable)]
#[diesel(table_name = history)]
pub(crate) struct EntryWrite<'a> {
    account_id: i64,
    kind: &'static str,
    action: &'static str,
    subject: &'static str,
    subject_id: Option<i64>,
    user_id: i64,
    token_id: Option<&'a str>,
    request_id: Option<&'a str>,
    at: NaiveDateTime,
    changes: String,
}

impl<'a> EntryWrite<'a> {
    pub(crate) fn new(
        account: (i64, AccountKind),
        action: Action,
        subject: Subject,
        by: &'a Actor,
        changes: &[FieldChange],
    ) -> Self {
        let trace = by.trace();
        Self {
            account_id: account.0,
            kind: account.1.as_str(),
            action: action.as_str(),
            subject: subject.name(),
            subject_id: subject.id(),
            user_id: by.user_id().0,
            token_id: trace.token_id.as_deref(),
            request_id: trace.request_id.as_deref(),
            at: now(),
            changes: encode(changes),
        }
    }
}

/// Appends an entry (an [`EntryWrite`]) to the history, inside the
/// enclosing transaction: the entry and its write are kept or lost together.
macro_rules! record {
    ($c:expr, $entry:expr) => {
        diesel::insert_into($crate::schema::account_history::table)
            .values($entry)
            .execute($c)
            .await?
    };
}
pub(super) use record;

fn encode(changes: &[FieldChange]) -> String {
    let list: Vec<Json> = changes
        .iter()
        .map(|change| {
            json!({
                "field": change.field,
                "old": to_json(&change.old),
                "new": to_json(&change.new),
            })
        })
        .collect();
    Json::Array(list).to_string()
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Text(text) => Json::String(text.clone()),
        Value::Integer(number) => Json::from(*number),
        Value::Boolean(flag) => Json::Bool(*flag),
    }
}

fn from_json(json: &Json) -> Value {
    match json {
        Json::String(text) => Value::Text(text.clone()),
        Json::Bool(flag) => Value::Boolean(*flag),
        Json::Number(number) => number.as_i64().map_or(Value::Null, Value::Integer),
        _ => Value::Null,
    }
}

fn decode(text: &str) -> Vec<FieldChange> {
    let Ok(Json::Array(list)) = serde_json::from_str::<Json>(text) else {
        return Vec::new();
    };
    let empty = Map::new();
    list.iter()
        .map(|change| {
            let change = change.as_object().unwrap_or(&empty);
            let get = |name: &str| change.get(name).map_or(Value::Null, from_json);
            FieldChange {
                field: change
                    .get("field")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                old: get("old"),
                new: get("new"),
            }
        })
        .collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = history)]
struct EntryRow {
    id: i64,
    action: String,
    subject: String,
    subject_id: Option<i64>,
    user_id: i64,
    token_id: Option<String>,
    request_id: Option<String>,
    at: NaiveDateTime,
    changes: String,
}

impl EntryRow {
    /// `None` for a row no write of ours produced (a CHECK-less column
    /// holding something unknown): shown as nothing rather than guessed at.
    fn into_entry(self) -> Option<HistoryEntry> {
        Some(HistoryEntry {
            id: self.id,
            action: Action::parse(&self.action)?,
            subject: Subject::parse(&self.subject, self.subject_id)?,
            author: Author {
                user: UserId(self.user_id),
                token_id: self.token_id,
                request_id: self.request_id,
            },
            at: self.at.and_utc(),
            changes: decode(&self.changes),
        })
    }
}

#[async_trait]
impl HistoryRepository for History {
    async fn list(
        &self,
        kind: AccountKind,
        id: AccountId,
        query: HistoryQuery,
    ) -> Result<Page<HistoryEntry>, RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                let of_account = || {
                    history::table
                        .filter(history::account_id.eq(id.0))
                        .filter(history::kind.eq(kind.as_str()))
                };
                let (total, rows) = with_conn!(&mut conn, |c| {
                    async {
                        let total: i64 = of_account().count().get_result(c).await?;
                        let rows: Vec<EntryRow> = of_account()
                            .order(history::id.desc())
                            .offset(query.offset())
                            .limit(i64::from(query.per_page))
                            .select(EntryRow::as_select())
                            .load(c)
                            .await?;
                        Ok::<_, diesel::result::Error>((total, rows))
                    }
                    .await
                })
                .map_err(from_diesel)?;
                Ok(Page {
                    total: u64::try_from(total).unwrap_or_default(),
                    items: rows.into_iter().filter_map(EntryRow::into_entry).collect(),
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_the_round_trip_through_json() {
        let changes = vec![
            FieldChange {
                field: "name".into(),
                old: Value::Text("Acme".into()),
                new: Value::Text("Acme \"SA\"".into()),
            },
            FieldChange {
                field: "representative_id".into(),
                old: Value::Null,
                new: Value::Integer(i64::MAX),
            },
            FieldChange {
                field: "active".into(),
                old: Value::Boolean(true),
                new: Value::Boolean(false),
            },
        ];
        assert_eq!(decode(&encode(&changes)), changes);
        assert_eq!(encode(&[]), "[]");
    }
}
