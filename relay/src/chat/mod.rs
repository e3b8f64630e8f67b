//! The chat domain: what may be written into a conversation, and what follows from a write.
//!
//! Every chat message, whoever sends it (a visitor's socket, an operator's socket, the REST API,
//! and later integrations and files), enters through [`post`]: one place checks it, limits it,
//! decides the notices it causes ([`notices`]), stores it with them in one transaction, and
//! counts it. The store beneath is persistence only.
//!
//! The rest of the domain is pure and knows nothing of the store: the rules every input follows
//! ([`validation`], for every entry point — sockets, REST and the command line), the queue
//! ([`queue`]: who gets which waiting conversation), keyword rules ([`rules`]) and the texts the
//! relay itself writes into a conversation ([`texts`]). The store calls the last three inside
//! its transactions, so that any store applies the same policy.

pub mod files;
pub mod notices;
mod post;
pub mod queue;
pub mod rules;
pub mod texts;
pub mod validation;

pub use post::{Post, Sender, post};
