//! The SQL of the operators' workflow on a conversation: tags, transfers and take-overs,
//! joining (with the system message that tells the visitor who is there), read marks and the
//! visitor's rating. Everything here runs inside the writer's transaction (or on a reader).

use super::conversations::append_message;
use super::queue::assign_queue;
use super::rows::{conversation_changed, conversation_summary, visitor_locale};
use crate::chat::texts;
use crate::store::{Event, MessageTarget, NewMessage, StoreError};
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::visitor::Agent;
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, OperatorId, Rating, Seq, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, params};

pub fn set_tags(
    connection: &Connection,
    conversation_id: ConversationId,
    tags: &[String],
    events: &mut Vec<Event>,
) -> Result<ConversationSummary, StoreError> {
    let updated = connection
        .prepare_cached("UPDATE conversations SET tags = ?2 WHERE id = ?1")?
        .execute(params![
            conversation_id.0,
            serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
        ])?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    conversation_changed(connection, conversation_id, events)
}

/// Hands a conversation to an operator (a transfer, or a take-over when it is oneself).
pub fn assign(
    connection: &Connection,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    events: &mut Vec<Event>,
) -> Result<ConversationSummary, StoreError> {
    let exists: Option<i64> = connection
        .prepare_cached("SELECT id FROM operators WHERE id = ?1")?
        .query_row([operator_id.0], |row| row.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(StoreError::NoSuchOperator(operator_id));
    }
    let updated = connection
        .prepare_cached("UPDATE conversations SET assigned_to = ?2 WHERE id = ?1")?
        .execute(params![conversation_id.0, operator_id.0])?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    let summary = conversation_changed(connection, conversation_id, events)?;
    events.push(Event::QueuePosition {
        site: summary.site.clone(),
        visitor_id: summary.visitor.id.clone(),
        position: None,
    });
    // The previous operator may have room for the next one waiting.
    assign_queue(connection, events)?;
    Ok(summary)
}

/// The operator opened the conversation: the visitor is told who is there for them (once per
/// operator), and a conversation nobody had is theirs.
pub fn join(
    connection: &Connection,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    events: &mut Vec<Event>,
) -> Result<ConversationSummary, StoreError> {
    type Row = (Option<i64>, Option<i64>, String, String, String);
    let (assigned_to, agent_id, site, visitor_id, status): Row = connection
        .prepare_cached(
            "SELECT assigned_to, agent_id, site, visitor_id, status FROM conversations WHERE id = ?1",
        )?
        .query_row([conversation_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?;
    // Reading a resolved conversation is not being there for the visitor: nothing to announce.
    if status != ConversationStatus::Open.as_str() {
        return Err(StoreError::NotOpen);
    }
    if assigned_to.is_none() {
        assign(connection, conversation_id, operator_id, events)?;
    }
    if agent_id != Some(operator_id.0) {
        let (name, photo_url): (String, Option<String>) = connection
            .prepare_cached("SELECT name, photo_url FROM operators WHERE id = ?1")?
            .query_row([operator_id.0], |row| Ok((row.get(0)?, row.get(1)?)))?;
        connection
            .prepare_cached("UPDATE conversations SET agent_id = ?2 WHERE id = ?1")?
            .execute(params![conversation_id.0, operator_id.0])?;
        let visitor_id = VisitorId(visitor_id);
        let locale = visitor_locale(connection, &site, &visitor_id)?;
        append_message(
            connection,
            &NewMessage {
                files: Vec::new(),
                target: MessageTarget::Conversation(conversation_id),
                author: Author::System,
                operator_id: None,
                client_id: None,
                text: texts::joined(locale.as_deref(), &name),
                origin: None,
            },
            events,
        )?;
        events.push(Event::AgentJoined {
            site,
            visitor_id,
            agent: Agent { name, photo_url },
        });
    }
    conversation_summary(connection, conversation_id)
}

pub fn mark_read(
    connection: &Connection,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    seq: Seq,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO reads (conversation_id, operator_id, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (conversation_id, operator_id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        )?
        .execute(params![
            conversation_id.0,
            operator_id.0,
            i64::try_from(seq.0).unwrap_or(i64::MAX)
        ])?;
    Ok(())
}

pub fn rate(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    rating: Rating,
    comment: Option<&str>,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let found: Option<(i64, String, bool)> = connection
        .prepare_cached(
            "SELECT c.id, c.status, s.rating_enabled FROM conversations c JOIN sites s ON s.name = c.site
             WHERE c.site = ?1 AND c.visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((id, status, enabled)) = found else {
        return Err(StoreError::NotFound);
    };
    if !enabled {
        return Err(StoreError::RatingOff);
    }
    if status != "resolved" {
        return Err(StoreError::NotResolved);
    }
    connection
        .prepare_cached("UPDATE conversations SET rating = ?2, rating_comment = ?3 WHERE id = ?1")?
        .execute(params![id, rating.as_str(), comment])?;
    super::reports::rated(connection, ConversationId(id), rating.as_str(), comment)?;
    conversation_changed(connection, ConversationId(id), events)?;
    events.push(Event::Rated {
        site: site.to_owned(),
        visitor_id: visitor_id.clone(),
        rating,
        comment: comment.map(str::to_owned),
    });
    Ok(())
}
