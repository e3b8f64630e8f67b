//! Proactive prompts and their counts; [`PromptStore`].

use super::StoreFuture;
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};

/// Persistence of prompts and their counts.
pub trait PromptStore: Send + Sync {
    /// Every prompt, or one site's; `enabled_only` for widgets.
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>>;
    /// A prompt by id.
    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt>;
    /// Creates a prompt; `input.site` names an existing site.
    fn create_prompt(&self, input: PromptInput) -> StoreFuture<'_, Prompt>;
    /// Replaces a prompt; `input.site` names an existing site.
    fn replace_prompt(&self, id: i64, input: PromptInput) -> StoreFuture<'_, Prompt>;
    /// Deletes a prompt (`NotFound` when there is none).
    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()>;
    /// Counts a widget's report once per page view (`view`, the random part of its signed view
    /// id) and event: `Conflict` when counted before; `NotFound` unless the prompt is the site's
    /// and has the variant.
    fn count_prompt_event(
        &self,
        id: i64,
        site: String,
        variant: u32,
        view: String,
        event: PromptEvent,
        total: f64,
    ) -> StoreFuture<'_, ()>;
    /// A prompt's counts per variant.
    fn prompt_stats(&self, id: i64) -> StoreFuture<'_, PromptStats>;
}
