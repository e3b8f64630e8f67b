//! The SQL of what the relay knows about a visit: the pages of the session and the widget's
//! language (for the console's context and the relay's own texts), what the welcome tells
//! beyond the messages, and the automatic message when nobody has answered in time.

use super::conversations::{append_message, update_visitor};
use super::queue::queue_position;
use super::rows::{questions_from_json, visitor_changed, visitor_locale};
use crate::chat::texts;
use crate::clock::{iso8601, now_millis};
use crate::store::workflow::{Kept, StoredVisit, extend_visit};
use crate::store::{Event, MessageTarget, NewMessage, StoreError, VisitorDetails, WelcomeExtras};
use beseda_protocol::api::PageView;
use beseda_protocol::visitor::Agent;
use beseda_protocol::{Author, ConversationId, Message, Rating, VisitorId};
use rusqlite::{Connection, OptionalExtension, params};

/// Adds `pages` (each with its time already set) to the visitor's current visit and keeps
/// their language; `first_seen` is used only when the visitor has no row yet.
fn keep_pages(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    new_pages: &[PageView],
    locale: Option<&str>,
    first_seen: i64,
) -> Result<Kept, StoreError> {
    let now = now_millis();
    let existing: Option<StoredVisit> = connection
        .prepare_cached(
            "SELECT last_seen, pages, locale FROM visitors WHERE site = ?1 AND visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let (pages, kept) = extend_visit(existing.as_ref(), now, new_pages, locale);
    let pages = serde_json::to_string(&pages).unwrap_or_else(|_| "[]".into());
    connection
        .prepare_cached(
            "INSERT INTO visitors (site, visitor_id, first_seen, last_seen, locale, pages)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (site, visitor_id) DO UPDATE SET last_seen = excluded.last_seen,
                 locale = COALESCE(excluded.locale, locale), pages = excluded.pages",
        )?
        .execute(params![
            site,
            visitor_id.0,
            first_seen.min(now),
            now,
            locale,
            pages
        ])?;
    Ok(kept)
}

/// Records a page view (and the widget's language) of a visitor who has a conversation (the
/// session keeps them until there is one). Consoles hear only the new page; the whole context
/// only when a new visit began or the language changed.
pub fn visit(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    page: Option<&PageView>,
    locale: Option<&str>,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let now = now_millis();
    let page = page.map(|page| PageView {
        url: page.url.clone(),
        title: page.title.clone(),
        at: iso8601(now),
    });
    let kept = keep_pages(connection, site, visitor_id, page.as_slice(), locale, now)?;
    match page {
        Some(page) if kept.continued && !kept.locale_changed => {
            if let Some(conversation_id) = visitor_conversation_id(connection, site, visitor_id)? {
                events.push(Event::PageViewed {
                    conversation_id,
                    page,
                });
            }
            Ok(())
        }
        None if !kept.locale_changed => Ok(()),
        _ => visitor_changed(connection, site, visitor_id, events),
    }
}

/// Stores what a visitor's session kept before their first message (the pages viewed and the
/// widget's language), in the transaction of that message. Consoles hear of it through the
/// conversation (or, when it already existed, through the whole context).
pub fn keep_visit(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    pages: &[PageView],
    locale: Option<&str>,
    first_seen: Option<i64>,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let first_seen = first_seen.unwrap_or_else(now_millis);
    keep_pages(connection, site, visitor_id, pages, locale, first_seen)?;
    visitor_changed(connection, site, visitor_id, events)
}

/// Stores what a session kept before it knew of the visitor's conversation: the visit's pages
/// and language, and the profile and cart; consoles hear the whole context once.
pub fn keep_visitor(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    details: &VisitorDetails,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let first_seen = details.first_seen.unwrap_or_else(now_millis);
    let locale = details.locale.as_deref();
    keep_pages(
        connection,
        site,
        visitor_id,
        &details.pages,
        locale,
        first_seen,
    )?;
    if details.is_empty() {
        visitor_changed(connection, site, visitor_id, events)
    } else {
        update_visitor(connection, site, visitor_id, details, events).map(|_| ())
    }
}

fn visitor_conversation_id(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<ConversationId>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT id FROM conversations WHERE site = ?1 AND visitor_id = ?2")?
        .query_row(params![site, visitor_id.0], |row| row.get(0))
        .optional()?
        .map(ConversationId))
}

pub fn welcome_extras(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<WelcomeExtras, StoreError> {
    let (rating_enabled, questions, can_erase): (bool, String, bool) = connection
        .prepare_cached(
            "SELECT rating_enabled, suggested_questions, visitor_erase FROM sites WHERE name = ?1",
        )?
        .query_row([site], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
        .unwrap_or((true, "[]".to_owned(), false));
    let suggested_questions = questions_from_json(&questions);
    type Row = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        Option<i64>,
    );
    let conversation: Option<Row> = connection
        .prepare_cached(
            "SELECT c.id, o.name, o.photo_url, c.rating, c.blocked_at IS NOT NULL,
                    c.blocked_address_until
             FROM conversations c
             LEFT JOIN operators o ON o.id = c.agent_id WHERE c.site = ?1 AND c.visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .optional()?;
    let Some((id, name, photo_url, rating, blocked, address_until)) = conversation else {
        return Ok(WelcomeExtras {
            rating_enabled,
            suggested_questions,
            can_erase,
            ..WelcomeExtras::default()
        });
    };
    Ok(WelcomeExtras {
        agent: name.map(|name| Agent { name, photo_url }),
        queue_position: queue_position(connection, ConversationId(id))?,
        rating_enabled,
        rating: rating.as_deref().and_then(Rating::from_name),
        suggested_questions,
        can_erase,
        blocked,
        address_until,
    })
}

/// When each waiting conversation is due for its automatic message (milliseconds since the
/// epoch), and its site, the soonest first.
pub fn auto_messages_due(
    connection: &Connection,
) -> Result<Vec<(ConversationId, i64, String)>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT c.id, c.waiting_since + s.auto_message_delay * 1000 AS due, c.site
         FROM conversations c JOIN sites s ON s.name = c.site
         WHERE c.waiting_since IS NOT NULL AND c.auto_message_sent = 0 AND c.status = 'open'
           AND s.auto_message_delay > 0
         ORDER BY due LIMIT 256",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((ConversationId(row.get(0)?), row.get(1)?, row.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks the conversation's wait as handled if it is past the site's delay and nobody has
/// marked it yet; the site, visitor and the site's own text when it was due.
fn take_due_auto_message(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<Option<(String, String, String)>, StoreError> {
    let due: Option<(String, String, String)> = connection
        .prepare_cached(
            "SELECT c.site, c.visitor_id, s.auto_message_text FROM conversations c JOIN sites s ON s.name = c.site
             WHERE c.id = ?1 AND c.waiting_since IS NOT NULL AND c.auto_message_sent = 0
               AND c.status = 'open' AND s.auto_message_delay > 0
               AND c.waiting_since + s.auto_message_delay * 1000 <= ?2",
        )?
        .query_row(params![conversation_id.0, now_millis()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    if due.is_some() {
        connection
            .prepare_cached("UPDATE conversations SET auto_message_sent = 1 WHERE id = ?1")?
            .execute([conversation_id.0])?;
    }
    Ok(due)
}

/// Marks a due wait as handled without a message (nobody is online to ask the visitor to wait
/// for).
pub fn skip_auto_message(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<(), StoreError> {
    take_due_auto_message(connection, conversation_id).map(|_| ())
}

/// Posts the automatic message if the visitor is still waiting past the site's delay: the
/// site's own text, or else the relay's in the visitor's language.
pub fn post_auto_message(
    connection: &Connection,
    conversation_id: ConversationId,
    events: &mut Vec<Event>,
) -> Result<Option<Message>, StoreError> {
    let Some((site, visitor_id, text)) = take_due_auto_message(connection, conversation_id)? else {
        return Ok(None);
    };
    let text = if text.trim().is_empty() {
        let locale = visitor_locale(connection, &site, &VisitorId(visitor_id))?;
        texts::auto_message(locale.as_deref()).to_owned()
    } else {
        text
    };
    let appended = append_message(
        connection,
        &NewMessage {
            files: Vec::new(),
            target: MessageTarget::Conversation(conversation_id),
            author: Author::System,
            operator_id: None,
            client_id: None,
            text,
            origin: None,
        },
        events,
    )?;
    Ok(Some(appended.message))
}
