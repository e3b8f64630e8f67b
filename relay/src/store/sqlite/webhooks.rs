//! The SQL of webhooks: the endpoints, the deliveries recorded at the end of each write batch
//! (`record`, in the batch's transaction), and what the delivery task reads and writes.

use crate::clock::{iso8601, now_millis};
use crate::store::webhooks::{
    About, DISABLE_AFTER_MILLIS, DISABLED_FOR_FAILING, DeliveryOutcome, DisabledWebhook,
    DueDelivery, PREVIOUS_SECRET_MILLIS, Response, WebhookInput, envelope, events_column,
    events_of, hook_candidates, may_cause, new_event_id, subscribes,
};
use crate::store::{Event, StoreError};
use beseda_protocol::webhooks::{DeliveryStatus, Webhook, WebhookDelivery};
use rusqlite::{Connection, OptionalExtension, Row, params};

const WEBHOOK_COLUMNS: &str = "id, url, events, enabled, created_at, disabled_reason";

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        url: row.get(1)?,
        events: events_of(&row.get::<_, String>(2)?),
        enabled: row.get(3)?,
        created_at: iso8601(row.get(4)?),
        disabled_reason: row.get(5)?,
    })
}

/// Records one delivery per enabled endpoint subscribed to each event the batch's `events`
/// cause, in the batch's transaction.
pub fn record(connection: &Connection, events: &[Event]) -> Result<(), StoreError> {
    if !events.iter().any(may_cause) {
        return Ok(());
    }
    let endpoints: Vec<(i64, String)> = connection
        .prepare_cached("SELECT id, events FROM webhooks WHERE enabled")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
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
        let Some((site, conversation_id)) = resolve(connection, &candidate.about)? else {
            continue;
        };
        if let (Some(operator), Some(conversation_id)) = (candidate.assignee, conversation_id)
            && !assignee_changed(connection, conversation_id, operator.0)?
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
                connection,
                webhook_id,
                &event_id,
                candidate.kind,
                conversation_id,
                &body,
                now,
            )?;
        }
    }
    Ok(())
}

/// The site and conversation an event is about; none when its conversation is gone.
fn resolve(
    connection: &Connection,
    about: &About,
) -> Result<Option<(String, Option<i64>)>, StoreError> {
    Ok(match about {
        About::Conversation { site, id } => Some((site.clone(), Some(id.0))),
        About::Site(site) => Some((site.clone(), None)),
        About::ConversationId(id) => connection
            .prepare_cached("SELECT site FROM conversations WHERE id = ?1")?
            .query_row([id.0], |row| row.get::<_, String>(0))
            .optional()?
            .map(|site| (site, Some(id.0))),
        About::Visitor { site, visitor_id } => connection
            .prepare_cached(
                "SELECT id FROM conversations WHERE site = ?1 AND visitor_id = ?2
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row(params![site, visitor_id.0], |row| row.get::<_, i64>(0))
            .optional()?
            .map(|id| (site.clone(), Some(id))),
    })
}

/// Whether `operator` is not the conversation's last assignee the webhooks told of; records it.
fn assignee_changed(
    connection: &Connection,
    conversation_id: i64,
    operator: i64,
) -> Result<bool, StoreError> {
    let changed = connection
        .prepare_cached(
            "INSERT INTO webhook_assignees (conversation_id, operator_id) VALUES (?1, ?2)
             ON CONFLICT (conversation_id) DO UPDATE SET operator_id = excluded.operator_id
             WHERE operator_id != excluded.operator_id",
        )?
        .execute(params![conversation_id, operator])?;
    Ok(changed > 0)
}

fn insert(
    connection: &Connection,
    webhook_id: i64,
    event_id: &str,
    kind: &str,
    conversation_id: Option<i64>,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO webhook_deliveries
                 (webhook_id, event_id, kind, conversation_id, body, status, attempts, due_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
        )?
        .execute(params![webhook_id, event_id, kind, conversation_id, body, now])?;
    Ok(())
}

pub fn create(
    connection: &Connection,
    input: &WebhookInput,
    secret: &str,
) -> Result<Webhook, StoreError> {
    let id: i64 = connection
        .prepare_cached(
            "INSERT INTO webhooks (url, events, enabled, secret, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )?
        .query_row(
            params![
                input.url,
                events_column(&input.events),
                input.enabled,
                secret,
                now_millis()
            ],
            |row| row.get(0),
        )?;
    get(connection, id)
}

pub fn get(connection: &Connection, id: i64) -> Result<Webhook, StoreError> {
    connection
        .prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"
        ))?
        .query_row([id], webhook_from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn list(connection: &Connection) -> Result<Vec<Webhook>, StoreError> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
        ))?
        .query_map([], webhook_from_row)?
        .collect::<Result<_, _>>()?)
}

pub fn update(
    connection: &Connection,
    id: i64,
    input: &WebhookInput,
) -> Result<Webhook, StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE webhooks SET url = ?2, events = ?3, enabled = ?4,
                 disabled_reason = CASE WHEN ?4 THEN NULL ELSE disabled_reason END,
                 failing_since = CASE WHEN ?4 THEN NULL ELSE failing_since END
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            input.url,
            events_column(&input.events),
            input.enabled
        ])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    get(connection, id)
}

pub fn delete(connection: &Connection, id: i64) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM webhook_deliveries WHERE webhook_id = ?1")?
        .execute([id])?;
    let deleted = connection
        .prepare_cached("DELETE FROM webhooks WHERE id = ?1")?
        .execute([id])?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn rotate(
    connection: &Connection,
    id: i64,
    secret: &str,
    now: i64,
) -> Result<Webhook, StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE webhooks SET previous_secret = secret, previous_until = ?3, secret = ?2
             WHERE id = ?1",
        )?
        .execute(params![id, secret, now + PREVIOUS_SECRET_MILLIS])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    get(connection, id)
}

fn status_of(name: &str) -> DeliveryStatus {
    match name {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

pub fn deliveries(
    connection: &Connection,
    id: i64,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    get(connection, id)?;
    Ok(connection
        .prepare_cached(
            "SELECT id, event_id, kind, status, attempts, response_status, response_ms,
                    response_snippet, created_at, last_attempt_at
             FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?
        .query_map(params![id, limit], |row| {
            Ok(WebhookDelivery {
                id: row.get(0)?,
                event_id: row.get(1)?,
                kind: row.get(2)?,
                status: status_of(&row.get::<_, String>(3)?),
                attempts: row.get(4)?,
                response_status: row.get(5)?,
                response_ms: row.get(6)?,
                response_snippet: row.get(7)?,
                created_at: iso8601(row.get(8)?),
                last_attempt_at: row.get::<_, Option<i64>>(9)?.map(iso8601),
            })
        })?
        .collect::<Result<_, _>>()?)
}

pub fn queue_event(
    connection: &Connection,
    id: i64,
    event_id: &str,
    kind: &str,
    body: &str,
) -> Result<(), StoreError> {
    get(connection, id)?;
    insert(connection, id, event_id, kind, None, body, now_millis())
}

pub fn redeliver(connection: &Connection, id: i64, delivery_id: i64) -> Result<(), StoreError> {
    let copied = connection
        .prepare_cached(
            "INSERT INTO webhook_deliveries
                 (webhook_id, event_id, kind, conversation_id, body, status, attempts, due_at, created_at)
             SELECT webhook_id, event_id, kind, conversation_id, body, 'pending', 0, ?3, ?3
             FROM webhook_deliveries WHERE id = ?2 AND webhook_id = ?1",
        )?
        .execute(params![id, delivery_id, now_millis()])?;
    if copied == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn due(connection: &Connection, now: i64, limit: u32) -> Result<Vec<DueDelivery>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT d.id, d.webhook_id, w.url, w.secret,
                    CASE WHEN w.previous_until > ?1 THEN w.previous_secret END,
                    d.event_id, d.body, d.attempts, d.created_at
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND d.due_at <= ?1 AND w.enabled
               AND NOT EXISTS (
                   SELECT 1 FROM webhook_deliveries e
                   WHERE e.webhook_id = d.webhook_id AND e.conversation_id = d.conversation_id
                     AND e.status = 'pending' AND e.id < d.id)
             ORDER BY d.due_at, d.id LIMIT ?2",
        )?
        .query_map(params![now, limit], |row| {
            Ok(DueDelivery {
                id: row.get(0)?,
                webhook_id: row.get(1)?,
                url: row.get(2)?,
                secret: row.get(3)?,
                previous_secret: row.get(4)?,
                event_id: row.get(5)?,
                body: row.get(6)?,
                attempts: row.get(7)?,
                created_at: row.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

pub fn next_due(connection: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT min(d.due_at) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND w.enabled",
        )?
        .query_row([], |row| row.get(0))?)
}

pub fn attempted(
    connection: &Connection,
    id: i64,
    outcome: &DeliveryOutcome,
    now: i64,
) -> Result<Option<DisabledWebhook>, StoreError> {
    let (status, due_at, response): (&str, Option<i64>, &Response) = match outcome {
        DeliveryOutcome::Delivered(response) => ("delivered", None, response),
        DeliveryOutcome::Retry { at, response } => ("pending", Some(*at), response),
        DeliveryOutcome::Failed(response) => ("failed", None, response),
    };
    let webhook_id: Option<i64> = connection
        .prepare_cached(
            "UPDATE webhook_deliveries SET status = ?2, due_at = COALESCE(?3, due_at),
                 attempts = attempts + 1, last_attempt_at = ?4, response_status = ?5,
                 response_ms = ?6, response_snippet = ?7
             WHERE id = ?1 AND status = 'pending' RETURNING webhook_id",
        )?
        .query_row(
            params![
                id,
                status,
                due_at,
                now,
                response.status,
                response.millis,
                response.snippet
            ],
            |row| row.get(0),
        )
        .optional()?;
    let Some(webhook_id) = webhook_id else {
        return Ok(None);
    };
    if matches!(outcome, DeliveryOutcome::Delivered(_)) {
        connection
            .prepare_cached("UPDATE webhooks SET failing_since = NULL WHERE id = ?1")?
            .execute([webhook_id])?;
        return Ok(None);
    }
    connection
        .prepare_cached(
            "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?2) WHERE id = ?1",
        )?
        .execute(params![webhook_id, now])?;
    let disabled: Option<String> = connection
        .prepare_cached(
            "UPDATE webhooks SET enabled = 0, disabled_reason = ?3
             WHERE id = ?1 AND enabled AND failing_since <= ?2 RETURNING url",
        )?
        .query_row(
            params![webhook_id, now - DISABLE_AFTER_MILLIS, DISABLED_FOR_FAILING],
            |row| row.get(0),
        )
        .optional()?;
    Ok(disabled.map(|url| DisabledWebhook {
        id: webhook_id,
        url,
    }))
}
