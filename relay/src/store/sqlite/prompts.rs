//! Proactive prompts and their figures. A prompt's variants and trigger are kept as the JSON the
//! REST API speaks; its figures are counters per variant, event and day (UTC), so that a busy
//! shop adds one row a day per counter, not one per page view.

use super::rows::site_title;
use crate::clock::now_millis;
use crate::store::StoreError;
use crate::store::prompts::{COUNTED_DAYS, DAY_MILLIS, DayCounter, tally};
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

const SELECT: &str = "SELECT id, site, name, variants, trigger, dismiss_for_days, max_per_session,
    enabled FROM prompts";

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

/// A stored day's order total as a number ([`tally`] decides whether it is a sane one).
fn stored_total(value: Value) -> f64 {
    match value {
        Value::Real(total) => total,
        Value::Integer(total) => total as f64,
        _ => 0.0,
    }
}

/// Per variant: every counter, the conversion (conversations per prompt shown) and its
/// significance against the first variant, as [`tally`] adds them up.
pub fn stats(connection: &Connection, id: i64) -> Result<PromptStats, StoreError> {
    let prompt = prompt(connection, id)?;
    let mut statement = connection.prepare_cached(
        "SELECT variant, event, count, total FROM prompt_counts WHERE prompt_id = ?1",
    )?;
    let counters = statement
        .query_map([id], |row| {
            Ok(DayCounter {
                variant: match row.get::<_, Value>(0)? {
                    Value::Integer(variant) => usize::try_from(variant).ok(),
                    _ => None,
                },
                event: match row.get::<_, Value>(1)? {
                    Value::Text(event) => Some(event),
                    _ => None,
                },
                count: sane_count(row.get::<_, Value>(2)?),
                total: stored_total(row.get::<_, Value>(3)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(tally(&prompt, counters))
}
