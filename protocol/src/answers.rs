//! Self-service answers (seeds/004): entries a site keeps per language, the bodies of their REST
//! API under `/api/answers`, and what the widget receives when a visitor's search finds some.

use crate::AnswerId;
use serde::{Deserialize, Serialize};

/// The languages answers are kept in: the widget's own.
pub const LANGUAGES: [&str; 6] = ["cs", "sk", "pl", "ru", "en", "de"];

/// The longest search the relay takes, in characters; the widget sends no more.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most answers one search returns.
pub const MAX_HITS: usize = 3;

/// An answer as operators see it: `GET /api/answers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub id: AnswerId,
    pub site: String,
    /// One of [`LANGUAGES`].
    pub language: String,
    /// What the visitor sees in the list, e.g. "Kdy mi dorazí objednávka?".
    pub question: String,
    /// More words that should find it (not shown to visitors).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Plain text, shown as text (never HTML); line breaks are kept.
    pub answer: String,
}

/// `POST /api/answers`, `PUT /api/answers/{id}` (admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnswerInput {
    pub site: String,
    pub language: String,
    pub question: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub answer: String,
}

/// One answer found for a visitor's search (in the `answers` frame).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnswerHit {
    pub id: AnswerId,
    pub question: String,
    pub answer: String,
}

/// `GET /api/answers/stats?site=S`: how visitors used the site's answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnswerStats {
    /// Every answer of the site, the most opened first.
    pub answers: Vec<AnswerUse>,
    /// Searches that found nothing, the most frequent first.
    pub misses: Vec<AnswerMiss>,
}

/// How often visitors opened one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnswerUse {
    pub id: AnswerId,
    pub language: String,
    pub question: String,
    pub opened: u64,
    /// When it was last opened (ISO 8601, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_opened_at: Option<String>,
}

/// A search that found nothing, counted once per visitor's typing burst.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnswerMiss {
    pub language: String,
    /// The search normalised (lower case, no diacritics, words only): the key it is counted by.
    pub query: String,
    /// The search as a visitor last typed it.
    pub text: String,
    pub count: u64,
    /// When it was last searched (ISO 8601, UTC).
    pub last_at: String,
}
