//! The SQL of the operators' workflow on conversations: the queue and who gets which
//! conversation, joining, keyword rules, tags, read marks, ratings, the visitor's pages and the
//! automatic message. Everything here runs inside the writer's transaction (or on a reader), so
//! an assignment and the events it causes are committed together.

use super::conversations::{append_message, conversation_summary};
use super::{Event, MessageTarget, NewMessage, StoreError};
use crate::catalog;
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::visitor::Agent;
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, OperatorId, Rating, Seq, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// The team setting's key, and its value when nobody has set it.
pub const MAX_CHATS_KEY: &str = "max_chats_per_operator";
pub const DEFAULT_MAX_CHATS: u32 = 3;

pub fn max_chats(connection: &Connection) -> Result<u32, StoreError> {
    let value: Option<Vec<u8>> = connection
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([MAX_CHATS_KEY], |row| row.get(0))
        .optional()?;
    Ok(value
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_MAX_CHATS))
}

/// Gives waiting conversations (most urgent, then longest waiting, first) to the available
/// operators with the fewest open conversations, up to the team's maximum each, and tells the
/// visitors still waiting their place in the queue.
pub fn assign_queue(connection: &Connection, events: &mut Vec<Event>) -> Result<(), StoreError> {
    let online: Vec<i64> = connection
        .prepare_cached("SELECT id FROM operators WHERE online = 1 ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if online.is_empty() {
        // Nobody to give anything to; the widget offers the contact form instead of a queue.
        return Ok(());
    }
    let max = i64::from(max_chats(connection)?);
    let mut loads: HashMap<i64, i64> = online.iter().map(|id| (*id, 0)).collect();
    let mut statement = connection.prepare_cached(
        "SELECT assigned_to, COUNT(*) FROM conversations
         WHERE status = 'open' AND assigned_to IS NOT NULL GROUP BY assigned_to",
    )?;
    for row in statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))? {
        let (operator, load) = row?;
        if let Some(entry) = loads.get_mut(&operator) {
            *entry = load;
        }
    }
    let queue: Vec<(i64, String, String)> = connection
        .prepare_cached(
            "SELECT id, site, visitor_id FROM conversations WHERE status = 'open' AND assigned_to IS NULL
             ORDER BY priority DESC, queued_at, id",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut waiting = Vec::new();
    for (id, site, visitor_id) in queue {
        let free = online
            .iter()
            .filter(|operator| loads[*operator] < max)
            .min_by_key(|operator| (loads[*operator], **operator))
            .copied();
        match free {
            Some(operator) => {
                connection
                    .prepare_cached("UPDATE conversations SET assigned_to = ?2 WHERE id = ?1")?
                    .execute(params![id, operator])?;
                *loads.entry(operator).or_default() += 1;
                let summary = conversation_summary(connection, ConversationId(id))?;
                events.push(Event::ConversationChanged {
                    visitor_id: summary.visitor.id.clone(),
                    conversation: summary,
                    created: false,
                    status_changed: false,
                });
                events.push(Event::QueuePosition {
                    site,
                    visitor_id: VisitorId(visitor_id),
                    position: None,
                });
            }
            None => waiting.push((site, VisitorId(visitor_id))),
        }
    }
    events.push(Event::QueueChanged { waiting });
    Ok(())
}

/// The conversation's place in the queue (1 = next), while it waits for an operator.
pub fn queue_position(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<Option<u32>, StoreError> {
    let position: Option<i64> = connection
        .prepare_cached(
            "SELECT (SELECT COUNT(*) FROM conversations o WHERE o.status = 'open' AND o.assigned_to IS NULL
                     AND (o.priority > c.priority OR (o.priority = c.priority
                          AND (o.queued_at < c.queued_at OR (o.queued_at = c.queued_at AND o.id < c.id))))) + 1
             FROM conversations c WHERE c.id = ?1 AND c.status = 'open' AND c.assigned_to IS NULL",
        )?
        .query_row([conversation_id.0], |row| row.get(0))
        .optional()?;
    Ok(position.and_then(|position| u32::try_from(position).ok()))
}

/// Lowercase without diacritics, so that a rule's "chybi" matches "Chybí".
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'ä' | 'à' | 'â' | 'ą' => 'a',
            'č' | 'ć' => 'c',
            'ď' => 'd',
            'é' | 'ě' | 'ë' | 'è' | 'ê' | 'ę' => 'e',
            'í' | 'ï' | 'î' => 'i',
            'ľ' | 'ĺ' | 'ł' => 'l',
            'ň' | 'ń' => 'n',
            'ó' | 'ö' | 'ô' | 'ò' => 'o',
            'ř' | 'ŕ' => 'r',
            'š' | 'ś' => 's',
            'ť' => 't',
            'ú' | 'ů' | 'ü' | 'ù' | 'û' => 'u',
            'ý' | 'ÿ' => 'y',
            'ž' | 'ź' | 'ż' => 'z',
            other => other,
        })
        .collect()
}

/// Tags the conversation and raises its priority for every rule whose keyword the visitor wrote.
pub fn apply_rules(
    connection: &Connection,
    conversation_id: ConversationId,
    site: &str,
    text: &str,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let rules: Vec<(String, String, i32)> = connection
        .prepare_cached("SELECT keyword, tag, priority FROM rules WHERE site IS NULL OR site = ?1")?
        .query_map([site], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if rules.is_empty() {
        return Ok(());
    }
    let folded = fold(text);
    let summary = conversation_summary(connection, conversation_id)?;
    let (mut tags, mut priority) = (summary.tags.clone(), summary.priority);
    for (keyword, tag, rule_priority) in rules {
        let keyword = fold(keyword.trim());
        if keyword.is_empty() || !folded.contains(&keyword) {
            continue;
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
        priority = priority.max(rule_priority);
    }
    if tags == summary.tags && priority == summary.priority {
        return Ok(());
    }
    connection
        .prepare_cached("UPDATE conversations SET tags = ?2, priority = ?3 WHERE id = ?1")?
        .execute(params![
            conversation_id.0,
            serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()),
            priority
        ])?;
    changed(connection, conversation_id, events)?;
    if summary.assigned_to.is_none() && summary.status == ConversationStatus::Open {
        assign_queue(connection, events)?;
    }
    Ok(())
}

fn changed(
    connection: &Connection,
    conversation_id: ConversationId,
    events: &mut Vec<Event>,
) -> Result<ConversationSummary, StoreError> {
    let summary = conversation_summary(connection, conversation_id)?;
    events.push(Event::ConversationChanged {
        visitor_id: summary.visitor.id.clone(),
        conversation: summary.clone(),
        created: false,
        status_changed: false,
    });
    Ok(summary)
}

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
    changed(connection, conversation_id, events)
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
    let summary = changed(connection, conversation_id, events)?;
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
        let locale = super::visits::visitor_locale(connection, &site, &visitor_id)?;
        append_message(
            connection,
            &NewMessage {
                target: MessageTarget::Conversation(conversation_id),
                author: Author::System,
                operator_id: None,
                client_id: None,
                text: catalog::joined(locale.as_deref(), &name),
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
    changed(connection, ConversationId(id), events)?;
    events.push(Event::Rated {
        site: site.to_owned(),
        visitor_id: visitor_id.clone(),
        rating,
        comment: comment.map(str::to_owned),
    });
    Ok(())
}
