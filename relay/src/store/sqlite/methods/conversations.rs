//! [`ConversationStore`](crate::store::ConversationStore) for [`SqliteStore`]: messages and conversations.

use super::super::{SqliteStore, conversations, outbox, rows};
use crate::store::{Appended, NewMessage, Notices, StoreFuture, VisitorDetails};
use beseda_protocol::api::{ConversationDetail, ConversationSummary};
use beseda_protocol::{
    ConversationId, ConversationStatus, Message, MessageId, OperatorId, Seq, VisitorId,
};

impl crate::store::ConversationStore for SqliteStore {
    fn append_message(
        &self,
        new_message: NewMessage,
        details: VisitorDetails,
        notices: Notices,
    ) -> StoreFuture<'_, Appended> {
        self.write(move |connection, events| {
            outbox::append_message(connection, &new_message, &details, notices, events)
        })
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| rows::messages_after_seq(connection, conversation_id, after))
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| conversations::messages_after_id(connection, after, limit))
    }

    fn messages_after_position(
        &self,
        _after: u64,
        _limit: u32,
    ) -> StoreFuture<'_, Option<Vec<Message>>> {
        // One relay, one writer: message ids follow commit order, and consoles resume by them.
        Box::pin(async { Ok(None) })
    }

    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| {
            conversations::visitor_conversation(connection, &site, &visitor_id)
        })
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        self.read(move |connection| conversations::conversations(connection, status, reader))
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        self.read(move |connection| conversations::conversation(connection, conversation_id))
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.read(move |connection| rows::conversation_summary(connection, conversation_id))
    }

    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            conversations::update_visitor(connection, &site, &visitor_id, &details, events)
        })
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            conversations::set_status(connection, conversation_id, status, events)
        })
    }
}
