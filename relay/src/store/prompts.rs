//! Proactive prompts and their figures. A prompt's variants and trigger are kept as the JSON the
//! REST API speaks; its figures are counters per variant, event and day (UTC), so that a busy
//! shop adds one row a day per counter, not one per page view.

use super::StoreError;
use crate::clock::now_millis;
use beseda_protocol::prompts::{
    Prompt, PromptEvent, PromptInput, PromptStats, VariantStats, two_proportion_test,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

const SELECT: &str = "SELECT id, site, name, variants, trigger, dismiss_for_days, max_per_session,
    enabled FROM prompts";

const DAY_MILLIS: i64 = 86_400_000;

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
    if super::accounts::site_title(connection, site)?.is_none() {
        return Err(StoreError::Conflict(format!("there is no site {site:?}")));
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

/// Counts one event of a variant. The prompt must belong to `site` and have the variant.
pub fn count_event(
    connection: &Connection,
    id: i64,
    site: &str,
    variant: u32,
    event: PromptEvent,
    total: f64,
) -> Result<(), StoreError> {
    let prompt = prompt(connection, id)?;
    if prompt.site != site || variant as usize >= prompt.variants.len() {
        return Err(StoreError::NotFound);
    }
    connection
        .prepare_cached(
            "INSERT INTO prompt_counts (prompt_id, variant, event, day, count, total)
             VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT (prompt_id, variant, event, day)
             DO UPDATE SET count = count + 1, total = total + excluded.total",
        )?
        .execute(params![
            id,
            variant,
            event.as_str(),
            now_millis().div_euclid(DAY_MILLIS),
            total
        ])?;
    Ok(())
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
    let mut statement = connection.prepare_cached(
        "SELECT variant, event, SUM(count), SUM(total) FROM prompt_counts
         WHERE prompt_id = ?1 GROUP BY variant, event",
    )?;
    let rows = statement.query_map([id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, f64>(3)?,
        ))
    })?;
    for row in rows {
        let (variant, event, count, total) = row?;
        let Some(stats) = usize::try_from(variant)
            .ok()
            .and_then(|index| variants.get_mut(index))
        else {
            continue;
        };
        let count = u64::try_from(count).unwrap_or(0);
        match PromptEvent::from_name(&event) {
            Some(PromptEvent::Shown) => stats.shown = count,
            Some(PromptEvent::Dismissed) => stats.dismissed = count,
            Some(PromptEvent::Opened) => stats.opened = count,
            Some(PromptEvent::Conversation) => stats.conversations = count,
            Some(PromptEvent::Order) => {
                stats.orders = count;
                stats.order_total = total;
            }
            None => {}
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
        {
            stats.z_score = Some(z);
            stats.p_value = Some(p);
        }
    }
    Ok(PromptStats { id, variants })
}
