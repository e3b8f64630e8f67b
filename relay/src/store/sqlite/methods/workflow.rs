//! [`WorkflowStore`](crate::store::WorkflowStore) for [`SqliteStore`]: joining, transfers, tags, reads, ratings, visits, automatic messages.

use super::super::{SqliteStore, visits, workflow};
use crate::store::{StoreFuture, VisitorDetails, WelcomeExtras};
use beseda_protocol::api::{ConversationSummary, PageView};
use beseda_protocol::{ConversationId, Message, OperatorId, Rating, Seq, VisitorId};

impl crate::store::WorkflowStore for SqliteStore {
    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::join(connection, conversation_id, operator_id, events)
        })
    }

    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::assign(connection, conversation_id, operator_id, events)
        })
    }

    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::set_tags(connection, conversation_id, &tags, events)
        })
    }

    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            workflow::mark_read(connection, conversation_id, operator_id, seq)
        })
    }

    fn rate(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        rating: Rating,
        comment: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            workflow::rate(
                connection,
                &site,
                &visitor_id,
                rating,
                comment.as_deref(),
                events,
            )
        })
    }

    fn visit(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        page: Option<PageView>,
        locale: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            visits::visit(
                connection,
                &site,
                &visitor_id,
                page.as_ref(),
                locale.as_deref(),
                events,
            )
        })
    }

    fn keep_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            visits::keep_visitor(connection, &site, &visitor_id, &details, events)
        })
    }

    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| visits::welcome_extras(connection, &site, &visitor_id))
    }

    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>> {
        self.read(visits::auto_messages_due)
    }

    fn post_auto_message(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, Option<Message>> {
        self.write(move |connection, events| {
            visits::post_auto_message(connection, conversation_id, events)
        })
    }

    fn skip_auto_message(&self, conversation_id: ConversationId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| visits::skip_auto_message(connection, conversation_id))
    }
}
