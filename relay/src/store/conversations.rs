//! Conversations and their messages: what is stored, the events a write causes, and
//! [`ConversationStore`], the persistence of this aggregate.

use super::{Notices, StoreFuture};
use beseda_protocol::api::{
    ConversationDetail, ConversationSummary, PageView, VisitorContext, VisitorInfo,
};
use beseda_protocol::visitor::{Agent, Cart};
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, Message, MessageId, OperatorId,
    Rating, Seq, VisitorId,
};

/// Which peer caused a write, so that its own socket gets an acknowledgement instead of a copy.
pub type PeerTag = u64;

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub target: MessageTarget,
    pub author: Author,
    pub operator_id: Option<OperatorId>,
    pub client_id: Option<ClientMessageId>,
    pub text: String,
    pub origin: Option<PeerTag>,
    /// Files stored before (unattached), attached to the message in its transaction; the
    /// message is refused (`NotFound`) when any of them is missing or carried already.
    pub files: Vec<beseda_protocol::FileRef>,
}

/// Where a new message goes.
#[derive(Clone, Debug)]
pub enum MessageTarget {
    /// The visitor's conversation on a site, created on the first message and reopened if resolved.
    Visitor { site: String, visitor_id: VisitorId },
    /// An existing conversation, by id.
    Conversation(ConversationId),
}

/// The result of storing a message.
#[derive(Clone, Debug)]
pub struct Appended {
    pub message: Message,
    /// True when the client id had been stored before: nothing new was written.
    pub duplicate: bool,
}

/// Something that changed, reported to the commit listener after the commit (and written to
/// the event log as JSON on PostgreSQL, for the other relays).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Event {
    MessageStored {
        message: Message,
        site: String,
        visitor_id: VisitorId,
        origin: Option<PeerTag>,
        /// A resend of a stored client id: only the sender needs to hear of it.
        duplicate: bool,
        /// Its place in the cluster's event log (PostgreSQL; set when it is published).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    ConversationChanged {
        conversation: ConversationSummary,
        visitor_id: VisitorId,
        /// True when the conversation was just created (by its first message).
        created: bool,
        /// True when it was resolved or reopened: only then does its visitor hear of it (a
        /// widget offers the rating on each news of "resolved").
        status_changed: bool,
    },
    /// Who is still waiting for an operator, first in line first (sent while anyone is online).
    QueueChanged { waiting: Vec<(String, VisitorId)> },
    /// This visitor is no longer waiting in the queue.
    QueuePosition {
        site: String,
        visitor_id: VisitorId,
        position: Option<u32>,
    },
    /// An operator joined the visitor's conversation.
    AgentJoined {
        site: String,
        visitor_id: VisitorId,
        agent: Agent,
    },
    /// An operator's availability switch changed (the queue's assignments, if any, follow).
    OperatorAvailability {
        operator_id: OperatorId,
        online: bool,
    },
    /// Events were committed that this relay can no longer read (the cluster's event log was
    /// pruned past it): every socket is closed, and its client resumes from the database.
    Missed,
    /// The visitor rated their conversation.
    Rated {
        site: String,
        visitor_id: VisitorId,
        rating: Rating,
        comment: Option<String>,
    },
    /// The visitor of a conversation viewed a page (and nothing else of the context changed).
    PageViewed {
        conversation_id: ConversationId,
        page: PageView,
    },
    /// An operator added an internal note: for the consoles only, never for a visitor.
    NoteAdded {
        note: beseda_protocol::history::Note,
    },
    /// A message came through the contact form (for webhooks; no socket hears of it).
    ContactSubmitted {
        conversation_id: ConversationId,
        name: Option<String>,
        email: Option<String>,
        text: String,
    },
    /// A shop's page reported an order after a prompt (for webhooks; no socket hears of it).
    OrderTracked {
        site: String,
        prompt_id: i64,
        variant: u32,
        total: f64,
    },
    /// The visitor's page, language, cart or profile changed.
    VisitorChanged {
        conversation_id: ConversationId,
        visitor: VisitorInfo,
        cart: Option<Cart>,
        context: VisitorContext,
    },
    /// A conversation was erased for good: consoles forget it, its visitor's widgets start
    /// afresh.
    ConversationErased {
        conversation_id: ConversationId,
        site: String,
        visitor_id: VisitorId,
    },
    /// A conversation's visitor was blocked or unblocked.
    Blocked {
        conversation_id: ConversationId,
        site: String,
        visitor_id: VisitorId,
        blocked: bool,
    },
}

/// What the shop's page tells about a visitor (`Beseda.setVisitor`, `Beseda.setCart`, the
/// contact form), and what the session kept of the visit before the first message.
#[derive(Clone, Debug, Default)]
pub struct VisitorDetails {
    pub name: Option<String>,
    pub email: Option<String>,
    pub cart: Option<beseda_protocol::visitor::Cart>,
    /// Pages viewed before the conversation existed, oldest first, each with its time.
    pub pages: Vec<PageView>,
    /// The widget's language, told before the conversation existed.
    pub locale: Option<String>,
    /// When the session that kept these began (ms since the epoch): the visitor's first sight.
    pub first_seen: Option<i64>,
}

impl VisitorDetails {
    /// Whether nothing of the profile or cart is told (the visit's pages aside).
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.cart.is_none()
    }

    /// Whether pages or a language wait to be stored with the first message.
    pub fn has_visit(&self) -> bool {
        !self.pages.is_empty() || self.locale.is_some()
    }
}

/// Persistence of conversations and messages.
pub trait ConversationStore: Send + Sync {
    /// Stores a message (or returns the stored one when its client id was seen before), keeps
    /// the visitor's `details` on its conversation and records the `notices` it causes: all in
    /// one transaction, so that no notice (nor the address an email goes to) can be lost once
    /// the message is stored. A resend of a stored client id records no notice.
    fn append_message(
        &self,
        new_message: NewMessage,
        details: VisitorDetails,
        notices: Notices,
    ) -> StoreFuture<'_, Appended>;
    /// Messages of a conversation with a sequence number above `after`, in order.
    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>>;
    /// Messages of all conversations with an id above `after`, oldest first, at most `limit`.
    /// Without `after`, the newest `limit` messages.
    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>>;
    /// Messages committed after a position of the cluster's event log, in position order;
    /// `None` when the store keeps no log (SQLite), no longer holds that position, or more than
    /// `limit` messages followed it (then the caller resumes by message id).
    fn messages_after_position(
        &self,
        after: u64,
        limit: u32,
    ) -> StoreFuture<'_, Option<Vec<Message>>>;
    /// The visitor's conversation on a site, if they have written anything yet.
    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>>;
    /// Conversations, the most urgent first; with `reader`, each with that operator's unread count.
    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>>;
    /// A conversation with all its messages, its cart and its visitor's context.
    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail>;
    /// A conversation's summary, as lists show it.
    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary>;
    /// Records what the shop's page told about the visitor on their conversation; fields given
    /// as `None` stay as they were. False when the visitor has no conversation yet.
    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool>;
    /// Resolves or reopens a conversation; answers the conversation as it now is.
    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary>;
}
