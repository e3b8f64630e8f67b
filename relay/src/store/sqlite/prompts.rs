//! Proactive prompts and their figures. A prompt's variants and trigger are kept as the JSON the
//! REST API speaks; its figures are counters per variant, event and day (UTC), so that a busy
//! shop adds one row a day per counter, not one per page view.

use super::rows::site_title;
use crate::clock::now_millis;
use crate::store::StoreError;
use beseda_protocol::prompts::{
    MAX_ORDER_TOTAL, Prompt, PromptEvent, PromptInput, PromptStats, VariantStats,
    two_proportion_test,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

const SELECT: &str = "SELECT id, site, name, variants, trigger, dismiss_for_days, max_per_session,
    enabled FROM prompts";

const DAY_MILLIS: i64 = 86_400_000;

/// Which page views' events are remembered: a day more than a view id lives, so that none
/// can be counted again after its row has gone.
const COUNTED_DAYS: i64 = crate::prompt_views::LIFETIME_SECONDS / 86_400 + 1;

/// A JSON column read back into its type.
fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Prompt> {
    Ok(Prompt {
        id: row.get(0)?,
        site: row.get(1)?,
        name: row.get(2)?,
        variants: json(row, 3)?,
        trigger: json(row, 4)?,
        dismiss_for_days: row.get(5)?,
        max_per_session: row.get(6)?,
        enabled: row.get(7)?,
        views: Vec::new(),
    })
}

/// Every prompt, or a site's; `enabled_only` for what widgets see.
pub fn prompts(
    connection: &Connection,
    site: Option<&str>,
    enabled_only: bool,
) -> Result<Vec<Prompt>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE (?1 IS NULL OR site = ?1) AND (enabled OR NOT ?2) ORDER BY site, id"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params![site, enabled_only], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn prompt(connection: &Connection, id: i64) -> Result<Prompt, StoreError> {
    let sql = format!("{SELECT} WHERE id = ?1");
    connection
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Creates (`id` none) or replaces a prompt; `input.site` must be set and name a site.
pub fn save_prompt(
    connection: &Connection,
    id: Option<i64>,
    input: &PromptInput,
) -> Result<Prompt, StoreError> {
    let site = input.site.as_deref().unwrap_or_default();
    if site_title(connection, site)?.is_none() {
        return Err(StoreError::NoSuchSite(site.to_owned()));
    }
    let variants = serde_json::to_string(&input.variants)
        .map_err(|error| StoreError::Database(error.to_string()))?;
    let trigger = serde_json::to_string(&input.trigger)
        .map_err(|error| StoreError::Database(error.to_string()))?;
    let id = match id {
        None => {
            connection
                .prepare_cached(
                    "INSERT INTO prompts (site, name, variants, trigger, dismiss_for_days,
                     max_per_session, enabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    site,
                    input.name,
                    variants,
                    trigger,
                    input.dismiss_for_days,
                    input.max_per_session,
                    input.enabled,
                    now_millis()
                ])?;
            connection.last_insert_rowid()
        }
        Some(id) => {
            let changed = connection
                .prepare_cached(
                    "UPDATE prompts SET site = ?2, name = ?3, variants = ?4, trigger = ?5,
                     dismiss_for_days = ?6, max_per_session = ?7, enabled = ?8 WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    site,
                    input.name,
                    variants,
                    trigger,
                    input.dismiss_for_days,
                    input.max_per_session,
                    input.enabled
                ])?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
    };
    prompt(connection, id)
}

/// Deletes a prompt with its figures.
pub fn delete_prompt(connection: &Connection, id: i64) -> Result<(), StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM prompts WHERE id = ?1")?
        .execute([id])?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Counts one event of a variant, once per page view (`view`, the random part of its signed view
/// id): `Conflict` when this view's event was counted before. The prompt must belong to `site`
/// and have the variant.
pub fn count_event(
    connection: &Connection,
    id: i64,
    site: &str,
    variant: u32,
    view: &str,
    event: PromptEvent,
    total: f64,
) -> Result<(), StoreError> {
    let prompt = prompt(connection, id)?;
    if prompt.site != site || variant as usize >= prompt.variants.len() {
        return Err(StoreError::NotFound);
    }
    let day = now_millis().div_euclid(DAY_MILLIS);
    connection
        .prepare_cached("DELETE FROM prompt_views_counted WHERE day < ?1")?
        .execute([day - COUNTED_DAYS])?;
    let first = connection
        .prepare_cached(
            "INSERT OR IGNORE INTO prompt_views_counted (prompt_id, view, event, day)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, view, event.as_str(), day])?;
    if first == 0 {
        return Err(StoreError::EventCounted(event.as_str()));
    }
    connection
        .prepare_cached(
            "INSERT INTO prompt_counts (prompt_id, variant, event, day, count, total)
             VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT (prompt_id, variant, event, day)
             DO UPDATE SET count = count + 1, total = total + excluded.total",
        )?
        .execute(params![id, variant, event.as_str(), day, total])?;
    Ok(())
}

/// A stored day's count, or 0 when the row holds no sane one (a damaged database must not keep
/// the figures from being read).
fn sane_count(value: Value) -> u64 {
    match value {
        Value::Integer(count) => u64::try_from(count).unwrap_or(0),
        _ => 0,
    }
}

/// A stored day's order total, or 0 when it cannot be one: not a finite number, negative, or
/// more than its orders could honestly add up to. Stats are then always finite.
fn sane_total(value: Value, count: u64) -> f64 {
    let total = match value {
        Value::Real(total) => total,
        Value::Integer(total) => total as f64,
        _ => 0.0,
    };
    if total.is_finite() && total >= 0.0 && total < count as f64 * MAX_ORDER_TOTAL {
        total
    } else {
        0.0
    }
}

/// Per variant: every counter, the conversion (conversations per prompt shown) and its
/// significance against the first variant.
pub fn stats(connection: &Connection, id: i64) -> Result<PromptStats, StoreError> {
    let prompt = prompt(connection, id)?;
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
    // Day by day rather than with SUM(): each row is checked on its own, and sums that could
    // overflow in SQL are added up here, saturating.
    let mut statement = connection.prepare_cached(
        "SELECT variant, event, count, total FROM prompt_counts WHERE prompt_id = ?1",
    )?;
    let rows = statement.query_map([id], |row| {
        Ok((
            row.get::<_, Value>(0)?,
            row.get::<_, Value>(1)?,
            row.get::<_, Value>(2)?,
            row.get::<_, Value>(3)?,
        ))
    })?;
    for row in rows {
        let (variant, event, count, total) = row?;
        let stats = match variant {
            Value::Integer(variant) => usize::try_from(variant)
                .ok()
                .and_then(|index| variants.get_mut(index)),
            _ => None,
        };
        let (Some(stats), Value::Text(event)) = (stats, event) else {
            continue;
        };
        let count = sane_count(count);
        let counter = match PromptEvent::from_name(&event) {
            Some(PromptEvent::Shown) => &mut stats.shown,
            Some(PromptEvent::Dismissed) => &mut stats.dismissed,
            Some(PromptEvent::Opened) => &mut stats.opened,
            Some(PromptEvent::Conversation) => &mut stats.conversations,
            Some(PromptEvent::Order) => {
                stats.order_total += sane_total(total, count);
                &mut stats.orders
            }
            None => continue,
        };
        *counter = counter.saturating_add(count);
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
    Ok(PromptStats { id, variants })
}
