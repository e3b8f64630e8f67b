//! [`PromptStore`](crate::store::PromptStore) for [`SqliteStore`]: prompts and their counts.

use super::super::{SqliteStore, prompts};
use crate::store::StoreFuture;
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};

impl crate::store::PromptStore for SqliteStore {
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>> {
        self.read(move |connection| prompts::prompts(connection, site.as_deref(), enabled_only))
    }

    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt> {
        self.read(move |connection| prompts::prompt(connection, id))
    }

    fn create_prompt(&self, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |connection, _| prompts::save_prompt(connection, None, &input))
    }

    fn replace_prompt(&self, id: i64, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |connection, _| prompts::save_prompt(connection, Some(id), &input))
    }

    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| prompts::delete_prompt(connection, id))
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
        self.write(move |connection, events| {
            prompts::count_event(connection, id, &site, variant, &view, event, total)?;
            if event == PromptEvent::Order {
                events.push(crate::store::Event::OrderTracked {
                    site,
                    prompt_id: id,
                    variant,
                    total,
                });
            }
            Ok(())
        })
    }

    fn prompt_stats(&self, id: i64) -> StoreFuture<'_, PromptStats> {
        self.read(move |connection| prompts::stats(connection, id))
    }
}
