//! [`HistoryStore`](crate::store::HistoryStore) for [`PgStore`]: listing and searching, notes,
//! reviews.

use super::super::{PgStore, history};
use crate::store::{HistoryFilter, HistoryHit, StoreFuture};
use beseda_protocol::history::{Note, Review, Verdict};
use beseda_protocol::{ConversationId, OperatorId};

impl crate::store::HistoryStore for PgStore {
    fn history(&self, filter: HistoryFilter) -> StoreFuture<'_, Vec<HistoryHit>> {
        self.read(move |client| async move { history::history(&client, &filter).await })
    }

    fn add_note(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        text: String,
    ) -> StoreFuture<'_, Note> {
        self.write(move |tx| async move {
            history::add_note(&tx, conversation_id, operator_id, &text).await
        })
    }

    fn notes(&self, conversation_id: ConversationId) -> StoreFuture<'_, Vec<Note>> {
        self.read(move |client| async move { history::notes(&client, conversation_id).await })
    }

    fn set_review(
        &self,
        conversation_id: ConversationId,
        reviewer: OperatorId,
        verdict: Verdict,
        comment: String,
    ) -> StoreFuture<'_, Review> {
        self.write(move |tx| async move {
            history::set_review(&tx, conversation_id, reviewer, verdict, &comment).await
        })
    }

    fn clear_review(&self, conversation_id: ConversationId) -> StoreFuture<'_, bool> {
        self.write(move |tx| async move { history::clear_review(&tx, conversation_id).await })
    }

    fn review(&self, conversation_id: ConversationId) -> StoreFuture<'_, Option<Review>> {
        self.read(move |client| async move { history::review(&client, conversation_id).await })
    }

    fn unreviewed(
        &self,
        operator: OperatorId,
        from: i64,
        to: i64,
    ) -> StoreFuture<'_, Vec<ConversationId>> {
        self.read(
            move |client| async move { history::unreviewed(&client, operator, from, to).await },
        )
    }
}
