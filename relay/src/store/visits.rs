//! The SQL of what the relay knows about a visit: the pages of the session and the widget's
//! language (for the console's context and the relay's own texts), what the welcome tells
//! beyond the messages, and the automatic message when nobody has answered in time.

use super::assignment::queue_position;
use super::conversations::{append_message, conversation_summary};
use super::{Event, MessageTarget, NewMessage, StoreError};
use crate::catalog;
use crate::clock::{iso8601, now_millis};
use beseda_protocol::api::{PageView, VisitorContext};
use beseda_protocol::visitor::Agent;
use beseda_protocol::{Author, ConversationId, Message, Rating, VisitorId};
use rusqlite::{Connection, OptionalExtension, params};

/// A visit ends after this long without a page view; the next page starts a new list.
const SESSION_GAP_MILLIS: i64 = 30 * 60 * 1000;
/// The most pages kept for one visit.
const MAX_PAGES: usize = 50;

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

/// Records a page view (and the widget's language) of a visitor; consoles hear of it when the
/// visitor has a conversation.
pub fn visit(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
    page: Option<&PageView>,
    locale: Option<&str>,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let now = now_millis();
    let existing: Option<(i64, String)> = connection
        .prepare_cached(
            "SELECT last_seen, pages FROM visitors WHERE site = ?1 AND visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let mut pages: Vec<PageView> = match &existing {
        Some((last_seen, pages)) if now - last_seen < SESSION_GAP_MILLIS => {
            serde_json::from_str(pages).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    if let Some(page) = page {
        pages.push(PageView {
            url: page.url.clone(),
            title: page.title.clone(),
            at: iso8601(now),
        });
        if pages.len() > MAX_PAGES {
            pages.drain(..pages.len() - MAX_PAGES);
        }
    }
    let pages = serde_json::to_string(&pages).unwrap_or_else(|_| "[]".into());
    connection
        .prepare_cached(
            "INSERT INTO visitors (site, visitor_id, first_seen, last_seen, locale, pages)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5)
             ON CONFLICT (site, visitor_id) DO UPDATE SET last_seen = excluded.last_seen,
                 locale = COALESCE(excluded.locale, locale), pages = excluded.pages",
        )?
        .execute(params![site, visitor_id.0, now, locale, pages])?;
    visitor_changed(connection, site, visitor_id, events)
}

/// Tells the consoles what they know of the visitor now, if the visitor has a conversation.
pub fn visitor_changed(
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

pub fn visitor_context(
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

/// What the widget's welcome tells beyond the messages.
#[derive(Clone, Debug, Default)]
pub struct WelcomeExtras {
    pub agent: Option<Agent>,
    pub queue_position: Option<u32>,
    pub rating_enabled: bool,
    pub rating: Option<Rating>,
    pub suggested_questions: Vec<String>,
}

pub fn welcome_extras(
    connection: &Connection,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<WelcomeExtras, StoreError> {
    let (rating_enabled, questions): (bool, String) = connection
        .prepare_cached("SELECT rating_enabled, suggested_questions FROM sites WHERE name = ?1")?
        .query_row([site], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .unwrap_or((true, "[]".to_owned()));
    let suggested_questions = super::team::questions_from_json(&questions);
    type Row = (i64, Option<String>, Option<String>, Option<String>);
    let conversation: Option<Row> = connection
        .prepare_cached(
            "SELECT c.id, o.name, o.photo_url, c.rating FROM conversations c
             LEFT JOIN operators o ON o.id = c.agent_id WHERE c.site = ?1 AND c.visitor_id = ?2",
        )?
        .query_row(params![site, visitor_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let Some((id, name, photo_url, rating)) = conversation else {
        return Ok(WelcomeExtras {
            rating_enabled,
            suggested_questions,
            ..WelcomeExtras::default()
        });
    };
    Ok(WelcomeExtras {
        agent: name.map(|name| Agent { name, photo_url }),
        queue_position: queue_position(connection, ConversationId(id))?,
        rating_enabled,
        rating: rating.as_deref().and_then(Rating::from_name),
        suggested_questions,
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

/// Posts the automatic message if the visitor is still waiting past the site's delay; `post`
/// false only marks the wait as handled (nobody is online to ask the visitor to wait for).
pub fn auto_message(
    connection: &Connection,
    conversation_id: ConversationId,
    post: bool,
    events: &mut Vec<Event>,
) -> Result<Option<Message>, StoreError> {
    let now = now_millis();
    let due: Option<(String, String, String)> = connection
        .prepare_cached(
            "SELECT c.site, c.visitor_id, s.auto_message_text FROM conversations c JOIN sites s ON s.name = c.site
             WHERE c.id = ?1 AND c.waiting_since IS NOT NULL AND c.auto_message_sent = 0
               AND c.status = 'open' AND s.auto_message_delay > 0
               AND c.waiting_since + s.auto_message_delay * 1000 <= ?2",
        )?
        .query_row(params![conversation_id.0, now], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((site, visitor_id, text)) = due else {
        return Ok(None);
    };
    connection
        .prepare_cached("UPDATE conversations SET auto_message_sent = 1 WHERE id = ?1")?
        .execute([conversation_id.0])?;
    if !post {
        return Ok(None);
    }
    let text = if text.trim().is_empty() {
        let locale = visitor_locale(connection, &site, &VisitorId(visitor_id))?;
        catalog::auto_message(locale.as_deref()).to_owned()
    } else {
        text
    };
    let appended = append_message(
        connection,
        &NewMessage {
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
