//! Keeping a socket's messages in the order its client wrote them through a storage outage.

use beseda_protocol::{ClientMessageId, ErrorCode};

/// The first message on this socket that a storage outage left unstored. Until it is stored,
/// every later message is answered `unavailable` without being tried: storage may come back
/// between two of them, and a later message would then be stored before the client has sent
/// the first again. Clients send the held message first (they keep their outbox in order).
#[derive(Debug, Default)]
pub struct Held {
    first: Option<ClientMessageId>,
}

impl Held {
    /// Whether `client_id` must wait behind the held message.
    pub fn waits(&self, client_id: &ClientMessageId) -> bool {
        self.first.as_ref().is_some_and(|first| first != client_id)
    }

    /// Records how a send ended: `None` when it was stored, else the code it was answered with.
    /// An outage holds the socket's messages behind it; anything else for the held message (it
    /// was stored, or refused for good) lets the others go.
    pub fn settle(&mut self, client_id: &ClientMessageId, refusal: Option<ErrorCode>) {
        if refusal == Some(ErrorCode::Unavailable) {
            self.first.get_or_insert_with(|| client_id.clone());
        } else if self.first.as_ref() == Some(client_id) {
            self.first = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ClientMessageId {
        ClientMessageId(text.to_owned())
    }

    #[test]
    fn messages_wait_behind_the_first_an_outage_left_until_it_is_stored() {
        let mut held = Held::default();
        assert!(!held.waits(&id("a")));
        held.settle(&id("a"), Some(ErrorCode::Unavailable));
        held.settle(&id("b"), Some(ErrorCode::Unavailable));
        assert!(held.waits(&id("b")) && held.waits(&id("c")));
        assert!(!held.waits(&id("a")), "the held message itself is tried");
        held.settle(&id("a"), Some(ErrorCode::Unavailable));
        assert!(held.waits(&id("b")), "still held while the outage lasts");
        held.settle(&id("a"), None);
        assert!(!held.waits(&id("b")) && !held.waits(&id("c")));
    }

    #[test]
    fn a_held_message_refused_for_good_lets_the_others_go() {
        let mut held = Held::default();
        held.settle(&id("a"), Some(ErrorCode::Unavailable));
        held.settle(&id("b"), Some(ErrorCode::TextTooLong));
        assert!(held.waits(&id("b")));
        held.settle(&id("a"), Some(ErrorCode::RateLimited));
        assert!(!held.waits(&id("b")));
    }
}
