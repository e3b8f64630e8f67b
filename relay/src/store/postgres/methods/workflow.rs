//! [`WorkflowStore`](crate::store::WorkflowStore) for [`PgStore`]: joining, transfers, tags, reads, ratings, visits, automatic messages.

use super::super::{PgStore, visits, workflow};
use crate::store::{StoreFuture, VisitorDetails, WelcomeExtras};
use beseda_protocol::api::{ConversationSummary, PageView};
use beseda_protocol::{ConversationId, Message, OperatorId, Rating, Seq, VisitorId};

impl crate::store::WorkflowStore for PgStore {
    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |tx| async move { workflow::join(&tx, conversation_id, operator_id).await })
    }

    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(
            move |tx| async move { workflow::assign(&tx, conversation_id, operator_id).await },
        )
    }

    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |tx| async move { workflow::set_tags(&tx, conversation_id, &tags).await })
    }

    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move {
            workflow::mark_read(&tx, conversation_id, operator_id, seq).await
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
        self.write(move |tx| async move {
            workflow::rate(&tx, &site, &visitor_id, rating, comment.as_deref()).await
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
        self.write(move |tx| async move {
            visits::visit(&tx, &site, &visitor_id, page.as_ref(), locale.as_deref()).await
        })
    }

    fn keep_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |tx| async move {
            visits::keep_visitor(&tx, &site, &visitor_id, &details).await
        })
    }

    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(
            move |client| async move { visits::welcome_extras(&client, &site, &visitor_id).await },
        )
    }

    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>> {
        self.read(|client| async move { visits::auto_messages_due(&client).await })
    }

    fn post_auto_message(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, Option<Message>> {
        self.write(move |tx| async move { visits::post_auto_message(&tx, conversation_id).await })
    }

    fn skip_auto_message(&self, conversation_id: ConversationId) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { visits::skip_auto_message(&tx, conversation_id).await })
    }
}
