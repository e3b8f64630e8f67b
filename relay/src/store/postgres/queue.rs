//! The queue's SQL on PostgreSQL: reads who is online with how many open conversations and who
//! waits, asks the pure planner (`chat::queue`) who gets what, and writes its plan — the twin
//! of the SQLite queue. [`assign_queue`] runs inside the writer's transaction, which holds the
//! cluster's write lock (see `postgres.rs`): no other relay's batch can commit between the read
//! and the write, so the plan never counts a load that another relay is changing, and nobody is
//! given more than the team's maximum.

use super::Tx;
use super::rows::conversation_summary;
use super::sql::Sql;
use crate::chat::queue::{self, OperatorLoad, WaitingConversation};
use crate::store::sqlite::queue::{DEFAULT_MAX_CHATS, MAX_CHATS_KEY};
use crate::store::{Event, StoreError};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use std::collections::HashMap;

/// The team's maximum of open conversations per operator.
pub async fn max_chats(client: &impl Sql) -> Result<u32, StoreError> {
    let value: Option<Vec<u8>> = client
        .query_opt(
            "SELECT value FROM settings WHERE key = $1",
            &[&MAX_CHATS_KEY],
        )
        .await?
        .map(|row| row.get(0));
    Ok(value
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_MAX_CHATS))
}

/// The operators who are online, each with their number of open conversations.
async fn online_loads(client: &impl Sql) -> Result<Vec<OperatorLoad>, StoreError> {
    let rows = client
        .query(
            "SELECT o.id, (SELECT COUNT(*) FROM conversations c
                           WHERE c.status = 'open' AND c.assigned_to = o.id)
             FROM operators o WHERE o.online",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| OperatorLoad {
            id: OperatorId(row.get(0)),
            online: true,
            open: u32::try_from(row.get::<_, i64>(1)).unwrap_or(u32::MAX),
        })
        .collect())
}

/// An open conversation nobody has, with its site and visitor (so that the queue's news needs
/// no second read).
struct Waiting {
    conversation: WaitingConversation,
    site: String,
    visitor_id: VisitorId,
}

/// The open conversations nobody has, in no particular order (the planner orders them).
async fn waiting(client: &impl Sql) -> Result<Vec<Waiting>, StoreError> {
    let rows = client
        .query(
            "SELECT id, priority, queued_at, site, visitor_id FROM conversations
             WHERE status = 'open' AND assigned_to IS NULL",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| Waiting {
            conversation: WaitingConversation {
                id: ConversationId(row.get(0)),
                priority: clamp_priority(row.get(1)),
                // A conversation queued before the queue existed has no time; it goes first,
                // as on SQLite.
                queued_at: row.get::<_, Option<i64>>(2).unwrap_or(i64::MIN),
            },
            site: row.get(3),
            visitor_id: VisitorId(row.get(4)),
        })
        .collect())
}

/// A stored priority as the planner takes it (rules add up in `i32`; anything beyond is clamped).
fn clamp_priority(stored: i64) -> i32 {
    i32::try_from(stored.clamp(i64::from(i32::MIN), i64::from(i32::MAX))).unwrap_or_default()
}

/// Gives waiting conversations to available operators as [`queue::plan`] decides, and tells
/// the visitors still waiting their place in the queue.
pub async fn assign_queue(tx: &Tx) -> Result<(), StoreError> {
    let operators = online_loads(tx).await?;
    if operators.is_empty() {
        // Nobody to give anything to; the widget offers the contact form instead of a queue.
        return Ok(());
    }
    let max_chats = max_chats(tx).await?;
    let waiting = waiting(tx).await?;
    let conversations = waiting.iter().map(|entry| entry.conversation).collect();
    let Some(plan) = queue::plan(&operators, max_chats, conversations) else {
        return Ok(());
    };
    if !plan.assignments.is_empty() {
        let (conversation_ids, operator_ids): (Vec<i64>, Vec<i64>) = plan
            .assignments
            .iter()
            .map(|(conversation_id, operator_id)| (conversation_id.0, operator_id.0))
            .unzip();
        tx.execute(
            "UPDATE conversations c SET assigned_to = plan.operator_id
             FROM UNNEST($1::bigint[], $2::bigint[]) AS plan (conversation_id, operator_id)
             WHERE c.id = plan.conversation_id",
            &[&conversation_ids, &operator_ids],
        )
        .await?;
    }
    for (conversation_id, _) in plan.assignments {
        let summary = conversation_summary(tx, conversation_id).await?;
        let (site, visitor_id) = (summary.site.clone(), summary.visitor.id.clone());
        tx.emit(Event::ConversationChanged {
            visitor_id: visitor_id.clone(),
            conversation: summary,
            created: false,
            status_changed: false,
        });
        tx.emit(Event::QueuePosition {
            site,
            visitor_id,
            position: None,
        });
    }
    let mut visitors: HashMap<ConversationId, (String, VisitorId)> = waiting
        .into_iter()
        .map(|entry| (entry.conversation.id, (entry.site, entry.visitor_id)))
        .collect();
    let waiting = plan
        .waiting
        .iter()
        .filter_map(|conversation_id| visitors.remove(conversation_id))
        .collect();
    tx.emit(Event::QueueChanged { waiting });
    Ok(())
}

/// The conversation's place in the queue (1 = next), while it waits for an operator.
pub async fn queue_position(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<Option<u32>, StoreError> {
    let waiting = waiting(client).await?;
    Ok(queue::position(
        waiting
            .into_iter()
            .map(|entry| entry.conversation)
            .collect(),
        conversation_id,
    ))
}
