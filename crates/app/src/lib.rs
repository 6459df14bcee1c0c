//! The Accounts service as a library: configuration, the composition root,
//! the server and the admin commands. `main.rs` only parses the command line.

pub mod admin;
pub mod bootstrap;
pub mod config;
pub mod output;
pub mod server;
pub mod shared_budgets;
pub mod telemetry;
pub mod wiring;

pub use config::Config;
