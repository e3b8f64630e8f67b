//! [`AnswerStore`](crate::store::AnswerStore) for [`SqliteStore`]: self-service answers.

use super::super::{SqliteStore, answers};
use crate::store::StoreFuture;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};

impl crate::store::AnswerStore for SqliteStore {
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>> {
        let (site, language) = (site.to_owned(), language.map(str::to_owned));
        self.read(move |connection| answers::answers(connection, &site, language.as_deref()))
    }

    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer> {
        self.read(move |connection| answers::answer(connection, id))
    }

    fn create_answer(&self, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |connection, _| answers::save_answer(connection, None, &input))
    }

    fn replace_answer(&self, id: AnswerId, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |connection, _| answers::save_answer(connection, Some(id), &input))
    }

    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| answers::delete_answer(connection, id))
    }

    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)> {
        let site = site.to_owned();
        self.write(move |connection, _| {
            answers::import_answers(connection, &site, &inputs, if_empty)
        })
    }

    fn answer_opened_by(
        &self,
        site: &str,
        visitor_id: Option<&beseda_protocol::VisitorId>,
        id: AnswerId,
    ) -> StoreFuture<'_, ()> {
        let site = site.to_owned();
        let visitor_id = visitor_id.map(|visitor| visitor.0.clone());
        self.write(move |connection, _| {
            answers::answer_opened(connection, &site, visitor_id.as_deref(), id)
        })
    }

    fn answer_missed(
        &self,
        site: &str,
        language: &str,
        query: &str,
        text: &str,
    ) -> StoreFuture<'_, ()> {
        let (site, language, query, text) = (
            site.to_owned(),
            language.to_owned(),
            query.to_owned(),
            text.to_owned(),
        );
        self.write(move |connection, _| {
            answers::answer_missed(connection, &site, &language, &query, &text)
        })
    }

    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats> {
        let site = site.to_owned();
        self.read(move |connection| answers::answer_stats(connection, &site))
    }
}
