//! PostgreSQL's own floor: the statements a perfect adapter would send for
//! a scenario's answer, prepared once per connection and run in a loop.

use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;
use prospects_domain::ProspectFields;
use prospects_domain::search;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

use crate::data::Rng;
use crate::load::Worker;
use crate::scenarios::{self, Action, Context, Scenario};

/// A connection of its own (the driver closes it when the client drops).
pub async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .context("cannot connect to PostgreSQL")?;
    tokio::spawn(connection);
    Ok(client)
}

pub struct FloorWorker {
    client: Client,
    statements: Vec<Statement>,
    scenario: Arc<Scenario>,
    context: Arc<Context>,
    rng: Rng,
}

const PAGE_OF_IDS: &str =
    "SELECT * FROM accounts WHERE kind = 'prospect' AND id = ANY($1) ORDER BY id LIMIT 25";
const COUNT_OF_IDS: &str = "SELECT count(*) FROM accounts WHERE kind = 'prospect' AND id = ANY($1)";
const INSERT: &str = "INSERT INTO accounts (kind, name, representative_id, main_address_city, \
     main_address_country, active, charge_vat, merge_invoices, accept_emails, accept_calls, \
     created_at, updated_at, name_key, search_document) \
     VALUES ('prospect', $1, $2, $3, 'FR', true, true, false, true, true, \
     LOCALTIMESTAMP, LOCALTIMESTAMP, $4, $5) RETURNING *";
const UPDATE: &str = "UPDATE accounts SET main_address_city = $1, search_document = $2, \
     updated_at = LOCALTIMESTAMP WHERE id = $3 AND kind = 'prospect' RETURNING *";
/// The update and its history entry, atomic in one statement: the fewest
/// round trips a perfect adapter could spend on both.
const UPDATE_WITH_HISTORY: &str = "WITH changed AS (UPDATE accounts SET main_address_city = $1, \
     search_document = $2, updated_at = LOCALTIMESTAMP WHERE id = $3 AND kind = 'prospect' \
     RETURNING *), entry AS (INSERT INTO account_history (account_id, kind, action, subject, \
     user_id, token_id, request_id, at, changes) SELECT id, kind, 'updated', 'account', 1, $4, \
     $5, LOCALTIMESTAMP, $6 FROM changed) SELECT * FROM changed";

impl FloorWorker {
    pub async fn new(
        url: &str,
        scenario: Arc<Scenario>,
        context: Arc<Context>,
        seed: u64,
    ) -> anyhow::Result<Self> {
        let client = connect(url).await?;
        let sql: Vec<String> = match &scenario.action {
            Action::GetOne => vec![
                "SELECT * FROM accounts WHERE id = $1 AND kind = 'prospect'".into(),
                "SELECT * FROM contacts WHERE account_id = $1 ORDER BY id".into(),
                "SELECT * FROM documents WHERE account_id = $1 ORDER BY id".into(),
                "SELECT * FROM payment_plans WHERE account_id = $1".into(),
            ],
            Action::List { floor, .. } | Action::CursorPage { floor } => floor.clone(),
            Action::ListIds => vec![PAGE_OF_IDS.into(), COUNT_OF_IDS.into()],
            Action::Create { .. } => vec![INSERT.into()],
            Action::Update { with_history } => match with_history {
                false => vec![UPDATE.into()],
                true => vec![UPDATE_WITH_HISTORY.into()],
            },
        };
        let mut statements = Vec::with_capacity(sql.len());
        for text in &sql {
            statements.push(
                client
                    .prepare(text)
                    .await
                    .with_context(|| format!("cannot prepare {text}"))?,
            );
        }
        Ok(Self {
            client,
            statements,
            scenario,
            context,
            rng: Rng::new(seed),
        })
    }

    async fn run_all(&self, parameters: &[&(dyn ToSql + Sync)]) -> Result<(), String> {
        for statement in &self.statements {
            let parameters = &parameters[..statement.params().len()];
            self.client
                .query(statement, parameters)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[async_trait]
impl Worker for FloorWorker {
    async fn once(&mut self) -> Result<(), String> {
        match &self.scenario.action {
            Action::GetOne => {
                let id = self.context.random_id(&mut self.rng);
                self.run_all(&[&id]).await
            }
            Action::CursorPage { .. } => self.run_all(&[]).await,
            Action::List { .. } => {
                let sales_id = self.context.sales_id;
                self.run_all(&[&sales_id]).await
            }
            Action::ListIds => {
                let ids = scenarios::random_ids(&self.context, &mut self.rng);
                self.run_all(&[&ids]).await
            }
            Action::Create { .. } => {
                let (name, city) = scenarios::new_prospect(&mut self.rng);
                let mut fields = ProspectFields::named(name.clone());
                fields.main_address_city = Some(city.to_owned());
                let key = search::name_key(&name);
                let document = search::document(&fields);
                let city = city.to_owned();
                let sales_id = self.context.sales_id;
                self.run_all(&[&name, &sales_id, &city, &key, &document])
                    .await
            }
            Action::Update { .. } => {
                let id = self.context.random_id(&mut self.rng);
                let city = self.rng.pick(&["Lyon", "Nantes"]).to_owned();
                // A perfect adapter recomputes the document in the same
                // statement; its length is what matters here. So for the
                // entry: the old city is a stand-in of a typical length.
                let document = format!(" bench {} ", search::fold(&city));
                let token_id = "0".repeat(64);
                let request_id = format!("bench-{id}");
                let changes = serde_json::json!([
                    {"field": "main_address_city", "old": "Paris", "new": city}
                ])
                .to_string();
                self.run_all(&[&city, &document, &id, &token_id, &request_id, &changes])
                    .await
            }
        }
    }
}
