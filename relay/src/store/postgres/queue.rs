//! The queue's SQL on PostgreSQL: reads who is online with how many open conversations and who
//! waits, asks the pure planner (`chat::queue`) who gets what, and writes its plan, inside the
//! writer's transaction (under the cluster's write lock, so that two relays never plan at once).
//!
//! A plain twin of SQLite's `queue.rs`, written for storing messages; the workflow's own version
//! of this file replaces it.

use super::Tx;
use super::rows::conversation_summary;
use crate::chat::queue::{self, OperatorLoad, WaitingConversation};
use crate::store::sqlite::queue::{DEFAULT_MAX_CHATS, MAX_CHATS_KEY};
use crate::store::{Event, StoreError};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use tokio_postgres::Client;

/// The team's maximum of open conversations per operator.
pub async fn max_chats(client: &Client) -> Result<u32, StoreError> {
    let value: Option<Vec<u8>> = client
        .query_opt(
            "SELECT value FROM settings WHERE key = $1",
            &[&MAX_CHATS_KEY],
        )
        .await?
        .map(|row| row.try_get(0))
        .transpose()?;
    Ok(value
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_MAX_CHATS))
}

/// The operators who are online, each with their number of open conversations.
async fn online_loads(client: &Client) -> Result<Vec<OperatorLoad>, StoreError> {
    client
        .query(
            "SELECT o.id, (SELECT COUNT(*) FROM conversations c
                           WHERE c.status = 'open' AND c.assigned_to = o.id)
             FROM operators o WHERE o.online",
            &[],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(OperatorLoad {
                id: OperatorId(row.try_get(0)?),
                online: true,
                open: u32::try_from(row.try_get::<_, i64>(1)?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// The open conversations nobody has, in no particular order (the planner orders them).
async fn waiting(client: &Client) -> Result<Vec<WaitingConversation>, StoreError> {
    client
        .query(
            "SELECT id, priority, queued_at FROM conversations
             WHERE status = 'open' AND assigned_to IS NULL",
            &[],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(WaitingConversation {
                id: ConversationId(row.try_get(0)?),
                priority: i32::try_from(row.try_get::<_, i64>(1)?).unwrap_or(0),
                queued_at: row.try_get::<_, Option<i64>>(2)?.unwrap_or(i64::MIN),
            })
        })
        .collect()
}

/// Gives waiting conversations to available operators as [`queue::plan`] decides, and tells
/// the visitors still waiting their place in the queue.
pub async fn assign_queue(tx: &Tx) -> Result<(), StoreError> {
    let operators = online_loads(tx).await?;
    if operators.is_empty() {
        // Nobody to give anything to; the widget offers the contact form instead of a queue.
        return Ok(());
    }
    let max = max_chats(tx).await?;
    let Some(plan) = queue::plan(&operators, max, waiting(tx).await?) else {
        return Ok(());
    };
    for (conversation_id, operator_id) in plan.assignments {
        tx.execute(
            "UPDATE conversations SET assigned_to = $2 WHERE id = $1",
            &[&conversation_id.0, &operator_id.0],
        )
        .await?;
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
    let ids: Vec<i64> = plan.waiting.iter().map(|id| id.0).collect();
    let rows = tx
        .query(
            "SELECT c.site, c.visitor_id FROM UNNEST($1::bigint[]) WITH ORDINALITY AS w(id, place)
             JOIN conversations c ON c.id = w.id ORDER BY w.place",
            &[&ids],
        )
        .await?;
    let waiting = rows
        .iter()
        .map(|row| Ok((row.try_get(0)?, VisitorId(row.try_get(1)?))))
        .collect::<Result<_, StoreError>>()?;
    tx.emit(Event::QueueChanged { waiting });
    Ok(())
}
