//! Notices: what a stored message causes besides itself (an email). Webhook events are
//! recorded by the store itself from every write's events (`store/webhooks.rs`), so that no
//! cause, message or not, can forget them.
//!
//! A notice must not be lost once its message is stored, so it is never carried out by the
//! writer of the message. The domain decides which notices a message causes, the store records
//! them in the message's own transaction (`store::Notices`, the outbox), and after the commit
//! the [`NoticeBell`] wakes the task that carries each kind out (email: `mail::run`). A relay
//! that dies in between finds the records on its next start.

use crate::App;
use crate::store::{MailTo, Notices};
use beseda_protocol::ConversationId;
use tokio::sync::Notify;

/// Wakes the tasks that carry out recorded notices, one bell per kind.
#[derive(Default)]
pub struct NoticeBell {
    email: Notify,
}

impl NoticeBell {
    /// Rings for each kind of notice just recorded.
    pub fn ring(&self, notices: &Notices) {
        if notices.email.is_some() {
            self.email.notify_one();
        }
    }

    /// Waits until an email is recorded (a ring before the wait is kept for it).
    pub async fn email_recorded(&self) {
        self.email.notified().await;
    }
}

/// The notices a visitor's message causes: the shop hears of a message sent through the contact
/// form, and of any message while the site's visitors see nobody available.
pub fn for_visitor_message(app: &App, site: &str, contact: bool) -> Notices {
    let (available, _) = app.hub.site_availability(site);
    let email = if contact || !available {
        app.mail.notice(MailTo::Shop)
    } else {
        None
    };
    Notices { email, contact }
}

/// The notices an operator's reply causes: an email to the visitor, when the conversation has
/// their address and no widget of theirs is open to show the reply.
pub async fn for_operator_reply(app: &App, conversation_id: ConversationId) -> Notices {
    if !app.mail.enabled() {
        return Notices::default();
    }
    // A conversation that does not exist is the store's to refuse; nobody is emailed.
    let Ok(conversation) = app.store.conversation_summary(conversation_id).await else {
        return Notices::default();
    };
    if conversation.visitor.email.is_none()
        || app
            .hub
            .visitor_connected(&conversation.site, &conversation.visitor.id)
    {
        return Notices::default();
    }
    Notices::email(app.mail.notice(MailTo::Visitor))
}
