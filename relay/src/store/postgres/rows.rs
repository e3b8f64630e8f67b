//! The row readers every other PostgreSQL store module shares, twins of SQLite's `rows.rs`:
//! messages, conversation summaries, the visitor's context and language, operator profiles and
//! sites' questions. The bottom layer of the store: it imports no other store module but the
//! types and the pure helpers SQLite's readers share, so that the queue and the writers above it
//! can all use it without a circle.
//!
//! A summary is read in one round trip: its last message is joined by the conversation's
//! `last_seq`, where SQLite asks for it in a second statement.

use super::Tx;
use super::sql::Sql;
use crate::clock::iso8601;
use crate::store::{Event, StoreError};
use beseda_protocol::api::{ConversationSummary, PageView, VisitorContext, VisitorInfo};
use beseda_protocol::{
    ClientMessageId, ConversationId, Message, MessageId, OperatorId, OperatorProfile, Rating, Seq,
    VisitorId,
};
use tokio_postgres::{Client, Row};

pub(crate) use super::accounts::site_title;
pub(crate) use crate::store::sqlite::rows::{
    author_as_str, author_from_str, questions_from_json, status_from_str,
};

/// The columns [`message_from_row`] reads, from [`MESSAGE_FROM`].
pub const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.seq, m.client_id, m.author, m.operator_id, o.name, m.text, m.sent_at, m.files";

/// The tables a message is read from: the message and its operator's name.
pub const MESSAGE_FROM: &str = "messages m LEFT JOIN operators o ON o.id = m.operator_id";

/// A message from the columns [`MESSAGE_COLUMNS`] at the start of the row.
pub fn message_from_row(row: &Row) -> Result<Message, StoreError> {
    message_from_columns(row, 0)
}

/// A message from the columns [`MESSAGE_COLUMNS`] starting at column `start` of the row.
pub fn message_from_columns(row: &Row, start: usize) -> Result<Message, StoreError> {
    let column = |offset: usize| start + offset;
    Ok(Message {
        id: MessageId(row.try_get(column(0))?),
        conversation_id: ConversationId(row.try_get(column(1))?),
        seq: Seq(u64::try_from(row.try_get::<_, i64>(column(2))?).unwrap_or(0)),
        client_id: row
            .try_get::<_, Option<String>>(column(3))?
            .map(ClientMessageId),
        author: author_from_str(row.try_get(column(4))?),
        operator_id: row.try_get::<_, Option<i64>>(column(5))?.map(OperatorId),
        author_name: row.try_get(column(6))?,
        text: row.try_get(column(7))?,
        sent_at: iso8601(row.try_get(column(8))?),
        files: crate::store::files::files_from_json(row.try_get::<_, Option<&str>>(column(9))?),
    })
}

/// Messages from rows of [`MESSAGE_COLUMNS`], in the rows' order.
pub fn messages_from_rows(rows: &[Row]) -> Result<Vec<Message>, StoreError> {
    rows.iter().map(message_from_row).collect()
}

/// A stored message by its row id.
pub async fn message_by_id(client: &impl Sql, message_id: i64) -> Result<Message, StoreError> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.id = $1");
    let row = client
        .query_opt(&sql, &[&message_id])
        .await?
        .ok_or(StoreError::NotFound)?;
    message_from_row(&row)
}

/// The query [`summary_from_row`] reads, to be followed by a `WHERE` on `c`: the conversation
/// and (by its `last_seq`) its last message with its operator's name.
pub const SUMMARY_SELECT: &str = "SELECT c.id, c.site, c.status, c.visitor_id, c.visitor_name, c.visitor_email, c.created_at, c.updated_at, c.last_seq,
     c.assigned_to, c.priority, c.tags, c.waiting_since, c.rating,
     m.id, m.conversation_id, m.seq, m.client_id, m.author, m.operator_id, o.name, m.text, m.sent_at, m.files
     FROM conversations c
     LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
     LEFT JOIN operators o ON o.id = m.operator_id";

/// The column of [`SUMMARY_SELECT`] where its last message's columns begin.
const SUMMARY_MESSAGE_START: usize = 14;

/// A conversation's summary from a row of [`SUMMARY_SELECT`], with its last message.
pub fn summary_from_row(row: &Row) -> Result<ConversationSummary, StoreError> {
    let last_seq: i64 = row.try_get(8)?;
    let has_message = row
        .try_get::<_, Option<i64>>(SUMMARY_MESSAGE_START)?
        .is_some();
    let last_message = if has_message {
        Some(message_from_columns(row, SUMMARY_MESSAGE_START)?)
    } else {
        None
    };
    let tags: String = row.try_get(11)?;
    Ok(ConversationSummary {
        id: ConversationId(row.try_get(0)?),
        site: row.try_get(1)?,
        status: status_from_str(row.try_get(2)?),
        visitor: VisitorInfo {
            id: VisitorId(row.try_get(3)?),
            name: row.try_get(4)?,
            email: row.try_get(5)?,
        },
        last_message,
        message_count: u64::try_from(last_seq).unwrap_or(0),
        created_at: iso8601(row.try_get(6)?),
        updated_at: iso8601(row.try_get(7)?),
        assigned_to: row.try_get::<_, Option<i64>>(9)?.map(OperatorId),
        priority: i32::try_from(row.try_get::<_, i64>(10)?).unwrap_or(0),
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        waiting_since: row.try_get::<_, Option<i64>>(12)?.map(iso8601),
        rating: row
            .try_get::<_, Option<&str>>(13)?
            .and_then(Rating::from_name),
        unread: None,
    })
}

/// Summaries from rows of [`SUMMARY_SELECT`], in the rows' order.
pub fn summaries_from_rows(rows: &[Row]) -> Result<Vec<ConversationSummary>, StoreError> {
    rows.iter().map(summary_from_row).collect()
}

/// A conversation's summary by id.
pub async fn conversation_summary(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<ConversationSummary, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE c.id = $1");
    let row = client
        .query_opt(&sql, &[&conversation_id.0])
        .await?
        .ok_or(StoreError::NotFound)?;
    summary_from_row(&row)
}

/// A conversation's messages after `after`, in order.
pub async fn messages_after_seq(
    client: &impl Sql,
    conversation_id: ConversationId,
    after: Seq,
) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq"
    );
    let after = i64::try_from(after.0).unwrap_or(i64::MAX);
    let rows = client.query(&sql, &[&conversation_id.0, &after]).await?;
    messages_from_rows(&rows)
}

/// Tells everyone concerned how the conversation looks now, and returns that.
pub async fn conversation_changed(
    tx: &Tx,
    conversation_id: ConversationId,
) -> Result<ConversationSummary, StoreError> {
    let summary = conversation_summary(tx, conversation_id).await?;
    tx.emit(Event::ConversationChanged {
        visitor_id: summary.visitor.id.clone(),
        conversation: summary.clone(),
        created: false,
        status_changed: false,
    });
    Ok(summary)
}

/// The language the visitor's widget last told, if any.
pub async fn visitor_locale(
    client: &impl Sql,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<String>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT locale FROM visitors WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?
        .and_then(|row| row.get(0)))
}

/// Tells the consoles what they know of the visitor now, if the visitor has a conversation.
pub async fn visitor_changed(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<(), StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE c.site = $1 AND c.visitor_id = $2");
    let Some(row) = tx.query_opt(&sql, &[&site, &visitor_id.0]).await? else {
        return Ok(());
    };
    let summary = summary_from_row(&row)?;
    let cart: Option<String> = tx
        .query_one(
            "SELECT cart FROM conversations WHERE id = $1",
            &[&summary.id.0],
        )
        .await?
        .get(0);
    let context = visitor_context(tx, site, visitor_id).await?;
    tx.emit(Event::VisitorChanged {
        conversation_id: summary.id,
        visitor: summary.visitor,
        cart: cart.and_then(|json| serde_json::from_str(&json).ok()),
        context,
    });
    Ok(())
}

/// What the consoles are shown of the visitor's visit: pages, language, first sight.
pub async fn visitor_context(
    client: &impl Sql,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<VisitorContext, StoreError> {
    let row = client
        .query_opt(
            "SELECT first_seen, locale, pages FROM visitors WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?;
    let Some(row) = row else {
        return Ok(VisitorContext::default());
    };
    let first_seen: i64 = row.try_get(0)?;
    let pages: Vec<PageView> = serde_json::from_str(row.try_get(2)?).unwrap_or_default();
    Ok(VisitorContext {
        current_page: pages.last().cloned(),
        pages,
        locale: row.try_get(1)?,
        first_seen: Some(iso8601(first_seen)),
    })
}

/// An operator from the columns `id, name, email, admin, photo_url` and, wherever it stands, the
/// column named `language`.
pub fn profile_from_row(row: &Row) -> Result<OperatorProfile, StoreError> {
    Ok(OperatorProfile {
        id: OperatorId(row.try_get(0)?),
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        admin: row.try_get(3)?,
        photo_url: row.try_get(4)?,
        language: row.try_get("language")?,
    })
}
