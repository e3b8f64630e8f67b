//! Protocol frames as the text a socket sends: the one place they are serialised for sessions.

use beseda_protocol::{ClientMessageId, ErrorCode, operator, visitor};
use serde::Serialize;

/// A frame of either protocol as JSON text.
pub fn to_json<T: Serialize>(frame: &T) -> String {
    serde_json::to_string(frame).expect("protocol types always serialise")
}

/// A visitor socket's error frame; `client_id` names the message it refuses, if any.
pub fn visitor_error(code: ErrorCode, message: &str, client_id: Option<ClientMessageId>) -> String {
    to_json(&visitor::FromRelay::Error {
        code,
        message: message.to_owned(),
        client_id,
        retry_after_ms: crate::error::retry_after(code).map(|delay| delay.as_millis() as u64),
    })
}

/// An operator socket's error frame; `client_id` names the message it refuses, if any.
pub fn operator_error(
    code: ErrorCode,
    message: &str,
    client_id: Option<ClientMessageId>,
) -> String {
    to_json(&operator::FromRelay::Error {
        code,
        message: message.to_owned(),
        client_id,
        retry_after_ms: crate::error::retry_after(code).map(|delay| delay.as_millis() as u64),
    })
}
