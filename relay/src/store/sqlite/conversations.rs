//! The SQL for conversations and messages, as plain functions on a connection (or on a savepoint
//! inside the writer's transaction): storing a message (with the keyword rules and the queue it
//! may set off), listing and reading conversations, the visitor's details and the status.
//! Tested through the store in `tests.rs`.

use super::keywords::apply_rules;
use super::queue::assign_queue;
use super::rows::{
    MESSAGE_COLUMNS, MESSAGE_FROM, SUMMARY_SELECT, author_as_str, conversation_summary,
    message_by_id, message_from_row, messages_after_seq, summary_from_row, visitor_changed,
    visitor_context,
};
use crate::clock::now_millis;
use crate::store::files::{file_ids, files_to_json};
use crate::store::{Appended, Event, MessageTarget, NewMessage, StoreError, VisitorDetails};
use beseda_protocol::api::{ConversationDetail, ConversationSummary};
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, Message, MessageId, OperatorId, Seq, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, params};

/// The conversation's row id and visitor, for a message target; creates or reopens the visitor's
/// conversation when a visitor writes. The flag is true when the conversation was created or
/// reopened, so that it still has to be lined up for an operator.
fn resolve_target(
    connection: &Connection,
    target: &MessageTarget,
    author: Author,
    now: i64,
    events: &mut Vec<Event>,
) -> Result<(ConversationId, String, VisitorId, bool), StoreError> {
    match target {
        MessageTarget::Conversation(conversation_id) => {
            let (site, visitor_id): (String, String) = connection
                .prepare_cached("SELECT site, visitor_id FROM conversations WHERE id = ?1")?
                .query_row([conversation_id.0], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok((*conversation_id, site, VisitorId(visitor_id), false))
        }
        MessageTarget::Visitor { site, visitor_id } => {
            let existing: Option<(i64, String, bool)> = connection
                .prepare_cached(
                    "SELECT id, status, blocked_at IS NOT NULL FROM conversations
                     WHERE site = ?1 AND visitor_id = ?2",
                )?
                .query_row(params![site, visitor_id.0], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            if matches!(existing, Some((_, _, true))) && author == Author::Visitor {
                return Err(StoreError::Blocked);
            }
            let conversation_id = match existing {
                Some((id, _, _)) => ConversationId(id),
                None => {
                    connection.prepare_cached("INSERT INTO conversations (site, visitor_id, status, created_at, updated_at, queued_at)
                         VALUES (?1, ?2, 'open', ?3, ?3, ?3)")?.execute(
                        params![site, visitor_id.0, now],
                    )?;
                    ConversationId(connection.last_insert_rowid())
                }
            };
            let reopen = matches!(&existing, Some((_, status, _)) if status == "resolved")
                && author == Author::Visitor;
            if reopen {
                // Back to the operator who had it, if they are still available; else the queue.
                connection
                    .prepare_cached(
                        "UPDATE conversations SET status = 'open', queued_at = ?2,
                         assigned_to = CASE WHEN assigned_to IN (SELECT id FROM operators WHERE online = 1)
                                       THEN assigned_to END
                         WHERE id = ?1",
                    )?
                    .execute(params![conversation_id.0, now])?;
            }
            let line_up = existing.is_none() || reopen;
            if line_up {
                events.push(Event::ConversationChanged {
                    conversation: conversation_summary(connection, conversation_id)?,
                    visitor_id: visitor_id.clone(),
                    created: existing.is_none(),
                    status_changed: reopen,
                });
            }
            Ok((conversation_id, site.clone(), visitor_id.clone(), line_up))
        }
    }
}

/// Stores a message, or finds the one stored earlier under the same client id.
pub fn append_message(
    connection: &Connection,
    new_message: &NewMessage,
    events: &mut Vec<Event>,
) -> Result<Appended, StoreError> {
    let now = now_millis();
    if let (Some(client_id), MessageTarget::Visitor { site, visitor_id }) =
        (&new_message.client_id, &new_message.target)
    {
        // A resend must not reopen a conversation or create one: look for the stored copy first.
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} JOIN conversations c ON c.id = m.conversation_id
             WHERE c.site = ?1 AND c.visitor_id = ?2 AND m.author = ?3 AND m.client_id = ?4"
        );
        let stored = connection
            .prepare_cached(&sql)?
            .query_row(
                params![
                    site,
                    visitor_id.0,
                    author_as_str(new_message.author),
                    client_id.0
                ],
                message_from_row,
            )
            .optional()?;
        if let Some(message) = stored {
            return Ok(duplicate(
                message,
                site.clone(),
                visitor_id.clone(),
                new_message,
                events,
            ));
        }
    }
    let (conversation_id, site, visitor_id, line_up) = resolve_target(
        connection,
        &new_message.target,
        new_message.author,
        now,
        events,
    )?;
    if new_message.author == Author::Visitor {
        // The keyword rules come before the queue, so that a new or reopened conversation is
        // lined up (and its visitor told their place) with its priority already raised.
        apply_rules(
            connection,
            conversation_id,
            &site,
            &new_message.text,
            events,
        )?;
    }
    if line_up {
        assign_queue(connection, events)?;
    }
    if let (Some(client_id), MessageTarget::Conversation(_)) =
        (&new_message.client_id, &new_message.target)
    {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM}
             WHERE m.conversation_id = ?1 AND m.author = ?2 AND m.client_id = ?3"
        );
        let stored = connection
            .prepare_cached(&sql)?
            .query_row(
                params![
                    conversation_id.0,
                    author_as_str(new_message.author),
                    client_id.0
                ],
                message_from_row,
            )
            .optional()?;
        if let Some(message) = stored {
            return Ok(duplicate(message, site, visitor_id, new_message, events));
        }
    }
    // A visitor's message starts a wait (if none is running); an operator's reply ends it. Each
    // wait gets its own automatic message: the mark is cleared when one ends (a reply) and when
    // a new one starts (after a resolve ended the last one without a reply).
    let seq: i64 = connection
        .prepare_cached(
            "UPDATE conversations SET last_seq = last_seq + 1, updated_at = ?2,
             waiting_since = CASE ?3 WHEN 'visitor' THEN COALESCE(waiting_since, ?2)
                                     WHEN 'operator' THEN NULL ELSE waiting_since END,
             auto_message_sent = CASE WHEN ?3 = 'operator' THEN 0
                                      WHEN ?3 = 'visitor' AND waiting_since IS NULL THEN 0
                                      ELSE auto_message_sent END
             WHERE id = ?1 RETURNING last_seq",
        )?
        .query_row(
            params![conversation_id.0, now, author_as_str(new_message.author)],
            |row| row.get(0),
        )?;
    connection.prepare_cached("INSERT INTO messages (conversation_id, seq, client_id, author, operator_id, text, sent_at, files)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(
        params![
            conversation_id.0,
            seq,
            new_message.client_id.as_ref().map(|id| id.0.as_str()),
            author_as_str(new_message.author),
            new_message.operator_id.map(|id| id.0),
            new_message.text,
            now,
            files_to_json(&new_message.files),
        ],
    )?;
    let message_id = connection.last_insert_rowid();
    super::files::attach_files(
        connection,
        &file_ids(&new_message.files),
        conversation_id,
        MessageId(message_id),
    )?;
    let message = message_by_id(connection, message_id)?;
    super::reports::message_stored(
        connection,
        conversation_id,
        &site,
        new_message.author,
        new_message.operator_id,
        line_up,
        now,
    )?;
    events.push(Event::MessageStored {
        message: message.clone(),
        site,
        visitor_id,
        origin: new_message.origin,
        duplicate: false,
        position: None,
    });
    Ok(Appended {
        message,
        duplicate: false,
    })
}

fn duplicate(
    message: Message,
    site: String,
    visitor_id: VisitorId,
    new_message: &NewMessage,
    events: &mut Vec<Event>,
) -> Appended {
    events.push(Event::MessageStored {
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

pub fn messages_after_id(
    connection: &Connection,
    after: Option<MessageId>,
    limit: u32,
) -> Result<Vec<Message>, StoreError> {
    let mut messages: Vec<Message> = match after {
        Some(after) => {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.id > ?1 ORDER BY m.id LIMIT ?2"
            );
            let mut statement = connection.prepare_cached(&sql)?;
            statement
                .query_map(params![after.0, limit], message_from_row)?
                .collect::<Result<_, _>>()?
        }
        None => {
            let sql =
                format!("SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} ORDER BY m.id DESC LIMIT ?1");
            let mut statement = connection.prepare_cached(&sql)?;
            let mut newest: Vec<Message> = statement
                .query_map(params![limit], message_from_row)?
                .collect::<Result<_, _>>()?;
            newest.reverse();
            newest
        }
    };
    messages.shrink_to_fit();
    Ok(messages)
}

pub fn visitor_conversation(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<ConversationSummary>, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE c.site = ?1 AND c.visitor_id = ?2");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row(params![site, visitor_id.0], |row| {
            summary_from_row(connection, row)
        })
        .optional()?)
}

/// Conversations, the most urgent first (priority, then activity); with `reader`, each carries how
/// many visitor messages that operator has not read.
pub fn conversations(
    connection: &Connection,
    status: Option<ConversationStatus>,
    reader: Option<OperatorId>,
) -> Result<Vec<ConversationSummary>, StoreError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE ?1 IS NULL OR c.status = ?1
         ORDER BY c.priority DESC, c.updated_at DESC, c.id DESC LIMIT 500"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([status.map(ConversationStatus::as_str)], |row| {
        summary_from_row(connection, row)
    })?;
    let mut list: Vec<ConversationSummary> = rows.collect::<Result<_, _>>()?;
    if let Some(reader) = reader {
        let mut unread = connection.prepare_cached(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND author = 'visitor'
             AND seq > COALESCE((SELECT seq FROM reads WHERE conversation_id = ?1 AND operator_id = ?2), 0)",
        )?;
        for summary in &mut list {
            let count: i64 = unread.query_row(params![summary.id.0, reader.0], |row| row.get(0))?;
            summary.unread = Some(u64::try_from(count).unwrap_or(0));
        }
    }
    Ok(list)
}

pub fn conversation(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<ConversationDetail, StoreError> {
    let summary = conversation_summary(connection, conversation_id)?;
    let (cart, rating_comment, site_title, blocked): (
        Option<String>,
        Option<String>,
        String,
        bool,
    ) = connection
        .prepare_cached(
            "SELECT c.cart, c.rating_comment, s.title, c.blocked_at IS NOT NULL
                 FROM conversations c JOIN sites s ON s.name = c.site WHERE c.id = ?1",
        )?
        .query_row([conversation_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    let context = visitor_context(connection, &summary.site, &summary.visitor.id)?;
    Ok(ConversationDetail {
        id: summary.id,
        site: summary.site,
        status: summary.status,
        visitor: summary.visitor,
        cart: cart.and_then(|json| serde_json::from_str(&json).ok()),
        created_at: summary.created_at,
        updated_at: summary.updated_at,
        messages: messages_after_seq(connection, conversation_id, Seq(0))?,
        site_title,
        assigned_to: summary.assigned_to,
        priority: summary.priority,
        tags: summary.tags,
        waiting_since: summary.waiting_since,
        rating: summary.rating,
        rating_comment,
        context,
        blocked,
    })
}

/// Keeps what the shop's page told about the visitor on their conversation; the consoles hear
/// of it (`visitor` frame).
pub fn update_visitor(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    details: &VisitorDetails,
    events: &mut Vec<Event>,
) -> Result<bool, StoreError> {
    let cart = details
        .cart
        .as_ref()
        .map(|cart| serde_json::to_string(cart).unwrap_or_default());
    let changed = connection
        .prepare_cached(
            "UPDATE conversations SET visitor_name = COALESCE(?3, visitor_name),
             visitor_email = COALESCE(?4, visitor_email), cart = COALESCE(?5, cart)
             WHERE site = ?1 AND visitor_id = ?2",
        )?
        .execute(params![
            site,
            visitor_id.0,
            details.name,
            details.email,
            cart
        ])?;
    if changed > 0 {
        visitor_changed(connection, site, visitor_id, events)?;
    }
    Ok(changed > 0)
}

pub fn set_status(
    connection: &Connection,
    conversation_id: ConversationId,
    status: ConversationStatus,
    events: &mut Vec<Event>,
) -> Result<ConversationSummary, StoreError> {
    // Resolving ends any wait; reopening puts the conversation back in line.
    let now = now_millis();
    let changed = connection
        .prepare_cached(
            "UPDATE conversations SET status = ?2, updated_at = ?3,
             waiting_since = CASE ?2 WHEN 'resolved' THEN NULL ELSE waiting_since END,
             queued_at = CASE ?2 WHEN 'open' THEN ?3 ELSE queued_at END
             WHERE id = ?1 AND status != ?2",
        )?
        .execute(params![conversation_id.0, status.as_str(), now])?;
    if changed > 0 {
        super::reports::status_changed(
            connection,
            conversation_id,
            status == ConversationStatus::Resolved,
            now,
        )?;
    }
    let summary = conversation_summary(connection, conversation_id)?;
    if changed > 0 {
        events.push(Event::ConversationChanged {
            conversation: summary.clone(),
            visitor_id: summary.visitor.id.clone(),
            created: false,
            status_changed: true,
        });
        assign_queue(connection, events)?;
        return conversation_summary(connection, conversation_id);
    }
    Ok(summary)
}
