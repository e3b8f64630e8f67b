//! Self-service answers and their counts; [`AnswerStore`].

use super::StoreFuture;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};

/// Persistence of self-service answers.
pub trait AnswerStore: Send + Sync {
    /// A site's answers, in one language or in all.
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>>;
    /// An answer by id.
    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer>;
    /// Creates an answer (`NoSuchSite` for an unknown site, `QuestionAnswered` for a question
    /// the site already answers in that language).
    fn create_answer(&self, input: AnswerInput) -> StoreFuture<'_, Answer>;
    /// Replaces an answer (errors as [`AnswerStore::create_answer`]).
    fn replace_answer(&self, id: AnswerId, input: AnswerInput) -> StoreFuture<'_, Answer>;
    /// Deletes an answer (`NotFound` when there is none).
    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()>;
    /// Adds or updates (by language and question) answers of a site, all or none; with
    /// `if_empty`, only into a site that has none. (added, updated)
    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)>;
    /// Counts an opening of a site's answer (NotFound for another site's).
    fn answer_opened(&self, site: &str, id: AnswerId) -> StoreFuture<'_, ()> {
        self.answer_opened_by(site, None, id)
    }
    /// Counts an opening of a site's answer by a visitor (when known), so that the reports can
    /// tell whether the visitor wrote a message soon after (NotFound for another site's answer).
    fn answer_opened_by(
        &self,
        site: &str,
        visitor_id: Option<&beseda_protocol::VisitorId>,
        id: AnswerId,
    ) -> StoreFuture<'_, ()>;
    /// Counts a search that found nothing, by its normalised query.
    fn answer_missed(
        &self,
        site: &str,
        language: &str,
        query: &str,
        text: &str,
    ) -> StoreFuture<'_, ()>;
    /// A site's counts of answers opened and of searches that found nothing.
    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats>;
}
