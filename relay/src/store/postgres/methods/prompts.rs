//! [`PromptStore`](crate::store::PromptStore) for [`PgStore`]: prompts and their counts.

use super::super::{PgStore, prompts};

use crate::store::StoreFuture;
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};

impl crate::store::PromptStore for PgStore {
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>> {
        self.read(move |client| async move {
            prompts::prompts(&client, site.as_deref(), enabled_only).await
        })
    }

    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt> {
        self.read(move |client| async move { prompts::prompt(&client, id).await })
    }

    fn create_prompt(&self, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |tx| async move { prompts::save_prompt(&tx, None, &input).await })
    }

    fn replace_prompt(&self, id: i64, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |tx| async move { prompts::save_prompt(&tx, Some(id), &input).await })
    }

    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { prompts::delete_prompt(&tx, id).await })
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
        self.write(move |tx| async move {
            prompts::count_event(&tx, id, &site, variant, &view, event, total).await?;
            if event == PromptEvent::Order {
                tx.emit(crate::store::Event::OrderTracked {
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
        self.read(move |client| async move { prompts::stats(&client, id).await })
    }
}
