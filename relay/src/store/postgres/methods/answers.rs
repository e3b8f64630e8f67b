//! [`AnswerStore`](crate::store::AnswerStore) for [`PgStore`]: self-service answers.

use super::super::{PgStore, answers};

use crate::store::StoreFuture;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};

impl crate::store::AnswerStore for PgStore {
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>> {
        let (site, language) = (site.to_owned(), language.map(str::to_owned));
        self.read(move |client| async move {
            answers::answers(&client, &site, language.as_deref()).await
        })
    }

    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer> {
        self.read(move |client| async move { answers::answer(&client, id).await })
    }

    fn create_answer(&self, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |tx| async move { answers::save_answer(&tx, None, &input).await })
    }

    fn replace_answer(&self, id: AnswerId, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |tx| async move { answers::save_answer(&tx, Some(id), &input).await })
    }

    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { answers::delete_answer(&tx, id).await })
    }

    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)> {
        let site = site.to_owned();
        self.write(
            move |tx| async move { answers::import_answers(&tx, &site, &inputs, if_empty).await },
        )
    }

    fn answer_opened_by(
        &self,
        site: &str,
        visitor_id: Option<&beseda_protocol::VisitorId>,
        id: AnswerId,
    ) -> StoreFuture<'_, ()> {
        let site = site.to_owned();
        let visitor_id = visitor_id.map(|visitor| visitor.0.clone());
        self.write(move |tx| async move {
            answers::answer_opened(&tx, &site, visitor_id.as_deref(), id).await
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
        self.write(move |tx| async move {
            answers::answer_missed(&tx, &site, &language, &query, &text).await
        })
    }

    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats> {
        let site = site.to_owned();
        self.read(move |client| async move { answers::answer_stats(&client, &site).await })
    }
}
