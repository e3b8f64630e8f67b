//! Identifier newtypes, so that a conversation id can never be passed where a message id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! integer_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }
    };
}

integer_id!(
    /// A conversation between one visitor and the shop's operators.
    ConversationId
);
integer_id!(
    /// A stored message; increases in the order messages were committed, across all conversations.
    MessageId
);
integer_id!(
    /// An operator account.
    OperatorId
);
integer_id!(
    /// A shortcut (canned reply), personal or the team's.
    ShortcutId
);
integer_id!(
    /// A site rule that tags and prioritises conversations by keyword.
    RuleId
);
integer_id!(
    /// A self-service answer of a site.
    AnswerId
);

/// A message's position in its conversation: 1 for the first, then without gaps.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Seq(pub u64);

/// An anonymous visitor, as named inside the visitor token the relay signs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct VisitorId(pub String);

/// The id a client gives a message before sending it; resending the same id never stores a
/// second copy. At most [`crate::MAX_CLIENT_ID_LEN`] bytes of `[A-Za-z0-9_-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ClientMessageId(pub String);

impl ClientMessageId {
    /// Whether the id has an acceptable length and alphabet.
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self.0.len() <= crate::MAX_CLIENT_ID_LEN
            && self
                .0
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    }
}

impl fmt::Display for VisitorId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}
