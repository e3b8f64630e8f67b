//! The SQL of what the relay knows about a visit on PostgreSQL: the pages of the session and
//! the widget's language (for the console's context and the relay's own texts), what the
//! welcome tells beyond the messages, and the automatic message when nobody has answered in
//! time — the twin of the SQLite visits.

use super::Tx;
use super::conversations::{append_message, update_visitor};
use super::queue::queue_position;
use super::rows::{questions_from_json, visitor_changed, visitor_locale};
use super::sql::Sql;
use super::sql::to_json;
use crate::chat::texts;
use crate::clock::{iso8601, now_millis};
use crate::store::workflow::{Kept, extend_visit};
use crate::store::{Event, MessageTarget, NewMessage, StoreError, VisitorDetails, WelcomeExtras};
use beseda_protocol::api::PageView;
use beseda_protocol::visitor::Agent;
use beseda_protocol::{Author, ConversationId, Message, Rating, VisitorId};

/// Adds `pages` (each with its time already set) to the visitor's current visit and keeps
/// their language; `first_seen` is used only when the visitor has no row yet.
async fn keep_pages(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    new_pages: &[PageView],
    locale: Option<&str>,
    first_seen: i64,
) -> Result<Kept, StoreError> {
    let now = now_millis();
    let existing = tx
        .query_opt(
            "SELECT last_seen, pages, locale FROM visitors WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?
        .map(|row| {
            (
                row.get::<_, i64>(0),
                row.get::<_, String>(1),
                row.get::<_, Option<String>>(2),
            )
        });
    let (pages, kept) = extend_visit(existing.as_ref(), now, new_pages, locale);
    let pages = to_json(&pages)?;
    tx.execute(
        "INSERT INTO visitors (site, visitor_id, first_seen, last_seen, locale, pages)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (site, visitor_id) DO UPDATE SET last_seen = excluded.last_seen,
             locale = COALESCE(excluded.locale, visitors.locale), pages = excluded.pages",
        &[
            &site,
            &visitor_id.0,
            &first_seen.min(now),
            &now,
            &locale,
            &pages,
        ],
    )
    .await?;
    Ok(kept)
}

/// Records a page view (and the widget's language) of a visitor who has a conversation (the
/// session keeps them until there is one). Consoles hear only the new page; the whole context
/// only when a new visit began or the language changed.
pub async fn visit(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    page: Option<&PageView>,
    locale: Option<&str>,
) -> Result<(), StoreError> {
    let now = now_millis();
    let page = page.map(|page| PageView {
        url: page.url.clone(),
        title: page.title.clone(),
        at: iso8601(now),
    });
    let kept = keep_pages(tx, site, visitor_id, page.as_slice(), locale, now).await?;
    match page {
        Some(page) if kept.continued && !kept.locale_changed => {
            if let Some(conversation_id) = visitor_conversation_id(tx, site, visitor_id).await? {
                tx.emit(Event::PageViewed {
                    conversation_id,
                    page,
                });
            }
            Ok(())
        }
        None if !kept.locale_changed => Ok(()),
        _ => visitor_changed(tx, site, visitor_id).await,
    }
}

/// Stores what a visitor's session kept before their first message (the pages viewed and the
/// widget's language), in the transaction of that message. Consoles hear of it through the
/// conversation (or, when it already existed, through the whole context).
pub async fn keep_visit(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    pages: &[PageView],
    locale: Option<&str>,
    first_seen: Option<i64>,
) -> Result<(), StoreError> {
    let first_seen = first_seen.unwrap_or_else(now_millis);
    keep_pages(tx, site, visitor_id, pages, locale, first_seen).await?;
    visitor_changed(tx, site, visitor_id).await
}

/// Stores what a session kept before it knew of the visitor's conversation: the visit's pages
/// and language, and the profile and cart; consoles hear the whole context once.
pub async fn keep_visitor(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    details: &VisitorDetails,
) -> Result<(), StoreError> {
    let first_seen = details.first_seen.unwrap_or_else(now_millis);
    let locale = details.locale.as_deref();
    keep_pages(tx, site, visitor_id, &details.pages, locale, first_seen).await?;
    if details.is_empty() {
        visitor_changed(tx, site, visitor_id).await
    } else {
        update_visitor(tx, site, visitor_id, details)
            .await
            .map(|_| ())
    }
}

async fn visitor_conversation_id(
    client: &impl Sql,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<Option<ConversationId>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT id FROM conversations WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?
        .map(|row| ConversationId(row.get(0))))
}

pub async fn welcome_extras(
    client: &impl Sql,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<WelcomeExtras, StoreError> {
    let (rating_enabled, questions, can_erase): (bool, String, bool) = client
        .query_opt(
            "SELECT rating_enabled, suggested_questions, visitor_erase FROM sites WHERE name = $1",
            &[&site],
        )
        .await?
        .map_or_else(
            || (true, "[]".to_owned(), false),
            |row| (row.get(0), row.get(1), row.get(2)),
        );
    let suggested_questions = questions_from_json(&questions);
    let conversation = client
        .query_opt(
            "SELECT c.id, o.name, o.photo_url, c.rating, c.blocked_at IS NOT NULL,
                    c.blocked_address_until
             FROM conversations c
             LEFT JOIN operators o ON o.id = c.agent_id WHERE c.site = $1 AND c.visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?;
    let Some(conversation) = conversation else {
        return Ok(WelcomeExtras {
            rating_enabled,
            suggested_questions,
            can_erase,
            ..WelcomeExtras::default()
        });
    };
    let id: i64 = conversation.get(0);
    let name: Option<String> = conversation.get(1);
    let photo_url: Option<String> = conversation.get(2);
    let rating: Option<String> = conversation.get(3);
    Ok(WelcomeExtras {
        agent: name.map(|name| Agent { name, photo_url }),
        queue_position: queue_position(client, ConversationId(id)).await?,
        rating_enabled,
        rating: rating.as_deref().and_then(Rating::from_name),
        suggested_questions,
        can_erase,
        blocked: conversation.get(4),
        address_until: conversation.get(5),
    })
}

/// When each waiting conversation is due for its automatic message (milliseconds since the
/// epoch), and its site, the soonest first.
pub async fn auto_messages_due(
    client: &impl Sql,
) -> Result<Vec<(ConversationId, i64, String)>, StoreError> {
    let rows = client
        .query(
            "SELECT c.id, c.waiting_since + s.auto_message_delay * 1000 AS due, c.site
             FROM conversations c JOIN sites s ON s.name = c.site
             WHERE c.waiting_since IS NOT NULL AND c.auto_message_sent = 0 AND c.status = 'open'
               AND s.auto_message_delay > 0
             ORDER BY due LIMIT 256",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| (ConversationId(row.get(0)), row.get(1), row.get(2)))
        .collect())
}

/// Marks the conversation's wait as handled if it is past the site's delay and nobody has
/// marked it yet; the site, visitor and the site's own text when it was due (one statement,
/// where SQLite reads and then marks).
async fn take_due_auto_message(
    tx: &Tx,
    conversation_id: ConversationId,
) -> Result<Option<(String, String, String)>, StoreError> {
    Ok(tx
        .query_opt(
            "UPDATE conversations c SET auto_message_sent = 1 FROM sites s
             WHERE s.name = c.site AND c.id = $1 AND c.waiting_since IS NOT NULL
               AND c.auto_message_sent = 0 AND c.status = 'open' AND s.auto_message_delay > 0
               AND c.waiting_since + s.auto_message_delay * 1000 <= $2
             RETURNING c.site, c.visitor_id, s.auto_message_text",
            &[&conversation_id.0, &now_millis()],
        )
        .await?
        .map(|row| (row.get(0), row.get(1), row.get(2))))
}

/// Marks a due wait as handled without a message (nobody is online to ask the visitor to wait
/// for).
pub async fn skip_auto_message(tx: &Tx, conversation_id: ConversationId) -> Result<(), StoreError> {
    take_due_auto_message(tx, conversation_id).await.map(|_| ())
}

/// Posts the automatic message if the visitor is still waiting past the site's delay: the
/// site's own text, or else the relay's in the visitor's language.
pub async fn post_auto_message(
    tx: &Tx,
    conversation_id: ConversationId,
) -> Result<Option<Message>, StoreError> {
    let Some((site, visitor_id, text)) = take_due_auto_message(tx, conversation_id).await? else {
        return Ok(None);
    };
    let text = if text.trim().is_empty() {
        let locale = visitor_locale(tx, &site, &VisitorId(visitor_id)).await?;
        texts::auto_message(locale.as_deref()).to_owned()
    } else {
        text
    };
    let appended = append_message(
        tx,
        &NewMessage {
            files: Vec::new(),
            target: MessageTarget::Conversation(conversation_id),
            author: Author::System,
            operator_id: None,
            client_id: None,
            text,
            origin: None,
        },
    )
    .await?;
    Ok(Some(appended.message))
}
