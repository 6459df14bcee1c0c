//! Who is asking: the authenticated user, their role level, and what they may see.

use std::sync::Arc;

/// A user's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// A numeric role level; higher means more access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Role(i32);

impl Role {
    /// Level 5 and below are sales users (the vendor's "role-5 users").
    pub const SALES_MAX: i32 = 5;

    pub fn new(level: i32) -> Self {
        Self(level)
    }

    pub fn level(self) -> i32 {
        self.0
    }

    pub fn is_sales(self) -> bool {
        self.0 <= Self::SALES_MAX
    }
}

/// The caller of a domain operation. Built only from an authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: UserId,
    role: Role,
    trace: Trace,
}

/// Where a caller's request came from, beyond the user: what a change's
/// history records so that it can be traced to one token and one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The revocation id of the token the request carried.
    pub token_id: Option<Arc<str>>,
    /// The request's id (`X-Request-Id`).
    pub request_id: Option<Arc<str>>,
}

/// Which prospects a caller may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every prospect.
    All,
    /// Only prospects whose representative is this user.
    RepresentedBy(UserId),
}

impl Scope {
    /// Whether a prospect with this representative is inside the scope.
    pub fn contains(self, representative: Option<UserId>) -> bool {
        match self {
            Scope::All => true,
            Scope::RepresentedBy(user) => representative == Some(user),
        }
    }
}

impl Actor {
    pub fn new(user_id: UserId, role: Role) -> Self {
        Self {
            user_id,
            role,
            trace: Trace::default(),
        }
    }

    /// The same caller, known to have sent this token and request.
    pub fn traced(self, trace: Trace) -> Self {
        Self { trace, ..self }
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Whoever runs an admin command on the server's own machine: above
    /// every role, and no user of the API (id 0 names no row).
    pub fn operator() -> Self {
        Self::new(UserId(0), Role::new(i32::MAX))
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// A sales user sees only the prospects they represent.
    pub fn scope(&self) -> Scope {
        if self.role.is_sales() {
            Scope::RepresentedBy(self.user_id)
        } else {
            Scope::All
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_five_and_below_are_sales_users() {
        assert!(Role::new(5).is_sales());
        assert!(Role::new(1).is_sales());
        assert!(!Role::new(6).is_sales());
        assert!(!Role::new(100).is_sales());
    }

    #[test]
    fn a_sales_user_is_scoped_to_their_own_prospects() {
        let sales = Actor::new(UserId(7), Role::new(5));
        assert_eq!(sales.scope(), Scope::RepresentedBy(UserId(7)));
        assert!(sales.scope().contains(Some(UserId(7))));
        assert!(!sales.scope().contains(Some(UserId(8))));
        assert!(!sales.scope().contains(None));
    }

    #[test]
    fn a_manager_sees_everything() {
        let manager = Actor::new(UserId(1), Role::new(10));
        assert_eq!(manager.scope(), Scope::All);
        assert!(manager.scope().contains(None));
    }
}
