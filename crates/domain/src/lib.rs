//! The Accounts domain: the Account entity, its validation, account numbers,
//! the sales-user rules, and the ports (traits) the adapters implement.
//!
//! Nothing here performs I/O; adapters live in `prospects-infra`, the web
//! surface in `prospects-http`.

pub mod account;
pub mod account_number;
pub mod accounts;
pub mod actor;
pub mod auth;
pub mod contacts;
pub mod documents;
pub mod fields;
pub mod history;
pub mod idempotency;
pub mod input;
pub mod listing;
pub mod notes;
pub mod owned;
pub mod payment_plans;
pub mod phone;
pub mod ports;
pub mod recent;
pub mod reference_data;
pub mod search;
pub mod users;
pub mod validation;
pub mod versions;

pub use account::{Account, AccountDetails, AccountId, AccountKind, Owner, PaymentPlan};
pub use account_number::AccountNumber;
pub use accounts::{AccountError, AccountService};
pub use actor::{Actor, Role, Scope, Trace, UserId};
pub use auth::{AuthError, AuthService, LoginOutcome, Refusal, Session};
pub use contacts::{
    Contact, ContactChanges, ContactFields, ContactInput, ContactRepository, ContactService,
};
pub use documents::{
    Content, Document, DocumentInput, DocumentRepository, DocumentService, FileKey, FileStore,
    NewDocument, StorageError, StoredFile, Upload,
};
pub use fields::{ProspectField, ProspectFields, ProspectInput};
pub use history::{
    Action, Author, FieldChange, HistoryEntry, HistoryError, HistoryQuery, HistoryRepository,
    HistoryService, Recorded, Subject, Value,
};
pub use idempotency::{
    Claim, Fingerprint, IdempotencyError, IdempotencyKey, IdempotencyRepository,
    IdempotencyService, IdempotencySettings, Lease, Receipt, Replay,
};
pub use input::Patch;
pub use listing::{
    Direction, ListQuery, Page, Position, Seek, Slice, SortDirection, SortField, SortKey,
};
pub use notes::{Editor, Note, NoteChanges, NoteInput, NoteRepository, NoteService, NoteValues};
pub use owned::{OwnedError, Record};
pub use payment_plans::{
    PaymentPlanError, PaymentPlanInput, PaymentPlanRepository, PaymentPlanService, PaymentTerms,
    Put,
};
pub use ports::{
    Access, AccountRepository, HealthCheck, NewUser, Operation, PasswordHasher, Reference,
    ReferenceLookup, RepositoryError, RevocationList, TokenAuthority, TokenRejected, User,
    UserQuery, UserRepository, UserUpdate, VerifiedToken,
};
pub use reference_data::{
    ReferenceDataError, ReferenceDataRepository, ReferenceDataService, ReferenceEntry,
    ReferenceInput, ReferenceKind, ValidReference,
};
pub use users::{UserDraft, UserError, UserInput, UserService};
pub use validation::{Rule, ValidationErrors};
pub use versions::{Expected, Version};
