//! The history's REST bodies: a searched list's items with their snippets, internal notes and
//! a manager's review of a conversation.

use crate::api::{ConversationDetail, ConversationSummary};
use crate::{ConversationId, MessageId, OperatorId};
use serde::{Deserialize, Serialize};

/// An internal note on a conversation: written by an operator for the team, never shown to the
/// visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: i64,
    pub conversation_id: ConversationId,
    /// The author's name.
    pub author: String,
    pub operator_id: OperatorId,
    pub text: String,
    pub created_at: String,
}

/// `POST /api/conversations/{id}/notes`
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewNote {
    pub text: String,
}

/// A manager's verdict on how a conversation was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Good,
    Coaching,
}

impl Verdict {
    /// The verdict's stored and sent name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Coaching => "coaching",
        }
    }

    /// A verdict from its name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        match name {
            "good" => Some(Verdict::Good),
            "coaching" => Some(Verdict::Coaching),
            _ => None,
        }
    }
}

/// A conversation's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub verdict: Verdict,
    /// The comment for the operator (may be empty).
    pub comment: String,
    pub reviewer_id: OperatorId,
    /// The reviewer's name.
    pub reviewer: String,
    pub reviewed_at: String,
}

/// `PUT /api/conversations/{id}/review`
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    pub verdict: Verdict,
    #[serde(default)]
    pub comment: String,
}

/// One piece of a snippet: text, and whether it is a matched word. A console renders each part
/// as a text node (a matched one inside `<mark>`), so no message text is ever read as markup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnippetPart {
    pub text: String,
    #[serde(rename = "match")]
    pub matched: bool,
}

/// The message a search found in a conversation (its newest match), around the matched words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Snippet {
    pub message_id: MessageId,
    pub author: crate::Author,
    /// The snippet as plain text, "…" where the message was cut.
    pub text: String,
    /// The same text in parts, the matched words marked.
    pub parts: Vec<SnippetPart>,
}

/// One item of `GET /api/conversations` with history parameters: the summary, and besides it
/// where to continue, what the search found and the review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    /// Pass as `cursor` to list the items after this one.
    pub cursor: String,
    /// Only with `q`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
    pub reviewed: bool,
    /// Only for admins and the operator the conversation is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// `GET /api/conversations/{id}`: the conversation with its notes and (for admins and the
/// operator it is assigned to) its review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationWithNotes {
    #[serde(flatten)]
    pub detail: ConversationDetail,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// `GET /api/reviews/sample` → its conversations, in the sample's stable order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReviewSample {
    /// The ISO week, e.g. `2026-W49`.
    pub week: String,
    pub operator_id: OperatorId,
    pub conversations: Vec<ConversationSummary>,
}
