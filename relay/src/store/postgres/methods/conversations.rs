//! [`ConversationStore`](crate::store::ConversationStore) for [`PgStore`]: messages and conversations.

use super::super::PgStore;
use super::pending;

use crate::store::{Appended, NewMessage, Notices, StoreFuture, VisitorDetails};
use beseda_protocol::api::{ConversationDetail, ConversationSummary};
use beseda_protocol::{
    ConversationId, ConversationStatus, Message, MessageId, OperatorId, Seq, VisitorId,
};

impl crate::store::ConversationStore for PgStore {
    fn append_message(
        &self,
        new_message: NewMessage,
        details: VisitorDetails,
        notices: Notices,
    ) -> StoreFuture<'_, Appended> {
        pending()
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        pending()
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        pending()
    }

    fn messages_after_position(
        &self,
        after: u64,
        limit: u32,
    ) -> StoreFuture<'_, Option<Vec<Message>>> {
        self.read(move |client| async move {
            super::super::tail::messages_after(&client, after, limit).await
        })
    }

    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>> {
        pending()
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        pending()
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        pending()
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        pending()
    }

    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool> {
        pending()
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        pending()
    }
}
