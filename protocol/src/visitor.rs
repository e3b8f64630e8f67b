//! Frames on `/ws/visitor`, between the widget and the relay.
//!
//! The widget's first frame is [`ToRelay::Hello`]; the relay answers [`FromRelay::Welcome`] with a
//! visitor token (new or the same) and every message after `lastSeq`. Each [`ToRelay::Send`] is
//! answered by exactly one [`FromRelay::Ack`] (carrying the stored message) or one
//! [`FromRelay::Error`] with the same `clientId`.

use crate::answers::AnswerHit;
use crate::api::PageView;
pub use crate::api::{Cart, CartItem};
use crate::{
    AnswerId, ClientMessageId, ConversationId, ConversationStatus, ErrorCode, Message, Rating, Seq,
};
use serde::{Deserialize, Serialize};

/// What the widget sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ToRelay {
    /// Must be the first frame. Without a token the relay issues a new one.
    Hello {
        version: u32,
        /// The shop, from the script tag's `data-site`.
        #[serde(default = "default_site")]
        site: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// The last sequence number the widget has; the welcome carries every message after it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<Seq>,
        /// The page the widget runs on; operators see it as the visitor's current page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<PageView>,
        /// The widget's language, e.g. `cs`: the relay's own messages use it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locale: Option<String>,
    },
    /// A message from the visitor.
    Send {
        client_id: ClientMessageId,
        text: String,
    },
    /// The visitor started or stopped typing.
    Typing { typing: bool },
    /// A message left through the contact form while nobody was online: stored like `send`,
    /// and the email is kept on the conversation so the answer can reach the visitor.
    Contact {
        client_id: ClientMessageId,
        email: String,
        text: String,
    },
    /// Who the visitor is, from `Beseda.setVisitor`. Fields left out stay as they were.
    Profile {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The visitor's cart, from `Beseda.setCart`.
    Cart { cart: Cart },
    /// The visitor moved to another page without reloading (single-page shops).
    Page { page: PageView },
    /// The visitor rates their resolved conversation.
    Rate {
        rating: Rating,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// What the visitor is typing, searched in the site's self-service answers in the visitor's
    /// language; answered by one [`FromRelay::Answers`].
    Search { query: String },
    /// The visitor opened an answer that a search offered.
    AnswerOpened { id: AnswerId },
    /// The visitor erases their conversation for good (where the site allows it): answered by
    /// [`FromRelay::Erased`] to every tab of theirs.
    Erase,
}

/// What the relay sends to the widget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FromRelay {
    Welcome {
        version: u32,
        /// The signed visitor token; the widget keeps it to return to the same conversation.
        token: String,
        /// The visitor's conversation, once one exists (after the first message).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<VisitorConversation>,
        /// Every message after the hello's `lastSeq`, in order.
        missed: Vec<Message>,
        /// Whether an operator is available right now.
        online: bool,
        /// The longest message text accepted, in characters.
        max_text_chars: usize,
        /// The shop's name, shown in the chat window.
        #[serde(default)]
        site_title: String,
        /// The operator who has joined the conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<Agent>,
        /// The visitor's place in the queue while every operator is busy (1 = next).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue_position: Option<u32>,
        /// Whether the visitor may rate the conversation once it is resolved.
        #[serde(default)]
        rating_enabled: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rating: Option<Rating>,
        /// The site's suggested questions, offered while the chat is empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        suggested_questions: Vec<String>,
        /// Outside the shop's opening hours: when it opens again (RFC 3339, UTC).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        back_at: Option<String>,
        /// The visitor may not write (an operator blocked them): the widget says the chat is
        /// not available and sends nothing.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        blocked: bool,
        /// The site lets visitors erase their conversation (`erase`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        can_erase: bool,
    },
    /// The visitor was blocked or unblocked while the widget was open.
    Blocked { blocked: bool },
    /// The conversation was erased for good: the widget forgets it and starts afresh.
    Erased,
    /// The message with this client id is stored.
    Ack {
        client_id: ClientMessageId,
        message: Message,
    },
    /// A message the widget did not send itself: an operator's reply, a system message, or the
    /// visitor's own message sent from another tab.
    Message { message: Message },
    /// An operator started or stopped typing.
    Typing {
        typing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// The conversation was resolved or reopened.
    Status {
        conversation_id: ConversationId,
        status: ConversationStatus,
    },
    /// Operator availability changed.
    Availability {
        online: bool,
        /// Outside the shop's opening hours: when it opens again (RFC 3339, UTC).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        back_at: Option<String>,
    },
    /// An operator joined the conversation: the window shows their name and photo.
    Agent { agent: Agent },
    /// The visitor's place in the queue changed; none once an operator has the conversation.
    Queue {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u32>,
    },
    /// The rating was stored (sent to every tab of the visitor).
    Rated {
        rating: Rating,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Something was refused. With a `clientId` it answers that send; the socket stays open
    /// unless the relay closes it right after.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientMessageId>,
        /// With `unavailable`: how long to wait before sending the same frame again (with the
        /// same `clientId`), in milliseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// The answers a search found, the best first (at most three; none is an answer too).
    Answers {
        /// The search as it was sent, so the widget can drop answers to older searches.
        query: String,
        answers: Vec<AnswerHit>,
    },
}

/// The operator a visitor sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
}

/// The visitor's view of their conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorConversation {
    pub id: ConversationId,
    pub status: ConversationStatus,
    /// The highest sequence number in the conversation.
    pub last_seq: Seq,
}

fn default_site() -> String {
    "default".to_owned()
}
