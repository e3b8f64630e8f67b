//! [`HistoryStore`](crate::store::HistoryStore) for [`SqliteStore`]: listing and searching,
//! notes, reviews.

use super::super::{SqliteStore, history};
use crate::store::{HistoryFilter, HistoryHit, StoreFuture};
use beseda_protocol::ConversationId;
use beseda_protocol::OperatorId;
use beseda_protocol::history::{Note, Review, Verdict};

impl crate::store::HistoryStore for SqliteStore {
    fn history(&self, filter: HistoryFilter) -> StoreFuture<'_, Vec<HistoryHit>> {
        self.read(move |connection| history::history(connection, &filter))
    }

    fn add_note(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        text: String,
    ) -> StoreFuture<'_, Note> {
        self.write(move |connection, events| {
            history::add_note(connection, conversation_id, operator_id, &text, events)
        })
    }

    fn notes(&self, conversation_id: ConversationId) -> StoreFuture<'_, Vec<Note>> {
        self.read(move |connection| history::notes(connection, conversation_id))
    }

    fn set_review(
        &self,
        conversation_id: ConversationId,
        reviewer: OperatorId,
        verdict: Verdict,
        comment: String,
    ) -> StoreFuture<'_, Review> {
        self.write(move |connection, _| {
            history::set_review(connection, conversation_id, reviewer, verdict, &comment)
        })
    }

    fn clear_review(&self, conversation_id: ConversationId) -> StoreFuture<'_, bool> {
        self.write(move |connection, _| history::clear_review(connection, conversation_id))
    }

    fn review(&self, conversation_id: ConversationId) -> StoreFuture<'_, Option<Review>> {
        self.read(move |connection| history::review(connection, conversation_id))
    }

    fn unreviewed(
        &self,
        operator: OperatorId,
        from: i64,
        to: i64,
    ) -> StoreFuture<'_, Vec<ConversationId>> {
        self.read(move |connection| history::unreviewed(connection, operator, from, to))
    }
}
