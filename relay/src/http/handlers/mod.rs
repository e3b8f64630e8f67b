//! What the HTTP routes do: async functions taking exactly what they need and answering
//! `Result<T, ApiError>`. They know nothing of warp; the routes in `routes/` turn their answers
//! into replies.

pub mod account;
pub mod answers;
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
