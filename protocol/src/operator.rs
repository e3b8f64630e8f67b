//! Frames on `/ws/operator`, between the console and the relay.
//!
//! The console's first frame is [`ToRelay::Hello`] with the bearer token from `POST /api/login`
//! (browsers cannot set headers on a WebSocket). The welcome carries every message stored after
//! `lastMessageId`, so a reconnecting console misses nothing; afterwards every stored message of
//! every conversation arrives as [`FromRelay::Message`].

use crate::api::ConversationSummary;
use crate::{
    ClientMessageId, ConversationId, ErrorCode, Message, MessageId, OperatorId, OperatorProfile,
};
use serde::{Deserialize, Serialize};

/// What the console sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ToRelay {
    Hello {
        version: u32,
        token: String,
        /// The highest message id the console has; the welcome carries every message after it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_message_id: Option<MessageId>,
        /// The highest event position the console has heard (several relays on PostgreSQL):
        /// the welcome then carries every message committed after it, which `lastMessageId`
        /// alone cannot promise when several relays write at once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_position: Option<u64>,
    },
    /// A reply to a visitor.
    Send {
        client_id: ClientMessageId,
        conversation_id: ConversationId,
        text: String,
    },
    /// The operator started or stopped typing in a conversation.
    Typing {
        conversation_id: ConversationId,
        typing: bool,
    },
}

/// What the relay sends to the console.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FromRelay {
    Welcome {
        version: u32,
        operator: OperatorProfile,
        /// Every message after the hello's `lastMessageId` (at most the newest 1,000 when the
        /// console sent none), in commit order.
        missed: Vec<Message>,
        /// The position the console has heard up to once it has these (PostgreSQL only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    Ack {
        client_id: ClientMessageId,
        message: Message,
        /// The message's position in the cluster's event log (PostgreSQL only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    /// A message stored in any conversation, by anyone but this socket.
    Message {
        message: Message,
        /// The message's position in the cluster's event log (PostgreSQL only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    /// A conversation was created, resolved or reopened.
    Conversation { conversation: ConversationSummary },
    /// What the visitor's page told changed: their current page, pages, cart or profile.
    Visitor {
        conversation_id: ConversationId,
        visitor: crate::api::VisitorInfo,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cart: Option<crate::visitor::Cart>,
        context: crate::api::VisitorContext,
    },
    /// A visitor started or stopped typing.
    Typing {
        conversation_id: ConversationId,
        typing: bool,
    },
    /// The visitor of a conversation viewed a page: only the new page, which the console appends
    /// to the context's pages and shows as the current page. (The whole context arrives in
    /// [`FromRelay::Visitor`] when more than that changed, e.g. when a new visit began.)
    Page {
        conversation_id: ConversationId,
        page: crate::api::PageView,
    },
    /// A conversation was erased for good (by an admin, the retention, or its visitor): the
    /// console forgets it.
    Erased { conversation_id: ConversationId },
    /// A conversation's visitor was blocked or unblocked.
    Blocked {
        conversation_id: ConversationId,
        blocked: bool,
    },
    /// An operator added an internal note to a conversation (never sent to a visitor).
    Note { note: crate::history::Note },
    /// An operator went online or offline; `anyoneOnline` is what visitors see.
    Availability {
        operator_id: OperatorId,
        online: bool,
        anyone_online: bool,
    },
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
}
