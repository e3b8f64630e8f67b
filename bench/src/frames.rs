//! What the bench puts into its messages and reads back out of the relay's frames.
//!
//! Each message names its phase in its client id (`p{phase}-v{visitor}-{k}`) and carries its
//! scheduled send time (nanoseconds since the bench's start) at the front of its text, so that
//! whoever receives it can attribute and time it without asking the sender.

use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;

/// The visible part of each message; the scheduled send time goes in front of it.
const MESSAGE_TEXT: &str = "Dobrý den, máte tuto položku ještě skladem? Děkuji.";

/// The client id of message `sequence` of visitor `visitor` in `phase`.
pub fn client_id(phase: usize, visitor: usize, sequence: u64) -> String {
    format!("p{phase}-v{visitor}-{sequence}")
}

/// The text of a message scheduled at `scheduled_ns`.
pub fn text(scheduled_ns: u64) -> String {
    format!("{scheduled_ns} {MESSAGE_TEXT}")
}

/// A frame from the relay, reduced to the fields the bench reads. Parsing borrows from the
/// frame instead of building the full protocol types, to keep the load generator's CPU use
/// (which competes with the relay's on the same machine) low.
#[derive(Deserialize)]
pub struct Incoming<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(default)]
    pub code: Option<&'a str>,
    #[serde(rename = "clientId", default)]
    pub client_id: Option<&'a str>,
    #[serde(default, borrow)]
    pub message: Option<MessageField<'a>>,
}

/// `message` is a stored message in `ack` and `message` frames, and a string in `error` frames.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum MessageField<'a> {
    Stored(#[serde(borrow)] StoredMessage<'a>),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
pub struct StoredMessage<'a> {
    #[serde(rename = "clientId", default)]
    pub client_id: Option<&'a str>,
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}

/// The phase named by one of the bench's client ids (`p{phase}-v{visitor}-{k}`).
pub fn phase_of(client_id: &str) -> Option<usize> {
    client_id.strip_prefix('p')?.split('-').next()?.parse().ok()
}

/// The scheduled send time at the front of one of the bench's message texts.
pub fn scheduled_ns_of(text: &str) -> Option<u64> {
    text.split(' ').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_texts_round_trip() {
        assert_eq!(phase_of(&client_id(12, 7, 3)), Some(12));
        assert_eq!(phase_of("x12"), None);
        assert_eq!(scheduled_ns_of(&text(12345)), Some(12345));
        assert!(beseda_protocol::ClientMessageId(client_id(99, 9999, 99999)).is_valid());
    }

    #[test]
    fn frames_parse_without_the_full_protocol_types() {
        let ack = r#"{"type":"ack","clientId":"p1-v0-0","message":{"id":1,"conversationId":1,"seq":1,"clientId":"p1-v0-0","author":"visitor","text":"5 hi","sentAt":"x"}}"#;
        let incoming: Incoming<'_> = serde_json::from_str(ack).expect("an ack parses");
        assert!(matches!(incoming.message, Some(MessageField::Stored(ref m)) if m.text == "5 hi"));
        let error = r#"{"type":"error","code":"rate_limited","message":"slow down"}"#;
        let incoming: Incoming<'_> = serde_json::from_str(error).expect("an error parses");
        assert_eq!(incoming.code, Some("rate_limited"));
    }
}
