//! Privacy's REST bodies: what the relay holds about one visitor (export), erasing it for good,
//! blocking a visitor, and the admins' audit log of those acts.

use crate::ConversationId;
use crate::api::{ConversationDetail, VisitorInfo};
use crate::history::Note;
use serde::{Deserialize, Serialize};

/// `GET /api/conversations/{id}/export` and `GET /api/privacy/export?email=`: everything held
/// about one visitor, as one document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PrivacyExport {
    pub exported_at: String,
    /// The email address the export was asked for; none when it was asked by conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub conversations: Vec<ExportedConversation>,
}

/// One of the visitor's conversations with everything tied to it: its messages (with their
/// files), the name, email and cart given, the pages viewed, the rating, the team's notes, the
/// emails sent about it and the answers the visitor opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportedConversation {
    #[serde(flatten)]
    pub conversation: ConversationDetail,
    /// The visitor's browser language, as first seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The team's internal notes on the conversation.
    pub notes: Vec<Note>,
    /// Emails the relay sent or is to send about the conversation.
    pub emails: Vec<ExportedEmail>,
    /// Answers from the shop's help the visitor opened in the widget.
    pub answer_views: Vec<ExportedAnswerView>,
    /// Whether the visitor is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Block>,
}

/// An email about a conversation: to the visitor (their copy) or to the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportedEmail {
    /// `visitor` or `shop`.
    pub kind: String,
    pub recipient: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
}

/// An answer the visitor opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportedAnswerView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_id: Option<i64>,
    pub at: String,
}

/// `POST /api/privacy/erase`: erase every conversation given this email address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EraseRequest {
    pub email: String,
}

/// What `POST /api/privacy/erase` erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    pub conversations: u32,
}

/// `POST /api/conversations/{id}/block`: the visitor is blocked until unblocked; with `days`,
/// their address too, for that many days (1–365).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// A blocked visitor, as `GET /api/blocks` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub conversation_id: ConversationId,
    pub site: String,
    pub visitor: VisitorInfo,
    /// The operator who blocked them.
    pub blocked_by: String,
    pub blocked_at: String,
    /// Until when the address the visitor wrote from is blocked too; none: not blocked by
    /// address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_until: Option<String>,
}

/// What an audit entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Someone exported what is held about a visitor.
    Export,
    /// Someone erased a conversation (or every conversation of an email address).
    Erase,
    /// The visitor erased their own conversation from the widget.
    VisitorErase,
    /// The retention task erased conversations resolved too long ago.
    RetentionErase,
    /// Someone changed a site's retention or the visitors' own erasing.
    RetentionChange,
    Block,
    Unblock,
}

/// `GET /api/audit`: one act on visitors' data, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    /// Who did it; none: the relay itself (retention) or the visitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    pub action: AuditAction,
    /// What it was done to: `conversation 42`, `email`, `site default`. Never the visitor's
    /// email address or name, which an erase must not leave behind.
    pub target: String,
    /// What else there is to say: how many conversations, the new retention, the days.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}
