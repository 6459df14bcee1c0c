//! Accounts (prospects and customers) and the records they own.

use chrono::{DateTime, Utc};

use crate::{AccountNumber, Contact, Document, ProspectFields, Version};

/// An account's primary key; prospects and customers share one sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// What an account is: a company or person being courted, or one that
/// became a customer. Both have the same fields and the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    Prospect,
    Customer,
}

impl AccountKind {
    /// The name of the kind as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Prospect => "prospect",
            AccountKind::Customer => "customer",
        }
    }

    /// The kind stored as `stored`.
    pub fn from_stored(stored: &str) -> Option<Self> {
        [AccountKind::Prospect, AccountKind::Customer]
            .into_iter()
            .find(|kind| kind.as_str() == stored)
    }
}

/// The account something hangs on (a note, a payment plan, ...): a
/// prospect or a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub kind: AccountKind,
    pub id: AccountId,
}

/// A stored prospect or customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub customer_account: AccountNumber,
    pub fields: ProspectFields,
    /// A customer's prospect, when it was converted from one that still exists.
    pub prospect_id: Option<AccountId>,
    /// A prospect's customer, once converted (null again if the customer
    /// is deleted; the prospect stays converted).
    pub converted_customer_id: Option<AccountId>,
    /// When a prospect was converted.
    pub converted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every write to the account or to what it owns.
    pub version: Version,
}

impl Account {
    /// A prospect that became a customer: it accepts no more writes.
    pub fn is_converted(&self) -> bool {
        self.converted_at.is_some()
    }
}

/// An account with the records it owns, as `GET /prospects/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub account: Account,
    pub payment_plan: Option<PaymentPlan>,
    pub contacts: Vec<Contact>,
    pub documents: Vec<Document>,
}

/// How the prospect will pay once a customer; at most one per prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    pub id: i64,
    pub account_id: AccountId,
    pub payment_method: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every write to it.
    pub version: Version,
}
