//! [`PrivacyStore`](crate::store::PrivacyStore) for [`PgStore`].

use super::super::{PgStore, privacy};
use crate::store::{AuditRecord, Expired, StoreFuture};
use beseda_protocol::privacy::{AuditEntry, Block, ExportedConversation};
use beseda_protocol::{ConversationId, OperatorId};

impl crate::store::PrivacyStore for PgStore {
    fn conversations_of_email(&self, email: String) -> StoreFuture<'_, Vec<ConversationId>> {
        self.read(
            move |client| async move { privacy::conversations_of_email(&client, &email).await },
        )
    }

    fn export(
        &self,
        conversations: Vec<ConversationId>,
        audit: AuditRecord,
    ) -> StoreFuture<'_, Vec<ExportedConversation>> {
        self.write(move |tx| async move { privacy::export(&tx, &conversations, &audit).await })
    }

    fn erase(
        &self,
        conversations: Vec<ConversationId>,
        audit: AuditRecord,
    ) -> StoreFuture<'_, u32> {
        self.write(move |tx| async move { privacy::erase(&tx, &conversations, &audit).await })
    }

    fn expired(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<Expired>> {
        self.read(move |client| async move { privacy::expired(&client, now, limit).await })
    }

    fn block(
        &self,
        conversation_id: ConversationId,
        by: OperatorId,
        address_until: Option<i64>,
        address: Option<[u8; 32]>,
    ) -> StoreFuture<'_, Block> {
        self.write(move |tx| async move {
            privacy::block(&tx, conversation_id, by, address_until, address).await
        })
    }

    fn unblock(&self, conversation_id: ConversationId, by: OperatorId) -> StoreFuture<'_, bool> {
        self.write(move |tx| async move { privacy::unblock(&tx, conversation_id, by).await })
    }

    fn block_address(
        &self,
        conversation_id: ConversationId,
        hash: [u8; 32],
        until: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move {
            privacy::block_address(&tx, conversation_id, hash, until).await
        })
    }

    fn address_blocked(&self, hash: [u8; 32], now: i64) -> StoreFuture<'_, bool> {
        self.read(move |client| async move { privacy::address_blocked(&client, hash, now).await })
    }

    fn blocks(&self) -> StoreFuture<'_, Vec<Block>> {
        self.read(move |client| async move { privacy::blocks(&client).await })
    }

    fn record_audit(&self, audit: AuditRecord) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { privacy::record_audit(&tx, &audit).await })
    }

    fn audit(&self, before: Option<i64>, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.read(move |client| async move { privacy::audit(&client, before, limit).await })
    }
}
