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

/// What an audit entry's `target` says, in its one written form: `conversation 42`, `site shop`
/// or `email` (every conversation one email address was given in). The relay writes it with
/// `Display`; the console reads it back to say it in the admin's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    Conversation(i64),
    Site(String),
    Email,
    /// Anything else, as written.
    Other(String),
}

impl std::fmt::Display for AuditTarget {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditTarget::Conversation(id) => write!(formatter, "conversation {id}"),
            AuditTarget::Site(site) => write!(formatter, "site {site}"),
            AuditTarget::Email => formatter.write_str("email"),
            AuditTarget::Other(text) => formatter.write_str(text),
        }
    }
}

impl AuditTarget {
    pub fn parse(text: &str) -> AuditTarget {
        if text == "email" {
            return AuditTarget::Email;
        }
        if let Some(id) = text
            .strip_prefix("conversation ")
            .and_then(|id| id.parse().ok())
        {
            return AuditTarget::Conversation(id);
        }
        match text.strip_prefix("site ") {
            Some(site) => AuditTarget::Site(site.to_owned()),
            None => AuditTarget::Other(text.to_owned()),
        }
    }
}

/// What an audit entry's `detail` says, in its one written form: `3 conversations`,
/// `address until 2026-12-14T10:00:00.000Z`, or
/// `retention kept → 30 days, visitors erase off → on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditDetail {
    None,
    Conversations(u64),
    AddressUntil(String),
    /// A site's retention in days (none: kept) and whether its visitors may erase, before and
    /// after.
    Retention {
        days: (Option<u32>, Option<u32>),
        visitor_erase: (bool, bool),
    },
    Other(String),
}

impl std::fmt::Display for AuditDetail {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days =
            |days: &Option<u32>| days.map_or("kept".to_owned(), |days| format!("{days} days"));
        let on = |on: bool| if on { "on" } else { "off" };
        match self {
            AuditDetail::None => Ok(()),
            AuditDetail::Conversations(count) => write!(formatter, "{count} conversations"),
            AuditDetail::AddressUntil(until) => write!(formatter, "address until {until}"),
            AuditDetail::Retention {
                days: (before, after),
                visitor_erase: (erase_before, erase_after),
            } => write!(
                formatter,
                "retention {} → {}, visitors erase {} → {}",
                days(before),
                days(after),
                on(*erase_before),
                on(*erase_after)
            ),
            AuditDetail::Other(text) => formatter.write_str(text),
        }
    }
}

impl AuditDetail {
    pub fn parse(text: &str) -> AuditDetail {
        if text.is_empty() {
            return AuditDetail::None;
        }
        if let Some(count) = text
            .strip_suffix(" conversations")
            .and_then(|count| count.parse().ok())
        {
            return AuditDetail::Conversations(count);
        }
        if let Some(until) = text.strip_prefix("address until ") {
            return AuditDetail::AddressUntil(until.to_owned());
        }
        let retention = || {
            let rest = text.strip_prefix("retention ")?;
            let (days, erase) = rest.split_once(", visitors erase ")?;
            let (before, after) = days.split_once(" → ")?;
            let (erase_before, erase_after) = erase.split_once(" → ")?;
            let days = |text: &str| match text {
                "kept" => Some(None),
                _ => text.strip_suffix(" days")?.parse().ok().map(Some),
            };
            let on = |text: &str| match text {
                "on" => Some(true),
                "off" => Some(false),
                _ => None,
            };
            Some(AuditDetail::Retention {
                days: (days(before)?, days(after)?),
                visitor_erase: (on(erase_before)?, on(erase_after)?),
            })
        };
        retention().unwrap_or_else(|| AuditDetail::Other(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_details_read_back_what_they_wrote() {
        for target in [
            AuditTarget::Conversation(42),
            AuditTarget::Site("shop".into()),
            AuditTarget::Email,
            AuditTarget::Other("something".into()),
        ] {
            assert_eq!(AuditTarget::parse(&target.to_string()), target);
        }
        for detail in [
            AuditDetail::None,
            AuditDetail::Conversations(3),
            AuditDetail::AddressUntil("2026-12-14T10:00:00.000Z".into()),
            AuditDetail::Retention {
                days: (None, Some(30)),
                visitor_erase: (false, true),
            },
            AuditDetail::Retention {
                days: (Some(365), None),
                visitor_erase: (true, true),
            },
            AuditDetail::Other("retention soon".into()),
        ] {
            assert_eq!(AuditDetail::parse(&detail.to_string()), detail);
        }
        assert_eq!(
            AuditDetail::Retention {
                days: (None, Some(30)),
                visitor_erase: (false, true)
            }
            .to_string(),
            "retention kept → 30 days, visitors erase off → on"
        );
    }
}
