//! The SQL of the mail outbox on PostgreSQL, twin of SQLite's `outbox.rs`: emails are queued in
//! the transaction that stores the message they are about, and the mail task (on the cluster's
//! leader) reads what is due, sends it and records the outcome.
//!
//! One row is one email to one address; the messages it carries are listed in `mail_messages`.
//! A message arriving while an email to the same address still waits for its time joins that
//! email instead of making another, and a new email waits until `interval` after the last one.
//! An email to the visitor is about their conversation; an email to the shop gathers every
//! conversation of the site. A visitor's address gets at most `per_address_per_day` emails in
//! 24 hours, counted from the outbox itself. Every write runs under the cluster's write lock, so
//! two relays queueing for one address at once see each other's rows.

use super::Tx;
use super::rows::{MESSAGE_COLUMNS, MESSAGE_FROM, messages_from_rows, visitor_context};
use super::sql::Sql;
use crate::clock::now_millis;
use crate::store::sqlite::outbox::{mail_to_from_name, mail_to_name};
use crate::store::{
    Appended, MailConversation, MailId, MailNotice, MailOutcome, MailTo, MessageTarget, NewMessage,
    Notices, PendingMail, StoreError, VisitorDetails,
};
use beseda_protocol::{ConversationId, Message, VisitorId};

/// A day in milliseconds, the window of the per-address cap.
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Stores a message, keeps the visitor's details given with it and records the `notices` it
/// causes, all in the caller's transaction. A resend of a stored client id records nothing.
pub async fn append_message(
    tx: &Tx,
    new_message: &NewMessage,
    details: &VisitorDetails,
    notices: Notices,
) -> Result<Appended, StoreError> {
    // The visit goes first: a conversation created by this message then starts with its
    // context, and the consoles hear of both through the new conversation.
    if details.has_visit()
        && let MessageTarget::Visitor { site, visitor_id } = &new_message.target
    {
        super::visits::keep_visit(
            tx,
            site,
            visitor_id,
            &details.pages,
            details.locale.as_deref(),
            details.first_seen,
        )
        .await?;
    }
    let appended = super::conversations::append_message(tx, new_message).await?;
    if !appended.duplicate {
        super::history::index_message(tx, &appended.message);
    }
    if notices.contact && !appended.duplicate {
        super::reports::contact_form(tx, appended.message.conversation_id).await?;
        tx.emit(crate::store::Event::ContactSubmitted {
            conversation_id: appended.message.conversation_id,
            name: details.name.clone(),
            email: details.email.clone(),
            text: appended.message.text.clone(),
        });
    }
    if !details.is_empty() {
        let row = tx
            .query_one(
                "SELECT site, visitor_id FROM conversations WHERE id = $1",
                &[&appended.message.conversation_id.0],
            )
            .await?;
        let site: String = row.try_get(0)?;
        let visitor_id = VisitorId(row.try_get(1)?);
        super::conversations::update_visitor(tx, &site, &visitor_id, details).await?;
    }
    if let Some(notice) = notices.email
        && !appended.duplicate
    {
        enqueue(tx, &appended.message, notice).await?;
    }
    Ok(appended)
}

/// The addresses an email about this conversation goes to.
async fn recipients(
    client: &impl Sql,
    conversation_id: ConversationId,
    to: MailTo,
) -> Result<Vec<String>, StoreError> {
    let row = client
        .query_one(
            "SELECT s.notify_email, c.visitor_email FROM conversations c
             JOIN sites s ON s.name = c.site WHERE c.id = $1",
            &[&conversation_id.0],
        )
        .await?;
    let notify_email: String = row.try_get(0)?;
    let visitor_email: Option<String> = row.try_get(1)?;
    let addresses = match to {
        MailTo::Visitor => visitor_email.into_iter().collect(),
        MailTo::Shop if !notify_email.trim().is_empty() => vec![notify_email.trim().to_owned()],
        MailTo::Shop => client
            .query("SELECT email FROM operators WHERE admin ORDER BY id", &[])
            .await?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Result<Vec<String>, _>>()?,
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
async fn enqueue(tx: &Tx, message: &Message, notice: MailNotice) -> Result<(), StoreError> {
    let now = now_millis();
    let interval = i64::try_from(notice.interval.as_millis()).unwrap_or(i64::MAX);
    let kind = mail_to_name(notice.to);
    let conversation_id = message.conversation_id.0;
    // What one email may gather: a visitor's conversation, or everything of the shop's site.
    let (waiting_sql, last_sql) = match notice.to {
        MailTo::Visitor => (
            "SELECT id FROM mail_outbox WHERE conversation_id = $1 AND kind = $2
             AND recipient = $3 AND sent_at IS NULL AND failed_at IS NULL AND due_at > $4
             ORDER BY id DESC LIMIT 1",
            "SELECT MAX(COALESCE(sent_at, due_at)) FROM mail_outbox
             WHERE conversation_id = $1 AND kind = $2 AND recipient = $3 AND failed_at IS NULL",
        ),
        MailTo::Shop => (
            "SELECT o.id FROM mail_outbox o JOIN conversations c ON c.id = o.conversation_id
             WHERE c.site = (SELECT site FROM conversations WHERE id = $1) AND o.kind = $2
             AND o.recipient = $3 AND o.sent_at IS NULL AND o.failed_at IS NULL AND o.due_at > $4
             ORDER BY o.id DESC LIMIT 1",
            "SELECT MAX(COALESCE(o.sent_at, o.due_at)) FROM mail_outbox o
             JOIN conversations c ON c.id = o.conversation_id
             WHERE c.site = (SELECT site FROM conversations WHERE id = $1) AND o.kind = $2
             AND o.recipient = $3 AND o.failed_at IS NULL",
        ),
    };
    for recipient in recipients(tx, message.conversation_id, notice.to).await? {
        // The mail task only takes emails whose time has come, so one still in the future is
        // not being sent right now and can take one more message.
        let waiting: Option<i64> = tx
            .query_opt(waiting_sql, &[&conversation_id, &kind, &recipient, &now])
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        let mail_id = match waiting {
            Some(id) => id,
            None => {
                if notice.to == MailTo::Visitor
                    && emails_today(tx, &recipient, now).await? >= notice.per_address_per_day
                {
                    tracing::warn!(
                        conversation = conversation_id,
                        "a visitor's address has had its emails for the day; the reply waits in the console"
                    );
                    continue;
                }
                let last: Option<i64> = tx
                    .query_one(last_sql, &[&conversation_id, &kind, &recipient])
                    .await?
                    .try_get(0)?;
                let due_at = last.map_or(now, |last| now.max(last.saturating_add(interval)));
                tx.query_one(
                    "INSERT INTO mail_outbox (kind, conversation_id, recipient, created_at, due_at)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&kind, &conversation_id, &recipient, &now, &due_at],
                )
                .await?
                .try_get(0)?
            }
        };
        tx.execute(
            "INSERT INTO mail_messages (mail_id, message_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            &[&mail_id, &message.id.0],
        )
        .await?;
    }
    Ok(())
}

/// The emails to a visitor's address queued in the last 24 hours and not given up, whichever
/// conversation they are about (the same address in other letter case is the same address).
async fn emails_today(client: &impl Sql, recipient: &str, now: i64) -> Result<u32, StoreError> {
    let count: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'visitor'
             AND lower(recipient) = lower($1) AND created_at > $2 AND failed_at IS NULL",
            &[&recipient, &(now - DAY_MILLIS)],
        )
        .await?
        .try_get(0)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Emails due at `now`, the longest waiting first, at most `limit`.
pub async fn mail_due(
    client: &impl Sql,
    now: i64,
    limit: u32,
) -> Result<Vec<PendingMail>, StoreError> {
    let rows = client
        .query(
            "SELECT o.id, o.kind, o.recipient, o.conversation_id, o.attempts, o.created_at,
                    s.title, s.notify_email, c.visitor_name, c.visitor_email, c.site, c.visitor_id
             FROM mail_outbox o JOIN conversations c ON c.id = o.conversation_id
             JOIN sites s ON s.name = c.site
             WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.due_at <= $1
             ORDER BY o.due_at, o.id LIMIT $2",
            &[&now, &i64::from(limit)],
        )
        .await?;
    // A gathered email's messages, conversation by conversation (the row's own first, then the
    // others oldest first), each conversation's in order.
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM}
         WHERE m.id IN (SELECT message_id FROM mail_messages WHERE mail_id = $1)
         ORDER BY m.conversation_id = $2 DESC, m.conversation_id, m.seq"
    );
    let mut due = Vec::with_capacity(rows.len());
    for row in rows {
        let notify_email: String = row.try_get(7)?;
        let mut mail = PendingMail {
            id: MailId(row.try_get(0)?),
            to: mail_to_from_name(row.try_get(1)?),
            recipient: row.try_get(2)?,
            conversation_id: ConversationId(row.try_get(3)?),
            attempts: u32::try_from(row.try_get::<_, i64>(4)?).unwrap_or(u32::MAX),
            created_at: row.try_get(5)?,
            site_title: row.try_get(6)?,
            shop_email: Some(notify_email).filter(|email| !email.trim().is_empty()),
            visitor_name: row.try_get(8)?,
            visitor_email: row.try_get(9)?,
            locale: None,
            page_url: None,
            messages: Vec::new(),
            more: Vec::new(),
        };
        let site: String = row.try_get(10)?;
        let visitor_id = VisitorId(row.try_get(11)?);
        let context = visitor_context(client, &site, &visitor_id).await?;
        mail.locale = context.locale;
        mail.page_url = context.current_page.map(|page| page.url);
        let messages = messages_from_rows(
            &client
                .query(&sql, &[&mail.id.0, &mail.conversation_id.0])
                .await?,
        )?;
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
                let mut other = other_conversation(client, message.conversation_id).await?;
                other.messages.push(message);
                mail.more.push(other);
            }
        }
        due.push(mail);
    }
    Ok(due)
}

/// The visitor and page of another conversation in a gathered email, its messages still to add.
async fn other_conversation(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<MailConversation, StoreError> {
    let row = client
        .query_one(
            "SELECT site, visitor_id, visitor_name, visitor_email FROM conversations WHERE id = $1",
            &[&conversation_id.0],
        )
        .await?;
    let site: String = row.try_get(0)?;
    let visitor_id = VisitorId(row.try_get(1)?);
    let context = visitor_context(client, &site, &visitor_id).await?;
    Ok(MailConversation {
        conversation_id,
        visitor_name: row.try_get(2)?,
        visitor_email: row.try_get(3)?,
        page_url: context.current_page.map(|page| page.url),
        messages: Vec::new(),
    })
}

/// When the next queued email falls due (ms since the epoch), if any is queued.
pub async fn next_mail_due(client: &impl Sql) -> Result<Option<i64>, StoreError> {
    Ok(client
        .query_one(
            "SELECT MIN(due_at) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
            &[],
        )
        .await?
        .try_get(0)?)
}

pub async fn mail_attempted(tx: &Tx, id: MailId, outcome: &MailOutcome) -> Result<(), StoreError> {
    let now = now_millis();
    let changed = match outcome {
        MailOutcome::Sent => {
            tx.execute(
                "UPDATE mail_outbox SET sent_at = $2 WHERE id = $1",
                &[&id.0, &now],
            )
            .await?
        }
        MailOutcome::Retry { at, error } => {
            tx.execute(
                "UPDATE mail_outbox SET attempts = attempts + 1, due_at = $2, last_error = $3
                 WHERE id = $1",
                &[&id.0, at, error],
            )
            .await?
        }
        MailOutcome::GaveUp { error } => {
            tx.execute(
                "UPDATE mail_outbox SET attempts = attempts + 1, failed_at = $2, last_error = $3
                 WHERE id = $1",
                &[&id.0, &now, error],
            )
            .await?
        }
    };
    match changed {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}
