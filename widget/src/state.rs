//! The widget's state and the pure function that applies the relay's frames to it.
//!
//! Nothing here touches the browser, so it is tested natively. The transport feeds frames in;
//! of the returned [`Effect`]s it does its own part (promises, the stored token, giving up) and
//! hands the rest up to the dispatcher (`dispatch.rs`), which tells the page and the features.

use beseda_protocol::answers::AnswerHit;
use beseda_protocol::visitor::{Agent, FromRelay, VisitorConversation};
use beseda_protocol::{
    Author, ClientMessageId, ConversationStatus, ErrorCode, Message, Rating, Seq,
};

/// The socket's condition, as the visitor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Not needed yet: the visitor has not opened the chat.
    Idle,
    Connecting,
    Open,
    /// Lost; reconnecting in the background.
    Reconnecting,
    /// Refused for good (an unknown site, say): the widget does not connect again on this page.
    Refused,
}

/// A message written by the visitor and not yet acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub client_id: ClientMessageId,
    pub text: String,
    /// Set when the contact form sent it.
    pub email: Option<String>,
    /// Set when the relay refused it; it will not be sent again.
    pub refused: Option<(ErrorCode, String)>,
}

/// Everything the widget shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatState {
    /// Stored messages in sequence order, each once.
    pub messages: Vec<Message>,
    pub pending: Vec<Pending>,
    pub online: bool,
    pub link: Link,
    pub conversation: Option<VisitorConversation>,
    /// The name of the operator typing right now.
    pub operator_typing: Option<String>,
    /// The operator who last wrote, shown in the header.
    pub operator_name: Option<String>,
    pub max_text_chars: usize,
    /// Operator and system messages that arrived while the window was closed.
    pub unread: u32,
    /// The contact form was sent while nobody was online.
    pub contact_sent: bool,
    /// The shop's name, from the welcome.
    pub title: Option<String>,
    /// The operator who joined the conversation (name and photo in the header).
    pub agent: Option<Agent>,
    /// The visitor's place in the queue while every operator is busy.
    pub queue_position: Option<u32>,
    /// Whether the shop asks for a rating once the conversation is resolved.
    pub rating_enabled: bool,
    /// The visitor's rating of the resolved conversation.
    pub rating: Option<Rating>,
    /// The shop's suggested questions, offered while the chat is empty.
    pub suggested: Vec<String>,
    /// Outside the shop's opening hours: when it is back (RFC 3339).
    pub back_at: Option<String>,
    /// The shop lets the visitor erase their conversation.
    pub can_erase: bool,
}

impl Default for ChatState {
    fn default() -> Self {
        ChatState {
            messages: Vec::new(),
            pending: Vec::new(),
            online: false,
            link: Link::Idle,
            conversation: None,
            operator_typing: None,
            operator_name: None,
            max_text_chars: 4000,
            unread: 0,
            contact_sent: false,
            title: None,
            agent: None,
            queue_position: None,
            rating_enabled: false,
            rating: None,
            suggested: Vec::new(),
            back_at: None,
            can_erase: false,
        }
    }
}

/// What follows from a frame, or from the visitor writing: the transport's part is its own
/// (promises, token, giving up), the rest goes up to the dispatcher.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// The conversation was erased: the transport forgets the visitor (token and outbox) and
    /// starts as a new one.
    Erased,
    /// A message appeared: announce it (`message` event), once.
    Shown(Message),
    /// A send was stored: resolve its promise.
    Stored(ClientMessageId, Message),
    /// A send was refused: reject its promise.
    Refused(ClientMessageId, ErrorCode, String),
    /// The relay issued (or confirmed) the visitor token.
    Token(String),
    Availability(bool),
    /// The relay asked for something the widget cannot fix by resending (e.g. an unknown site).
    Fatal(ErrorCode, String),
    /// The relay's answers to a search (made by the transport, which keeps them out of the chat's
    /// state: they change nothing of the chat).
    Answers(String, Vec<AnswerHit>),
    /// The visitor wrote a message (made by the transport's `send`, not by a frame).
    Wrote,
}

impl ChatState {
    /// The highest sequence number the widget has.
    pub fn last_seq(&self) -> Seq {
        self.messages.last().map_or(Seq(0), |message| message.seq)
    }

    /// The suggested questions to offer: only in an empty chat, and not while the contact form
    /// stands in for the chat.
    pub fn suggestions(&self) -> &[String] {
        if self.messages.is_empty() && self.pending.is_empty() && !self.offline() {
            &self.suggested
        } else {
            &[]
        }
    }

    /// The visitor's messages still to be sent: pending and not refused.
    pub fn unsent(&self) -> Vec<Pending> {
        self.pending
            .iter()
            .filter(|pending| pending.refused.is_none())
            .cloned()
            .collect()
    }

    /// Whether the contact form should replace the composer.
    pub fn offline(&self) -> bool {
        !self.online
    }

    /// Whether to offer the rating: the conversation is resolved, the shop asks, none given yet.
    pub fn wants_rating(&self) -> bool {
        self.rating_enabled
            && self.rating.is_none()
            && self
                .conversation
                .as_ref()
                .is_some_and(|conversation| conversation.status == ConversationStatus::Resolved)
    }

    /// The queue place to show: only while someone is online to come.
    pub fn queue_place(&self) -> Option<u32> {
        self.queue_position.filter(|_| self.online)
    }

    /// Adds a message in sequence order unless it is there already; true when it was new.
    fn insert(&mut self, message: &Message, window_open: bool) -> bool {
        let position = self
            .messages
            .partition_point(|existing| existing.seq < message.seq);
        if self
            .messages
            .get(position)
            .is_some_and(|existing| existing.seq == message.seq)
        {
            return false;
        }
        if message.author == Author::Operator {
            self.operator_name = message.author_name.clone().or(self.operator_name.take());
            self.operator_typing = None;
        }
        if message.author != Author::Visitor && !window_open {
            self.unread += 1;
        }
        self.messages.insert(position, message.clone());
        if let Some(conversation) = &mut self.conversation {
            conversation.last_seq = conversation.last_seq.max(message.seq);
        }
        true
    }
}

/// An open link, or one refused while the shop blocks the visitor: the window then says only
/// that the chat is not available, and nothing is sent.
fn open_unless(blocked: bool) -> Link {
    if blocked { Link::Refused } else { Link::Open }
}

/// Applies one frame from the relay.
pub fn apply(state: &mut ChatState, frame: FromRelay, window_open: bool) -> Vec<Effect> {
    let mut effects = Vec::new();
    match frame {
        FromRelay::Welcome {
            token,
            conversation,
            missed,
            online,
            max_text_chars,
            site_title,
            agent,
            queue_position,
            rating_enabled,
            rating,
            suggested_questions,
            back_at,
            blocked,
            can_erase,
            ..
        } => {
            state.link = open_unless(blocked);
            state.can_erase = can_erase;
            state.suggested = suggested_questions;
            state.back_at = back_at;
            state.agent = agent.or(state.agent.take());
            state.queue_position = queue_position;
            state.rating_enabled = rating_enabled;
            state.rating = rating;
            state.title = Some(site_title).filter(|title| !title.is_empty());
            state.max_text_chars = max_text_chars;
            state.conversation = conversation;
            effects.push(Effect::Token(token));
            for message in missed {
                if state.insert(&message, window_open) {
                    effects.push(Effect::Shown(message));
                }
            }
            if state.online != online {
                state.online = online;
                effects.push(Effect::Availability(online));
            }
        }
        FromRelay::Ack { client_id, message } => {
            // Only an acknowledgement takes a message out of the outbox. One met first among a
            // welcome's missed ones (its relay stored it and died before acknowledging) stays,
            // is sent again with its client id, and the acknowledgement of that answers its send.
            state
                .pending
                .retain(|pending| pending.client_id != client_id);
            if state.conversation.is_none() {
                state.conversation = Some(VisitorConversation {
                    id: message.conversation_id,
                    status: ConversationStatus::Open,
                    last_seq: message.seq,
                });
            }
            if state.insert(&message, window_open) {
                effects.push(Effect::Shown(message.clone()));
            }
            effects.push(Effect::Stored(client_id, message));
        }
        FromRelay::Message { message } => {
            if state.insert(&message, window_open) {
                effects.push(Effect::Shown(message));
            }
        }
        FromRelay::Typing { typing, name } => {
            state.operator_typing = if typing {
                Some(name.unwrap_or_default())
            } else {
                None
            };
        }
        FromRelay::Status {
            conversation_id,
            status,
        } => {
            if let Some(conversation) = &mut state.conversation
                && conversation.id == conversation_id
            {
                conversation.status = status;
            }
            // A new resolution may be rated anew.
            if status == ConversationStatus::Resolved {
                state.rating = None;
            }
        }
        FromRelay::Agent { agent } => state.agent = Some(agent),
        FromRelay::Blocked { blocked } => state.link = open_unless(blocked),
        FromRelay::Erased => {
            // What was the visitor's goes; what is the shop's stays.
            state.messages.clear();
            state.pending.clear();
            state.conversation = None;
            state.agent = None;
            effects.push(Effect::Erased);
        }
        FromRelay::Queue { position } => state.queue_position = position,
        FromRelay::Rated { rating, .. } => state.rating = Some(rating),
        FromRelay::Availability { online, back_at } => {
            state.back_at = back_at;
            if state.online != online {
                state.online = online;
                effects.push(Effect::Availability(online));
            }
        }
        FromRelay::Error {
            code,
            message,
            client_id: Some(client_id),
            ..
        } => {
            if let Some(pending) = state
                .pending
                .iter_mut()
                .find(|pending| pending.client_id == client_id)
            {
                pending.refused = Some((code, message.clone()));
            }
            effects.push(Effect::Refused(client_id, code, message));
        }
        FromRelay::Error {
            code,
            message,
            client_id: None,
            ..
        } => {
            if matches!(
                code,
                ErrorCode::UnknownSite | ErrorCode::UnsupportedVersion | ErrorCode::InvalidToken
            ) {
                // Nothing waiting can be sent from this page any more: the transport rejects the
                // sends' promises, and the window shows a notice instead of a chat that does
                // nothing.
                state.link = Link::Refused;
                state.pending.clear();
                effects.push(Effect::Fatal(code, message));
            }
        }
        // The transport hands these up as they are (`Effect::Answers`); they change nothing of
        // the chat.
        FromRelay::Answers { .. } => {}
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::{ConversationId, MessageId};

    fn message(seq: u64, author: Author, client_id: Option<&str>) -> Message {
        Message {
            id: MessageId(i64::try_from(seq).unwrap() + 100),
            conversation_id: ConversationId(1),
            seq: Seq(seq),
            client_id: client_id.map(|id| ClientMessageId(id.into())),
            author,
            operator_id: None,
            author_name: (author == Author::Operator).then(|| "Jana".to_owned()),
            text: format!("message {seq}"),
            sent_at: "2026-11-22T10:00:00.000Z".into(),
            files: Vec::new(),
        }
    }

    fn welcome(missed: Vec<Message>, online: bool) -> FromRelay {
        FromRelay::Welcome {
            version: 1,
            token: "t".into(),
            conversation: None,
            missed,
            online,
            max_text_chars: 4000,
            site_title: "Shop".into(),
            agent: None,
            queue_position: None,
            rating_enabled: true,
            rating: None,
            suggested_questions: vec!["Kdy to dorazí?".into()],
            back_at: None,
            blocked: false,
            can_erase: true,
        }
    }

    #[test]
    fn a_blocked_visitor_sees_the_chat_unavailable_until_unblocked() {
        let mut state = ChatState::default();
        let blocked = FromRelay::Welcome {
            version: 1,
            token: "t".into(),
            conversation: None,
            missed: Vec::new(),
            online: true,
            max_text_chars: 4000,
            site_title: String::new(),
            agent: None,
            queue_position: None,
            rating_enabled: false,
            rating: None,
            suggested_questions: Vec::new(),
            back_at: None,
            blocked: true,
            can_erase: false,
        };
        apply(&mut state, blocked, true);
        assert_eq!(state.link, Link::Refused);
        apply(&mut state, FromRelay::Blocked { blocked: false }, true);
        assert_eq!(state.link, Link::Open);
        apply(&mut state, FromRelay::Blocked { blocked: true }, true);
        assert_eq!(state.link, Link::Refused);
    }

    #[test]
    fn an_erased_conversation_leaves_nothing_in_view_and_the_visitor_starts_anew() {
        let mut state = ChatState::default();
        apply(
            &mut state,
            welcome(vec![message(1, Author::Visitor, None)], true),
            true,
        );
        state.conversation = Some(VisitorConversation {
            id: ConversationId(1),
            status: ConversationStatus::Open,
            last_seq: Seq(1),
        });
        state.pending.push(Pending {
            client_id: ClientMessageId("c".into()),
            text: "unsent".into(),
            email: None,
            refused: None,
        });
        let effects = apply(&mut state, FromRelay::Erased, true);
        assert_eq!(effects, [Effect::Erased]);
        assert!(state.messages.is_empty() && state.pending.is_empty());
        assert_eq!(state.conversation, None);
        assert!(state.can_erase && state.online);
        assert_eq!(state.title.as_deref(), Some("Shop"));
    }

    #[test]
    fn a_welcome_shows_the_history_in_order_once() {
        let mut state = ChatState::default();
        let effects = apply(
            &mut state,
            welcome(
                vec![
                    message(1, Author::Visitor, None),
                    message(2, Author::Operator, None),
                ],
                true,
            ),
            true,
        );
        let shown: Vec<u64> = effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Shown(m) => Some(m.seq.0),
                _ => None,
            })
            .collect();
        assert_eq!(shown, [1, 2]);
        assert!(effects.contains(&Effect::Availability(true)));
        // A reconnect's welcome repeats nothing the widget has.
        let again = apply(
            &mut state,
            welcome(
                vec![
                    message(2, Author::Operator, None),
                    message(3, Author::Operator, None),
                ],
                true,
            ),
            true,
        );
        let shown: Vec<u64> = again
            .iter()
            .filter_map(|effect| match effect {
                Effect::Shown(m) => Some(m.seq.0),
                _ => None,
            })
            .collect();
        assert_eq!(shown, [3]);
        assert_eq!(state.last_seq(), Seq(3));
        assert_eq!(state.operator_name.as_deref(), Some("Jana"));
    }

    #[test]
    fn an_ack_replaces_the_pending_message_and_resolves_it() {
        let mut state = ChatState::default();
        state.pending.push(Pending {
            client_id: ClientMessageId("c1".into()),
            text: "hi".into(),
            email: None,
            refused: None,
        });
        let stored = message(1, Author::Visitor, Some("c1"));
        let effects = apply(
            &mut state,
            FromRelay::Ack {
                client_id: ClientMessageId("c1".into()),
                message: stored.clone(),
            },
            true,
        );
        assert!(state.pending.is_empty());
        assert_eq!(state.messages, vec![stored.clone()]);
        assert_eq!(
            effects,
            vec![
                Effect::Shown(stored.clone()),
                Effect::Stored(ClientMessageId("c1".into()), stored)
            ]
        );
        assert_eq!(
            state.conversation.as_ref().map(|c| c.id),
            Some(ConversationId(1))
        );
    }

    #[test]
    fn a_resent_ack_announces_nothing_twice() {
        let mut state = ChatState::default();
        let stored = message(1, Author::Visitor, Some("c1"));
        apply(
            &mut state,
            FromRelay::Ack {
                client_id: ClientMessageId("c1".into()),
                message: stored.clone(),
            },
            true,
        );
        let effects = apply(
            &mut state,
            FromRelay::Ack {
                client_id: ClientMessageId("c1".into()),
                message: stored.clone(),
            },
            true,
        );
        assert_eq!(
            effects,
            vec![Effect::Stored(ClientMessageId("c1".into()), stored)]
        );
        assert_eq!(state.messages.len(), 1);
    }

    #[test]
    fn a_waiting_message_met_in_a_welcome_is_sent_again_and_its_ack_answers_it() {
        // The relay stored the message and died before acknowledging it; the next relay's
        // welcome brings it among the missed ones.
        let mut state = ChatState::default();
        state.pending.push(Pending {
            client_id: ClientMessageId("c1".into()),
            text: "hi".into(),
            email: None,
            refused: None,
        });
        let stored = message(1, Author::Visitor, Some("c1"));
        apply(&mut state, welcome(vec![stored.clone()], true), true);
        assert_eq!(
            state.unsent().len(),
            1,
            "sent again, so that its send is answered"
        );
        let effects = apply(
            &mut state,
            FromRelay::Ack {
                client_id: ClientMessageId("c1".into()),
                message: stored.clone(),
            },
            true,
        );
        assert!(state.pending.is_empty());
        assert_eq!(state.messages, vec![stored.clone()]);
        assert_eq!(
            effects,
            vec![Effect::Stored(ClientMessageId("c1".into()), stored)]
        );
    }

    #[test]
    fn messages_arriving_out_of_order_are_placed_by_sequence() {
        let mut state = ChatState::default();
        apply(
            &mut state,
            FromRelay::Message {
                message: message(2, Author::Operator, None),
            },
            true,
        );
        apply(
            &mut state,
            FromRelay::Message {
                message: message(1, Author::Visitor, None),
            },
            true,
        );
        let seqs: Vec<u64> = state.messages.iter().map(|m| m.seq.0).collect();
        assert_eq!(seqs, [1, 2]);
    }

    #[test]
    fn replies_count_as_unread_only_while_the_window_is_closed() {
        let mut state = ChatState::default();
        apply(
            &mut state,
            FromRelay::Message {
                message: message(1, Author::Operator, None),
            },
            false,
        );
        apply(
            &mut state,
            FromRelay::Message {
                message: message(2, Author::Visitor, None),
            },
            false,
        );
        apply(
            &mut state,
            FromRelay::Message {
                message: message(3, Author::Operator, None),
            },
            true,
        );
        assert_eq!(state.unread, 1);
    }

    #[test]
    fn a_refusal_marks_the_pending_message_and_rejects_its_promise() {
        let mut state = ChatState::default();
        state.pending.push(Pending {
            client_id: ClientMessageId("c1".into()),
            text: "x".into(),
            email: None,
            refused: None,
        });
        let effects = apply(
            &mut state,
            FromRelay::Error {
                code: ErrorCode::TextTooLong,
                message: "too long".into(),
                client_id: Some(ClientMessageId("c1".into())),
                retry_after_ms: None,
            },
            true,
        );
        assert_eq!(
            state.pending[0].refused.as_ref().map(|r| r.0),
            Some(ErrorCode::TextTooLong)
        );
        assert_eq!(
            effects,
            vec![Effect::Refused(
                ClientMessageId("c1".into()),
                ErrorCode::TextTooLong,
                "too long".into()
            )]
        );
    }

    #[test]
    fn an_unknown_site_refuses_the_widget_for_good_and_drops_what_waited() {
        let mut state = ChatState {
            link: Link::Connecting,
            pending: vec![Pending {
                client_id: ClientMessageId("c1".into()),
                text: "hi".into(),
                email: None,
                refused: None,
            }],
            ..ChatState::default()
        };
        let effects = apply(
            &mut state,
            FromRelay::Error {
                code: ErrorCode::UnknownSite,
                message: "this relay serves no site named \"nope\"".into(),
                client_id: None,
                retry_after_ms: None,
            },
            false,
        );
        assert_eq!(state.link, Link::Refused);
        assert!(
            state.pending.is_empty(),
            "nothing waits for a relay that refused"
        );
        assert_eq!(
            effects,
            vec![Effect::Fatal(
                ErrorCode::UnknownSite,
                "this relay serves no site named \"nope\"".into()
            )]
        );
        // A passing refusal (too many frames, say) is not the end of the chat.
        let mut state = ChatState {
            link: Link::Open,
            ..ChatState::default()
        };
        let effects = apply(
            &mut state,
            FromRelay::Error {
                code: ErrorCode::RateLimited,
                message: "slow down".into(),
                client_id: None,
                retry_after_ms: None,
            },
            true,
        );
        assert_eq!((state.link, effects), (Link::Open, Vec::new()));
    }

    #[test]
    fn typing_stops_when_the_operator_writes() {
        let mut state = ChatState::default();
        apply(
            &mut state,
            FromRelay::Typing {
                typing: true,
                name: Some("Jana".into()),
            },
            true,
        );
        assert_eq!(state.operator_typing.as_deref(), Some("Jana"));
        apply(
            &mut state,
            FromRelay::Message {
                message: message(1, Author::Operator, None),
            },
            true,
        );
        assert_eq!(state.operator_typing, None);
    }

    #[test]
    fn the_queue_place_shows_only_while_someone_is_online() {
        let mut state = ChatState::default();
        apply(&mut state, welcome(Vec::new(), true), true);
        apply(&mut state, FromRelay::Queue { position: Some(2) }, true);
        assert_eq!(state.queue_place(), Some(2));
        apply(
            &mut state,
            FromRelay::Availability {
                online: false,
                back_at: Some("2026-11-23T08:00:00.000Z".into()),
            },
            true,
        );
        assert_eq!(state.back_at.as_deref(), Some("2026-11-23T08:00:00.000Z"));
        assert_eq!(state.queue_place(), None);
        apply(
            &mut state,
            FromRelay::Availability {
                online: true,
                back_at: None,
            },
            true,
        );
        assert_eq!(state.back_at, None);
        apply(&mut state, FromRelay::Queue { position: None }, true);
        assert_eq!(state.queue_place(), None);
    }

    #[test]
    fn a_resolved_conversation_asks_for_one_rating() {
        let mut state = ChatState::default();
        apply(&mut state, welcome(Vec::new(), true), true);
        apply(
            &mut state,
            FromRelay::Ack {
                client_id: ClientMessageId("a".into()),
                message: message(1, Author::Visitor, Some("a")),
            },
            true,
        );
        assert!(!state.wants_rating(), "open conversations are not rated");
        let resolved = FromRelay::Status {
            conversation_id: beseda_protocol::ConversationId(1),
            status: ConversationStatus::Resolved,
        };
        apply(&mut state, resolved.clone(), true);
        assert!(state.wants_rating());
        apply(
            &mut state,
            FromRelay::Rated {
                rating: Rating::Satisfied,
                comment: None,
            },
            true,
        );
        assert!(!state.wants_rating());
        state.rating_enabled = false;
        apply(&mut state, resolved, true);
        assert!(!state.wants_rating(), "the shop switched ratings off");
    }

    #[test]
    fn suggested_questions_are_offered_only_in_an_empty_chat_while_online() {
        let mut state = ChatState::default();
        apply(&mut state, welcome(Vec::new(), true), true);
        assert_eq!(state.suggestions(), ["Kdy to dorazí?".to_owned()]);
        apply(&mut state, welcome(Vec::new(), false), true);
        assert!(state.suggestions().is_empty(), "the contact form stands in");
        apply(
            &mut state,
            welcome(vec![message(1, Author::Operator, None)], true),
            true,
        );
        assert!(state.suggestions().is_empty(), "the chat has begun");
    }
}
