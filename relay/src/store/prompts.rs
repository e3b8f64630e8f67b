//! Proactive prompts and their counts; [`PromptStore`].

use super::StoreFuture;
use beseda_protocol::prompts::{
    MAX_ORDER_TOTAL, Prompt, PromptEvent, PromptInput, PromptStats, VariantStats,
    two_proportion_test,
};

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

/// A day, in milliseconds: the counters' unit of time.
pub(crate) const DAY_MILLIS: i64 = 86_400_000;

/// Which page views' events are remembered: a day more than a view id lives, so that none
/// can be counted again after its row has gone.
pub(crate) const COUNTED_DAYS: i64 = crate::prompt_views::LIFETIME_SECONDS / 86_400 + 1;

/// One stored day's counter of a prompt as a backend read it; a value that cannot be what it
/// should be (in a damaged database) is `None`, or 0 for the count, and the counter is skipped
/// or counts nothing rather than keep the figures from being read.
pub(crate) struct DayCounter {
    pub variant: Option<usize>,
    pub event: Option<String>,
    pub count: u64,
    /// The day's order total, any number; [`tally`] keeps only a sane one.
    pub total: f64,
}

/// A stored day's order total, or 0 when it cannot be one: not a finite number, negative, or
/// more than its orders could honestly add up to. Stats are then always finite.
fn sane_total(total: f64, count: u64) -> f64 {
    if total.is_finite() && total >= 0.0 && total < count as f64 * MAX_ORDER_TOTAL {
        total
    } else {
        0.0
    }
}

/// A prompt's figures from its day counters: per variant every counter, the conversion
/// (conversations per prompt shown) and its significance against the first variant. Counters
/// are added up here, day by day and saturating, rather than with SQL's `SUM()`, so that each
/// row is checked on its own and no sum can overflow.
pub(crate) fn tally(
    prompt: &Prompt,
    counters: impl IntoIterator<Item = DayCounter>,
) -> PromptStats {
    let mut variants: Vec<VariantStats> = prompt
        .variants
        .iter()
        .enumerate()
        .map(|(index, variant)| VariantStats {
            variant: index as u32,
            text: variant.text.clone(),
            weight: variant.weight,
            shown: 0,
            dismissed: 0,
            opened: 0,
            conversations: 0,
            orders: 0,
            order_total: 0.0,
            conversion: 0.0,
            z_score: None,
            p_value: None,
        })
        .collect();
    for counter in counters {
        let stats = counter.variant.and_then(|index| variants.get_mut(index));
        let (Some(stats), Some(event)) = (stats, counter.event) else {
            continue;
        };
        let count = counter.count;
        let slot = match PromptEvent::from_name(&event) {
            Some(PromptEvent::Shown) => &mut stats.shown,
            Some(PromptEvent::Dismissed) => &mut stats.dismissed,
            Some(PromptEvent::Opened) => &mut stats.opened,
            Some(PromptEvent::Conversation) => &mut stats.conversations,
            Some(PromptEvent::Order) => {
                stats.order_total += sane_total(counter.total, count);
                &mut stats.orders
            }
            None => continue,
        };
        *slot = slot.saturating_add(count);
    }
    for stats in &mut variants {
        if !stats.order_total.is_finite() {
            // Only reachable with absurd counts in a damaged database.
            stats.order_total = 0.0;
        }
    }
    let baseline = variants
        .first()
        .map(|first| (first.conversations, first.shown));
    for (index, stats) in variants.iter_mut().enumerate() {
        if stats.shown > 0 {
            stats.conversion = stats.conversations as f64 / stats.shown as f64;
        }
        if let (true, Some((conversations, shown))) = (index > 0, baseline)
            && let Some((z, p)) =
                two_proportion_test(conversations, shown, stats.conversations, stats.shown)
            && z.is_finite()
            && p.is_finite()
        {
            stats.z_score = Some(z);
            stats.p_value = Some(p);
        }
    }
    PromptStats {
        id: prompt.id,
        variants,
    }
}
