//! [`WorkflowStore`](crate::store::WorkflowStore) for [`PgStore`]: joining, transfers, tags, reads, ratings, visits, automatic messages.

use super::super::PgStore;
use super::pending;

use crate::store::{StoreFuture, VisitorDetails, WelcomeExtras};
use beseda_protocol::api::{ConversationSummary, PageView};
use beseda_protocol::{ConversationId, Message, OperatorId, Rating, Seq, VisitorId};

impl crate::store::WorkflowStore for PgStore {
    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        pending()
    }

    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        pending()
    }

    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary> {
        pending()
    }

    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn rate(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        rating: Rating,
        comment: Option<String>,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn visit(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        page: Option<PageView>,
        locale: Option<String>,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn keep_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras> {
        pending()
    }

    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>> {
        pending()
    }

    fn post_auto_message(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, Option<Message>> {
        pending()
    }

    fn skip_auto_message(&self, conversation_id: ConversationId) -> StoreFuture<'_, ()> {
        pending()
    }
}
