//! End-to-end tests of the HTTP API through actix's test service, against a
//! real PostgreSQL database per test.

mod adversarial;
mod auth;
mod binary;
mod cli;
mod cluster;
mod contacts;
mod costs;
mod customers;
mod docs;
mod documents;
mod errors;
mod history;
mod idempotency;
mod limits;
mod listing;
mod notes;
mod operations;
mod outages;
mod payment_plans;
mod reference_data;
mod sales;
mod sdk;
mod support;
mod users;
mod versions;
mod wire;
mod writes;
