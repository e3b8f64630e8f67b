//! The store's tests that run on both backends (SQLite and PostgreSQL), one file per aggregate:
//! each body is an `async fn(Backend)` run twice by `on_both_stores!`.

mod accounts;
mod answers;
mod conversations;
mod files;
mod history;
mod keys;
mod outbox;
mod postgres;
mod privacy;
mod prompts;
mod queueing;
mod reports;
mod team;
mod webhooks;
mod workflow;
