//! [`PromptStore`](crate::store::PromptStore) for [`PgStore`]: prompts and their counts.

use super::super::PgStore;
use super::pending;

use crate::store::StoreFuture;
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};

impl crate::store::PromptStore for PgStore {
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>> {
        pending()
    }

    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt> {
        pending()
    }

    fn create_prompt(&self, input: PromptInput) -> StoreFuture<'_, Prompt> {
        pending()
    }

    fn replace_prompt(&self, id: i64, input: PromptInput) -> StoreFuture<'_, Prompt> {
        pending()
    }

    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()> {
        pending()
    }

    fn count_prompt_event(
        &self,
        id: i64,
        site: String,
        variant: u32,
        view: String,
        event: PromptEvent,
        total: f64,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn prompt_stats(&self, id: i64) -> StoreFuture<'_, PromptStats> {
        pending()
    }
}
