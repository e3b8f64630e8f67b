//! Proactive prompts and their figures: the SQL of [`PromptStore`](crate::store::PromptStore)
//! on PostgreSQL. As on SQLite, a prompt's variants and trigger are kept as the JSON the REST API
//! speaks, and its figures are counters per variant, event and day (UTC), added up by the
//! store's shared [`tally`].

use super::accounts::site_title;
use super::sql::{Sql, from_json, to_json};
use crate::clock::now_millis;
use crate::store::StoreError;
use crate::store::prompts::{COUNTED_DAYS, DAY_MILLIS, DayCounter, tally};
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};
use tokio_postgres::Row;

/// The columns [`from_row`] reads.
const COLUMNS: &str =
    "id, site, name, variants, trigger, dismiss_for_days, max_per_session, enabled";

/// A stored count that must fit a `u32` (the API's type); the API never stores a larger one.
fn small_count(row: &Row, index: usize) -> Result<u32, StoreError> {
    u32::try_from(row.try_get::<_, i64>(index)?).map_err(|_| {
        StoreError::Database(format!(
            "a stored prompt has a count out of range in column {index}"
        ))
    })
}

fn from_row(row: &Row) -> Result<Prompt, StoreError> {
    Ok(Prompt {
        id: row.try_get(0)?,
        site: row.try_get(1)?,
        name: row.try_get(2)?,
        variants: from_json(row.try_get(3)?)?,
        trigger: from_json(row.try_get(4)?)?,
        dismiss_for_days: small_count(row, 5)?,
        max_per_session: small_count(row, 6)?,
        enabled: row.try_get(7)?,
        views: Vec::new(),
    })
}

/// Every prompt, or a site's; `enabled_only` for what widgets see.
pub async fn prompts(
    client: &impl Sql,
    site: Option<&str>,
    enabled_only: bool,
) -> Result<Vec<Prompt>, StoreError> {
    // Sites ordered byte by byte, as SQLite orders them, whatever the database's collation.
    let sql = format!(
        "SELECT {COLUMNS} FROM prompts WHERE ($1::text IS NULL OR site = $1) AND (enabled OR NOT $2)
         ORDER BY site COLLATE \"C\", id"
    );
    client
        .query(&sql, &[&site, &enabled_only])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn prompt(client: &impl Sql, id: i64) -> Result<Prompt, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM prompts WHERE id = $1");
    match client.query_opt(&sql, &[&id]).await? {
        Some(row) => from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

/// Creates (`id` none) or replaces a prompt; `input.site` must be set and name a site.
pub async fn save_prompt(
    client: &impl Sql,
    id: Option<i64>,
    input: &PromptInput,
) -> Result<Prompt, StoreError> {
    let site = input.site.as_deref().unwrap_or_default();
    if site_title(client, site).await?.is_none() {
        return Err(StoreError::NoSuchSite(site.to_owned()));
    }
    let variants = to_json(&input.variants)?;
    let trigger = to_json(&input.trigger)?;
    let dismiss_for_days = i64::from(input.dismiss_for_days);
    let max_per_session = i64::from(input.max_per_session);
    let row = match id {
        None => {
            let sql = format!(
                "INSERT INTO prompts (site, name, variants, trigger, dismiss_for_days,
                 max_per_session, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 RETURNING {COLUMNS}"
            );
            client
                .query_opt(
                    &sql,
                    &[
                        &site,
                        &input.name,
                        &variants,
                        &trigger,
                        &dismiss_for_days,
                        &max_per_session,
                        &input.enabled,
                        &now_millis(),
                    ],
                )
                .await?
        }
        Some(id) => {
            let sql = format!(
                "UPDATE prompts SET site = $2, name = $3, variants = $4, trigger = $5,
                 dismiss_for_days = $6, max_per_session = $7, enabled = $8 WHERE id = $1
                 RETURNING {COLUMNS}"
            );
            client
                .query_opt(
                    &sql,
                    &[
                        &id,
                        &site,
                        &input.name,
                        &variants,
                        &trigger,
                        &dismiss_for_days,
                        &max_per_session,
                        &input.enabled,
                    ],
                )
                .await?
        }
    };
    match row {
        Some(row) => from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

/// Deletes a prompt with its figures.
pub async fn delete_prompt(client: &impl Sql, id: i64) -> Result<(), StoreError> {
    let deleted = client
        .execute("DELETE FROM prompts WHERE id = $1", &[&id])
        .await?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Counts one event of a variant, once per page view (`view`, the random part of its signed view
/// id): `EventCounted` when this view's event was counted before. The prompt must belong to
/// `site` and have the variant.
pub async fn count_event(
    client: &impl Sql,
    id: i64,
    site: &str,
    variant: u32,
    view: &str,
    event: PromptEvent,
    total: f64,
) -> Result<(), StoreError> {
    let prompt = prompt(client, id).await?;
    if prompt.site != site || variant as usize >= prompt.variants.len() {
        return Err(StoreError::NotFound);
    }
    let day = now_millis().div_euclid(DAY_MILLIS);
    let variant = i64::from(variant);
    // One statement: forget the views too old to come back, remember this view's event (unless
    // it was counted before), and only then count it. Nothing counted means counted before.
    let counted = client
        .execute(
            "WITH forgotten AS (DELETE FROM prompt_views_counted WHERE day < $6),
             first AS (
                 INSERT INTO prompt_views_counted (prompt_id, view, event, day)
                 VALUES ($1, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1)
             INSERT INTO prompt_counts (prompt_id, variant, event, day, count, total)
             SELECT $1, $2, $4, $5, 1, $7 FROM first
             ON CONFLICT (prompt_id, variant, event, day)
             DO UPDATE SET count = prompt_counts.count + 1,
                 total = prompt_counts.total + excluded.total",
            &[
                &id,
                &variant,
                &view,
                &event.as_str(),
                &day,
                &(day - COUNTED_DAYS),
                &total,
            ],
        )
        .await?;
    if counted == 0 {
        return Err(StoreError::EventCounted(event.as_str()));
    }
    Ok(())
}

/// Per variant: every counter, the conversion (conversations per prompt shown) and its
/// significance against the first variant, as [`tally`] adds them up.
pub async fn stats(client: &impl Sql, id: i64) -> Result<PromptStats, StoreError> {
    let prompt = prompt(client, id).await?;
    let rows = client
        .query(
            "SELECT variant, event, count, total FROM prompt_counts WHERE prompt_id = $1",
            &[&id],
        )
        .await?;
    let counters = rows
        .iter()
        .map(|row| {
            Ok(DayCounter {
                variant: usize::try_from(row.try_get::<_, i64>(0)?).ok(),
                event: Some(row.try_get(1)?),
                count: u64::try_from(row.try_get::<_, i64>(2)?).unwrap_or(0),
                total: row.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(tally(&prompt, counters))
}
