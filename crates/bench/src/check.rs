//! Before any load: one request per scenario, its answer checked against
//! the database itself. Speed means nothing if the answer is wrong.

use anyhow::{bail, ensure};

use crate::data::Rng;
use crate::direct::Direct;
use crate::http::Connection;
use crate::scenarios::{Action, Context, Scenario, random_ids};

/// Checks `scenario`'s answer: a list's `total` equals a direct count and
/// its page holds as many rows as it should; a single prospect is the one
/// asked for; a write answers with what it wrote.
pub async fn answer(
    conn: &mut Connection,
    direct: &Direct,
    context: &Context,
    scenario: &Scenario,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(7);
    let request = scenario.request(context, &mut rng);
    let answer = conn
        .send_with(
            request.method.clone(),
            &request.path,
            context.token(scenario.caller),
            request.body.clone(),
            &request.headers,
        )
        .await?;
    if answer.status != request.expect {
        bail!(
            "{} {}: {} {}",
            request.method,
            request.path,
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    let body = answer.json()?;
    let expected = |matching: &str, per_page: u64, offset: u64| {
        let matching = matching.to_owned();
        async move {
            let total = direct.count(&matching).await?;
            let rows = u64::try_from(total)?.saturating_sub(offset).min(per_page);
            Ok::<_, anyhow::Error>((total, rows))
        }
    };
    let (total, rows) = match &scenario.action {
        Action::List {
            matching,
            per_page,
            offset,
            ..
        } => expected(matching, *per_page, *offset).await?,
        Action::CursorPage { .. } => {
            // The page after the cursor's row: the rows a direct count puts
            // beyond it, up to 25, and a next cursor while more remain.
            let beyond = direct
                .count(&format!(
                    "kind = 'prospect' AND (created_at < '{at}' OR (created_at = '{at}' AND id < {id}))",
                    at = context.deep_cursor.created_at,
                    id = context.deep_cursor.id
                ))
                .await?;
            let rows = u64::try_from(beyond)?.min(25);
            let page = body["data"].as_array().map_or(0, Vec::len) as u64;
            ensure!(
                page == rows,
                "{}: {page} rows, {rows} expected",
                request.path
            );
            ensure!(
                body["next_cursor"].is_string() == (u64::try_from(beyond)? > 25),
                "{}: next_cursor {} with {beyond} rows beyond",
                request.path,
                body["next_cursor"]
            );
            return Ok(());
        }
        Action::ListIds => {
            // The same ids the request named: the generator is replayed.
            let ids = random_ids(context, &mut Rng::new(7));
            let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
            let matching = format!("kind = 'prospect' AND id IN ({})", listed.join(","));
            expected(&matching, 25, 0).await?
        }
        Action::GetOne | Action::Update { .. } => {
            let wanted: i64 = request
                .path
                .rsplit('/')
                .next()
                .and_then(|id| id.parse().ok())
                .unwrap_or_default();
            ensure!(
                body["id"] == wanted,
                "{}: answered prospect {}",
                request.path,
                body["id"]
            );
            return Ok(());
        }
        Action::Create { .. } => {
            ensure!(
                body["customer_account"]
                    .as_str()
                    .is_some_and(|account| account.starts_with("PR")),
                "a created prospect has an account number: {body}"
            );
            return Ok(());
        }
    };
    ensure!(
        body["total"] == total,
        "{}: total {} but the database counts {total}",
        request.path,
        body["total"]
    );
    let page = body["data"].as_array().map_or(0, Vec::len) as u64;
    ensure!(
        page == rows,
        "{}: {page} rows on the page, {rows} expected",
        request.path
    );
    Ok(())
}
