//! The routes, one module per area: one function per route, the route as its doc comment, each
//! starting with its path (see `filters.rs` for why), then its method, then what it needs, and
//! calling one handler.

pub mod account;
pub mod answers;
pub mod assets;
pub mod conversations;
pub mod files;
pub mod history;
pub mod keys;
pub mod privacy;
pub mod prompts;
pub mod reports;
pub mod shortcuts;
pub mod system;
pub mod team;
pub mod webhooks;
pub mod workflow;
