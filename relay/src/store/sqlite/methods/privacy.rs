//! [`PrivacyStore`](crate::store::PrivacyStore) for [`SqliteStore`].

use super::super::{SqliteStore, privacy};
use crate::store::{AuditRecord, Expired, StoreFuture};
use beseda_protocol::privacy::{AuditEntry, Block, ExportedConversation};
use beseda_protocol::{ConversationId, OperatorId};

impl crate::store::PrivacyStore for SqliteStore {
    fn conversations_of_email(&self, email: String) -> StoreFuture<'_, Vec<ConversationId>> {
        self.read(move |connection| privacy::conversations_of_email(connection, &email))
    }

    fn export(
        &self,
        conversations: Vec<ConversationId>,
        audit: AuditRecord,
    ) -> StoreFuture<'_, Vec<ExportedConversation>> {
        self.write(move |connection, _| privacy::export(connection, &conversations, &audit))
    }

    fn erase(
        &self,
        conversations: Vec<ConversationId>,
        audit: AuditRecord,
    ) -> StoreFuture<'_, u32> {
        self.write(move |connection, events| {
            privacy::erase(connection, &conversations, &audit, events)
        })
    }

    fn expired(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<Expired>> {
        self.read(move |connection| privacy::expired(connection, now, limit))
    }

    fn block(
        &self,
        conversation_id: ConversationId,
        by: OperatorId,
        address_until: Option<i64>,
        address: Option<[u8; 32]>,
    ) -> StoreFuture<'_, Block> {
        self.write(move |connection, events| {
            privacy::block(
                connection,
                conversation_id,
                by,
                address_until,
                address,
                events,
            )
        })
    }

    fn unblock(&self, conversation_id: ConversationId, by: OperatorId) -> StoreFuture<'_, bool> {
        self.write(move |connection, events| {
            privacy::unblock(connection, conversation_id, by, events)
        })
    }

    fn block_address(
        &self,
        conversation_id: ConversationId,
        hash: [u8; 32],
        until: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            privacy::block_address(connection, conversation_id, hash, until)
        })
    }

    fn address_blocked(&self, hash: [u8; 32], now: i64) -> StoreFuture<'_, bool> {
        self.read(move |connection| privacy::address_blocked(connection, hash, now))
    }

    fn blocks(&self) -> StoreFuture<'_, Vec<Block>> {
        self.read(privacy::blocks)
    }

    fn record_audit(&self, audit: AuditRecord) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| privacy::record_audit(connection, &audit))
    }

    fn audit(&self, before: Option<i64>, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.read(move |connection| privacy::audit(connection, before, limit))
    }
}
