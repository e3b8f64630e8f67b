//! The SQL of the mail outbox: emails are queued in the transaction that stores the message they
//! are about, and the mail task reads what is due, sends it and records the outcome.
//!
//! One row is one email to one address; the messages it carries are listed in `mail_messages`.
//! A message arriving while an email to the same address still waits for its time joins that
//! email instead of making another, and a new email waits until `interval` after the last one:
//! that is what keeps a chatty conversation from becoming a storm of emails. An email to the
//! visitor is about their conversation; an email to the shop gathers every conversation of the
//! site (its row names the first), so that twenty visitors writing while nobody is online make
//! one email per interval, not twenty.
//!
//! A visitor's address is whatever a visitor typed, so it may be somebody else's: it gets at
//! most `per_address_per_day` emails in 24 hours, counted from the outbox itself so that a
//! restart does not reset the count.

use super::rows::{MESSAGE_COLUMNS, MESSAGE_FROM, message_from_row, visitor_context};
use crate::clock::now_millis;
use crate::store::{
    Appended, Event, MailConversation, MailId, MailNotice, MailOutcome, MailTo, MessageTarget,
    NewMessage, Notices, PendingMail, StoreError, VisitorDetails,
};
use beseda_protocol::{ConversationId, Message};
use rusqlite::{Connection, OptionalExtension, params};

/// A day in milliseconds, the window of the per-address cap.
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Stores a message, keeps the visitor's details given with it and records the `notices` it
/// causes, all in the caller's transaction. A resend of a stored client id records nothing.
pub fn append_message(
    connection: &Connection,
    new_message: &NewMessage,
    details: &VisitorDetails,
    notices: Notices,
    events: &mut Vec<Event>,
) -> Result<Appended, StoreError> {
    // The visit goes first: a conversation created by this message then starts with its
    // context, and the consoles hear of both through the new conversation.
    if details.has_visit()
        && let MessageTarget::Visitor { site, visitor_id } = &new_message.target
    {
        super::visits::keep_visit(
            connection,
            site,
            visitor_id,
            &details.pages,
            details.locale.as_deref(),
            details.first_seen,
            events,
        )?;
    }
    let appended = super::conversations::append_message(connection, new_message, events)?;
    if !appended.duplicate {
        super::history::index_message(connection, &appended.message)?;
    }
    if notices.contact && !appended.duplicate {
        super::reports::contact_form(connection, appended.message.conversation_id)?;
        events.push(Event::ContactSubmitted {
            conversation_id: appended.message.conversation_id,
            name: details.name.clone(),
            email: details.email.clone(),
            text: appended.message.text.clone(),
        });
    }
    if !details.is_empty() {
        let (site, visitor_id): (String, String) = connection
            .prepare_cached("SELECT site, visitor_id FROM conversations WHERE id = ?1")?
            .query_row([appended.message.conversation_id.0], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        super::conversations::update_visitor(
            connection,
            &site,
            &beseda_protocol::VisitorId(visitor_id),
            details,
            events,
        )?;
    }
    if let Some(notice) = notices.email
        && !appended.duplicate
    {
        enqueue(connection, &appended.message, notice)?;
    }
    Ok(appended)
}

/// The addresses an email about this conversation goes to.
fn recipients(
    connection: &Connection,
    conversation_id: ConversationId,
    to: MailTo,
) -> Result<Vec<String>, StoreError> {
    let (notify_email, visitor_email): (String, Option<String>) = connection
        .prepare_cached(
            "SELECT s.notify_email, c.visitor_email FROM conversations c
             JOIN sites s ON s.name = c.site WHERE c.id = ?1",
        )?
        .query_row([conversation_id.0], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let addresses = match to {
        MailTo::Visitor => visitor_email.into_iter().collect(),
        MailTo::Shop if !notify_email.trim().is_empty() => vec![notify_email.trim().to_owned()],
        MailTo::Shop => {
            let mut statement = connection
                .prepare_cached("SELECT email FROM operators WHERE admin = 1 ORDER BY id")?;
            let admins = statement.query_map([], |row| row.get::<_, String>(0))?;
            admins.collect::<Result<Vec<_>, _>>()?
        }
    };
    // An address no server would take (the first admin's `admin@localhost`) is left out.
    Ok(addresses
        .into_iter()
        .filter(|address| crate::chat::validation::check_email(address).is_ok())
        .collect())
}

/// Queues `message` for each address: into the email that still waits for its time, or into a
/// new one due no sooner than `interval` after the last, unless a visitor's address has had its
/// emails for the day.
fn enqueue(
    connection: &Connection,
    message: &Message,
    notice: MailNotice,
) -> Result<(), StoreError> {
    let now = now_millis();
    let interval = i64::try_from(notice.interval.as_millis()).unwrap_or(i64::MAX);
    let kind = mail_to_name(notice.to);
    let conversation_id = message.conversation_id.0;
    // What one email may gather: a visitor's conversation, or everything of the shop's site.
    let (waiting_sql, last_sql) = match notice.to {
        MailTo::Visitor => (
            "SELECT id FROM mail_outbox WHERE conversation_id = ?1 AND kind = ?2
             AND recipient = ?3 AND sent_at IS NULL AND failed_at IS NULL AND due_at > ?4
             ORDER BY id DESC LIMIT 1",
            "SELECT MAX(COALESCE(sent_at, due_at)) FROM mail_outbox
             WHERE conversation_id = ?1 AND kind = ?2 AND recipient = ?3 AND failed_at IS NULL",
        ),
        MailTo::Shop => (
            "SELECT o.id FROM mail_outbox o JOIN conversations c ON c.id = o.conversation_id
             WHERE c.site = (SELECT site FROM conversations WHERE id = ?1) AND o.kind = ?2
             AND o.recipient = ?3 AND o.sent_at IS NULL AND o.failed_at IS NULL AND o.due_at > ?4
             ORDER BY o.id DESC LIMIT 1",
            "SELECT MAX(COALESCE(o.sent_at, o.due_at)) FROM mail_outbox o
             JOIN conversations c ON c.id = o.conversation_id
             WHERE c.site = (SELECT site FROM conversations WHERE id = ?1) AND o.kind = ?2
             AND o.recipient = ?3 AND o.failed_at IS NULL",
        ),
    };
    for recipient in recipients(connection, message.conversation_id, notice.to)? {
        // The mail task only takes emails whose time has come, so one still in the future is
        // not being sent right now and can take one more message.
        let waiting: Option<i64> = connection
            .prepare_cached(waiting_sql)?
            .query_row(params![conversation_id, kind, recipient, now], |row| {
                row.get(0)
            })
            .optional()?;
        let mail_id = match waiting {
            Some(id) => id,
            None => {
                if notice.to == MailTo::Visitor
                    && emails_today(connection, &recipient, now)? >= notice.per_address_per_day
                {
                    tracing::warn!(
                        conversation = conversation_id,
                        "a visitor's address has had its emails for the day; the reply waits in the console"
                    );
                    continue;
                }
                let last: Option<i64> = connection
                    .prepare_cached(last_sql)?
                    .query_row(params![conversation_id, kind, recipient], |row| row.get(0))?;
                let due_at = last.map_or(now, |last| now.max(last.saturating_add(interval)));
                connection
                    .prepare_cached(
                        "INSERT INTO mail_outbox (kind, conversation_id, recipient, created_at, due_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![kind, conversation_id, recipient, now, due_at])?;
                connection.last_insert_rowid()
            }
        };
        connection
            .prepare_cached(
                "INSERT OR IGNORE INTO mail_messages (mail_id, message_id) VALUES (?1, ?2)",
            )?
            .execute(params![mail_id, message.id.0])?;
    }
    Ok(())
}

/// The emails to a visitor's address queued in the last 24 hours and not given up, whichever
/// conversation they are about (the same address in other letter case is the same address).
fn emails_today(connection: &Connection, recipient: &str, now: i64) -> Result<u32, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'visitor'
             AND recipient = ?1 COLLATE NOCASE AND created_at > ?2 AND failed_at IS NULL",
        )?
        .query_row(params![recipient, now - DAY_MILLIS], |row| row.get(0))?)
}

/// Emails due at `now`, the longest waiting first, at most `limit`.
pub fn mail_due(
    connection: &Connection,
    now: i64,
    limit: u32,
) -> Result<Vec<PendingMail>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT o.id, o.kind, o.recipient, o.conversation_id, o.attempts, o.created_at,
                s.title, s.notify_email, c.visitor_name, c.visitor_email, c.site, c.visitor_id
         FROM mail_outbox o JOIN conversations c ON c.id = o.conversation_id
         JOIN sites s ON s.name = c.site
         WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.due_at <= ?1
         ORDER BY o.due_at, o.id LIMIT ?2",
    )?;
    type Row = (PendingMail, String, String);
    let rows = statement.query_map(params![now, limit], |row| {
        let notify_email: String = row.get(7)?;
        Ok((
            PendingMail {
                id: MailId(row.get(0)?),
                to: mail_to_from_name(&row.get::<_, String>(1)?),
                recipient: row.get(2)?,
                conversation_id: ConversationId(row.get(3)?),
                attempts: row.get(4)?,
                created_at: row.get(5)?,
                site_title: row.get(6)?,
                shop_email: Some(notify_email).filter(|email| !email.trim().is_empty()),
                visitor_name: row.get(8)?,
                visitor_email: row.get(9)?,
                locale: None,
                page_url: None,
                messages: Vec::new(),
                more: Vec::new(),
            },
            row.get(10)?,
            row.get(11)?,
        ))
    })?;
    let rows: Vec<Row> = rows.collect::<Result<_, _>>()?;
    // A gathered email's messages, conversation by conversation (the row's own first, then the
    // others oldest first), each conversation's in order.
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM}
         WHERE m.id IN (SELECT message_id FROM mail_messages WHERE mail_id = ?1)
         ORDER BY m.conversation_id = ?2 DESC, m.conversation_id, m.seq"
    );
    let mut due = Vec::with_capacity(rows.len());
    for (mut mail, site, visitor_id) in rows {
        let visitor_id = beseda_protocol::VisitorId(visitor_id);
        let context = visitor_context(connection, &site, &visitor_id)?;
        mail.locale = context.locale;
        mail.page_url = context.current_page.map(|page| page.url);
        let messages: Vec<Message> = connection
            .prepare_cached(&sql)?
            .query_map(params![mail.id.0, mail.conversation_id.0], message_from_row)?
            .collect::<Result<_, _>>()?;
        for message in messages {
            if message.conversation_id == mail.conversation_id {
                mail.messages.push(message);
            } else if let Some(other) = mail
                .more
                .last_mut()
                .filter(|other| other.conversation_id == message.conversation_id)
            {
                other.messages.push(message);
            } else {
                let mut other = other_conversation(connection, message.conversation_id)?;
                other.messages.push(message);
                mail.more.push(other);
            }
        }
        due.push(mail);
    }
    Ok(due)
}

/// The visitor and page of another conversation in a gathered email, its messages still to add.
fn other_conversation(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<MailConversation, StoreError> {
    let (site, visitor_id, visitor_name, visitor_email): (
        String,
        String,
        Option<String>,
        Option<String>,
    ) = connection
        .prepare_cached(
            "SELECT site, visitor_id, visitor_name, visitor_email FROM conversations WHERE id = ?1",
        )?
        .query_row([conversation_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    let context = visitor_context(connection, &site, &beseda_protocol::VisitorId(visitor_id))?;
    Ok(MailConversation {
        conversation_id,
        visitor_name,
        visitor_email,
        page_url: context.current_page.map(|page| page.url),
        messages: Vec::new(),
    })
}

/// When the next queued email falls due (ms since the epoch), if any is queued.
pub fn next_mail_due(connection: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT MIN(due_at) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )?
        .query_row([], |row| row.get(0))?)
}

pub fn mail_attempted(
    connection: &Connection,
    id: MailId,
    outcome: &MailOutcome,
) -> Result<(), StoreError> {
    let now = now_millis();
    let statement = match outcome {
        MailOutcome::Sent => connection
            .prepare_cached("UPDATE mail_outbox SET sent_at = ?2 WHERE id = ?1")?
            .execute(params![id.0, now]),
        MailOutcome::Retry { at, error } => connection
            .prepare_cached(
                "UPDATE mail_outbox SET attempts = attempts + 1, due_at = ?2, last_error = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id.0, at, error]),
        MailOutcome::GaveUp { error } => connection
            .prepare_cached(
                "UPDATE mail_outbox SET attempts = attempts + 1, failed_at = ?2, last_error = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id.0, now, error]),
    };
    match statement? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// How an email's recipient kind is stored.
pub(crate) fn mail_to_name(to: MailTo) -> &'static str {
    match to {
        MailTo::Shop => "shop",
        MailTo::Visitor => "visitor",
    }
}

/// A recipient kind from its stored name.
pub(crate) fn mail_to_from_name(name: &str) -> MailTo {
    if name == "visitor" {
        MailTo::Visitor
    } else {
        MailTo::Shop
    }
}
