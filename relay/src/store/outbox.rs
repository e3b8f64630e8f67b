//! The mail outbox: the notices a stored message causes, the emails queued from them, and
//! [`OutboxStore`], through which the mail task reads what is due and records outcomes.

use super::StoreFuture;
use beseda_protocol::{ConversationId, Message};
use std::time::Duration;

/// Whom an email about a new message goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailTo {
    /// The shop (the site's notification address, else its admins): a message left while
    /// nobody was there to answer.
    Shop,
    /// The visitor (their email on the conversation): an operator's reply while they are away.
    Visitor,
}

/// An email to queue with a new message.
#[derive(Clone, Copy, Debug)]
pub struct MailNotice {
    pub to: MailTo,
    /// The least time between two emails to one address (about one conversation for a
    /// visitor, about one site for the shop).
    pub interval: Duration,
    /// The most emails a visitor's address gets in 24 hours.
    pub per_address_per_day: u32,
}

/// The row id of a queued email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailId(pub i64);

/// A queued email that is due, with everything needed to write it.
#[derive(Clone, Debug)]
pub struct PendingMail {
    pub id: MailId,
    pub to: MailTo,
    pub recipient: String,
    pub conversation_id: ConversationId,
    pub site_title: String,
    /// The site's notification address, if it has one (where visitors' answers should go).
    pub shop_email: Option<String>,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    /// The widget's language, as the visitor's hello gave it.
    pub locale: Option<String>,
    /// The last page the visitor was on.
    pub page_url: Option<String>,
    /// The messages it carries, in order.
    pub messages: Vec<Message>,
    /// The other conversations a gathered email to the shop tells of, oldest first (empty for
    /// an email to a visitor).
    pub more: Vec<MailConversation>,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When it was queued (ms since the epoch).
    pub created_at: i64,
}

/// One more conversation in a gathered email to the shop.
#[derive(Clone, Debug)]
pub struct MailConversation {
    pub conversation_id: ConversationId,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub page_url: Option<String>,
    pub messages: Vec<Message>,
}

/// What came of one attempt to send an email.
#[derive(Clone, Debug)]
pub enum MailOutcome {
    Sent,
    /// A passing failure: try again at this time (ms since the epoch).
    Retry {
        at: i64,
        error: String,
    },
    /// The server refused for good, or it kept failing for too long.
    GaveUp {
        error: String,
    },
}

/// What a stored message causes that must not be lost, recorded in the message's transaction
/// and carried out later by a task of its own (email by `mail::run`). The chat domain decides
/// which notices a message causes (`chat::notices`); the store only records them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Notices {
    /// The email to queue, if any.
    pub email: Option<MailNotice>,
    /// The message came through the contact form: the reports count it.
    pub contact: bool,
}

impl Notices {
    /// Notices of an email alone (or of nothing).
    pub fn email(email: Option<MailNotice>) -> Notices {
        Notices {
            email,
            contact: false,
        }
    }
}

/// Persistence of the mail outbox.
pub trait OutboxStore: Send + Sync {
    /// Emails due at `now` (ms since the epoch), the longest waiting first, at most `limit`.
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>>;
    /// When the next queued email falls due (ms since the epoch), if any is queued.
    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>>;
    /// Records what came of an attempt to send an email.
    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()>;
}
