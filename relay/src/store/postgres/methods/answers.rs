//! [`AnswerStore`](crate::store::AnswerStore) for [`PgStore`]: self-service answers.

use super::super::PgStore;
use super::pending;

use crate::store::StoreFuture;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};

impl crate::store::AnswerStore for PgStore {
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>> {
        pending()
    }

    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer> {
        pending()
    }

    fn create_answer(&self, input: AnswerInput) -> StoreFuture<'_, Answer> {
        pending()
    }

    fn replace_answer(&self, id: AnswerId, input: AnswerInput) -> StoreFuture<'_, Answer> {
        pending()
    }

    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()> {
        pending()
    }

    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)> {
        pending()
    }

    fn answer_opened(&self, site: &str, id: AnswerId) -> StoreFuture<'_, ()> {
        pending()
    }

    fn answer_missed(
        &self,
        site: &str,
        language: &str,
        query: &str,
        text: &str,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats> {
        pending()
    }
}
