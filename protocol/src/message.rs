//! A stored chat message and the small types that describe who wrote it.

use crate::{ClientMessageId, ConversationId, MessageId, OperatorId, Seq};
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Operator,
    System,
}

/// Whether a conversation still needs the operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The files the message carries (its text may then be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
}

/// A file carried by a message. `url` (and `thumbnailUrl`) are paths on the relay, answered only
/// with the conversation's visitor token or an operator's bearer token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// Unguessable: 128 random bits, URL-safe.
    pub id: String,
    /// The name as the relay keeps it: no path, no control characters, the kind's extension.
    pub name: String,
    /// Decided by the relay from the bytes.
    pub content_type: String,
    /// Bytes, as stored.
    pub size: u64,
    pub url: String,
    /// A smaller picture of an image, when the relay made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
}

impl Message {
    /// The text followed by a line per file (its name and size), for plain-text renderings:
    /// emails, transcripts, CSV cells.
    pub fn text_with_files(&self) -> String {
        let mut text = self.text.clone();
        for file in &self.files {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("[file] {} ({})", file.name, file.readable_size()));
        }
        text
    }
}

impl FileRef {
    /// The size for people: bytes, kB or MB (powers of 1000, one decimal).
    pub fn readable_size(&self) -> String {
        match self.size {
            size if size < 1000 => format!("{size} B"),
            size if size < 1_000_000 => format!("{:.1} kB", size as f64 / 1e3),
            size => format!("{:.1} MB", size as f64 / 1e6),
        }
    }
}

/// What the console and the widget may know about an operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
