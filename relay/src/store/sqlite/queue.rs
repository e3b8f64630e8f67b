//! The queue's SQL: reads who is online with how many open conversations and who waits, asks
//! the pure planner (`chat::queue`) who gets what, and writes its plan. Everything here runs
//! inside the writer's transaction, so an assignment and the events it causes are committed
//! together.

use super::rows::conversation_summary;
use crate::chat::queue::{self, OperatorLoad, WaitingConversation};
use crate::store::{Event, StoreError};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use rusqlite::{Connection, OptionalExtension, params};

/// The team setting's key, and its value when nobody has set it.
pub const MAX_CHATS_KEY: &str = "max_chats_per_operator";
pub const DEFAULT_MAX_CHATS: u32 = 3;

/// The team's maximum of open conversations per operator.
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

/// The operators who are online, each with their number of open conversations.
fn online_loads(connection: &Connection) -> Result<Vec<OperatorLoad>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT o.id, (SELECT COUNT(*) FROM conversations c
                       WHERE c.status = 'open' AND c.assigned_to = o.id)
         FROM operators o WHERE o.online = 1",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(OperatorLoad {
            id: OperatorId(row.get(0)?),
            online: true,
            open: u32::try_from(row.get::<_, i64>(1)?).unwrap_or(u32::MAX),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The open conversations nobody has, in no particular order (the planner orders them).
fn waiting(connection: &Connection) -> Result<Vec<WaitingConversation>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, priority, queued_at FROM conversations
         WHERE status = 'open' AND assigned_to IS NULL",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(WaitingConversation {
            id: ConversationId(row.get(0)?),
            priority: row.get(1)?,
            // The column may be NULL in a database older than the queue; SQLite sorted NULL
            // first, and so does the smallest time.
            queued_at: row.get::<_, Option<i64>>(2)?.unwrap_or(i64::MIN),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Gives waiting conversations to available operators as [`queue::plan`] decides, and tells
/// the visitors still waiting their place in the queue.
pub fn assign_queue(connection: &Connection, events: &mut Vec<Event>) -> Result<(), StoreError> {
    let operators = online_loads(connection)?;
    if operators.is_empty() {
        // Nobody to give anything to; the widget offers the contact form instead of a queue.
        return Ok(());
    }
    let Some(plan) = queue::plan(&operators, max_chats(connection)?, waiting(connection)?) else {
        return Ok(());
    };
    for (conversation_id, operator_id) in plan.assignments {
        connection
            .prepare_cached("UPDATE conversations SET assigned_to = ?2 WHERE id = ?1")?
            .execute(params![conversation_id.0, operator_id.0])?;
        let summary = conversation_summary(connection, conversation_id)?;
        let (site, visitor_id) = (summary.site.clone(), summary.visitor.id.clone());
        events.push(Event::ConversationChanged {
            visitor_id: visitor_id.clone(),
            conversation: summary,
            created: false,
            status_changed: false,
        });
        events.push(Event::QueuePosition {
            site,
            visitor_id,
            position: None,
        });
    }
    let mut visitor =
        connection.prepare_cached("SELECT site, visitor_id FROM conversations WHERE id = ?1")?;
    let waiting = plan
        .waiting
        .iter()
        .map(|conversation_id| {
            visitor.query_row([conversation_id.0], |row| {
                Ok((row.get::<_, String>(0)?, VisitorId(row.get(1)?)))
            })
        })
        .collect::<Result<_, _>>()?;
    events.push(Event::QueueChanged { waiting });
    Ok(())
}

/// The conversation's place in the queue (1 = next), while it waits for an operator.
pub fn queue_position(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<Option<u32>, StoreError> {
    Ok(queue::position(waiting(connection)?, conversation_id))
}
