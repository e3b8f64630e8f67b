//! The row readers every other store module shares: messages, conversation summaries, the
//! visitor's context and language, operator profiles, sites' questions, and the conversion of
//! SQLite's errors. The bottom layer of the store: it imports no other store module but the
//! types, so that the queue and the writers above it can all use it without a circle.

use crate::clock::iso8601;
use crate::store::{Event, Outage, StoreError};
use beseda_protocol::api::{ConversationSummary, PageView, VisitorContext, VisitorInfo};
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, Message, MessageId, OperatorId,
    OperatorProfile, Rating, Seq, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            other => match outage_of(&other) {
                Some(outage) => StoreError::Unavailable(outage, other.to_string()),
                None => StoreError::Database(other.to_string()),
            },
        }
    }
}

/// The outage an SQLite error is, if it passes by itself: a full disk (or the size cap), an I/O
/// error, a lock held past the busy timeout.
pub(crate) fn outage_of(error: &rusqlite::Error) -> Option<Outage> {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code()? {
        ErrorCode::DiskFull => Some(Outage::DiskFull),
        ErrorCode::SystemIoFailure => Some(Outage::Io),
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(Outage::Busy),
        _ => None,
    }
}

/// The columns [`message_from_row`] reads, from [`MESSAGE_FROM`].
pub(super) const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.seq, m.client_id, m.author, m.operator_id, o.name, m.text, m.sent_at, m.files";

/// The tables a message is read from: the message and its operator's name.
pub(super) const MESSAGE_FROM: &str = "messages m LEFT JOIN operators o ON o.id = m.operator_id";

/// An author from its stored name.
pub(crate) fn author_from_str(text: &str) -> Author {
    match text {
        "operator" => Author::Operator,
        "system" => Author::System,
        _ => Author::Visitor,
    }
}

/// An author's stored name.
pub(crate) fn author_as_str(author: Author) -> &'static str {
    match author {
        Author::Visitor => "visitor",
        Author::Operator => "operator",
        Author::System => "system",
    }
}

/// A conversation status from its stored name.
pub(crate) fn status_from_str(text: &str) -> ConversationStatus {
    if text == "resolved" {
        ConversationStatus::Resolved
    } else {
        ConversationStatus::Open
    }
}

/// A message from the columns [`MESSAGE_COLUMNS`].
pub(super) fn message_from_row(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: MessageId(row.get(0)?),
        conversation_id: ConversationId(row.get(1)?),
        seq: Seq(u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0)),
        client_id: row.get::<_, Option<String>>(3)?.map(ClientMessageId),
        author: author_from_str(&row.get::<_, String>(4)?),
        operator_id: row.get::<_, Option<i64>>(5)?.map(OperatorId),
        author_name: row.get(6)?,
        text: row.get(7)?,
        sent_at: iso8601(row.get(8)?),
        files: crate::store::files::files_from_json(row.get::<_, Option<String>>(9)?.as_deref()),
    })
}

/// A stored message by its row id.
pub(super) fn message_by_id(
    connection: &Connection,
    message_id: i64,
) -> Result<Message, StoreError> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.id = ?1");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row([message_id], message_from_row)?)
}

/// The query [`summary_from_row`] reads, to be followed by a `WHERE`.
pub(super) const SUMMARY_SELECT: &str = "SELECT c.id, c.site, c.status, c.visitor_id, c.visitor_name, c.visitor_email, c.created_at, c.updated_at, c.last_seq,
     c.assigned_to, c.priority, c.tags, c.waiting_since, c.rating FROM conversations c";

/// A conversation's summary from a row of [`SUMMARY_SELECT`], with its last message.
pub(super) fn summary_from_row(
    connection: &Connection,
    row: &Row<'_>,
) -> rusqlite::Result<ConversationSummary> {
    let id = ConversationId(row.get(0)?);
    let last_seq: i64 = row.get(8)?;
    let last_message = if last_seq > 0 {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.conversation_id = ?1 AND m.seq = ?2"
        );
        connection
            .prepare_cached(&sql)?
            .query_row(params![id.0, last_seq], message_from_row)
            .optional()?
    } else {
        None
    };
    Ok(ConversationSummary {
        id,
        site: row.get(1)?,
        status: status_from_str(&row.get::<_, String>(2)?),
        visitor: VisitorInfo {
            id: VisitorId(row.get(3)?),
            name: row.get(4)?,
            email: row.get(5)?,
        },
        last_message,
        message_count: u64::try_from(last_seq).unwrap_or(0),
        created_at: iso8601(row.get(6)?),
        updated_at: iso8601(row.get(7)?),
        assigned_to: row.get::<_, Option<i64>>(9)?.map(OperatorId),
        priority: row.get(10)?,
        tags: serde_json::from_str(&row.get::<_, String>(11)?).unwrap_or_default(),
        waiting_since: row.get::<_, Option<i64>>(12)?.map(iso8601),
        rating: row
            .get::<_, Option<String>>(13)?
            .as_deref()
            .and_then(Rating::from_name),
        unread: None,
    })
}

/// A conversation's summary by id.
pub(super) fn conversation_summary(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<ConversationSummary, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE c.id = ?1");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row([conversation_id.0], |row| summary_from_row(connection, row))?)
}

/// A conversation's messages after `after`, in order.
pub(super) fn messages_after_seq(
    connection: &Connection,
    conversation_id: ConversationId,
    after: Seq,
) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.conversation_id = ?1 AND m.seq > ?2 ORDER BY m.seq"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            conversation_id.0,
            i64::try_from(after.0).unwrap_or(i64::MAX)
        ],
        message_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Tells everyone concerned how the conversation looks now, and returns that.
pub(super) fn conversation_changed(
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

/// The language the visitor's widget last told, if any.
pub(super) fn visitor_locale(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<String>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT locale FROM visitors WHERE site = ?1 AND visitor_id = ?2")?
        .query_row(params![site, visitor_id.0], |row| row.get(0))
        .optional()?
        .flatten())
}

/// Tells the consoles what they know of the visitor now, if the visitor has a conversation.
pub(super) fn visitor_changed(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let conversation: Option<(i64, Option<String>)> = connection
        .prepare_cached("SELECT id, cart FROM conversations WHERE site = ?1 AND visitor_id = ?2")?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    if let Some((id, cart)) = conversation {
        let summary = conversation_summary(connection, ConversationId(id))?;
        events.push(Event::VisitorChanged {
            conversation_id: summary.id,
            visitor: summary.visitor,
            cart: cart.and_then(|json| serde_json::from_str(&json).ok()),
            context: visitor_context(connection, site, visitor_id)?,
        });
    }
    Ok(())
}

/// What the consoles are shown of the visitor's visit: pages, language, first sight.
pub(super) fn visitor_context(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<VisitorContext, StoreError> {
    let row: Option<(i64, Option<String>, String)> = connection
        .prepare_cached(
            "SELECT first_seen, locale, pages FROM visitors WHERE site = ?1 AND visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((first_seen, locale, pages)) = row else {
        return Ok(VisitorContext::default());
    };
    let pages: Vec<PageView> = serde_json::from_str(&pages).unwrap_or_default();
    Ok(VisitorContext {
        current_page: pages.last().cloned(),
        pages,
        locale,
        first_seen: Some(iso8601(first_seen)),
    })
}

/// A site's title, or `None` when there is no such site.
pub(super) fn site_title(
    connection: &Connection,
    name: &str,
) -> Result<Option<String>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT title FROM sites WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?)
}

/// An operator from the columns `id, name, email, admin, photo_url` and, wherever it stands, the
/// column named `language`.
pub(super) fn profile_from_row(row: &Row<'_>) -> rusqlite::Result<OperatorProfile> {
    Ok(OperatorProfile {
        id: OperatorId(row.get(0)?),
        name: row.get(1)?,
        email: row.get(2)?,
        admin: row.get(3)?,
        photo_url: row.get(4)?,
        language: row.get("language")?,
    })
}

/// Whether a write failed on a UNIQUE (or other) constraint, which callers turn into a conflict.
pub(super) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// The stored questions; a value that cannot be read counts as none.
pub(crate) fn questions_from_json(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}
