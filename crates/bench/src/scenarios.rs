//! What is measured: each scenario is one kind of request (as an admin or
//! a sales user), the direct count its total must equal, and the SQL a
//! perfect adapter would send for the same answer (the floor).

use hyper::{Method, StatusCode};
use prospects_domain::search::SearchTerm;
use prospects_domain::{AccountKind, AccountNumber};

use crate::data::{COMMON_CITY, COMMON_NAME_WORD, RARE_WORD, Rng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Sales,
}

/// What the run knows about its data and its callers.
#[derive(Debug, Clone)]
pub struct Context {
    /// Ids `1..=rows` hold the seeded prospects.
    pub rows: u64,
    pub admin_token: String,
    pub sales_token: String,
    /// The sales user's id: the representative of one prospect in 50.
    pub sales_id: i64,
    /// A cursor deep into `sort=-created_at`, and the row it follows.
    pub deep_cursor: DeepCursor,
}

/// A `sort=-created_at` cursor reached by walking the list (cursors are
/// signed: only the server makes them), and the row it resumes after.
#[derive(Debug, Clone)]
pub struct DeepCursor {
    pub cursor: String,
    /// Rows before the cursor.
    pub depth: u64,
    /// The last row before it: its `created_at` as stored, and its id.
    pub created_at: String,
    pub id: i64,
}

impl Context {
    pub fn token(&self, caller: Caller) -> &str {
        match caller {
            Caller::Admin => &self.admin_token,
            Caller::Sales => &self.sales_token,
        }
    }

    pub fn random_id(&self, rng: &mut Rng) -> i64 {
        i64::try_from(rng.between(1, self.rows.max(1))).unwrap_or(1)
    }
}

#[derive(Debug, Clone)]
pub enum Action {
    /// `GET /api/v1/prospects/{random id}`.
    GetOne,
    /// `GET /api/v1/prospects?{query}`: a page whose `total` must equal
    /// `SELECT count(*) FROM accounts WHERE {matching}`.
    List {
        query: String,
        matching: String,
        per_page: u64,
        offset: u64,
        /// The floor's statements (`$1` is the sales user's id where used).
        floor: Vec<String>,
    },
    /// `GET /api/v1/prospects?filter[id]=...` with 25 random ids.
    ListIds,
    /// `GET /api/v1/prospects?sort=-created_at&per_page=25&cursor=...`
    /// from [`Context::deep_cursor`]: a full page, no total.
    CursorPage { floor: Vec<String> },
    /// `POST /api/v1/prospects`, under a new `Idempotency-Key` each time
    /// when `keyed`.
    Create { keyed: bool },
    /// `PUT /api/v1/prospects/{random id}` changing one field; the floor
    /// also writes the change's history entry when `with_history`.
    Update { with_history: bool },
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub caller: Caller,
    pub action: Action,
    /// What the floor runs, in words, for the report.
    pub floor_note: &'static str,
}

/// One request: what to send and the status a correct answer has.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<String>,
    /// Beyond authorization and content type.
    pub headers: Vec<(&'static str, String)>,
    pub expect: StatusCode,
}

/// The row's columns, as the adapter would read them.
const ROW: &str = "SELECT * FROM accounts";
const PROSPECTS: &str = "kind = 'prospect'";

/// Every scenario, in the report's order.
pub fn all(context: &Context) -> Vec<Scenario> {
    let sales = format!("{PROSPECTS} AND representative_id = {}", context.sales_id);
    let deep_page = (context.rows / 25 / 2).clamp(1, 2000);
    let account = AccountNumber::for_id(
        AccountKind::Prospect,
        i64::try_from((context.rows / 2).max(1)).unwrap_or(1),
    );
    let term = |name, caller, raw: &str| {
        let (matching, order) = term_sql(raw, caller, context.sales_id);
        let floor_matching = if caller == Caller::Sales {
            matching.replace(
                &format!("representative_id = {}", context.sales_id),
                "representative_id = $1",
            )
        } else {
            matching.clone()
        };
        Scenario {
            name,
            caller,
            action: Action::List {
                query: format!("filter[term_match]={raw}"),
                floor: vec![
                    format!("{ROW} WHERE {floor_matching} ORDER BY {order}, id LIMIT 15"),
                    format!("SELECT count(*) FROM accounts WHERE {floor_matching}"),
                ],
                matching,
                per_page: 15,
                offset: 0,
            },
            floor_note: "the page by relevance, then its count",
        }
    };
    let name_filter = |name, part: &str| {
        let matching = format!("{PROSPECTS} AND name_key LIKE '%{part}%'");
        Scenario {
            name,
            caller: Caller::Admin,
            action: Action::List {
                query: format!("filter[name]={part}"),
                floor: vec![
                    format!("{ROW} WHERE {matching} ORDER BY id LIMIT 15"),
                    format!("SELECT count(*) FROM accounts WHERE {matching}"),
                ],
                matching,
                per_page: 15,
                offset: 0,
            },
            floor_note: "the page, then its count",
        }
    };
    vec![
        Scenario {
            name: "GET one by random id",
            caller: Caller::Admin,
            action: Action::GetOne,
            floor_note: "the row, its contacts, documents and payment plan: four SELECTs",
        },
        Scenario {
            name: "list per_page=25&sort=-created_at, admin",
            caller: Caller::Admin,
            action: Action::List {
                query: "per_page=25&sort=-created_at".into(),
                matching: PROSPECTS.into(),
                per_page: 25,
                offset: 0,
                floor: vec![format!(
                    "{ROW} WHERE {PROSPECTS} ORDER BY created_at DESC, id DESC LIMIT 25"
                )],
            },
            floor_note: "the page alone (no total)",
        },
        Scenario {
            name: "list as a sales user, default order",
            caller: Caller::Sales,
            action: Action::List {
                query: String::new(),
                matching: sales.clone(),
                per_page: 15,
                offset: 0,
                floor: vec![format!(
                    "{ROW} WHERE {PROSPECTS} AND representative_id = $1 ORDER BY id LIMIT 15"
                )],
            },
            floor_note: "the page alone (no total)",
        },
        Scenario {
            name: "list as a sales user, sort=-created_at",
            caller: Caller::Sales,
            action: Action::List {
                query: "sort=-created_at".into(),
                matching: sales,
                per_page: 15,
                offset: 0,
                floor: vec![format!(
                    "{ROW} WHERE {PROSPECTS} AND representative_id = $1 ORDER BY created_at DESC, id DESC LIMIT 15"
                )],
            },
            floor_note: "the page alone (no total)",
        },
        name_filter("filter[name]=acme (common)", COMMON_NAME_WORD),
        name_filter("filter[name]=zephyrin (rare)", RARE_WORD),
        term("term_match=paris (common)", Caller::Admin, COMMON_CITY),
        term(
            "term_match=paris as a sales user",
            Caller::Sales,
            COMMON_CITY,
        ),
        term("term_match=acm (prefix)", Caller::Admin, "acm"),
        term(
            "term_match=<account number>",
            Caller::Admin,
            account.as_str(),
        ),
        term(
            "term_match=acme paris (two words)",
            Caller::Admin,
            "acme paris",
        ),
        term("term_match=zephyrin (rare)", Caller::Admin, RARE_WORD),
        Scenario {
            name: "filter[id]=25 random ids",
            caller: Caller::Admin,
            action: Action::ListIds,
            floor_note: "the page, then its count",
        },
        Scenario {
            name: "page=2000&per_page=25 (or the middle page)",
            caller: Caller::Admin,
            action: Action::List {
                query: format!("page={deep_page}&per_page=25"),
                matching: PROSPECTS.into(),
                per_page: 25,
                offset: (deep_page - 1) * 25,
                floor: vec![format!(
                    "{ROW} WHERE id IN (SELECT id FROM accounts WHERE {PROSPECTS} \
                     ORDER BY id LIMIT 25 OFFSET {}) ORDER BY id",
                    (deep_page - 1) * 25
                )],
            },
            floor_note: "the page's ids by OFFSET (index-only), then their rows (no total)",
        },
        Scenario {
            name: "cursor page, sort=-created_at, per_page=25",
            caller: Caller::Admin,
            action: Action::CursorPage {
                floor: vec![format!(
                    "{ROW} WHERE {PROSPECTS} AND (created_at, id) < ('{}', {}) \
                     ORDER BY created_at DESC, id DESC LIMIT 26",
                    context.deep_cursor.created_at, context.deep_cursor.id
                )],
            },
            floor_note: "the page beyond the cursor's row, one more row (keyset)",
        },
        Scenario {
            name: "POST create",
            caller: Caller::Admin,
            action: Action::Create { keyed: false },
            floor_note: "one INSERT ... RETURNING",
        },
        Scenario {
            name: "POST create with Idempotency-Key",
            caller: Caller::Admin,
            action: Action::Create { keyed: true },
            floor_note: "one INSERT ... RETURNING",
        },
        Scenario {
            name: "PUT one field",
            caller: Caller::Admin,
            action: Action::Update {
                with_history: false,
            },
            floor_note: "one UPDATE ... RETURNING",
        },
        // The same requests against a floor that also writes the history
        // entry: how much of an update's throughput the history costs the
        // database itself (issue 14 bounds it at 25 %).
        Scenario {
            name: "PUT one field, history in the floor",
            caller: Caller::Admin,
            action: Action::Update { with_history: true },
            floor_note: "one UPDATE and its history INSERT, one statement",
        },
    ]
}

/// SPEC §3's term semantics over the stored columns, as SQL both backends
/// run: which rows match, and the relevance order.
fn term_sql(raw: &str, caller: Caller, sales_id: i64) -> (String, String) {
    let term = SearchTerm::parse(raw).unwrap_or_else(|| panic!("{raw} holds a word"));
    let searched = "(' ' || lower(customer_account) || search_document)";
    let mut matching = PROSPECTS.to_owned();
    if caller == Caller::Sales {
        matching.push_str(&format!(" AND representative_id = {sales_id}"));
    }
    for word in term.whole_words() {
        matching.push_str(&format!(" AND {searched} LIKE '% {word} %'"));
    }
    matching.push_str(&format!(" AND {searched} LIKE '% {}%'", term.prefix()));
    let phrase = term.phrase();
    let order = format!(
        "CASE WHEN name_key LIKE '{phrase}%' THEN 0 WHEN name_key LIKE '% {phrase}%' THEN 1 ELSE 2 END"
    );
    (matching, order)
}

/// `[`, `]` and spaces percent-encoded, as a browser would send them.
fn encode(query: &str) -> String {
    query
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace(' ', "%20")
}

/// 25 distinct random ids, for `filter[id]`.
pub fn random_ids(context: &Context, rng: &mut Rng) -> Vec<i64> {
    let mut ids: Vec<i64> = (0..25).map(|_| context.random_id(rng)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Different in every run of the benchmark.
fn run_nonce() -> u128 {
    static NONCE: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos())
    })
}

/// A new prospect's name and city, different on every call.
pub fn new_prospect(rng: &mut Rng) -> (String, &'static str) {
    (
        format!("Bench Créée {}", rng.next_u64() % 1_000_000_000),
        "Lyon",
    )
}

impl Scenario {
    /// The next request of this scenario.
    pub fn request(&self, context: &Context, rng: &mut Rng) -> Request {
        let get = |path: String| Request {
            method: Method::GET,
            path,
            body: None,
            headers: Vec::new(),
            expect: StatusCode::OK,
        };
        match &self.action {
            Action::GetOne => get(format!("/api/v1/prospects/{}", context.random_id(rng))),
            Action::List { query, .. } => get(format!("/api/v1/prospects?{}", encode(query))),
            Action::CursorPage { .. } => get(format!(
                "/api/v1/prospects?sort=-created_at&per_page=25&cursor={}",
                context.deep_cursor.cursor
            )),
            Action::ListIds => {
                let ids: Vec<String> = random_ids(context, rng)
                    .iter()
                    .map(i64::to_string)
                    .collect();
                get(format!(
                    "/api/v1/prospects?per_page=25&{}",
                    encode(&format!("filter[id]={}", ids.join(",")))
                ))
            }
            Action::Create { keyed } => {
                let (name, city) = new_prospect(rng);
                // Unique to this run too: a reused database keeps keys 24 h.
                let key = format!("bench-{}-{}", run_nonce(), rng.next_u64());
                Request {
                    method: Method::POST,
                    path: "/api/v1/prospects".into(),
                    headers: match keyed {
                        true => vec![("idempotency-key", key)],
                        false => Vec::new(),
                    },
                    body: Some(
                        serde_json::json!({
                            "name": name,
                            "main_address_city": city,
                            "representative_id": context.sales_id,
                        })
                        .to_string(),
                    ),
                    expect: StatusCode::CREATED,
                }
            }
            Action::Update { .. } => Request {
                method: Method::PUT,
                path: format!("/api/v1/prospects/{}", context.random_id(rng)),
                headers: Vec::new(),
                body: Some(
                    serde_json::json!({"main_address_city": rng.pick(&["Lyon", "Nantes"])})
                        .to_string(),
                ),
                expect: StatusCode::CREATED,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            rows: 2000,
            admin_token: "a".into(),
            sales_token: "s".into(),
            sales_id: 7,
            deep_cursor: DeepCursor {
                cursor: "c".into(),
                depth: 1000,
                created_at: "2026-12-07 04:00:00.123456".into(),
                id: 9,
            },
        }
    }

    #[test]
    fn terms_match_every_word_and_the_last_as_a_prefix() {
        let (matching, order) = term_sql("Acme Pâris", Caller::Sales, 7);
        assert!(matching.contains("representative_id = 7"));
        assert!(matching.contains("LIKE '% acme %'"));
        assert!(matching.contains("LIKE '% paris%'"));
        assert!(order.contains("'acme paris%'"));
    }

    #[test]
    fn the_deep_page_stays_inside_small_tables_and_queries_are_encoded() {
        let scenarios = all(&context());
        let deep = scenarios
            .iter()
            .find(|s| s.name.starts_with("page="))
            .expect("a deep page");
        let request = deep.request(&context(), &mut Rng::new(1));
        assert_eq!(request.path, "/api/v1/prospects?page=40&per_page=25");
        let named = &scenarios[4].request(&context(), &mut Rng::new(1));
        assert_eq!(named.path, "/api/v1/prospects?filter%5Bname%5D=acme");
    }

    #[test]
    fn sales_floors_take_the_user_as_a_parameter() {
        for scenario in all(&context()) {
            if let Action::List { floor, .. } = &scenario.action {
                let uses_parameter = floor.iter().any(|sql| sql.contains("$1"));
                assert_eq!(
                    uses_parameter,
                    scenario.caller == Caller::Sales,
                    "{}",
                    scenario.name
                );
            }
        }
    }
}
