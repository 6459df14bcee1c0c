//! The account use cases, for prospects and customers alike: validation
//! against the database, the sales-user rules (SPEC §5), conversion, and the
//! calls to storage.

use std::sync::Arc;

use crate::validation::{Rule, ValidationErrors};
use crate::{
    Account, AccountDetails, AccountId, AccountKind, AccountRepository, Actor, Direction, Expected,
    FileStore, ListQuery, Page, Patch, Position, ProspectInput, Receipt, Reference,
    ReferenceLookup, RepositoryError, Scope, Seek, Slice,
};

/// Why an account operation failed, in domain terms; the web layer picks the status.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("no {0:?} {1:?}")]
    NotFound(AccountKind, AccountId),
    /// The caller may not do this to this account.
    #[error("forbidden")]
    Forbidden,
    /// The prospect has become a customer and takes no more writes.
    #[error("the prospect has already been converted")]
    Converted,
    /// Not at the version the write required; nothing was written.
    #[error("the account has changed since it was read")]
    Stale,
    /// Its idempotency key was taken over by a retry; nothing was written.
    #[error("another request holds the idempotency key")]
    InFlight,
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl AccountError {
    fn from_repository(kind: AccountKind, id: Option<AccountId>, error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => match id {
                Some(id) => AccountError::NotFound(kind, id),
                None => AccountError::Unknown(anyhow::anyhow!("row vanished")),
            },
            RepositoryError::OutOfScope => AccountError::Forbidden,
            RepositoryError::Converted => AccountError::Converted,
            RepositoryError::Stale => AccountError::Stale,
            RepositoryError::InFlight => AccountError::InFlight,
            RepositoryError::UnknownReference(reference) => {
                let mut errors = ValidationErrors::new();
                errors.add(reference.field(), Rule::Exists);
                AccountError::Invalid(errors)
            }
            RepositoryError::Unavailable(cause) => AccountError::Unavailable(cause),
            RepositoryError::Unknown(cause) => AccountError::Unknown(cause),
            other @ (RepositoryError::AlreadyExists | RepositoryError::StillReferenced(_)) => {
                AccountError::Unknown(other.into())
            }
        }
    }
}

/// Lists, shows, creates, updates and deletes the accounts of one kind on
/// behalf of an [`Actor`]; converts prospects.
pub struct AccountService {
    kind: AccountKind,
    accounts: Arc<dyn AccountRepository>,
    references: Arc<dyn ReferenceLookup>,
    /// Where the documents' bytes go when their account does.
    files: Arc<dyn FileStore>,
}

impl AccountService {
    pub fn new(
        kind: AccountKind,
        accounts: Arc<dyn AccountRepository>,
        references: Arc<dyn ReferenceLookup>,
        files: Arc<dyn FileStore>,
    ) -> Self {
        Self {
            kind,
            accounts,
            references,
            files,
        }
    }

    /// The kind of account this service handles.
    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    /// The page of accounts the actor may see.
    pub async fn list(
        &self,
        actor: &Actor,
        query: &ListQuery,
    ) -> Result<Page<Account>, AccountError> {
        self.accounts
            .list(self.kind, query, actor.scope())
            .await
            .map_err(|e| self.error(None, e))
    }

    /// A cursor page of the accounts the actor may see: the first page
    /// without `from`. As Laravel's cursor paginator: one more row than the
    /// page is read to learn whether the way onward goes further, and the
    /// way back from a cursor page is assumed open.
    pub async fn walk(
        &self,
        actor: &Actor,
        query: &ListQuery,
        from: Option<Seek>,
    ) -> Result<Slice<Account>, AccountError> {
        let per_page = usize::try_from(query.per_page).unwrap_or(usize::MAX);
        let mut items = self
            .accounts
            .seek(
                self.kind,
                query,
                from,
                query.per_page.saturating_add(1),
                actor.scope(),
            )
            .await
            .map_err(|e| self.error(None, e))?;
        let more = items.len() > per_page;
        items.truncate(per_page);
        let backward = from.is_some_and(|seek| seek.direction == Direction::Backward);
        if backward {
            items.reverse();
        }
        let seek = |account: Option<&Account>, direction| {
            account.map(|account| Seek {
                from: Position::of(account, query),
                direction,
            })
        };
        let (onward_open, back_open) = match from {
            None => (more, false),
            Some(_) if backward => (true, more),
            Some(_) => (more, true),
        };
        Ok(Slice {
            next: seek(items.last(), Direction::Forward).filter(|_| onward_open),
            previous: seek(items.first(), Direction::Backward).filter(|_| back_open),
            items,
        })
    }

    /// One account: `NotFound` when absent, `Forbidden` outside the actor's scope.
    pub async fn show(&self, actor: &Actor, id: AccountId) -> Result<AccountDetails, AccountError> {
        let details = self
            .accounts
            .find(self.kind, id)
            .await
            .map_err(|e| self.error(Some(id), e))?;
        ensure_in_scope(actor.scope(), &details.account)?;
        Ok(details)
    }

    /// Creates an account. A sales user always becomes its representative.
    /// References are left to the database's foreign keys; only when one
    /// fails, or the input is invalid anyway, are they looked up, so that one
    /// answer lists every error.
    pub async fn create(
        &self,
        actor: &Actor,
        mut input: ProspectInput,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, AccountError> {
        // Whatever id was sent is overridden; a value that is not an
        // integer at all is still refused.
        if actor.role().is_sales() && !matches!(input.representative_id, Patch::Invalid(_)) {
            input.representative_id = Patch::Set(actor.user_id().0);
        }
        let references = input.references();
        match input.validate_for_create() {
            Ok(valid) => match self.accounts.create(self.kind, actor, valid, receipt).await {
                Ok(account) => Ok(account),
                Err(error) => Err(self.refused(None, &references, error).await),
            },
            Err(errors) => Err(self.invalid(errors, &references).await),
        }
    }

    /// Updates the fields sent. Checks, in order: the account exists (404),
    /// the actor may change it and keeps themselves as representative (403),
    /// the fields are valid (422), the prospect is not converted (409). A
    /// valid request goes straight to the repository, which decides 404, 403
    /// and 409 on the locked row.
    pub async fn update(
        &self,
        actor: &Actor,
        id: AccountId,
        input: ProspectInput,
        expected: &Expected,
    ) -> Result<Account, AccountError> {
        let keeps = !actor.role().is_sales() || keeps_representative(actor, &input);
        let references = input.references();
        match input.validate_for_update() {
            Ok(valid) if keeps => {
                match self
                    .accounts
                    .update(self.kind, id, actor, valid, expected)
                    .await
                {
                    Ok(account) => Ok(account),
                    Err(error) => Err(self.refused(Some(id), &references, error).await),
                }
            }
            outcome => {
                let representative = self
                    .accounts
                    .representative_of(self.kind, id)
                    .await
                    .map_err(|e| self.error(Some(id), e))?;
                if !actor.scope().contains(representative) || !keeps {
                    return Err(AccountError::Forbidden);
                }
                match outcome {
                    Err(errors) => Err(self.invalid(errors, &references).await),
                    // Valid input gets here only with `keeps` false, refused above.
                    Ok(_) => Err(AccountError::Forbidden),
                }
            }
        }
    }

    /// Deletes an account and what it owns, then its documents' files (one
    /// that cannot be removed now is left to the sweep).
    pub async fn delete(
        &self,
        actor: &Actor,
        id: AccountId,
        expected: &Expected,
    ) -> Result<(), AccountError> {
        let keys = self
            .accounts
            .delete(self.kind, id, actor, expected)
            .await
            .map_err(|e| self.error(Some(id), e))?;
        for key in &keys {
            let _ = self.files.remove(key).await;
        }
        Ok(())
    }

    /// Converts prospect `id` into a customer, which it returns; with
    /// `dry_run`, the customer that would be created, writing nothing. A
    /// sales user converts only their own prospects (`Forbidden`); a
    /// prospect converts once (`Converted`).
    pub async fn convert(
        &self,
        actor: &Actor,
        id: AccountId,
        dry_run: bool,
        expected: &Expected,
        receipt: Option<Receipt<Account>>,
    ) -> Result<Account, AccountError> {
        if self.kind != AccountKind::Prospect {
            return Err(AccountError::NotFound(self.kind, id));
        }
        self.accounts
            .convert(id, actor, dry_run, expected, receipt)
            .await
            .map_err(|e| self.error(Some(id), e))
    }

    fn error(&self, id: Option<AccountId>, error: RepositoryError) -> AccountError {
        AccountError::from_repository(self.kind, id, error)
    }

    /// A write the repository refused: a dangling reference is reported
    /// with every other missing one of the request.
    async fn refused(
        &self,
        id: Option<AccountId>,
        wanted: &[(Reference, i64)],
        error: RepositoryError,
    ) -> AccountError {
        if let RepositoryError::UnknownReference(_) = error {
            match self.missing_references(wanted).await {
                Ok(missing) if !missing.is_empty() => return AccountError::Invalid(missing),
                Ok(_) => {}
                Err(error) => return error,
            }
        }
        self.error(id, error)
    }

    /// Invalid input, with its missing references added.
    async fn invalid(
        &self,
        mut errors: ValidationErrors,
        wanted: &[(Reference, i64)],
    ) -> AccountError {
        match self.missing_references(wanted).await {
            Ok(missing) => {
                errors.merge(missing);
                AccountError::Invalid(errors)
            }
            Err(error) => error,
        }
    }

    /// One "The selected … is invalid." per reference to a missing row.
    async fn missing_references(
        &self,
        wanted: &[(Reference, i64)],
    ) -> Result<ValidationErrors, AccountError> {
        let mut errors = ValidationErrors::new();
        if wanted.is_empty() {
            return Ok(errors);
        }
        let missing = self
            .references
            .missing(wanted)
            .await
            .map_err(|e| self.error(None, e))?;
        for reference in missing {
            errors.add(reference.field(), Rule::Exists);
        }
        Ok(errors)
    }
}

fn ensure_in_scope(scope: Scope, account: &Account) -> Result<(), AccountError> {
    if scope.contains(account.fields.representative()) {
        Ok(())
    } else {
        Err(AccountError::Forbidden)
    }
}

/// A sales user may send no `representative_id`, or their own.
fn keeps_representative(actor: &Actor, input: &ProspectInput) -> bool {
    match input.representative_id {
        Patch::Absent => true,
        Patch::Set(id) => id == actor.user_id().0,
        Patch::Null | Patch::Invalid(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::documents::MockFileStore;
    use crate::ports::{MockAccountRepository, MockReferenceLookup};
    use crate::{AccountNumber, ProspectFields, Reference, Role, UserId, Version};

    const SALES: i64 = 7;

    fn sales_user() -> Actor {
        Actor::new(UserId(SALES), Role::new(5))
    }

    fn manager() -> Actor {
        Actor::new(UserId(1), Role::new(10))
    }

    fn stored(id: i64, representative: Option<i64>) -> AccountDetails {
        let mut fields = ProspectFields::named("Acme".to_owned());
        fields.representative_id = representative;
        AccountDetails {
            account: Account {
                id: AccountId(id),
                kind: AccountKind::Prospect,
                customer_account: AccountNumber::for_id(AccountKind::Prospect, id),
                fields,
                prospect_id: None,
                converted_customer_id: None,
                converted_at: None,
                created_at: Utc::now(),
                updated_at: Utc::now(),
                version: Version(1),
            },
            payment_plan: None,
            contacts: vec![],
            documents: vec![],
        }
    }

    fn named(name: &str) -> ProspectInput {
        ProspectInput {
            name: Patch::text(name),
            ..Default::default()
        }
    }

    fn no_missing_references() -> MockReferenceLookup {
        let mut lookup = MockReferenceLookup::new();
        lookup.expect_missing().returning(|_| Ok(vec![]));
        lookup
    }

    fn service(repo: MockAccountRepository, lookup: MockReferenceLookup) -> AccountService {
        AccountService::new(
            AccountKind::Prospect,
            Arc::new(repo),
            Arc::new(lookup),
            Arc::new(MockFileStore::new()),
        )
    }

    fn walked(ids: std::ops::RangeInclusive<i64>) -> Vec<Account> {
        ids.map(|id| stored(id, Some(SALES)).account).collect()
    }

    fn ids(slice: &Slice<Account>) -> Vec<i64> {
        slice.items.iter().map(|account| account.id.0).collect()
    }

    #[tokio::test]
    async fn a_first_cursor_page_reads_one_row_more_to_know_whether_a_next_one_exists() {
        let query = ListQuery {
            per_page: 3,
            ..Default::default()
        };
        let mut repo = MockAccountRepository::new();
        repo.expect_seek()
            .withf(|_, _, from, limit, scope| {
                from.is_none() && *limit == 4 && *scope == Scope::RepresentedBy(UserId(SALES))
            })
            .returning(|_, _, _, _, _| Ok(walked(1..=4)));
        let slice = service(repo, no_missing_references())
            .walk(&sales_user(), &query, None)
            .await
            .expect("a page");
        assert_eq!(ids(&slice), [1, 2, 3]);
        let next = slice.next.expect("a next page");
        assert_eq!((next.from.id, next.direction), (3, Direction::Forward));
        assert_eq!(slice.previous, None);
    }

    #[tokio::test]
    async fn a_backward_page_is_put_back_in_order_and_knows_where_it_came_from() {
        let query = ListQuery {
            per_page: 3,
            ..Default::default()
        };
        let from = Position::of(&stored(10, Some(SALES)).account, &query);
        let mut repo = MockAccountRepository::new();
        // Nearest first, and only three left: the start of the list.
        repo.expect_seek()
            .returning(|_, _, _, _, _| Ok(walked(7..=9).into_iter().rev().collect()));
        let slice = service(repo, no_missing_references())
            .walk(
                &manager(),
                &query,
                Some(Seek {
                    from,
                    direction: Direction::Backward,
                }),
            )
            .await
            .expect("a page");
        assert_eq!(ids(&slice), [7, 8, 9]);
        assert_eq!(slice.previous, None, "nothing before the list's start");
        let next = slice.next.expect("the page it came from");
        assert_eq!((next.from.id, next.direction), (9, Direction::Forward));
    }

    #[tokio::test]
    async fn the_last_forward_page_has_no_next_one() {
        let query = ListQuery {
            per_page: 3,
            ..Default::default()
        };
        let from = Position::of(&stored(6, Some(SALES)).account, &query);
        let mut repo = MockAccountRepository::new();
        repo.expect_seek()
            .returning(|_, _, _, _, _| Ok(walked(7..=8)));
        let slice = service(repo, no_missing_references())
            .walk(
                &manager(),
                &query,
                Some(Seek {
                    from,
                    direction: Direction::Forward,
                }),
            )
            .await
            .expect("a page");
        assert_eq!(ids(&slice), [7, 8]);
        assert_eq!(slice.next, None);
        let previous = slice.previous.expect("the way back");
        assert_eq!(
            (previous.from.id, previous.direction),
            (7, Direction::Backward)
        );
    }

    #[tokio::test]
    async fn a_sales_user_always_becomes_the_representative() {
        let mut repo = MockAccountRepository::new();
        repo.expect_create()
            .withf(|_, _, valid, _| valid.input().representative_id == Patch::Set(SALES))
            .returning(|_, _, valid, _| {
                let mut details = stored(1, None);
                details.account.fields = valid.into_fields();
                Ok(details.account)
            });
        let input = ProspectInput {
            representative_id: Patch::Set(99),
            ..named("Acme")
        };
        let created = service(repo, no_missing_references())
            .create(&sales_user(), input, None)
            .await
            .expect("created");
        assert_eq!(created.fields.representative(), Some(UserId(SALES)));
    }

    #[tokio::test]
    async fn a_manager_keeps_the_representative_sent() {
        let mut repo = MockAccountRepository::new();
        repo.expect_create()
            .withf(|_, _, valid, _| valid.input().representative_id == Patch::Set(99))
            .returning(|_, _, valid, _| {
                let mut details = stored(1, None);
                details.account.fields = valid.into_fields();
                Ok(details.account)
            });
        let input = ProspectInput {
            representative_id: Patch::Set(99),
            ..named("Acme")
        };
        service(repo, no_missing_references())
            .create(&manager(), input, None)
            .await
            .expect("created");
    }

    #[tokio::test]
    async fn field_errors_and_missing_references_come_in_one_answer() {
        let mut lookup = MockReferenceLookup::new();
        lookup
            .expect_missing()
            .withf(|wanted| wanted == [(Reference::Brand, 404)])
            .returning(|_| Ok(vec![Reference::Brand]));
        let input = ProspectInput {
            brand_id: Patch::Set(404),
            ..Default::default()
        };
        let error = service(MockAccountRepository::new(), lookup)
            .create(&manager(), input, None)
            .await
            .expect_err("refused");
        let AccountError::Invalid(errors) = error else {
            panic!("expected 422, got {error:?}")
        };
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 1 more error)"
        );
        assert!(errors.has("brand_id"));
    }

    #[tokio::test]
    async fn showing_someone_elses_prospect_is_forbidden_to_a_sales_user() {
        let mut repo = MockAccountRepository::new();
        repo.expect_find()
            .returning(|_, id| Ok(stored(id.0, Some(8))));
        let result = service(repo, MockReferenceLookup::new())
            .show(&sales_user(), AccountId(3))
            .await;
        assert!(matches!(result, Err(AccountError::Forbidden)));
    }

    #[tokio::test]
    async fn showing_a_missing_prospect_is_not_found() {
        let mut repo = MockAccountRepository::new();
        repo.expect_find()
            .returning(|_, _| Err(RepositoryError::NotFound));
        let result = service(repo, MockReferenceLookup::new())
            .show(&manager(), AccountId(42))
            .await;
        assert!(matches!(
            result,
            Err(AccountError::NotFound(AccountKind::Prospect, AccountId(42)))
        ));
    }

    #[tokio::test]
    async fn a_sales_user_may_not_hand_a_prospect_to_someone_else() {
        let mut repo = MockAccountRepository::new();
        repo.expect_representative_of()
            .returning(|_, _| Ok(Some(UserId(SALES))));
        repo.expect_update().never();
        let service = service(repo, no_missing_references());
        for representative in [Patch::Set(8), Patch::Null] {
            let input = ProspectInput {
                representative_id: representative,
                ..Default::default()
            };
            let result = service
                .update(&sales_user(), AccountId(3), input, &Expected::Any)
                .await;
            assert!(matches!(result, Err(AccountError::Forbidden)));
        }
    }

    #[tokio::test]
    async fn a_sales_user_may_name_themselves_as_representative() {
        let mut repo = MockAccountRepository::new();
        repo.expect_representative_of().never();
        repo.expect_update()
            .withf(|_, _, by, _, _| by.scope() == Scope::RepresentedBy(UserId(SALES)))
            .returning(|_, id, _, _, _| Ok(stored(id.0, Some(SALES)).account));
        let input = ProspectInput {
            representative_id: Patch::Set(SALES),
            ..Default::default()
        };
        service(repo, MockReferenceLookup::new())
            .update(&sales_user(), AccountId(3), input, &Expected::Any)
            .await
            .expect("updated");
    }

    #[tokio::test]
    async fn a_valid_update_is_decided_on_the_locked_row_in_one_call() {
        let mut repo = MockAccountRepository::new();
        repo.expect_representative_of().never();
        repo.expect_update()
            .returning(|_, _, _, _, _| Err(RepositoryError::OutOfScope));
        let result = service(repo, MockReferenceLookup::new())
            .update(&sales_user(), AccountId(3), named("Acme"), &Expected::Any)
            .await;
        assert!(matches!(result, Err(AccountError::Forbidden)));
    }

    #[tokio::test]
    async fn an_invalid_update_of_a_missing_prospect_is_not_found() {
        let mut repo = MockAccountRepository::new();
        repo.expect_representative_of()
            .returning(|_, _| Err(RepositoryError::NotFound));
        repo.expect_update().never();
        let result = service(repo, MockReferenceLookup::new())
            .update(&manager(), AccountId(9), named("A"), &Expected::Any)
            .await;
        assert!(matches!(
            result,
            Err(AccountError::NotFound(AccountKind::Prospect, AccountId(9)))
        ));
    }

    #[tokio::test]
    async fn updating_outside_the_scope_is_forbidden_before_validation() {
        let mut repo = MockAccountRepository::new();
        repo.expect_representative_of()
            .returning(|_, _| Ok(Some(UserId(8))));
        repo.expect_update().never();
        let input = ProspectInput {
            name: Patch::Null,
            ..Default::default()
        };
        let result = service(repo, MockReferenceLookup::new())
            .update(&sales_user(), AccountId(3), input, &Expected::Any)
            .await;
        assert!(matches!(result, Err(AccountError::Forbidden)));
    }

    #[tokio::test]
    async fn deleting_passes_the_scope_and_maps_out_of_scope_to_forbidden() {
        let mut repo = MockAccountRepository::new();
        repo.expect_delete()
            .withf(|_, _, by, _| by.scope() == Scope::RepresentedBy(UserId(SALES)))
            .returning(|_, _, _, _| Err(RepositoryError::OutOfScope));
        let result = service(repo, MockReferenceLookup::new())
            .delete(&sales_user(), AccountId(3), &Expected::Any)
            .await;
        assert!(matches!(result, Err(AccountError::Forbidden)));
    }

    #[tokio::test]
    async fn converting_passes_the_actor_and_reports_a_second_conversion() {
        let mut repo = MockAccountRepository::new();
        repo.expect_convert()
            .withf(|id, by, dry_run, _, _| {
                *id == AccountId(3) && by.scope() == Scope::RepresentedBy(UserId(SALES)) && !dry_run
            })
            .returning(|_, _, _, _, _| Err(RepositoryError::Converted));
        let result = service(repo, MockReferenceLookup::new())
            .convert(&sales_user(), AccountId(3), false, &Expected::Any, None)
            .await;
        assert!(matches!(result, Err(AccountError::Converted)));
    }

    #[tokio::test]
    async fn the_version_a_write_requires_reaches_the_store_and_a_stale_one_is_reported() {
        let mut repo = MockAccountRepository::new();
        let required = Expected::OneOf(vec![Version(4)]);
        repo.expect_update()
            .withf(|_, _, _, _, expected| *expected == Expected::OneOf(vec![Version(4)]))
            .returning(|_, _, _, _, _| Err(RepositoryError::Stale));
        repo.expect_delete()
            .withf(|_, _, _, expected| *expected == Expected::OneOf(vec![Version(4)]))
            .returning(|_, _, _, _| Err(RepositoryError::Stale));
        repo.expect_convert()
            .withf(|_, _, _, expected, _| *expected == Expected::OneOf(vec![Version(4)]))
            .returning(|_, _, _, _, _| Err(RepositoryError::Stale));
        let service = service(repo, no_missing_references());
        let updated = service
            .update(&manager(), AccountId(3), named("Acme"), &required)
            .await;
        assert!(matches!(updated, Err(AccountError::Stale)));
        let deleted = service.delete(&manager(), AccountId(3), &required).await;
        assert!(matches!(deleted, Err(AccountError::Stale)));
        let converted = service
            .convert(&manager(), AccountId(3), false, &required, None)
            .await;
        assert!(matches!(converted, Err(AccountError::Stale)));
    }

    #[tokio::test]
    async fn customers_are_not_converted_again() {
        let mut repo = MockAccountRepository::new();
        repo.expect_convert().never();
        let customers = AccountService::new(
            AccountKind::Customer,
            Arc::new(repo),
            Arc::new(MockReferenceLookup::new()),
            Arc::new(MockFileStore::new()),
        );
        let result = customers
            .convert(&manager(), AccountId(3), false, &Expected::Any, None)
            .await;
        assert!(matches!(
            result,
            Err(AccountError::NotFound(AccountKind::Customer, AccountId(3)))
        ));
    }

    #[tokio::test]
    async fn a_dangling_reference_is_reported_with_every_other_missing_one() {
        let mut repo = MockAccountRepository::new();
        repo.expect_create()
            .returning(|_, _, _, _| Err(RepositoryError::UnknownReference(Reference::Brand)));
        let mut lookup = MockReferenceLookup::new();
        lookup
            .expect_missing()
            .withf(|wanted| wanted == [(Reference::Brand, 4), (Reference::Sector, 5)])
            .returning(|_| Ok(vec![Reference::Brand, Reference::Sector]));
        let input = ProspectInput {
            brand_id: Patch::Set(4),
            sector_id: Patch::Set(5),
            ..named("Acme")
        };
        let error = service(repo, lookup)
            .create(&manager(), input, None)
            .await
            .expect_err("refused");
        let AccountError::Invalid(errors) = error else {
            panic!("expected 422")
        };
        assert_eq!(
            errors.summary(),
            "The selected brand id is invalid. (and 1 more error)"
        );
    }

    #[tokio::test]
    async fn a_reference_that_vanished_during_the_write_is_a_validation_error() {
        let mut repo = MockAccountRepository::new();
        repo.expect_create()
            .returning(|_, _, _, _| Err(RepositoryError::UnknownReference(Reference::Sector)));
        let input = ProspectInput {
            sector_id: Patch::Set(5),
            ..named("Acme")
        };
        let error = service(repo, no_missing_references())
            .create(&manager(), input, None)
            .await
            .expect_err("refused");
        let AccountError::Invalid(errors) = error else {
            panic!("expected 422")
        };
        assert_eq!(errors.summary(), "The selected sector id is invalid.");
    }
}
