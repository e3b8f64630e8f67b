//! [`ConversationStore`](crate::store::ConversationStore) for [`PgStore`]: messages and conversations.

use super::super::{PgStore, conversations, outbox, rows};
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
        self.write(move |tx| async move {
            outbox::append_message(&tx, &new_message, &details, notices).await
        })
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |client| async move {
            rows::messages_after_seq(&client, conversation_id, after).await
        })
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |client| async move {
            conversations::messages_after_id(&client, after, limit).await
        })
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
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |client| async move {
            conversations::visitor_conversation(&client, &site, &visitor_id).await
        })
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        self.read(move |client| async move {
            conversations::conversations(&client, status, reader).await
        })
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        self.read(move |client| async move {
            conversations::conversation(&client, conversation_id).await
        })
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.read(move |client| async move {
            rows::conversation_summary(&client, conversation_id).await
        })
    }

    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |tx| async move {
            conversations::update_visitor(&tx, &site, &visitor_id, &details).await
        })
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |tx| async move {
            conversations::set_status(&tx, conversation_id, status).await
        })
    }
}
