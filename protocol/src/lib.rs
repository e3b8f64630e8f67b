//! Wire types shared by the Beseda widget, the operator console and the relay.
//!
//! Everything that crosses a socket or an HTTP body is defined here and nowhere else. The crate
//! depends on serde only, so that it compiles unchanged for the relay and for wasm32.
//!
//! WebSocket frames are JSON objects tagged by `type`, with camelCase fields:
//! - [`visitor`]: `/ws/visitor`, between the widget and the relay;
//! - [`operator`]: `/ws/operator`, between the console and the relay;
//! - [`api`]: the operator REST API under `/api/`;
//! - [`answers`]: self-service answers, their REST bodies and search hits;
//! - [`webhooks`]: `/api/webhooks` bodies and the events delivered to endpoints.

pub mod answers;
pub mod api;
mod error_code;
pub mod history;
mod ids;
pub mod keys;
mod message;
pub mod operator;
pub mod privacy;
pub mod prompts;
pub mod template;
pub mod visitor;
pub mod vocative;
pub mod webhooks;

pub use error_code::ErrorCode;
pub use ids::{
    AnswerId, ClientMessageId, ConversationId, MessageId, OperatorId, RuleId, Seq, ShortcutId,
    VisitorId,
};
pub use message::{Author, ConversationStatus, FileRef, Message, OperatorProfile, Rating};

/// The protocol version a client announces in its hello; the relay refuses any other.
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest client message id the relay accepts, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_hello_uses_type_tag_and_camel_case() {
        let frame: visitor::ToRelay = serde_json::from_str(
            r#"{"type":"hello","version":1,"site":"shop","token":"t","lastSeq":4}"#,
        )
        .unwrap();
        assert_eq!(
            frame,
            visitor::ToRelay::Hello {
                version: 1,
                site: "shop".into(),
                token: Some("t".into()),
                last_seq: Some(Seq(4)),
                page: None,
                locale: None,
            }
        );
    }

    #[test]
    fn visitor_hello_site_defaults_to_default() {
        let frame: visitor::ToRelay =
            serde_json::from_str(r#"{"type":"hello","version":1}"#).unwrap();
        assert!(matches!(frame, visitor::ToRelay::Hello { site, .. } if site == "default"));
    }

    #[test]
    fn unknown_frame_type_is_an_error() {
        assert!(serde_json::from_str::<visitor::ToRelay>(r#"{"type":"launch"}"#).is_err());
    }

    #[test]
    fn hand_written_names_match_serde() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        for author in [Author::Visitor, Author::Operator, Author::System] {
            assert_eq!(
                serde_json::to_string(&author).unwrap(),
                format!("\"{}\"", author.as_str())
            );
            assert_eq!(Author::from_name(author.as_str()), Some(author));
        }
        for status in [ConversationStatus::Open, ConversationStatus::Resolved] {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
            assert_eq!(ConversationStatus::from_name(status.as_str()), Some(status));
        }
        for rating in Rating::ALL {
            assert_eq!(
                serde_json::to_string(&rating).unwrap(),
                format!("\"{}\"", rating.as_str())
            );
            assert_eq!(Rating::from_name(rating.as_str()), Some(rating));
        }
        assert_eq!(ErrorCode::from_name("no_such_code"), None);
    }

    #[test]
    fn error_codes_are_snake_case() {
        let json = serde_json::to_string(&ErrorCode::TextTooLong).unwrap();
        assert_eq!(json, r#""text_too_long""#);
    }

    #[test]
    fn client_message_id_alphabet_and_length() {
        assert!(ClientMessageId("a-Z_9".into()).is_valid());
        assert!(!ClientMessageId(String::new()).is_valid());
        assert!(!ClientMessageId("<script>".into()).is_valid());
        assert!(!ClientMessageId("x".repeat(MAX_CLIENT_ID_LEN + 1)).is_valid());
    }

    #[test]
    fn message_serialises_sent_at_in_camel_case() {
        let message = Message {
            id: MessageId(7),
            conversation_id: ConversationId(3),
            seq: Seq(1),
            client_id: None,
            author: Author::Operator,
            operator_id: Some(OperatorId(2)),
            author_name: Some("Jana".into()),
            text: "Dobrý den".into(),
            sent_at: "2026-01-01T10:00:00.000Z".into(),
            files: Vec::new(),
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["sentAt"], "2026-01-01T10:00:00.000Z");
        assert_eq!(json["author"], "operator");
        assert_eq!(json["conversationId"], 3);
    }
}
