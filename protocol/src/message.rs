//! A stored chat message and the small types that describe who wrote it.

use crate::{ClientMessageId, ConversationId, MessageId, OperatorId, Seq};
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Operator,
    System,
}

/// Whether a conversation still needs the operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    Open,
    Resolved,
}

impl ConversationStatus {
    /// The name used on the wire, in URLs and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Resolved => "resolved",
        }
    }

    pub fn from_name(name: &str) -> Option<ConversationStatus> {
        match name {
            "open" => Some(ConversationStatus::Open),
            "resolved" => Some(ConversationStatus::Resolved),
            _ => None,
        }
    }
}

impl Author {
    /// The name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Visitor => "visitor",
            Author::Operator => "operator",
            Author::System => "system",
        }
    }

    pub fn from_name(name: &str) -> Option<Author> {
        match name {
            "visitor" => Some(Author::Visitor),
            "operator" => Some(Author::Operator),
            "system" => Some(Author::System),
            _ => None,
        }
    }
}

/// A message as stored by the relay: it exists only once it has been committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// Position in the conversation, starting at 1, without gaps.
    pub seq: Seq,
    /// The id the sending client chose, when the message came from a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientMessageId>,
    pub author: Author,
    /// The operator who wrote it, for operator messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<OperatorId>,
    /// The display name shown beside the message (the operator's name for operator messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    pub text: String,
    /// When the relay stored it, ISO 8601 in UTC with milliseconds.
    pub sent_at: String,
}

/// What the console and the widget may know about an operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorProfile {
    pub id: OperatorId,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub admin: bool,
    /// The address of the operator's photo, shown to visitors once the operator has joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    /// The language the operator's console speaks, one of [`CONSOLE_LANGUAGES`]; none until the
    /// operator picks one (the console then follows the browser).
    ///
    /// [`CONSOLE_LANGUAGES`]: crate::api::CONSOLE_LANGUAGES
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// How a visitor rated a resolved conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Satisfied,
    Neutral,
    Dissatisfied,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Satisfied, Rating::Neutral, Rating::Dissatisfied];

    /// The name used on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Neutral => "neutral",
            Rating::Dissatisfied => "dissatisfied",
        }
    }

    pub fn from_name(name: &str) -> Option<Rating> {
        Rating::ALL
            .into_iter()
            .find(|rating| rating.as_str() == name)
    }
}
