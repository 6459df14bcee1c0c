//! Contract tests of the storage adapter, one fresh database per test. The
//! same tests run on PostgreSQL and on SQLite (`PROSPECTS_TEST_BACKEND`);
//! a behaviour that differs between them is a bug.

use std::time::{Duration, Instant};

use prospects_domain::input::{ValidCreate, ValidUpdate};
use prospects_domain::search::SearchTerm;
use prospects_domain::{
    AccountId, AccountKind, AccountRepository, Actor, Direction, Expected, HealthCheck, ListQuery,
    NewUser, Patch, Position, ProspectInput, Reference, ReferenceDataRepository, ReferenceKind,
    ReferenceLookup, RepositoryError, Role, Scope, Seek, SortDirection, SortField, SortKey, UserId,
    UserQuery, UserRepository, UserUpdate, ValidReference,
};
use prospects_infra::{Accounts, PoolSettings, References, Store, Users};
use prospects_testkit::{TestBackend, TestDb};

/// The kind of account most of these tests store.
const PROSPECT: AccountKind = AccountKind::Prospect;

/// Someone writing within `scope`: a manager for every account, else the
/// sales user who represents them.
fn by(scope: Scope) -> Actor {
    match scope {
        Scope::All => Actor::new(UserId(1), Role::new(10)),
        Scope::RepresentedBy(user) => Actor::new(user, Role::new(5)),
    }
}

struct Fixture {
    store: Accounts,
    users: Users,
    references: References,
    health: Store,
    db: TestDb,
}

async fn fixture() -> Fixture {
    let db = TestDb::create().await;
    let health = Store::connect(db.url(), &PoolSettings::default())
        .await
        .expect("store");
    Fixture {
        store: health.accounts(),
        users: health.users(),
        references: health.references(),
        health,
        db,
    }
}

impl Fixture {
    async fn sql(&self, statement: &str) {
        self.db.execute(statement).await;
    }

    async fn user(&self, email: &str, role: i32) -> UserId {
        self.users
            .create(NewUser {
                name: email.to_owned(),
                email: email.to_owned(),
                role: Role::new(role),
                active: true,
                password_hash: "hash".to_owned(),
            })
            .await
            .expect("user")
            .id
    }

    async fn prospect(&self, input: ProspectInput) -> prospects_domain::Account {
        self.store
            .create(PROSPECT, &by(Scope::All), valid(input), None)
            .await
            .expect("created")
    }

    async fn named(&self, name: &str) -> prospects_domain::Account {
        self.prospect(named(name)).await
    }

    /// Renames prospect `id`, as an administrator.
    async fn rename(&self, id: AccountId, name: &str) {
        self.store
            .update(
                PROSPECT,
                id,
                &by(Scope::All),
                update(named(name)),
                &Expected::Any,
            )
            .await
            .expect("updated");
    }
}

fn named(name: &str) -> ProspectInput {
    ProspectInput {
        name: Patch::text(name),
        ..Default::default()
    }
}

fn valid(input: ProspectInput) -> ValidCreate {
    input.validate_for_create().expect("valid input")
}

fn update(input: ProspectInput) -> ValidUpdate {
    input.validate_for_update().expect("valid input")
}

fn names(page: &prospects_domain::Page<prospects_domain::Account>) -> Vec<&str> {
    page.items.iter().map(|p| p.fields.name.as_str()).collect()
}

#[tokio::test]
async fn a_created_prospect_gets_its_account_number_from_the_database() {
    let f = fixture().await;
    let first = f.named("Acme Corp").await;
    let second = f.named("Globex").await;
    assert_eq!(first.customer_account.as_str(), "PR000001");
    assert_eq!(second.customer_account.as_str(), "PR000002");
    assert_eq!(first.fields.main_address_country, "France");
    assert!(first.fields.active);
    assert_eq!(first.created_at, first.updated_at);
}

#[tokio::test]
async fn account_numbers_are_never_reused() {
    let f = fixture().await;
    f.named("One").await;
    let newest = f.named("Two").await;
    f.store
        .delete(PROSPECT, newest.id, &by(Scope::All), &Expected::Any)
        .await
        .expect("deleted");
    let next = f.named("Three").await;
    assert_eq!(next.customer_account.as_str(), "PR000003");
}

#[tokio::test]
async fn account_numbers_keep_every_digit_past_a_million() {
    let f = fixture().await;
    f.sql(match f.db.backend() {
        TestBackend::Postgres => "ALTER TABLE accounts ALTER COLUMN id RESTART WITH 1234567",
        TestBackend::Sqlite => {
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('accounts', 1234566)"
        }
    })
    .await;
    assert_eq!(f.named("Big").await.customer_account.as_str(), "PR1234567");
}

#[tokio::test]
async fn fifty_concurrent_creates_get_fifty_distinct_account_numbers() {
    let f = fixture().await;
    let manager = by(Scope::All);
    let creates = (0..50).map(|i| {
        f.store.create(
            PROSPECT,
            &manager,
            valid(named(&format!("Concurrent {i}"))),
            None,
        )
    });
    let created = futures_util::future::join_all(creates).await;
    let mut accounts: Vec<String> = created
        .into_iter()
        .map(|result| result.expect("created").customer_account.to_string())
        .collect();
    accounts.sort();
    accounts.dedup();
    assert_eq!(accounts.len(), 50);
}

#[tokio::test]
async fn find_returns_the_prospect_with_what_it_owns() {
    let f = fixture().await;
    let p = f.named("Acme").await;
    let id = p.id.0;
    f.sql(&format!(
        "INSERT INTO contacts (account_id, first_name) VALUES ({id}, 'Ann'), ({id}, 'Bob')"
    ))
    .await;
    f.sql(&format!("INSERT INTO documents (account_id, name, mime_type, size_bytes, sha256, storage_key) VALUES ({id}, 'quote.pdf', 'application/pdf', 1234, '{}', 'k1')", "0".repeat(64))).await;
    f.sql(&format!("INSERT INTO payment_plans (account_id, payment_method, payment_terms_days) VALUES ({id}, 'transfer', 30)")).await;
    let details = f.store.find(PROSPECT, p.id).await.expect("found");
    assert_eq!(details.account, p);
    let contacts: Vec<_> = details
        .contacts
        .iter()
        .map(|c| c.fields.first_name.as_deref())
        .collect();
    assert_eq!(contacts, [Some("Ann"), Some("Bob")]);
    assert_eq!(details.documents[0].size_bytes, 1234);
    assert_eq!(
        details.payment_plan.expect("plan").payment_terms_days,
        Some(30)
    );
    assert!(matches!(
        f.store.find(PROSPECT, AccountId(999)).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn the_name_filter_ignores_case_and_accents_and_takes_wildcards_literally() {
    let f = fixture().await;
    for name in [
        "Société Générale",
        "Acme Corp",
        "100% Bio",
        "Under_score",
        "Back\\slash",
    ] {
        f.named(name).await;
    }
    let list = |parts: &[&str]| ListQuery {
        name_any_of: parts
            .iter()
            .map(|p| prospects_domain::search::name_key(p))
            .collect(),
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &list(&["societe"]), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Société Générale"]);
    let page = f
        .store
        .list(PROSPECT, &list(&["ACME", "bio"]), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Acme Corp", "100% Bio"]);
    let page = f
        .store
        .list(PROSPECT, &list(&["%"]), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["100% Bio"]);
    let page = f
        .store
        .list(PROSPECT, &list(&["_"]), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Under_score"]);
    let page = f
        .store
        .list(PROSPECT, &list(&["\\"]), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Back\\slash"]);
}

/// `filter[name]` parts of three characters or more are first looked up by
/// their trigrams on SQLite (migration 000017): the index must follow every
/// write, and a part's quotes, spaces and wildcards stay literal.
#[tokio::test]
async fn the_name_filter_follows_every_write_and_reads_any_part_literally() {
    let f = fixture().await;
    let globex = f.named("Globex \"Quoted\" Corp").await;
    f.named("Initech 100% Bio").await;
    f.named("Initech 1000 Bio").await;
    f.named("Baaab").await;
    let listed = |part: &str| {
        let query = ListQuery {
            name_any_of: vec![prospects_domain::search::name_key(part)],
            ..Default::default()
        };
        let store = &f.store;
        async move {
            let page = store
                .list(PROSPECT, &query, Scope::All)
                .await
                .expect("list");
            assert_eq!(page.total, page.items.len() as u64);
            names(&page)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("\"quoted\" c").await, ["Globex \"Quoted\" Corp"]);
    assert_eq!(listed("0% b").await, ["Initech 100% Bio"]);
    assert_eq!(listed("tech 1").await.len(), 2);
    // Every trigram of the part is there, the part itself is not: the
    // LIKE still decides.
    assert!(listed("aaaa").await.is_empty());
    let long = "initech ".repeat(2000);
    assert!(listed(&long).await.is_empty());
    f.rename(globex.id, "Umbrella").await;
    assert!(listed("globex").await.is_empty());
    assert_eq!(listed("brell").await, ["Umbrella"]);
    f.store
        .delete(PROSPECT, globex.id, &by(Scope::All), &Expected::Any)
        .await
        .expect("deleted");
    assert!(listed("brell").await.is_empty());
}

#[tokio::test]
async fn the_term_search_matches_every_word_and_ranks_name_matches_first() {
    let f = fixture().await;
    f.prospect(ProspectInput {
        main_address_city: Patch::text("Acmeville"),
        ..named("Globex")
    })
    .await;
    f.named("Société Générale").await;
    f.named("Acme Corp").await;
    f.prospect(ProspectInput {
        email_address: Patch::text("info@initech.example"),
        ..named("Initech")
    })
    .await;
    let search = |term: &str| ListQuery {
        term: SearchTerm::parse(term),
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &search("acm"), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Acme Corp", "Globex"]);
    let page = f
        .store
        .list(PROSPECT, &search("societe generale"), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Société Générale"]);
    let page = f
        .store
        .list(PROSPECT, &search("PR00000"), Scope::All)
        .await
        .expect("list");
    assert_eq!(page.total, 4);
    let page = f
        .store
        .list(PROSPECT, &search("initech.example"), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Initech"]);
    let page = f
        .store
        .list(PROSPECT, &search("generale societe"), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Société Générale"]);
}

/// The account names a term finds, among accounts of `kind`.
async fn found(f: &Fixture, kind: AccountKind, term: &str) -> Vec<String> {
    let query = ListQuery {
        term: SearchTerm::parse(term),
        ..Default::default()
    };
    let page = f.store.list(kind, &query, Scope::All).await.expect("list");
    assert_eq!(
        page.total,
        page.items.len() as u64,
        "one page holds them all"
    );
    names(&page).into_iter().map(str::to_owned).collect()
}

#[tokio::test]
async fn the_term_search_follows_every_write_at_once() {
    let f = fixture().await;
    let globex = f.named("Globex").await;
    f.named("Initech").await;
    assert_eq!(found(&f, PROSPECT, "glob").await, ["Globex"]);
    f.rename(globex.id, "Umbrella").await;
    assert!(found(&f, PROSPECT, "glob").await.is_empty());
    assert_eq!(found(&f, PROSPECT, "umbr").await, ["Umbrella"]);
    // Converted, its customer is found by its own account number.
    let customer = f
        .store
        .convert(globex.id, &by(Scope::All), false, &Expected::Any, None)
        .await
        .expect("converted");
    let number = customer.customer_account.as_str().to_lowercase();
    assert_eq!(
        found(&f, AccountKind::Customer, &number).await,
        ["Umbrella"]
    );
    f.store
        .delete(
            AccountKind::Customer,
            customer.id,
            &by(Scope::All),
            &Expected::Any,
        )
        .await
        .expect("deleted");
    assert!(
        found(&f, AccountKind::Customer, "umbrella")
            .await
            .is_empty()
    );
    assert_eq!(found(&f, PROSPECT, "initech").await, ["Initech"]);
}

#[tokio::test]
async fn pages_of_a_term_search_run_through_the_relevance_tiers_in_id_order() {
    let f = fixture().await;
    // Created so that id order differs from relevance order.
    for (name, city) in [
        ("Zed", "Acmeville"),
        ("Big Acme", "Lyon"),
        ("Acme North", "Lyon"),
        ("Yak", "Acme"),
        ("Old Acme", "Lyon"),
        ("Acme South", "Lyon"),
        ("Nothing", "Lyon"),
    ] {
        f.prospect(ProspectInput {
            main_address_city: Patch::text(city),
            ..named(name)
        })
        .await;
    }
    let mut seen = Vec::new();
    for page in 1..=4 {
        let query = ListQuery {
            term: SearchTerm::parse("acm"),
            page,
            per_page: 2,
            ..Default::default()
        };
        let found = f
            .store
            .list(PROSPECT, &query, Scope::All)
            .await
            .expect("list");
        assert_eq!(found.total, 6);
        seen.extend(names(&found).into_iter().map(str::to_owned));
    }
    assert_eq!(
        seen,
        [
            "Acme North",
            "Acme South",
            "Big Acme",
            "Old Acme",
            "Zed",
            "Yak"
        ]
    );
}

/// Every id of `query`'s list, walked by cursor `per_page` rows at a time:
/// forwards from the start, then backwards from the last row.
async fn walked(f: &Fixture, query: &ListQuery, scope: Scope) -> (Vec<i64>, Vec<i64>) {
    let step = |from: Option<Seek>| async move {
        f.store
            .seek(PROSPECT, query, from, query.per_page, scope)
            .await
            .expect("seek")
    };
    let onward = |account: &prospects_domain::Account, direction| Seek {
        from: Position::of(account, query),
        direction,
    };
    // Bounded, so that a cursor going nowhere fails rather than hangs.
    const STEPS: usize = 50;
    let mut forwards: Vec<prospects_domain::Account> = step(None).await;
    for _ in 0..STEPS {
        let last = forwards.last().expect("rows to walk");
        let more = step(Some(onward(last, Direction::Forward))).await;
        if more.is_empty() {
            break;
        }
        forwards.extend(more);
    }
    let mut backwards: Vec<prospects_domain::Account> = Vec::new();
    let mut from = forwards
        .last()
        .map(|last| onward(last, Direction::Backward));
    for _ in 0..STEPS {
        let Some(seek) = from else { break };
        let more = step(Some(seek)).await;
        from = more.last().map(|last| onward(last, Direction::Backward));
        backwards.extend(more);
    }
    backwards.reverse();
    let ids = |rows: Vec<prospects_domain::Account>| rows.into_iter().map(|row| row.id.0).collect();
    (ids(forwards), ids(backwards))
}

#[tokio::test]
async fn cursors_walk_every_order_both_ways_through_ties_and_relevance_tiers() {
    let f = fixture().await;
    let mut ids = Vec::new();
    for (name, city) in [
        ("Zed", "Acmeville"),
        ("Big Acme", "Lyon"),
        ("Acme North", "Lyon"),
        ("Yak", "Acme"),
        ("Old Acme", "Lyon"),
        ("Acme South", "Lyon"),
        ("Nothing", "Lyon"),
    ] {
        let created = f
            .prospect(ProspectInput {
                main_address_city: Patch::text(city),
                ..named(name)
            })
            .await;
        ids.push(created.id.0);
    }
    // Ties on created_at, and updated_at running against the ids; written
    // as the application writes them (SQLite compares the text).
    let listed = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    f.sql(&format!(
        "UPDATE accounts SET created_at = '2026-01-02 03:04:05.500' WHERE id IN ({})",
        listed(&ids[1..5])
    ))
    .await;
    for (at, id) in ids.iter().enumerate() {
        f.sql(&format!(
            "UPDATE accounts SET updated_at = '2026-02-0{} 10:00:00' WHERE id = {id}",
            7 - at
        ))
        .await;
    }
    let key = |field, direction| SortKey { field, direction };
    use SortDirection::{Ascending, Descending};
    let orders = [
        vec![],
        vec![key(SortField::CreatedAt, Descending)],
        vec![key(SortField::CreatedAt, Ascending)],
        vec![key(SortField::UpdatedAt, Ascending)],
        vec![key(SortField::Id, Descending)],
        vec![
            key(SortField::CreatedAt, Ascending),
            key(SortField::Id, Descending),
        ],
        vec![
            key(SortField::CreatedAt, Descending),
            key(SortField::UpdatedAt, Ascending),
        ],
    ];
    let mut queries: Vec<ListQuery> = orders
        .into_iter()
        .map(|sort| ListQuery {
            sort,
            ..Default::default()
        })
        .collect();
    queries.push(ListQuery {
        term: SearchTerm::parse("acm"),
        ..Default::default()
    });
    for query in queries {
        let whole = f
            .store
            .list(PROSPECT, &query, Scope::All)
            .await
            .expect("list");
        let expected: Vec<i64> = whole.items.iter().map(|row| row.id.0).collect();
        for per_page in [1, 2, 3] {
            let query = ListQuery {
                per_page,
                ..query.clone()
            };
            let (forwards, backwards) = walked(&f, &query, Scope::All).await;
            assert_eq!(forwards, expected, "forwards, {query:?}");
            assert_eq!(
                backwards,
                expected[..expected.len() - 1],
                "backwards, {query:?}"
            );
        }
    }
}

#[tokio::test]
async fn ligatures_are_searched_as_their_letters() {
    let f = fixture().await;
    f.named("Au Bœuf Couronné").await;
    f.named("Œnologie Dupont").await;
    f.named("Straße AG").await;
    assert_eq!(found(&f, PROSPECT, "boeuf").await, ["Au Bœuf Couronné"]);
    assert_eq!(found(&f, PROSPECT, "oeno").await, ["Œnologie Dupont"]);
    assert_eq!(found(&f, PROSPECT, "ŒNO").await, ["Œnologie Dupont"]);
    assert_eq!(found(&f, PROSPECT, "strasse").await, ["Straße AG"]);
    let by_name = ListQuery {
        name_any_of: vec!["u boe".to_owned()],
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &by_name, Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Au Bœuf Couronné"]);
}

#[tokio::test]
async fn rows_folded_under_older_rules_are_refolded_when_the_store_opens() {
    let f = fixture().await;
    let ox = f.named("Bœuf").await;
    // As the first folding rules left it: the ligature kept as it was.
    f.sql(&format!(
        "UPDATE accounts SET name_key = 'bœuf', search_document = ' bœuf ' WHERE id = {}",
        ox.id.0
    ))
    .await;
    f.sql("UPDATE search_folding SET version = 1").await;
    assert!(found(&f, PROSPECT, "boeuf").await.is_empty());
    let reopened = Store::connect(f.db.url(), &PoolSettings::default())
        .await
        .expect("store");
    let f = Fixture {
        store: reopened.accounts(),
        ..f
    };
    assert_eq!(found(&f, PROSPECT, "boeuf").await, ["Bœuf"]);
    let shown = f.store.find(PROSPECT, ox.id).await.expect("found");
    assert_eq!(shown.account.updated_at, ox.updated_at, "nobody changed it");
}

#[tokio::test]
async fn ids_sort_and_pages_work_together() {
    let f = fixture().await;
    for i in 1..=7 {
        f.named(&format!("P{i}")).await;
    }
    let query = ListQuery {
        ids: Some(vec![2, 3, 4, 5, 6]),
        sort: vec![SortKey {
            field: SortField::Id,
            direction: SortDirection::Descending,
        }],
        page: 2,
        per_page: 2,
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &query, Scope::All)
        .await
        .expect("list");
    assert_eq!(page.total, 5);
    assert_eq!(names(&page), ["P4", "P3"]);
    let nothing = ListQuery {
        ids: Some(vec![]),
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &nothing, Scope::All)
        .await
        .expect("list");
    assert_eq!((page.total, page.items.len()), (0, 0));
    let past_the_end = ListQuery {
        page: u64::MAX,
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &past_the_end, Scope::All)
        .await
        .expect("list");
    assert_eq!((page.total, page.items.len()), (7, 0));
}

#[tokio::test]
async fn a_sales_scope_lists_and_counts_only_their_prospects() {
    let f = fixture().await;
    let ann = f.user("ann@example.test", 5).await;
    let bob = f.user("bob@example.test", 5).await;
    f.prospect(ProspectInput {
        representative_id: Patch::Set(ann.0),
        ..named("Ann's")
    })
    .await;
    f.prospect(ProspectInput {
        representative_id: Patch::Set(bob.0),
        ..named("Bob's")
    })
    .await;
    f.named("Nobody's").await;
    let page = f
        .store
        .list(PROSPECT, &ListQuery::default(), Scope::RepresentedBy(ann))
        .await
        .expect("list");
    assert_eq!((names(&page), page.total), (vec!["Ann's"], 1));
    let term = ListQuery {
        term: SearchTerm::parse("s"),
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &term, Scope::RepresentedBy(bob))
        .await
        .expect("list");
    assert_eq!((names(&page), page.total), (vec!["Bob's"], 1));
}

#[tokio::test]
async fn an_update_writes_the_sent_fields_and_moves_updated_at_only_on_change() {
    let f = fixture().await;
    let p = f
        .prospect(ProspectInput {
            phone: Patch::text("01 02"),
            ..named("Acme")
        })
        .await;
    let same = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::All),
            update(named("Acme")),
            &Expected::Any,
        )
        .await
        .expect("updated");
    assert_eq!(same, p);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let changed = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::All),
            update(ProspectInput {
                phone: Patch::Null,
                ..city_is("Lyon")
            }),
            &Expected::Any,
        )
        .await
        .expect("updated");
    assert_eq!(changed.fields.phone, None);
    assert_eq!(changed.fields.main_address_city.as_deref(), Some("Lyon"));
    assert_eq!(changed.fields.name, "Acme");
    assert_eq!(changed.created_at, p.created_at);
    assert!(changed.updated_at > p.updated_at);
    let stored = f.store.find(PROSPECT, p.id).await.expect("found").account;
    assert_eq!(stored, changed);
    let search = ListQuery {
        term: SearchTerm::parse("lyon"),
        ..Default::default()
    };
    assert_eq!(
        f.store
            .list(PROSPECT, &search, Scope::All)
            .await
            .expect("list")
            .total,
        1
    );
}

fn city_is(city: &str) -> ProspectInput {
    ProspectInput {
        main_address_city: Patch::text(city),
        ..Default::default()
    }
}

#[tokio::test]
async fn writes_outside_the_scope_or_to_missing_rows_change_nothing() {
    let f = fixture().await;
    let ann = f.user("ann@example.test", 5).await;
    let p = f.named("Acme").await;
    let result = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::RepresentedBy(ann)),
            update(named("Hacked")),
            &Expected::Any,
        )
        .await;
    assert!(matches!(result, Err(RepositoryError::OutOfScope)));
    let result = f
        .store
        .delete(
            PROSPECT,
            p.id,
            &by(Scope::RepresentedBy(ann)),
            &Expected::Any,
        )
        .await;
    assert!(matches!(result, Err(RepositoryError::OutOfScope)));
    assert_eq!(
        f.store
            .find(PROSPECT, p.id)
            .await
            .expect("still there")
            .account,
        p
    );
    let missing = AccountId(p.id.0 + 100);
    assert!(matches!(
        f.store
            .update(
                PROSPECT,
                missing,
                &by(Scope::All),
                update(named("Xy")),
                &Expected::Any
            )
            .await,
        Err(RepositoryError::NotFound)
    ));
    assert!(matches!(
        f.store
            .delete(PROSPECT, missing, &by(Scope::All), &Expected::Any)
            .await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn delete_takes_what_the_prospect_owns_with_it() {
    let f = fixture().await;
    let p = f.named("Acme").await;
    let id = p.id.0;
    f.sql(&format!(
        "INSERT INTO contacts (account_id, first_name) VALUES ({id}, 'Ann')"
    ))
    .await;
    f.sql(&format!(
        "INSERT INTO payment_plans (account_id) VALUES ({id})"
    ))
    .await;
    f.store
        .delete(PROSPECT, p.id, &by(Scope::All), &Expected::Any)
        .await
        .expect("deleted");
    assert!(matches!(
        f.store.find(PROSPECT, p.id).await,
        Err(RepositoryError::NotFound)
    ));
    let left = f
        .db
        .count("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM payment_plans) AS n")
        .await;
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_dangling_reference_is_reported_by_name() {
    let f = fixture().await;
    let result = f
        .store
        .create(
            PROSPECT,
            &by(Scope::All),
            valid(ProspectInput {
                brand_id: Patch::Set(77),
                ..named("Acme")
            }),
            None,
        )
        .await;
    assert!(matches!(
        result,
        Err(RepositoryError::UnknownReference(Reference::Brand))
    ));
    f.sql("INSERT INTO brands (id, name) VALUES (3, 'B')").await;
    let wanted = [
        (Reference::Brand, 3),
        (Reference::Sector, 4),
        (Reference::Representative, 5),
    ];
    let missing = f.references.missing(&wanted).await.expect("lookup");
    assert_eq!(missing, [Reference::Sector, Reference::Representative]);
}

#[tokio::test]
async fn users_are_found_by_email_and_emails_are_unique() {
    let f = fixture().await;
    assert_eq!(f.users.count().await.expect("count"), 0);
    let id = f.user("ann@example.test", 5).await;
    let (user, hash) = f
        .users
        .find_with_password("ann@example.test")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(
        (user.id, user.role, hash.as_str()),
        (id, Role::new(5), "hash")
    );
    assert!(
        f.users
            .find_with_password("nobody@example.test")
            .await
            .expect("query")
            .is_none()
    );
    let duplicate = f
        .users
        .create(NewUser {
            name: "A".into(),
            email: "ann@example.test".into(),
            role: Role::new(1),
            active: true,
            password_hash: "h".into(),
        })
        .await;
    assert!(duplicate.is_err());
    assert_eq!(f.users.count().await.expect("count"), 1);
}

#[tokio::test]
async fn instances_starting_together_migrate_once() {
    let db = TestDb::create_empty().await;
    let settings = PoolSettings::default();
    let (a, b) = tokio::join!(
        Store::connect(db.url(), &settings),
        Store::connect(db.url(), &settings)
    );
    a.expect("first instance");
    b.expect("second instance");
}

/// PostgreSQL only: an embedded SQLite file cannot go away underneath the process.
#[tokio::test]
async fn a_vanished_database_is_unavailable_within_bounded_time() {
    let f = fixture().await;
    f.health.ping().await.expect("up");
    let Some(name) = f.db.postgres_name() else {
        return;
    };
    drop_postgres_database(name).await;
    let started = Instant::now();
    let result = f.health.ping().await;
    assert!(
        matches!(result, Err(RepositoryError::Unavailable(_))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
}

async fn drop_postgres_database(name: &str) {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let mut admin = AsyncPgConnection::establish(&prospects_testkit::server_url())
        .await
        .expect("admin");
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop");
}

#[tokio::test]
async fn timestamps_sort_in_time_order_and_keep_microseconds() {
    let f = fixture().await;
    let first = f.named("First").await;
    tokio::time::sleep(Duration::from_millis(2)).await;
    let second = f.named("Second").await;
    assert!(second.created_at > first.created_at);
    let stored = f
        .store
        .find(PROSPECT, first.id)
        .await
        .expect("found")
        .account;
    assert_eq!(stored.created_at, first.created_at);
    assert_eq!(stored.created_at.timestamp_subsec_nanos() % 1_000, 0);
    let query = ListQuery {
        sort: vec![SortKey {
            field: SortField::CreatedAt,
            direction: SortDirection::Descending,
        }],
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &query, Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Second", "First"]);
}

#[tokio::test]
async fn ties_in_a_sorted_list_go_by_id_in_the_last_keys_direction() {
    let f = fixture().await;
    for name in ["Aa", "Bb", "Cc"] {
        f.named(name).await;
    }
    // The same instant for all three: only the tiebreak orders them.
    f.sql("UPDATE accounts SET created_at = '2026-01-01 00:00:00'")
        .await;
    let sorted = |direction| ListQuery {
        sort: vec![SortKey {
            field: SortField::CreatedAt,
            direction,
        }],
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &sorted(SortDirection::Descending), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Cc", "Bb", "Aa"]);
    let page = f
        .store
        .list(PROSPECT, &sorted(SortDirection::Ascending), Scope::All)
        .await
        .expect("list");
    assert_eq!(names(&page), ["Aa", "Bb", "Cc"]);
}

#[tokio::test]
async fn foreign_keys_are_enforced_by_the_database() {
    let f = fixture().await;
    f.named("Acme").await;
    let result = f
        .store
        .create(
            PROSPECT,
            &by(Scope::All),
            valid(ProspectInput {
                batch_id: Patch::Set(5),
                ..named("Globex")
            }),
            None,
        )
        .await;
    assert!(result.is_err());
    assert_eq!(
        f.store
            .list(PROSPECT, &ListQuery::default(), Scope::All)
            .await
            .expect("list")
            .total,
        1
    );
}

/// Every foreign key has an index that starts with its column, so joins,
/// cascades and scope filters never scan a whole table.
#[tokio::test]
async fn every_foreign_key_is_indexed() {
    let f = fixture().await;
    let unindexed = f
        .db
        .count(match f.db.backend() {
            TestBackend::Postgres => {
                "SELECT count(*) AS n FROM pg_constraint c WHERE c.contype = 'f' AND NOT EXISTS \
                 (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])"
            }
            TestBackend::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
                 WHERE m.type = 'table' AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) l, \
                 pragma_index_info(l.name) c WHERE c.seqno = 0 AND c.name = f.\"from\")"
            }
        })
        .await;
    assert_eq!(unindexed, 0);
    let foreign_keys = f
        .db
        .count(match f.db.backend() {
            TestBackend::Postgres => "SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'",
            TestBackend::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
            }
        })
        .await;
    assert_eq!(
        foreign_keys, 14,
        "accounts have 6 references and 2 to each other; contacts, documents, payment plans, \
         idempotency keys 1 each; notes 2"
    );
}

#[tokio::test]
async fn revoked_ids_are_remembered_and_revoking_twice_is_harmless() {
    use prospects_domain::RevocationList;
    let f = fixture().await;
    let revocations = f.health.revocations();
    let ids = |list: &[&str]| list.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
    assert!(
        !revocations
            .any_revoked(&ids(&["a", "b"]))
            .await
            .expect("query")
    );
    revocations.revoke(&ids(&["b"])).await.expect("revoked");
    revocations
        .revoke(&ids(&["b", "c"]))
        .await
        .expect("revoked again");
    assert!(
        revocations
            .any_revoked(&ids(&["a", "b"]))
            .await
            .expect("query")
    );
    assert!(revocations.any_revoked(&ids(&["c"])).await.expect("query"));
    assert!(!revocations.any_revoked(&ids(&["a"])).await.expect("query"));
    assert!(!revocations.any_revoked(&[]).await.expect("query"));
}

fn entry(name: &str, position: Option<i32>) -> ValidReference {
    ValidReference {
        name: name.to_owned(),
        position,
    }
}

#[tokio::test]
async fn reference_data_is_seeded_and_stages_keep_their_pipeline_order() {
    let f = fixture().await;
    let brands = f.references.list(ReferenceKind::Brand).await.expect("list");
    assert_eq!(brands.len(), 1);
    assert_eq!((brands[0].id, brands[0].position), (1, None));
    let stages = f
        .references
        .list(ReferenceKind::ProspectionCode)
        .await
        .expect("list");
    let names: Vec<&str> = stages.iter().map(|stage| stage.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "New lead",
            "Contacted",
            "Qualified",
            "Proposal sent",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );
    // A new stage goes last; one placed explicitly goes where it is put.
    let last = f
        .references
        .create(ReferenceKind::ProspectionCode, &entry("Archived", None))
        .await
        .expect("created");
    assert_eq!((last.id, last.position), (8, Some(8)));
    let early = f
        .references
        .create(
            ReferenceKind::ProspectionCode,
            &entry("Demo booked", Some(2)),
        )
        .await
        .expect("created");
    let stages = f
        .references
        .list(ReferenceKind::ProspectionCode)
        .await
        .expect("list");
    let ids: Vec<i64> = stages.iter().map(|stage| stage.id).collect();
    assert_eq!(ids, [1, 2, early.id, 3, 4, 5, 6, 7, 8]);
}

#[tokio::test]
async fn reference_data_is_written_and_kept_while_in_use() {
    let f = fixture().await;
    let kind = ReferenceKind::Sector;
    let sector = f
        .references
        .create(kind, &entry("Retail", Some(5)))
        .await
        .expect("created");
    assert_eq!(sector.position, None, "only stages have a position");
    let renamed = f
        .references
        .update(kind, sector.id, &entry("Retail and wholesale", None))
        .await
        .expect("updated");
    assert_eq!(renamed.name, "Retail and wholesale");
    assert_eq!(renamed.created_at, sector.created_at);
    assert!(matches!(
        f.references.update(kind, 999, &entry("x", None)).await,
        Err(RepositoryError::NotFound)
    ));
    f.prospect(ProspectInput {
        sector_id: Patch::Set(sector.id),
        ..named("Acme")
    })
    .await;
    assert!(matches!(
        f.references.delete(kind, sector.id).await,
        Err(RepositoryError::StillReferenced("prospects or customers"))
    ));
    assert_eq!(
        f.references.find(kind, sector.id).await.expect("kept").id,
        sector.id
    );
    f.sql("DELETE FROM accounts").await;
    f.references.delete(kind, sector.id).await.expect("deleted");
    assert!(matches!(
        f.references.find(kind, sector.id).await,
        Err(RepositoryError::NotFound)
    ));
    assert!(matches!(
        f.references.delete(kind, sector.id).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn users_are_listed_by_filter_updated_and_deleted() {
    let f = fixture().await;
    let ann = f.user("ann@example.test", 5).await;
    let bob = f.user("bob@sales.example", 10).await;
    let prospect = f
        .prospect(ProspectInput {
            representative_id: Patch::Set(ann.0),
            ..named("Acme")
        })
        .await;
    let query = |name: Option<&str>, email: Option<&str>| UserQuery {
        name: name.map(str::to_owned),
        email: email.map(str::to_owned),
        page: 1,
        per_page: 10,
    };
    let all = f.users.list(&query(None, None)).await.expect("list");
    assert_eq!((all.total, all.items[0].id), (2, ann));
    let by_email = f
        .users
        .list(&query(None, Some("SALES")))
        .await
        .expect("list");
    assert_eq!(
        by_email.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        [bob]
    );
    let by_name = f
        .users
        .list(&query(Some("ANN@"), None))
        .await
        .expect("list");
    assert_eq!((by_name.total, by_name.items[0].id), (1, ann));
    let literal = f.users.list(&query(Some("%"), None)).await.expect("list");
    assert_eq!(literal.total, 0, "wildcards are taken literally");

    let updated = f
        .users
        .update(
            ann,
            UserUpdate {
                role: Some(Role::new(7)),
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("updated");
    assert_eq!((updated.role, updated.active), (Role::new(7), false));
    assert_eq!(updated.email, "ann@example.test");
    let taken = f
        .users
        .update(
            ann,
            UserUpdate {
                email: Some("bob@sales.example".to_owned()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(taken, Err(RepositoryError::AlreadyExists)));
    assert!(matches!(
        f.users.update(UserId(99), UserUpdate::default()).await,
        Err(RepositoryError::NotFound)
    ));

    f.users.delete(ann).await.expect("deleted");
    assert_eq!(f.users.find(ann).await.expect("find"), None);
    let kept = f.store.find(PROSPECT, prospect.id).await.expect("kept");
    assert_eq!(kept.account.fields.representative_id, None);
    assert!(matches!(
        f.users.delete(ann).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn notes_are_written_through_their_accounts_door_and_follow_a_conversion() {
    use prospects_domain::{NoteInput, NoteRepository, Owner};
    let f = fixture().await;
    let notes = f.health.notes();
    let ann = f.user("ann@example.test", 5).await;
    let bob = f.user("bob@example.test", 5).await;
    let prospect = f
        .prospect(ProspectInput {
            representative_id: Patch::Set(ann.0),
            ..named("Acme")
        })
        .await;
    let owner = Owner {
        kind: PROSPECT,
        id: prospect.id,
    };
    let values = NoteInput {
        body: Patch::text("Call back"),
        ..NoteInput::default()
    }
    .validate_for_create()
    .expect("valid");
    let note = notes
        .create(owner, &by(Scope::RepresentedBy(ann)), values.clone(), None)
        .await
        .expect("created");
    assert_eq!((note.author, note.values.priority), (Some(ann), 999));
    assert!(matches!(
        notes
            .create(owner, &by(Scope::RepresentedBy(bob)), values.clone(), None)
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    let customer_owner = Owner {
        kind: AccountKind::Customer,
        id: prospect.id,
    };
    assert!(matches!(
        notes.list(customer_owner, Scope::All).await,
        Err(RepositoryError::NotFound)
    ));
    let retitle = || {
        NoteInput {
            title: Patch::text("Retitled"),
            ..NoteInput::default()
        }
        .validate_for_update()
        .expect("valid")
    };
    assert!(matches!(
        notes
            .update(
                note.id,
                &by(Scope::All),
                Some(bob),
                retitle(),
                &Expected::Any
            )
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    let updated = notes
        .update(note.id, &by(Scope::All), None, retitle(), &Expected::Any)
        .await
        .expect("updated");
    assert_eq!(updated.values.title.as_deref(), Some("Retitled"));
    assert!(updated.updated_at >= note.updated_at);

    let customer = f
        .store
        .convert(prospect.id, &by(Scope::All), false, &Expected::Any, None)
        .await
        .expect("converted");
    let moved = notes
        .list(
            Owner {
                kind: AccountKind::Customer,
                id: customer.id,
            },
            Scope::All,
        )
        .await
        .expect("listed");
    assert_eq!(moved.iter().map(|n| n.id).collect::<Vec<_>>(), [note.id]);
    assert!(matches!(
        notes
            .create(owner, &Actor::new(ann, Role::new(10)), values, None)
            .await,
        Err(RepositoryError::Converted)
    ));
    notes
        .delete(
            note.id,
            &by(Scope::RepresentedBy(ann)),
            Some(ann),
            &Expected::Any,
        )
        .await
        .expect("deleted");
    assert!(matches!(
        notes.find(note.id).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn contacts_keep_their_numbers_in_e164_form_and_are_found_within_scope() {
    use prospects_domain::{ContactInput, ContactRepository, Owner};
    let f = fixture().await;
    let contacts = f.health.contacts();
    let ann = f.user("ann@example.test", 5).await;
    let bob = f.user("bob@example.test", 5).await;
    let prospect = f
        .prospect(ProspectInput {
            representative_id: Patch::Set(ann.0),
            ..named("Acme")
        })
        .await;
    let owner = Owner {
        kind: PROSPECT,
        id: prospect.id,
    };
    let fields = ContactInput {
        last_name: Patch::text("Martin"),
        mobile_phone: Patch::text("06 11 13 17 19"),
        ..ContactInput::default()
    }
    .validate_for_create()
    .expect("valid");
    let contact = contacts
        .create(owner, &by(Scope::RepresentedBy(ann)), fields.clone(), None)
        .await
        .expect("created");
    assert_eq!(
        f.db.count(&format!(
            "SELECT count(*) AS n FROM contacts WHERE id = {} \
             AND mobile_phone_e164 = '+33611131719' AND landline_phone_e164 IS NULL",
            contact.id
        ))
        .await,
        1
    );
    let number = || "+33611131719".to_owned();
    let found = contacts
        .find_by_number(number(), Scope::RepresentedBy(ann))
        .await
        .expect("searched");
    assert_eq!(found.map(|c| c.id), Some(contact.id));
    assert!(
        contacts
            .find_by_number(number(), Scope::RepresentedBy(bob))
            .await
            .expect("searched")
            .is_none()
    );
    assert!(matches!(
        contacts
            .create(owner, &by(Scope::RepresentedBy(bob)), fields, None)
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    // A change of number moves its E.164 form with it.
    let changes = ContactInput {
        mobile_phone: Patch::Null,
        landline_phone: Patch::text("+33 1 42 68 53 00"),
        ..ContactInput::default()
    }
    .validate_for_update()
    .expect("valid");
    contacts
        .update(contact.id, &by(Scope::All), changes, &Expected::Any)
        .await
        .expect("updated");
    assert!(
        contacts
            .find_by_number(number(), Scope::All)
            .await
            .expect("searched")
            .is_none()
    );
    let desk = contacts
        .find_by_number("+33142685300".to_owned(), Scope::All)
        .await
        .expect("searched");
    assert_eq!(desk.map(|c| c.id), Some(contact.id));
    f.store
        .convert(prospect.id, &by(Scope::All), false, &Expected::Any, None)
        .await
        .expect("converted");
    assert!(matches!(
        contacts
            .delete(contact.id, &by(Scope::All), &Expected::Any)
            .await,
        Ok(())
    ));
    assert!(matches!(
        contacts.find(contact.id).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn documents_are_written_under_their_accounts_lock_and_their_keys_given_back() {
    use prospects_domain::{DocumentRepository, FileKey, NewDocument, Owner, StoredFile};
    let f = fixture().await;
    let documents = f.health.documents();
    let ann = f.user("ann@example.test", 5).await;
    let bob = f.user("bob@example.test", 5).await;
    let prospect = f
        .prospect(ProspectInput {
            representative_id: Patch::Set(ann.0),
            ..named("Acme")
        })
        .await;
    let owner = Owner {
        kind: PROSPECT,
        id: prospect.id,
    };
    let new = |key: &str| NewDocument {
        name: "offer.pdf".to_owned(),
        mime_type: "application/pdf".to_owned(),
        file: StoredFile {
            key: FileKey(key.to_owned()),
            size_bytes: 3,
            sha256: "ab".repeat(32),
        },
    };
    let first = documents
        .create(owner, &by(Scope::RepresentedBy(ann)), new("k1"), None)
        .await
        .expect("created");
    assert_eq!(
        (first.owner, first.key.clone()),
        (owner, FileKey("k1".to_owned()))
    );
    assert!(matches!(
        documents
            .create(owner, &by(Scope::RepresentedBy(bob)), new("k2"), None)
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    assert!(matches!(
        documents
            .check_writable(owner, Scope::RepresentedBy(bob))
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    documents
        .check_writable(owner, Scope::RepresentedBy(ann))
        .await
        .expect("writable");
    documents
        .create(owner, &by(Scope::All), new("k2"), None)
        .await
        .expect("created");
    let listed = documents
        .list(owner, Scope::RepresentedBy(ann))
        .await
        .expect("listed");
    assert_eq!(listed.len(), 2);
    let (found, representative) = documents.find(first.id).await.expect("found");
    assert_eq!((found, representative), (first.clone(), Some(ann)));
    let held = documents
        .held(&[FileKey("k1".to_owned()), FileKey("nope".to_owned())])
        .await
        .expect("held");
    assert_eq!(held, [FileKey("k1".to_owned())].into_iter().collect());

    // The database refuses what the service never writes.
    for (column, value) in [("sha256", "'nothex'"), ("name", "''"), ("size_bytes", "-1")] {
        let statement = format!(
            "UPDATE documents SET {column} = {value} WHERE id = {}",
            first.id
        );
        assert!(f.db.try_execute(&statement).await.is_err(), "{statement}");
    }

    assert!(matches!(
        documents
            .delete(first.id, &by(Scope::RepresentedBy(bob)))
            .await,
        Err(RepositoryError::OutOfScope)
    ));
    let deleted = documents
        .delete(first.id, &by(Scope::RepresentedBy(ann)))
        .await
        .expect("deleted");
    assert_eq!(deleted.key, FileKey("k1".to_owned()));
    // Deleting the account answers the keys of the files it took with it.
    let keys = f
        .store
        .delete(PROSPECT, prospect.id, &by(Scope::All), &Expected::Any)
        .await
        .expect("deleted");
    assert_eq!(keys, [FileKey("k2".to_owned())]);
}

#[tokio::test]
async fn the_database_refuses_payment_plans_outside_the_rules() {
    let f = fixture().await;
    let id = f.named("Acme").await.id.0;
    for (method, days) in [("'barter'", "30"), ("'card'", "366"), ("'card'", "-1")] {
        let statement = format!(
            "INSERT INTO payment_plans (account_id, payment_method, payment_terms_days) \
             VALUES ({id}, {method}, {days})"
        );
        assert!(f.db.try_execute(&statement).await.is_err(), "{statement}");
    }
    f.sql(&format!(
        "INSERT INTO payment_plans (account_id, payment_method, payment_terms_days) \
         VALUES ({id}, 'direct_debit', 365)"
    ))
    .await;
}

#[tokio::test]
async fn imported_accounts_are_found_and_searched_like_created_ones() {
    let f = fixture().await;
    let rows: Vec<_> = (0..1000)
        .map(|n| {
            let mut fields = prospects_domain::ProspectFields::named(format!("Société {n}"));
            fields.main_address_city = Some(if n % 10 == 0 { "Pâris" } else { "Lyon" }.into());
            let at = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .expect("a date")
                + chrono::Duration::minutes(n);
            (fields, at)
        })
        .collect();
    f.store.import(PROSPECT, &rows).await.expect("imported");
    let query = |term: &str, name: &str| ListQuery {
        term: SearchTerm::parse(term),
        name_any_of: if name.is_empty() {
            vec![]
        } else {
            vec![name.to_owned()]
        },
        sort: vec![SortKey {
            field: SortField::CreatedAt,
            direction: SortDirection::Descending,
        }],
        ..Default::default()
    };
    let page = f
        .store
        .list(PROSPECT, &query("paris", ""), Scope::All)
        .await
        .expect("list");
    assert_eq!(page.total, 100);
    assert_eq!(names(&page)[0], "Société 990");
    let page = f
        .store
        .list(PROSPECT, &query("", "societe 99"), Scope::All)
        .await
        .expect("list");
    assert_eq!(page.total, 11);
    let created = f.named("Société Nouvelle").await;
    assert_eq!(created.customer_account.as_str(), "PR001001");
}

/// The unfiltered totals (from the maintained counts) and the same totals
/// counted row by row (a name filter every name matches), for everyone and
/// for each of `users`.
async fn totals_both_ways(store: &Accounts, users: &[UserId]) -> Vec<(u64, u64)> {
    let everything = ListQuery {
        name_any_of: vec![String::new()],
        ..Default::default()
    };
    let mut scopes = vec![Scope::All];
    scopes.extend(users.iter().map(|user| Scope::RepresentedBy(*user)));
    let mut totals = Vec::new();
    for scope in scopes {
        let counted = store.list(PROSPECT, &ListQuery::default(), scope).await;
        let scanned = store.list(PROSPECT, &everything, scope).await;
        totals.push((counted.expect("list").total, scanned.expect("list").total));
    }
    totals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn totals_stay_exact_under_fifty_concurrent_writers_on_two_pools() {
    let f = fixture().await;
    let users = [
        f.user("one@example.com", 5).await,
        f.user("two@example.com", 5).await,
    ];
    // A second store: its own pool, so its sessions (and their count
    // shards) are another process's, as far as the database can tell.
    let other = Store::connect(f.db.url(), &PoolSettings::default())
        .await
        .expect("store")
        .accounts();
    let writers = (0..50).map(|writer| {
        let store = if writer % 2 == 0 {
            f.store.clone()
        } else {
            other.clone()
        };
        tokio::spawn(async move {
            for round in 0..4 {
                let owner = [None, Some(users[0]), Some(users[1])][(writer + round) % 3];
                let input = ProspectInput {
                    representative_id: owner.map_or(Patch::Null, |user| Patch::Set(user.0)),
                    ..named(&format!("Writer {writer} round {round}"))
                };
                let created = store
                    .create(PROSPECT, &by(Scope::All), valid(input), None)
                    .await
                    .expect("created");
                match round {
                    1 => {
                        let moved = ProspectInput {
                            representative_id: Patch::Set(users[writer % 2].0),
                            ..Default::default()
                        };
                        store
                            .update(
                                PROSPECT,
                                created.id,
                                &by(Scope::All),
                                update(moved),
                                &Expected::Any,
                            )
                            .await
                            .expect("moved");
                    }
                    2 => {
                        store
                            .delete(PROSPECT, created.id, &by(Scope::All), &Expected::Any)
                            .await
                            .expect("deleted");
                    }
                    _ => {}
                }
            }
        })
    });
    for writer in futures_util::future::join_all(writers).await {
        writer.expect("the writer finished");
    }
    let totals = totals_both_ways(&f.store, &users).await;
    assert_eq!(totals[0], (150, 150));
    for (counted, scanned) in totals {
        assert_eq!(counted, scanned);
    }
    // A deleted user's prospects lose their representative (ON DELETE SET
    // NULL), and the counts follow.
    f.users.delete(users[0]).await.expect("deleted");
    for (counted, scanned) in totals_both_ways(&f.store, &users).await {
        assert_eq!(counted, scanned);
    }
}

#[tokio::test]
async fn every_write_moves_the_version_and_a_write_at_another_version_changes_nothing() {
    use prospects_domain::{NoteInput, NoteRepository, Owner, Version};
    let f = fixture().await;
    let p = f.named("Acme").await;
    assert_eq!(p.version, Version(1));
    let at = |version| Expected::OneOf(vec![Version(version)]);

    let renamed = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::All),
            update(named("Globex")),
            &at(1),
        )
        .await
        .expect("at version 1");
    assert_eq!(renamed.version, Version(2));
    let unchanged = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::All),
            update(named("Globex")),
            &at(2),
        )
        .await
        .expect("at version 2");
    assert_eq!(
        unchanged, renamed,
        "a write that changes nothing moves nothing"
    );

    let stale = f
        .store
        .update(
            PROSPECT,
            p.id,
            &by(Scope::All),
            update(named("Lost")),
            &at(1),
        )
        .await;
    assert!(matches!(stale, Err(RepositoryError::Stale)), "{stale:?}");

    // What the account owns is part of it: a note moves its version too.
    let note = NoteInput {
        body: Patch::text("Call back"),
        ..NoteInput::default()
    }
    .validate_for_create()
    .expect("valid");
    let owner = Owner {
        kind: PROSPECT,
        id: p.id,
    };
    let ann = f.user("ann@example.test", 10).await;
    f.health
        .notes()
        .create(owner, &Actor::new(ann, Role::new(10)), note, None)
        .await
        .expect("note");
    let stored = f.store.find(PROSPECT, p.id).await.expect("found").account;
    assert_eq!(
        (stored.fields.name.as_str(), stored.version),
        ("Globex", Version(3))
    );

    for expected in [at(2), Expected::OneOf(vec![])] {
        let deleted = f
            .store
            .delete(PROSPECT, p.id, &by(Scope::All), &expected)
            .await;
        assert!(
            matches!(deleted, Err(RepositoryError::Stale)),
            "{deleted:?}"
        );
        let converted = f
            .store
            .convert(p.id, &by(Scope::All), false, &expected, None)
            .await;
        assert!(
            matches!(converted, Err(RepositoryError::Stale)),
            "{converted:?}"
        );
    }
    let converted = f
        .store
        .convert(
            p.id,
            &by(Scope::All),
            false,
            &Expected::OneOf(vec![Version(2), Version(3)]),
            None,
        )
        .await
        .expect("at version 3");
    assert_eq!(converted.version, Version(1));
    let deleted = f
        .store
        .delete(AccountKind::Customer, converted.id, &by(Scope::All), &at(1))
        .await;
    assert!(deleted.is_ok(), "{deleted:?}");
    assert!(matches!(
        f.store.find(AccountKind::Customer, converted.id).await,
        Err(RepositoryError::NotFound)
    ));
}

#[tokio::test]
async fn an_idempotency_key_is_claimed_once_completed_with_its_write_and_then_replayed() {
    use std::sync::Arc;

    use prospects_domain::{
        Claim, Fingerprint, IdempotencyKey, IdempotencyRepository, IdempotencySettings, Receipt,
        Replay,
    };
    let f = fixture().await;
    let keys = f.health.idempotency_keys();
    let ann = f.user("ann@example.test", 10).await;
    let bob = f.user("bob@example.test", 10).await;
    let settings = IdempotencySettings::default();
    let key = |user| IdempotencyKey {
        user,
        key: "retry-me".to_owned(),
    };
    let print = |text: &str| Fingerprint(text.to_owned());
    let claim = |user, text: &'static str, settings| {
        let keys = keys.clone();
        async move {
            keys.claim(&key(user), &print(text), settings)
                .await
                .expect("claimed")
        }
    };
    let render = |account: &prospects_domain::Account| Replay {
        status: 201,
        headers: vec![("ETag".to_owned(), format!("\"{}\"", account.version.0))],
        body: format!("{{\"id\":{}}}", account.id.0),
    };

    let Claim::Leased(lease) = claim(ann, "first", settings).await else {
        panic!("a new key is leased");
    };
    assert_eq!(claim(ann, "first", settings).await, Claim::InFlight);
    assert_eq!(claim(ann, "other", settings).await, Claim::Mismatch);
    // Keys are per user: Bob's equal key is another key.
    assert!(matches!(
        claim(bob, "other", settings).await,
        Claim::Leased(_)
    ));

    let receipt = Receipt::new(lease.clone(), Arc::new(render));
    let created = f
        .store
        .create(
            PROSPECT,
            &by(Scope::All),
            valid(named("Acme")),
            Some(receipt),
        )
        .await
        .expect("created");
    let Claim::Completed(replay) = claim(ann, "first", settings).await else {
        panic!("a completed key is replayed");
    };
    assert_eq!(replay, render(&created));
    assert_eq!(claim(ann, "other", settings).await, Claim::Mismatch);
    // A completed key is no longer released by its (former) holder.
    keys.release(&lease).await.expect("released");
    assert!(matches!(
        claim(ann, "first", settings).await,
        Claim::Completed(_)
    ));

    // A lease that ran out is taken over; the old holder's write then
    // stores nothing and is undone.
    let quick = IdempotencySettings {
        lease: Duration::ZERO,
        ..settings
    };
    let stale_key = IdempotencyKey {
        user: ann,
        key: "slow".to_owned(),
    };
    let Ok(Claim::Leased(old)) = keys.claim(&stale_key, &print("x"), quick).await else {
        panic!("leased");
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let Ok(Claim::Leased(new)) = keys.claim(&stale_key, &print("x"), quick).await else {
        panic!("an expired lease is taken over");
    };
    assert_ne!(old.holder, new.holder);
    let before = f
        .store
        .list(PROSPECT, &ListQuery::default(), Scope::All)
        .await;
    let lost = f
        .store
        .create(
            PROSPECT,
            &by(Scope::All),
            valid(named("Twice")),
            Some(Receipt::new(old, Arc::new(render))),
        )
        .await;
    assert!(matches!(lost, Err(RepositoryError::InFlight)), "{lost:?}");
    let after = f
        .store
        .list(PROSPECT, &ListQuery::default(), Scope::All)
        .await;
    assert_eq!(after.expect("list").total, before.expect("list").total);

    // A released key may be used again, with another request.
    keys.release(&new).await.expect("released");
    assert!(matches!(
        keys.claim(&stale_key, &print("y"), settings).await,
        Ok(Claim::Leased(_))
    ));

    // Past the retention a key is purged, or claimed anew.
    let expired = IdempotencySettings {
        retention: Duration::ZERO,
        ..settings
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(matches!(
        claim(ann, "third", expired).await,
        Claim::Leased(_)
    ));
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(keys.purge(Duration::ZERO).await.expect("purged"), 3);
    assert_eq!(keys.purge(Duration::ZERO).await.expect("purged"), 0);
}

#[tokio::test]
async fn of_many_claims_of_one_key_at_once_on_two_pools_exactly_one_is_leased() {
    use prospects_domain::{Claim, Fingerprint, IdempotencyKey, IdempotencyRepository};
    let f = fixture().await;
    let other = Store::connect(f.db.url(), &PoolSettings::default())
        .await
        .expect("second store");
    let ann = f.user("ann@example.test", 10).await;
    let key = IdempotencyKey {
        user: ann,
        key: "race".to_owned(),
    };
    let claims = (0..20).map(|i| {
        let keys = if i % 2 == 0 {
            f.health.idempotency_keys()
        } else {
            other.idempotency_keys()
        };
        let key = key.clone();
        async move {
            keys.claim(&key, &Fingerprint("same".to_owned()), Default::default())
                .await
                .expect("claimed")
        }
    });
    let claims = futures_util::future::join_all(claims).await;
    let leased = claims
        .iter()
        .filter(|claim| matches!(claim, Claim::Leased(_)))
        .count();
    assert_eq!(leased, 1, "{claims:?}");
    assert!(
        claims
            .iter()
            .all(|claim| matches!(claim, Claim::Leased(_) | Claim::InFlight))
    );
}
