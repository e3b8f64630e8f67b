//! The chat domain: what may be written into a conversation, and what follows from a write.
//!
//! Every chat message, whoever sends it (a visitor's socket, an operator's socket, the REST API,
//! and later integrations and files), enters through [`post`]: one place checks it, limits it,
//! decides the notices it causes ([`notices`]), stores it with them in one transaction, and
//! counts it. The store beneath is persistence only.

pub mod notices;
mod post;
pub mod queue;
pub mod rules;
pub mod texts;

pub use post::{Post, Sender, post};
