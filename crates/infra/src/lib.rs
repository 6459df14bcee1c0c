//! Adapters of the domain ports: PostgreSQL storage through diesel-async,
//! Argon2id password hashing, and Biscuit bearer tokens.

mod errors;
pub mod files;
pub mod keys;
pub mod passwords;
mod rows;
mod schema;
pub mod store;
pub mod tokens;

pub use files::LocalFiles;
pub use keys::{RootKey, parse_public_keys, split_key_id};
pub use passwords::Argon2Hasher;
pub use store::{
    Accounts, Backend, Contacts, Documents, History, IdempotencyKeys, Notes, PaymentPlans,
    PoolSettings, PoolStatus, References, Revocations, StatementCounter, Store, Users,
};
pub use tokens::{BiscuitAuthority, attenuate};
