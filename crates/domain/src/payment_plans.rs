//! An account's payment plan: how it pays, at most one per prospect or
//! customer. Read by whoever may see the account; written the same way,
//! through the account's own door (a converted prospect takes no writes).

use std::sync::Arc;

use async_trait::async_trait;

use crate::validation::{Rule, ValidationErrors};
use crate::{
    AccountId, AccountKind, Actor, Expected, Owner, Patch, PaymentPlan, RepositoryError, Scope,
};

/// The ways an account may pay, as stored and sent.
pub const PAYMENT_METHODS: [&str; 4] = ["transfer", "direct_debit", "card", "cheque"];

/// The longest payment term, in days.
pub const MAX_TERMS_DAYS: i64 = 365;

/// A payment plan as sent: both fields are required, a plan is replaced whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentPlanInput {
    pub payment_method: Patch<String>,
    pub payment_terms_days: Patch<i64>,
}

/// A payment plan's values, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTerms {
    pub payment_method: String,
    pub payment_terms_days: i32,
}

impl PaymentPlanInput {
    pub fn validate(self) -> Result<PaymentTerms, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let method = match self.payment_method {
            Patch::Set(method) if PAYMENT_METHODS.contains(&method.as_str()) => Some(method),
            Patch::Set(_) => {
                errors.add("payment_method", Rule::Exists);
                None
            }
            Patch::Invalid(rule) => {
                errors.add("payment_method", rule);
                None
            }
            Patch::Absent | Patch::Null => {
                errors.add("payment_method", Rule::Required);
                None
            }
        };
        let days = match self.payment_terms_days {
            Patch::Set(days) if (0..=MAX_TERMS_DAYS).contains(&days) => i32::try_from(days).ok(),
            Patch::Set(_) => {
                errors.add("payment_terms_days", Rule::Between(0, MAX_TERMS_DAYS));
                None
            }
            Patch::Invalid(rule) => {
                errors.add("payment_terms_days", rule);
                None
            }
            Patch::Absent | Patch::Null => {
                errors.add("payment_terms_days", Rule::Required);
                None
            }
        };
        match (method, days) {
            (Some(payment_method), Some(payment_terms_days)) => Ok(PaymentTerms {
                payment_method,
                payment_terms_days,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether a `put` created the plan or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Replaced,
}

/// Storage of payment plans.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait PaymentPlanRepository: Send + Sync {
    /// The account's plan, if it has one. `NotFound` (no such account),
    /// `OutOfScope`.
    async fn find(
        &self,
        owner: Owner,
        scope: Scope,
    ) -> Result<Option<PaymentPlan>, RepositoryError>;

    /// Creates or replaces the plan, on the locked account. `NotFound`,
    /// `OutOfScope`, `Converted`, `Stale` (the plan is not at an `expected`
    /// version, or there is none and `expected` requires one).
    async fn put(
        &self,
        owner: Owner,
        by: &Actor,
        terms: PaymentTerms,
        expected: &Expected,
    ) -> Result<(PaymentPlan, Put), RepositoryError>;

    /// Deletes the plan; `Ok(false)` when there was none. As
    /// [`PaymentPlanRepository::put`].
    async fn delete(
        &self,
        owner: Owner,
        by: &Actor,
        expected: &Expected,
    ) -> Result<bool, RepositoryError>;
}

/// Why a payment plan operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PaymentPlanError {
    #[error("no {0:?} {1:?}")]
    OwnerNotFound(AccountKind, AccountId),
    #[error("forbidden")]
    Forbidden,
    #[error("the prospect has already been converted")]
    Converted,
    /// Not at the version the write required; nothing was written.
    #[error("the payment plan has changed since it was read")]
    Stale,
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl PaymentPlanError {
    fn from_repository(owner: Owner, error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => PaymentPlanError::OwnerNotFound(owner.kind, owner.id),
            RepositoryError::OutOfScope => PaymentPlanError::Forbidden,
            RepositoryError::Converted => PaymentPlanError::Converted,
            RepositoryError::Stale => PaymentPlanError::Stale,
            RepositoryError::Unavailable(cause) => PaymentPlanError::Unavailable(cause),
            other => PaymentPlanError::Unknown(other.into()),
        }
    }
}

/// Reads, puts and deletes payment plans on behalf of an [`Actor`].
pub struct PaymentPlanService {
    plans: Arc<dyn PaymentPlanRepository>,
}

impl PaymentPlanService {
    pub fn new(plans: Arc<dyn PaymentPlanRepository>) -> Self {
        Self { plans }
    }

    /// The plan, or `None` when the account has none yet: `OwnerNotFound`,
    /// `Forbidden`.
    pub async fn show(
        &self,
        actor: &Actor,
        owner: Owner,
    ) -> Result<Option<PaymentPlan>, PaymentPlanError> {
        self.plans
            .find(owner, actor.scope())
            .await
            .map_err(|e| PaymentPlanError::from_repository(owner, e))
    }

    /// Creates or replaces the plan. Checks, in order: the account (404,
    /// 403), the terms (422), a converted prospect (409).
    pub async fn put(
        &self,
        actor: &Actor,
        owner: Owner,
        input: PaymentPlanInput,
        expected: &Expected,
    ) -> Result<(PaymentPlan, Put), PaymentPlanError> {
        let terms = match input.validate() {
            Ok(terms) => terms,
            Err(errors) => {
                // 404 and 403 come first.
                self.show(actor, owner).await?;
                return Err(PaymentPlanError::Invalid(errors));
            }
        };
        self.plans
            .put(owner, actor, terms, expected)
            .await
            .map_err(|e| PaymentPlanError::from_repository(owner, e))
    }

    /// Deletes the plan. Idempotent: an account without one is answered
    /// alike (a plan is a singleton part of its account, not a resource of
    /// its own that can be missing).
    pub async fn delete(
        &self,
        actor: &Actor,
        owner: Owner,
        expected: &Expected,
    ) -> Result<(), PaymentPlanError> {
        self.plans
            .delete(owner, actor, expected)
            .await
            .map(|_deleted| ())
            .map_err(|e| PaymentPlanError::from_repository(owner, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, UserId};

    #[test]
    fn a_plan_needs_a_known_method_and_terms_within_a_year() {
        let errors = PaymentPlanInput {
            payment_method: Patch::text("bitcoin"),
            payment_terms_days: Patch::Set(366),
        }
        .validate()
        .expect_err("refused");
        assert_eq!(
            errors.summary(),
            "The selected payment method is invalid. (and 1 more error)"
        );
        let terms = PaymentPlanInput {
            payment_method: Patch::text("direct_debit"),
            payment_terms_days: Patch::Set(0),
        }
        .validate()
        .expect("valid");
        assert_eq!(terms.payment_terms_days, 0);
        let missing = PaymentPlanInput::default().validate().expect_err("refused");
        assert_eq!(missing.fields().len(), 2);
    }

    #[tokio::test]
    async fn invalid_terms_outside_the_scope_are_forbidden_first() {
        let mut plans = MockPaymentPlanRepository::new();
        plans
            .expect_find()
            .returning(|_, _| Err(RepositoryError::OutOfScope));
        plans.expect_put().never();
        let owner = Owner {
            kind: AccountKind::Customer,
            id: AccountId(4),
        };
        let result = PaymentPlanService::new(Arc::new(plans))
            .put(
                &Actor::new(UserId(7), Role::new(5)),
                owner,
                PaymentPlanInput::default(),
                &Expected::Any,
            )
            .await;
        assert!(matches!(result, Err(PaymentPlanError::Forbidden)));
    }
}
