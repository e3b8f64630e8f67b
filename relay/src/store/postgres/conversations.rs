//! The SQL for conversations and messages on PostgreSQL, twin of SQLite's `conversations.rs`:
//! storing a message (with the keyword rules and the queue it may set off), listing and reading
//! conversations, the visitor's details and the status. Tested through the store in
//! `store/tests/conversations.rs` and `store/tests/postgres.rs`.
//!
//! Every write runs under the cluster's write lock (see `postgres.rs`), so reading before
//! writing sees every other relay's committed batch and nothing half-written. The statements
//! are nevertheless safe on their own: the visitor's conversation is created with `ON CONFLICT`
//! on `(site, visitor_id)`, a message takes its number under the conversation's row lock, and the
//! client id's unique index decides whether a message is a resend.

use super::Tx;
use super::keywords::{apply_rules, keyword_rules};
use super::queue::assign_queue;
use super::rows::{
    MESSAGE_COLUMNS, MESSAGE_FROM, SUMMARY_SELECT, author_as_str, conversation_summary,
    message_from_columns, messages_after_seq, messages_from_rows, summaries_from_rows,
    summary_from_row, visitor_changed, visitor_context,
};
use super::sql::Sql;
use super::sql::to_json;
use crate::clock::{iso8601, now_millis};
use crate::store::files::{file_ids, files_to_json};
use crate::store::{Appended, Event, MessageTarget, NewMessage, StoreError, VisitorDetails};
use beseda_protocol::api::{ConversationDetail, ConversationSummary};
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, Message, MessageId, OperatorId, Seq, VisitorId,
};
use std::collections::HashMap;

/// What a message's target already holds: its conversation and, when the message carries a
/// client id, the copy stored under it earlier; or the message itself, when the first statement
/// could store it.
struct Found {
    conversation: Option<Existing>,
    stored: Option<Message>,
    inserted: Option<(MessageId, Seq, Option<String>)>,
}

/// A stored conversation, as a new message meets it.
struct Existing {
    id: ConversationId,
    site: String,
    visitor_id: VisitorId,
    resolved: bool,
}

/// Stores the message in one statement when that is all it takes: its conversation exists, no
/// copy is stored under its client id, it does not reopen the conversation, and no keyword rule
/// could apply to it (the site has none, or an operator writes). Otherwise it stores nothing and
/// answers what it found, for [`append_message`] to go on with; once that has made the
/// conversation ready (`ready`), the same statement stores the message whatever the rules.
///
/// The message takes the next number under the conversation's row lock; the conversation's
/// counter moves to it only when it was inserted, so that a client id stored meanwhile (the unique
/// index decides) changes nothing. A visitor's message starts a wait (if none is running); an
/// operator's reply ends it. Each wait gets its own automatic message: the mark is cleared when
/// one ends (a reply) and when a new one starts (after a resolve ended the last one without a
/// reply).
async fn store_at_once(
    tx: &Tx,
    target: &MessageTarget,
    new_message: &NewMessage,
    ready: bool,
    now: i64,
) -> Result<Found, StoreError> {
    const STATEMENT: &str = "
        WITH conversation AS (
            SELECT id, site, visitor_id, status, last_seq, blocked_at IS NOT NULL AS blocked
            FROM conversations WHERE {target} FOR UPDATE
        ), stored AS (
            SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM}, conversation
            WHERE m.conversation_id = conversation.id AND m.author = $3 AND m.client_id = $4
        ), inserted AS (
            INSERT INTO messages (conversation_id, seq, client_id, author, operator_id, text, sent_at, files)
            SELECT id, last_seq + 1, $4, $3, $5, $6, $7, $9 FROM conversation
            WHERE NOT EXISTS (SELECT 1 FROM stored) AND (NOT blocked OR $3 <> 'visitor')
              AND ($8 OR (
                  (status <> 'resolved' OR $3 <> 'visitor')
                  AND ($3 <> 'visitor' OR NOT EXISTS (
                      SELECT 1 FROM rules WHERE rules.site IS NULL OR rules.site = conversation.site))))
            ON CONFLICT (conversation_id, author, client_id) WHERE client_id IS NOT NULL
            DO NOTHING
            RETURNING id, seq
        ), counted AS (
            UPDATE conversations SET last_seq = inserted.seq, updated_at = $7,
                waiting_since = CASE $3 WHEN 'visitor' THEN COALESCE(waiting_since, $7)
                                        WHEN 'operator' THEN NULL ELSE waiting_since END,
                auto_message_sent = CASE WHEN $3 = 'operator' THEN 0
                                         WHEN $3 = 'visitor' AND waiting_since IS NULL THEN 0
                                         ELSE auto_message_sent END
            FROM inserted WHERE conversations.id = (SELECT id FROM conversation)
        )
        SELECT conversation.id, conversation.site, conversation.visitor_id,
               CASE WHEN conversation.blocked AND $3 = 'visitor' AND stored.id IS NULL
                    THEN 'blocked' ELSE conversation.status END,
               inserted.id, inserted.seq, (SELECT name FROM operators WHERE id = $5), stored.*
        FROM conversation LEFT JOIN inserted ON true LEFT JOIN stored ON true";
    let author = author_as_str(new_message.author);
    let client_id = new_message.client_id.as_ref().map(|id| id.0.as_str());
    let operator_id = new_message.operator_id.map(|id| id.0);
    let files = files_to_json(&new_message.files);
    let statement = |target: &str| {
        STATEMENT
            .replace("{target}", target)
            .replace("{MESSAGE_COLUMNS}", MESSAGE_COLUMNS)
            .replace("{MESSAGE_FROM}", MESSAGE_FROM)
    };
    let row = match target {
        MessageTarget::Conversation(conversation_id) => {
            let no_visitor: Option<&str> = None;
            tx.query_opt(
                &statement("id = $1 AND $2::text IS NULL"),
                &[
                    &conversation_id.0,
                    &no_visitor,
                    &author,
                    &client_id,
                    &operator_id,
                    &new_message.text,
                    &now,
                    &ready,
                    &files,
                ],
            )
            .await?
        }
        MessageTarget::Visitor { site, visitor_id } => {
            tx.query_opt(
                &statement("site = $1 AND visitor_id = $2"),
                &[
                    site,
                    &visitor_id.0,
                    &author,
                    &client_id,
                    &operator_id,
                    &new_message.text,
                    &now,
                    &ready,
                    &files,
                ],
            )
            .await?
        }
    };
    let Some(row) = row else {
        return Ok(Found {
            conversation: None,
            stored: None,
            inserted: None,
        });
    };
    let status: &str = row.try_get(3)?;
    if status == "blocked" {
        return Err(StoreError::Blocked);
    }
    let inserted = match row.try_get::<_, Option<i64>>(4)? {
        Some(id) => Some((
            MessageId(id),
            Seq(u64::try_from(row.try_get::<_, i64>(5)?).unwrap_or(0)),
            row.try_get(6)?,
        )),
        None => None,
    };
    let stored = match row.try_get::<_, Option<i64>>(7)? {
        Some(_) => Some(message_from_columns(&row, 7)?),
        None => None,
    };
    Ok(Found {
        conversation: Some(Existing {
            id: ConversationId(row.try_get(0)?),
            site: row.try_get(1)?,
            visitor_id: VisitorId(row.try_get(2)?),
            resolved: status == "resolved",
        }),
        stored,
        inserted,
    })
}

/// The conversation's row id and visitor, for a message target; creates or reopens the visitor's
/// conversation when a visitor writes. The flag is true when the conversation was created or
/// reopened, so that it still has to be lined up for an operator.
async fn resolve_target(
    tx: &Tx,
    target: &MessageTarget,
    existing: Option<Existing>,
    author: Author,
    now: i64,
) -> Result<(ConversationId, String, VisitorId, bool), StoreError> {
    match target {
        MessageTarget::Conversation(_) => {
            let existing = existing.ok_or(StoreError::NotFound)?;
            Ok((existing.id, existing.site, existing.visitor_id, false))
        }
        MessageTarget::Visitor { site, visitor_id } => {
            let mut existing = existing.map(|existing| (existing.id, existing.resolved));
            let mut created = None;
            if existing.is_none() {
                // Two tabs of one visitor on two relays may both send a first message: the
                // unique (site, visitor_id) makes the second find the first one's conversation
                // (the write lock already orders them; this holds without it too).
                created = tx
                    .query_opt(
                        "INSERT INTO conversations (site, visitor_id, status, created_at, updated_at, queued_at)
                         VALUES ($1, $2, 'open', $3, $3, $3)
                         ON CONFLICT (site, visitor_id) DO NOTHING RETURNING id",
                        &[site, &visitor_id.0, &now],
                    )
                    .await?
                    .map(|row| row.try_get::<_, i64>(0))
                    .transpose()?;
                if created.is_none() {
                    let row = tx
                        .query_one(
                            "SELECT id, status FROM conversations WHERE site = $1 AND visitor_id = $2",
                            &[site, &visitor_id.0],
                        )
                        .await?;
                    let status: &str = row.try_get(1)?;
                    existing = Some((ConversationId(row.try_get(0)?), status == "resolved"));
                }
            }
            let is_new = created.is_some();
            let (conversation_id, reopen) = match (created, existing) {
                (Some(id), _) => (ConversationId(id), false),
                (None, Some((id, resolved))) => (id, resolved && author == Author::Visitor),
                (None, None) => return Err(StoreError::NotFound),
            };
            if reopen {
                // Back to the operator who had it, if they are still available; else the queue.
                tx.execute(
                    "UPDATE conversations SET status = 'open', queued_at = $2,
                     assigned_to = CASE WHEN assigned_to IN (SELECT id FROM operators WHERE online)
                                   THEN assigned_to END
                     WHERE id = $1",
                    &[&conversation_id.0, &now],
                )
                .await?;
            }
            let line_up = is_new || reopen;
            if line_up {
                tx.emit(Event::ConversationChanged {
                    conversation: conversation_summary(tx, conversation_id).await?,
                    visitor_id: visitor_id.clone(),
                    created: is_new,
                    status_changed: reopen,
                });
            }
            Ok((conversation_id, site.clone(), visitor_id.clone(), line_up))
        }
    }
}

/// Stores a message, or finds the one stored earlier under the same client id.
///
/// A message to a conversation that exists is stored by one statement ([`store_at_once`], sent
/// together with the reading of the site's keyword rules, a pipeline) and recorded for the
/// reports by one more; the rest — a new or reopened conversation, keyword rules, the queue —
/// follows only when that statement could not store it, from what it found, and ends with the
/// same statement.
pub async fn append_message(tx: &Tx, new_message: &NewMessage) -> Result<Appended, StoreError> {
    let now = now_millis();
    let visitor_writes = new_message.author == Author::Visitor;
    let target = &new_message.target;
    let (found, rules) = match target {
        MessageTarget::Visitor { site, .. } if visitor_writes => {
            let (found, rules) = futures_util::future::join(
                store_at_once(tx, target, new_message, false, now),
                keyword_rules(tx, site),
            )
            .await;
            (found?, Some(rules?))
        }
        _ => (
            store_at_once(tx, target, new_message, false, now).await?,
            None,
        ),
    };
    if let (Some(existing), Some(inserted)) = (&found.conversation, found.inserted) {
        return stored(tx, new_message, existing, inserted, false, now).await;
    }
    if let Some(message) = found.stored {
        // A resend must not reopen a conversation or create one.
        let existing = found.conversation.ok_or(StoreError::NotFound)?;
        return Ok(duplicate(
            tx,
            message,
            existing.site,
            existing.visitor_id,
            new_message,
        ));
    }
    let (conversation_id, site, visitor_id, line_up) =
        resolve_target(tx, target, found.conversation, new_message.author, now).await?;
    if visitor_writes {
        // The keyword rules come before the queue, so that a new or reopened conversation is
        // lined up (and its visitor told their place) with its priority already raised.
        let rules = match rules {
            Some(rules) => rules,
            None => keyword_rules(tx, &site).await?,
        };
        apply_rules(tx, conversation_id, &rules, &new_message.text).await?;
    }
    if line_up {
        assign_queue(tx).await?;
    }
    // The conversation is ready for the message now.
    let ready = MessageTarget::Conversation(conversation_id);
    let found = store_at_once(tx, &ready, new_message, true, now).await?;
    let existing = Existing {
        id: conversation_id,
        site,
        visitor_id,
        resolved: false,
    };
    match (found.inserted, found.stored) {
        (Some(inserted), _) => stored(tx, new_message, &existing, inserted, line_up, now).await,
        // The unique index found the client id stored: a resend after all.
        (None, Some(message)) => Ok(duplicate(
            tx,
            message,
            existing.site,
            existing.visitor_id,
            new_message,
        )),
        (None, None) => Err(StoreError::NotFound),
    }
}

/// Records a message just stored for the reports, announces it and answers it.
async fn stored(
    tx: &Tx,
    new_message: &NewMessage,
    existing: &Existing,
    (id, seq, author_name): (MessageId, Seq, Option<String>),
    line_up: bool,
    now: i64,
) -> Result<Appended, StoreError> {
    super::reports::message_stored(
        tx,
        existing.id,
        &existing.site,
        new_message.author,
        new_message.operator_id,
        line_up,
        now,
    )
    .await?;
    super::files::attach_files(tx, &file_ids(&new_message.files), existing.id, id).await?;
    let message = stored_message(new_message, existing.id, id, seq, author_name, now);
    tx.emit(Event::MessageStored {
        message: message.clone(),
        site: existing.site.clone(),
        visitor_id: existing.visitor_id.clone(),
        origin: new_message.origin,
        duplicate: false,
        position: None,
    });
    Ok(Appended {
        message,
        duplicate: false,
    })
}

/// The message just stored.
fn stored_message(
    new_message: &NewMessage,
    conversation_id: ConversationId,
    id: MessageId,
    seq: Seq,
    author_name: Option<String>,
    now: i64,
) -> Message {
    Message {
        id,
        conversation_id,
        seq,
        client_id: new_message.client_id.clone(),
        author: new_message.author,
        operator_id: new_message.operator_id,
        author_name,
        text: new_message.text.clone(),
        sent_at: iso8601(now),
        files: new_message.files.clone(),
    }
}

fn duplicate(
    tx: &Tx,
    message: Message,
    site: String,
    visitor_id: VisitorId,
    new_message: &NewMessage,
) -> Appended {
    tx.emit(Event::MessageStored {
        message: message.clone(),
        site,
        visitor_id,
        origin: new_message.origin,
        duplicate: true,
        position: None,
    });
    Appended {
        message,
        duplicate: true,
    }
}

pub async fn messages_after_id(
    client: &impl Sql,
    after: Option<MessageId>,
    limit: u32,
) -> Result<Vec<Message>, StoreError> {
    let limit = i64::from(limit);
    match after {
        Some(after) => {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.id > $1 ORDER BY m.id LIMIT $2"
            );
            messages_from_rows(&client.query(&sql, &[&after.0, &limit]).await?)
        }
        None => {
            let sql =
                format!("SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} ORDER BY m.id DESC LIMIT $1");
            let mut newest = messages_from_rows(&client.query(&sql, &[&limit]).await?)?;
            newest.reverse();
            Ok(newest)
        }
    }
}

pub async fn visitor_conversation(
    client: &impl Sql,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<ConversationSummary>, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE c.site = $1 AND c.visitor_id = $2");
    client
        .query_opt(&sql, &[&site, &visitor_id.0])
        .await?
        .map(|row| summary_from_row(&row))
        .transpose()
}

/// Conversations, the most urgent first (priority, then activity); with `reader`, each carries how
/// many visitor messages that operator has not read (counted for the whole list at once).
pub async fn conversations(
    client: &impl Sql,
    status: Option<ConversationStatus>,
    reader: Option<OperatorId>,
) -> Result<Vec<ConversationSummary>, StoreError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE $1::text IS NULL OR c.status = $1
         ORDER BY c.priority DESC, c.updated_at DESC, c.id DESC LIMIT 500"
    );
    let status = status.map(ConversationStatus::as_str);
    let mut list = summaries_from_rows(&client.query(&sql, &[&status]).await?)?;
    if let Some(reader) = reader {
        let ids: Vec<i64> = list.iter().map(|summary| summary.id.0).collect();
        let counts: HashMap<i64, i64> = client
            .query(
                "SELECT m.conversation_id, COUNT(*) FROM messages m
                 LEFT JOIN reads r ON r.conversation_id = m.conversation_id AND r.operator_id = $2
                 WHERE m.conversation_id = ANY($1) AND m.author = 'visitor'
                   AND m.seq > COALESCE(r.seq, 0)
                 GROUP BY m.conversation_id",
                &[&ids, &reader.0],
            )
            .await?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, StoreError>>()?;
        for summary in &mut list {
            let count = counts.get(&summary.id.0).copied().unwrap_or(0);
            summary.unread = Some(u64::try_from(count).unwrap_or(0));
        }
    }
    Ok(list)
}

pub async fn conversation(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<ConversationDetail, StoreError> {
    let summary = conversation_summary(client, conversation_id).await?;
    let row = client
        .query_opt(
            "SELECT c.cart, c.rating_comment, s.title, c.blocked_at IS NOT NULL
             FROM conversations c JOIN sites s ON s.name = c.site WHERE c.id = $1",
            &[&conversation_id.0],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let cart: Option<String> = row.try_get(0)?;
    let context = visitor_context(client, &summary.site, &summary.visitor.id).await?;
    Ok(ConversationDetail {
        id: summary.id,
        site: summary.site,
        status: summary.status,
        visitor: summary.visitor,
        cart: cart.and_then(|json| serde_json::from_str(&json).ok()),
        created_at: summary.created_at,
        updated_at: summary.updated_at,
        messages: messages_after_seq(client, conversation_id, Seq(0)).await?,
        site_title: row.try_get(2)?,
        assigned_to: summary.assigned_to,
        priority: summary.priority,
        tags: summary.tags,
        waiting_since: summary.waiting_since,
        rating: summary.rating,
        rating_comment: row.try_get(1)?,
        context,
        blocked: row.try_get(3)?,
    })
}

/// Keeps what the shop's page told about the visitor on their conversation; the consoles hear
/// of it (`visitor` frame).
pub async fn update_visitor(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    details: &VisitorDetails,
) -> Result<bool, StoreError> {
    let cart = details.cart.as_ref().map(to_json).transpose()?;
    let changed = tx
        .execute(
            "UPDATE conversations SET visitor_name = COALESCE($3, visitor_name),
             visitor_email = COALESCE($4, visitor_email), cart = COALESCE($5, cart)
             WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0, &details.name, &details.email, &cart],
        )
        .await?;
    if changed > 0 {
        visitor_changed(tx, site, visitor_id).await?;
    }
    Ok(changed > 0)
}

pub async fn set_status(
    tx: &Tx,
    conversation_id: ConversationId,
    status: ConversationStatus,
) -> Result<ConversationSummary, StoreError> {
    // Resolving ends any wait; reopening puts the conversation back in line.
    let now = now_millis();
    let changed = tx
        .execute(
            "UPDATE conversations SET status = $2, updated_at = $3,
             waiting_since = CASE $2 WHEN 'resolved' THEN NULL ELSE waiting_since END,
             queued_at = CASE $2 WHEN 'open' THEN $3 ELSE queued_at END
             WHERE id = $1 AND status != $2",
            &[&conversation_id.0, &status.as_str(), &now],
        )
        .await?;
    if changed > 0 {
        super::reports::status_changed(
            tx,
            conversation_id,
            status == ConversationStatus::Resolved,
            now,
        )
        .await?;
    }
    let summary = conversation_summary(tx, conversation_id).await?;
    if changed > 0 {
        tx.emit(Event::ConversationChanged {
            conversation: summary.clone(),
            visitor_id: summary.visitor.id.clone(),
            created: false,
            status_changed: true,
        });
        assign_queue(tx).await?;
        return conversation_summary(tx, conversation_id).await;
    }
    Ok(summary)
}
