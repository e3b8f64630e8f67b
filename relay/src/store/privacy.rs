//! Privacy: [`PrivacyStore`] — everything held about one visitor (export), erasing it for good,
//! the sites' retention, blocked visitors and addresses, and the admins' audit log.
//!
//! An erase deletes the conversation and every row tied to it: messages and their files, the
//! search index's entries, notes, the review, read marks, the visitor's pages, the emails and
//! webhook deliveries queued or kept for it, and the last assignee webhooks told of. What stays
//! are the reports' anonymous figures: the conversation's episodes lose their link to it (their
//! `conversation_id` becomes its negation, so that a later conversation reusing the id never
//! meets them) and their rating comment, and the answers opened lose the visitor's id. SQLite
//! overwrites what it deletes (`secure_delete`, and FTS5's `secure-delete` for the index), so
//! after a clean shutdown none of it can be read from the file or its WAL.

use super::{Event, StoreFuture};
use beseda_protocol::privacy::{AuditAction, AuditEntry, Block, ExportedConversation};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};

/// An act to write into the audit log.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    /// Who did it; none: the relay itself or the visitor.
    pub operator: Option<OperatorId>,
    pub action: AuditAction,
    pub target: String,
    pub detail: String,
}

/// A conversation the retention erases: resolved, and unchanged for longer than its site keeps
/// conversations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    pub conversation_id: ConversationId,
    pub site: String,
}

/// A block's address part: the keyed hash of the address and until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressBlock {
    pub hash: [u8; 32],
    pub until: i64,
}

pub trait PrivacyStore: Send + Sync {
    /// The visitor's conversations given this email address (case-insensitively), oldest first.
    fn conversations_of_email(&self, email: String) -> StoreFuture<'_, Vec<ConversationId>>;
    /// Everything held about these conversations and their visitors; `NotFound` when one of them
    /// does not exist.
    fn export(
        &self,
        conversations: Vec<ConversationId>,
        audit: AuditRecord,
    ) -> StoreFuture<'_, Vec<ExportedConversation>>;
    /// Erases the conversations for good, in one transaction with the audit entry; how many
    /// existed. Each erased one is an [`Event::ConversationErased`].
    fn erase(&self, conversations: Vec<ConversationId>, audit: AuditRecord)
    -> StoreFuture<'_, u32>;
    /// The conversations past their site's retention at `now` (milliseconds), at most `limit`.
    fn expired(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<Expired>>;
    /// Blocks the conversation's visitor (and, with `address_until`, the address they write
    /// from, once known: `address` when it is known now).
    fn block(
        &self,
        conversation_id: ConversationId,
        by: OperatorId,
        address_until: Option<i64>,
        address: Option<[u8; 32]>,
    ) -> StoreFuture<'_, Block>;
    /// Lifts the block and its address's; false when it was not blocked.
    fn unblock(&self, conversation_id: ConversationId, by: OperatorId) -> StoreFuture<'_, bool>;
    /// Keeps a blocked visitor's address blocked (seen at their hello) until `until`.
    fn block_address(
        &self,
        conversation_id: ConversationId,
        hash: [u8; 32],
        until: i64,
    ) -> StoreFuture<'_, ()>;
    /// Whether this address is blocked at `now`.
    fn address_blocked(&self, hash: [u8; 32], now: i64) -> StoreFuture<'_, bool>;
    /// Every blocked visitor, the latest first.
    fn blocks(&self) -> StoreFuture<'_, Vec<Block>>;
    /// Writes an act into the audit log.
    fn record_audit(&self, audit: AuditRecord) -> StoreFuture<'_, ()>;
    /// The audit log, newest first: at most `limit` entries older than `before`.
    fn audit(&self, before: Option<i64>, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>>;
}

/// The audit log's name of an action.
pub(crate) fn action_text(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Export => "export",
        AuditAction::Erase => "erase",
        AuditAction::VisitorErase => "visitor_erase",
        AuditAction::RetentionErase => "retention_erase",
        AuditAction::RetentionChange => "retention_change",
        AuditAction::Block => "block",
        AuditAction::Unblock => "unblock",
    }
}

pub(crate) fn action_from_text(text: &str) -> AuditAction {
    match text {
        "export" => AuditAction::Export,
        "visitor_erase" => AuditAction::VisitorErase,
        "retention_erase" => AuditAction::RetentionErase,
        "retention_change" => AuditAction::RetentionChange,
        "block" => AuditAction::Block,
        "unblock" => AuditAction::Unblock,
        _ => AuditAction::Erase,
    }
}

/// The event an erased conversation is.
pub(crate) fn erased_event(
    conversation_id: ConversationId,
    site: String,
    visitor_id: VisitorId,
) -> Event {
    Event::ConversationErased {
        conversation_id,
        site,
        visitor_id,
    }
}
