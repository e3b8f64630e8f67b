//! The SQL of webhooks in tokio-postgres, one function for each of SQLite's (`sqlite/webhooks.rs`).

use super::sql::Sql;
use crate::clock::{iso8601, now_millis};
use crate::store::webhooks::{
    About, DISABLE_AFTER_MILLIS, DISABLED_FOR_FAILING, DeliveryOutcome, DisabledWebhook,
    DueDelivery, PREVIOUS_SECRET_MILLIS, Response, WebhookInput, envelope, events_column,
    events_of, hook_candidates, may_cause, new_event_id, subscribes,
};
use crate::store::{Event, StoreError};
use beseda_protocol::webhooks::{DeliveryStatus, Webhook, WebhookDelivery};
use tokio_postgres::Row;

const WEBHOOK_COLUMNS: &str = "id, url, events, enabled, created_at, disabled_reason";

fn webhook_from_row(row: &Row) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: row.try_get(0)?,
        url: row.try_get(1)?,
        events: events_of(row.try_get::<_, &str>(2)?),
        enabled: row.try_get(3)?,
        created_at: iso8601(row.try_get(4)?),
        disabled_reason: row.try_get(5)?,
    })
}

fn small(value: Option<i64>) -> Option<u32> {
    value.and_then(|value| u32::try_from(value).ok())
}

/// Records one delivery per enabled endpoint subscribed to each event the batch's `events`
/// cause, in the batch's transaction.
pub async fn record(db: &impl Sql, events: &[Event]) -> Result<(), StoreError> {
    if !events.iter().any(may_cause) {
        return Ok(());
    }
    let endpoints: Vec<(i64, String)> = db
        .query("SELECT id, events FROM webhooks WHERE enabled", &[])
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, StoreError>>()?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = now_millis();
    for candidate in hook_candidates(events) {
        let wanted: Vec<i64> = endpoints
            .iter()
            .filter(|(_, events)| subscribes(events, candidate.kind))
            .map(|(id, _)| *id)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let Some((site, conversation_id)) = resolve(db, &candidate.about).await? else {
            continue;
        };
        if let (Some(operator), Some(conversation_id)) = (candidate.assignee, conversation_id)
            && !assignee_changed(db, conversation_id, operator.0).await?
        {
            continue;
        }
        let event_id = new_event_id();
        let body = envelope(
            &event_id,
            candidate.kind,
            now,
            &site,
            conversation_id,
            candidate.data,
        );
        for webhook_id in wanted {
            insert(
                db,
                webhook_id,
                &event_id,
                candidate.kind,
                conversation_id,
                &body,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

async fn resolve(
    db: &impl Sql,
    about: &About,
) -> Result<Option<(String, Option<i64>)>, StoreError> {
    Ok(match about {
        About::Conversation { site, id } => Some((site.clone(), Some(id.0))),
        About::Site(site) => Some((site.clone(), None)),
        About::ConversationId(id) => db
            .query_opt("SELECT site FROM conversations WHERE id = $1", &[&id.0])
            .await?
            .map(|row| row.try_get::<_, String>(0))
            .transpose()?
            .map(|site| (site, Some(id.0))),
        About::Visitor { site, visitor_id } => db
            .query_opt(
                "SELECT id FROM conversations WHERE site = $1 AND visitor_id = $2
                 ORDER BY id DESC LIMIT 1",
                &[site, &visitor_id.0],
            )
            .await?
            .map(|row| row.try_get::<_, i64>(0))
            .transpose()?
            .map(|id| (site.clone(), Some(id))),
    })
}

async fn assignee_changed(
    db: &impl Sql,
    conversation_id: i64,
    operator: i64,
) -> Result<bool, StoreError> {
    let changed = db
        .execute(
            "INSERT INTO webhook_assignees (conversation_id, operator_id) VALUES ($1, $2)
             ON CONFLICT (conversation_id) DO UPDATE SET operator_id = excluded.operator_id
             WHERE webhook_assignees.operator_id != excluded.operator_id",
            &[&conversation_id, &operator],
        )
        .await?;
    Ok(changed > 0)
}

async fn insert(
    db: &impl Sql,
    webhook_id: i64,
    event_id: &str,
    kind: &str,
    conversation_id: Option<i64>,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO webhook_deliveries
             (webhook_id, event_id, kind, conversation_id, body, status, attempts, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
        &[&webhook_id, &event_id, &kind, &conversation_id, &body, &now],
    )
    .await?;
    Ok(())
}

pub async fn create(
    db: &impl Sql,
    input: &WebhookInput,
    secret: &str,
) -> Result<Webhook, StoreError> {
    let row = db
        .query_one(
            &format!(
                "INSERT INTO webhooks (url, events, enabled, secret, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[
                &input.url,
                &events_column(&input.events),
                &input.enabled,
                &secret,
                &now_millis(),
            ],
        )
        .await?;
    webhook_from_row(&row)
}

pub async fn get(db: &impl Sql, id: i64) -> Result<Webhook, StoreError> {
    let row = db
        .query_opt(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"),
            &[&id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    webhook_from_row(&row)
}

pub async fn list(db: &impl Sql) -> Result<Vec<Webhook>, StoreError> {
    db.query(
        &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"),
        &[],
    )
    .await?
    .iter()
    .map(webhook_from_row)
    .collect()
}

pub async fn update(db: &impl Sql, id: i64, input: &WebhookInput) -> Result<Webhook, StoreError> {
    let row = db
        .query_opt(
            &format!(
                "UPDATE webhooks SET url = $2, events = $3, enabled = $4,
                     disabled_reason = CASE WHEN $4 THEN NULL ELSE disabled_reason END,
                     failing_since = CASE WHEN $4 THEN NULL ELSE failing_since END
                 WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[
                &id,
                &input.url,
                &events_column(&input.events),
                &input.enabled,
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    webhook_from_row(&row)
}

pub async fn delete(db: &impl Sql, id: i64) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1",
        &[&id],
    )
    .await?;
    let deleted = db
        .execute("DELETE FROM webhooks WHERE id = $1", &[&id])
        .await?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn rotate(db: &impl Sql, id: i64, secret: &str, now: i64) -> Result<Webhook, StoreError> {
    let row = db
        .query_opt(
            &format!(
                "UPDATE webhooks SET previous_secret = secret, previous_until = $3, secret = $2
                 WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[&id, &secret, &(now + PREVIOUS_SECRET_MILLIS)],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    webhook_from_row(&row)
}

fn status_of(name: &str) -> DeliveryStatus {
    match name {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

pub async fn deliveries(
    db: &impl Sql,
    id: i64,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    get(db, id).await?;
    db.query(
        "SELECT id, event_id, kind, status, attempts, response_status, response_ms,
                response_snippet, created_at, last_attempt_at
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
        &[&id, &i64::from(limit)],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(WebhookDelivery {
            id: row.try_get(0)?,
            event_id: row.try_get(1)?,
            kind: row.try_get(2)?,
            status: status_of(row.try_get::<_, &str>(3)?),
            attempts: small(row.try_get(4)?).unwrap_or(0),
            response_status: small(row.try_get(5)?).and_then(|value| u16::try_from(value).ok()),
            response_ms: small(row.try_get(6)?),
            response_snippet: row.try_get(7)?,
            created_at: iso8601(row.try_get(8)?),
            last_attempt_at: row.try_get::<_, Option<i64>>(9)?.map(iso8601),
        })
    })
    .collect()
}

pub async fn queue_event(
    db: &impl Sql,
    id: i64,
    event_id: &str,
    kind: &str,
    body: &str,
) -> Result<(), StoreError> {
    get(db, id).await?;
    insert(db, id, event_id, kind, None, body, now_millis()).await
}

pub async fn redeliver(db: &impl Sql, id: i64, delivery_id: i64) -> Result<(), StoreError> {
    let copied = db
        .execute(
            "INSERT INTO webhook_deliveries
                 (webhook_id, event_id, kind, conversation_id, body, status, attempts, due_at, created_at)
             SELECT webhook_id, event_id, kind, conversation_id, body, 'pending', 0, $3, $3
             FROM webhook_deliveries WHERE id = $2 AND webhook_id = $1",
            &[&id, &delivery_id, &now_millis()],
        )
        .await?;
    if copied == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn due(db: &impl Sql, now: i64, limit: u32) -> Result<Vec<DueDelivery>, StoreError> {
    db.query(
        "SELECT d.id, d.webhook_id, w.url, w.secret,
                CASE WHEN w.previous_until > $1 THEN w.previous_secret END,
                d.event_id, d.body, d.attempts, d.created_at
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.status = 'pending' AND d.due_at <= $1 AND w.enabled
           AND NOT EXISTS (
               SELECT 1 FROM webhook_deliveries e
               WHERE e.webhook_id = d.webhook_id AND e.conversation_id = d.conversation_id
                 AND e.status = 'pending' AND e.id < d.id)
         ORDER BY d.due_at, d.id LIMIT $2",
        &[&now, &i64::from(limit)],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(DueDelivery {
            id: row.try_get(0)?,
            webhook_id: row.try_get(1)?,
            url: row.try_get(2)?,
            secret: row.try_get(3)?,
            previous_secret: row.try_get(4)?,
            event_id: row.try_get(5)?,
            body: row.try_get(6)?,
            attempts: small(row.try_get(7)?).unwrap_or(0),
            created_at: row.try_get(8)?,
        })
    })
    .collect()
}

pub async fn next_due(db: &impl Sql) -> Result<Option<i64>, StoreError> {
    Ok(db
        .query_one(
            "SELECT min(d.due_at) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND w.enabled",
            &[],
        )
        .await?
        .try_get(0)?)
}

pub async fn attempted(
    db: &impl Sql,
    id: i64,
    outcome: &DeliveryOutcome,
    now: i64,
) -> Result<Option<DisabledWebhook>, StoreError> {
    let (status, due_at, response): (&str, Option<i64>, &Response) = match outcome {
        DeliveryOutcome::Delivered(response) => ("delivered", None, response),
        DeliveryOutcome::Retry { at, response } => ("pending", Some(*at), response),
        DeliveryOutcome::Failed(response) => ("failed", None, response),
    };
    let row = db
        .query_opt(
            "UPDATE webhook_deliveries SET status = $2, due_at = COALESCE($3, due_at),
                 attempts = attempts + 1, last_attempt_at = $4, response_status = $5,
                 response_ms = $6, response_snippet = $7
             WHERE id = $1 AND status = 'pending' RETURNING webhook_id",
            &[
                &id,
                &status,
                &due_at,
                &now,
                &response.status.map(i64::from),
                &response.millis.map(i64::from),
                &response.snippet,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let webhook_id: i64 = row.try_get(0)?;
    if matches!(outcome, DeliveryOutcome::Delivered(_)) {
        db.execute(
            "UPDATE webhooks SET failing_since = NULL WHERE id = $1",
            &[&webhook_id],
        )
        .await?;
        return Ok(None);
    }
    db.execute(
        "UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1",
        &[&webhook_id, &now],
    )
    .await?;
    let disabled = db
        .query_opt(
            "UPDATE webhooks SET enabled = FALSE, disabled_reason = $3
             WHERE id = $1 AND enabled AND failing_since <= $2 RETURNING url",
            &[
                &webhook_id,
                &(now - DISABLE_AFTER_MILLIS),
                &DISABLED_FOR_FAILING,
            ],
        )
        .await?;
    Ok(match disabled {
        Some(row) => Some(DisabledWebhook {
            id: webhook_id,
            url: row.try_get(0)?,
        }),
        None => None,
    })
}
