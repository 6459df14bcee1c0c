//! The data a run needs: 50 sales users (through the API, as an operator
//! would add them) and N prospects (through the storage adapter's bulk path,
//! which writes the same folded and search columns a create would).

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use hyper::{Method, StatusCode};
use prospects_domain::AccountKind;
use prospects_infra::{PoolSettings, Store};

use crate::data;
use crate::direct::Direct;
use crate::http::Connection;
use crate::scenarios::DeepCursor;

pub const SALES_USERS: usize = 50;
const PASSWORD: &str = "bench-password";

fn email(n: usize) -> String {
    format!("rep{n:02}@bench.example")
}

/// The sales users' ids, creating those that do not exist yet.
pub async fn users(conn: &mut Connection, admin: &str) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(SALES_USERS);
    for n in 1..=SALES_USERS {
        let listed = conn
            .send(
                Method::GET,
                &format!("/api/v1/users?filter%5Bemail%5D={}", email(n)),
                admin,
                None,
            )
            .await?;
        let listed = listed.json()?;
        let found = listed["data"]
            .as_array()
            .and_then(|users| users.iter().find(|user| user["email"] == email(n).as_str()))
            .and_then(|user| user["id"].as_i64());
        let id = match found {
            Some(id) => id,
            None => {
                let body = serde_json::json!({
                    "name": format!("Représentant {n:02}"),
                    "email": email(n),
                    "role": 5,
                    "password": PASSWORD,
                });
                let created = conn
                    .send(Method::POST, "/api/v1/users", admin, Some(body.to_string()))
                    .await?;
                if created.status != StatusCode::CREATED {
                    bail!(
                        "creating a sales user: {} {}",
                        created.status,
                        String::from_utf8_lossy(&created.body)
                    );
                }
                created.json()?["id"]
                    .as_i64()
                    .context("a created user has an id")?
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

/// A token for the first sales user, by logging in.
pub async fn sales_token(conn: &mut Connection) -> anyhow::Result<String> {
    let body = serde_json::json!({"email": email(1), "password": PASSWORD});
    let answer = conn
        .send(Method::POST, "/api/login", "", Some(body.to_string()))
        .await?;
    if answer.status != StatusCode::OK {
        bail!(
            "login: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    answer.json()?["token"]
        .as_str()
        .map(str::to_owned)
        .context("a login answers with a token")
}

/// Walks `sort=-created_at` by cursor, 100 rows a page, to 10,000 rows
/// deep (or halfway through a smaller table), and keeps the last cursor.
pub async fn deep_cursor(
    conn: &mut Connection,
    admin: &str,
    rows: u64,
) -> anyhow::Result<DeepCursor> {
    const PER_PAGE: u64 = 100;
    let steps = (rows / PER_PAGE / 2).clamp(1, 100);
    let mut next = String::new();
    let mut last = serde_json::Value::Null;
    for _ in 0..steps {
        let answer = conn
            .send(
                Method::GET,
                &format!("/api/v1/prospects?sort=-created_at&per_page={PER_PAGE}&cursor={next}"),
                admin,
                None,
            )
            .await?;
        if answer.status != StatusCode::OK {
            bail!(
                "walking by cursor: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        let page = answer.json()?;
        let Some(cursor) = page["next_cursor"].as_str() else {
            bail!("walking by cursor: the list ended after fewer than {rows} rows");
        };
        next = cursor.to_owned();
        last = page["data"][PER_PAGE as usize - 1].clone();
    }
    let created_at = last["created_at"]
        .as_str()
        .context("a prospect has created_at")?;
    let created_at = chrono::DateTime::parse_from_rfc3339(created_at)?
        .naive_utc()
        // As the application stores it (SQLite compares the text).
        .format("%F %T%.f")
        .to_string();
    Ok(DeepCursor {
        cursor: next,
        depth: steps * PER_PAGE,
        created_at,
        id: last["id"].as_i64().context("a prospect has an id")?,
    })
}

/// Writes prospects until there are `rows`; a database that already holds
/// exactly that many (a reused one) is left alone.
pub async fn prospects(
    url: &str,
    direct: &Direct,
    rows: u64,
    representatives: &[i64],
) -> anyhow::Result<()> {
    let existing = u64::try_from(direct.count("kind = 'prospect'").await?)?;
    if existing >= rows {
        eprintln!("bench: reusing {existing} prospects");
        return Ok(());
    }
    if existing > 0 {
        bail!("the database holds {existing} prospects, not {rows}: run without --reuse");
    }
    let settings = PoolSettings {
        max_size: 2,
        timeout: Duration::from_secs(600),
    };
    let store = Store::connect(url, &settings).await?;
    let started = Instant::now();
    const BATCH: u64 = 10_000;
    // Two writers on PostgreSQL (its index upkeep is the cost, one core
    // each); SQLite takes one writer at a time anyway.
    let writers: u64 = if url.starts_with("postgres") { 2 } else { 1 };
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let store = store.clone();
        let representatives = representatives.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut first = writer * BATCH;
            while first < rows {
                let batch: Vec<_> = (first..(first + BATCH).min(rows))
                    .map(|row| data::prospect(row, rows, &representatives))
                    .collect();
                store
                    .accounts()
                    .import(AccountKind::Prospect, &batch)
                    .await
                    .map_err(|e| anyhow::anyhow!("import: {e}"))?;
                first += BATCH * writers;
                if writer == 0 {
                    eprintln!("bench: {} of {rows} prospects", first.min(rows));
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    eprintln!(
        "bench: seeded {rows} prospects in {:.0?}",
        started.elapsed()
    );
    Ok(())
}
