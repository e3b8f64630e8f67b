//! The hub's fan-out under the largest commits.

use super::*;

const LOCAL: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
use crate::store::sqlite::MAX_BATCH;
use beseda_protocol::api::{ConversationSummary, VisitorInfo};
use beseda_protocol::{Author, ConversationId, ConversationStatus, Message};

/// The events of one commit in which every message starts a new conversation: the most frames
/// a single commit can give a console.
fn largest_commit() -> Vec<Event> {
    let mut events = Vec::new();
    for index in 0..MAX_BATCH {
        let visitor_id = VisitorId(format!("visitor-{index}"));
        let id = i64::try_from(index).unwrap() + 1;
        let summary = ConversationSummary {
            id: ConversationId(id),
            site: "default".into(),
            status: ConversationStatus::Open,
            visitor: VisitorInfo {
                id: visitor_id.clone(),
                name: None,
                email: None,
            },
            last_message: None,
            message_count: 1,
            created_at: String::new(),
            updated_at: String::new(),
            assigned_to: None,
            priority: 0,
            tags: Vec::new(),
            waiting_since: None,
            rating: None,
            unread: None,
        };
        events.push(Event::ConversationChanged {
            conversation: summary,
            visitor_id: visitor_id.clone(),
            created: true,
            status_changed: false,
        });
        let message = Message {
            id: MessageId(id),
            conversation_id: ConversationId(id),
            seq: Seq(1),
            client_id: None,
            author: Author::Visitor,
            operator_id: None,
            author_name: None,
            text: "hello".into(),
            sent_at: String::new(),
            files: Vec::new(),
        };
        events.push(Event::MessageStored {
            message,
            site: "default".into(),
            visitor_id,
            origin: None,
            duplicate: false,
            position: None,
        });
    }
    events
}

/// Regression: one commit could carry more frames than a console's outbox held (512 messages
/// against 256 frames), so a burst after a stall dropped every console at once, however fast
/// it read.
#[test]
fn a_console_that_has_not_read_yet_survives_the_largest_commit() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(metrics.clone());
    let (outbox, mut inbox) = mpsc::channel(OPERATOR_OUTBOX);
    hub.add_operator(7, OperatorId(1), outbox);
    hub.publish(largest_commit());
    assert_eq!(metrics.slow_peers_dropped.load(Ordering::Relaxed), 0);
    assert_eq!(
        hub.peers().operators.len(),
        1,
        "the console is still connected"
    );
    let mut frames = 0;
    while inbox.try_recv().is_ok() {
        frames += 1;
    }
    assert_eq!(frames, 2 * MAX_BATCH);
}

#[test]
fn a_console_that_falls_behind_is_dropped_and_counted() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(metrics.clone());
    let (outbox, _inbox) = mpsc::channel(1);
    hub.add_operator(7, OperatorId(1), outbox);
    hub.publish(largest_commit());
    assert_eq!(metrics.slow_peers_dropped.load(Ordering::Relaxed), 1);
    assert!(hub.peers().operators.is_empty());
}

/// What one peer's outbox holds now: each stored message's frame and whether it is the sender's
/// acknowledgement.
fn drain(inbox: &mut mpsc::Receiver<Outbound>) -> Vec<(String, bool)> {
    let mut frames = Vec::new();
    while let Ok(outbound) = inbox.try_recv() {
        match outbound {
            Outbound::Message { frame, ack, .. } => frames.push((frame.to_string(), ack)),
            Outbound::Frame(frame) | Outbound::End(frame) => {
                frames.push((frame.to_string(), false))
            }
        }
    }
    frames
}

/// The one frame of `frames`, which must be an acknowledgement or not as `ack` says.
fn only(frames: Vec<(String, bool)>, ack: bool, what: &str) -> String {
    assert_eq!(frames.len(), 1, "{what}: {frames:?}");
    let (frame, is_ack) = frames.into_iter().next().unwrap();
    assert_eq!(is_ack, ack, "{what}");
    frame
}

fn stored(origin: Option<PeerTag>, duplicate: bool) -> Event {
    Event::MessageStored {
        message: Message {
            id: MessageId(5),
            conversation_id: ConversationId(1),
            seq: Seq(2),
            client_id: Some(beseda_protocol::ClientMessageId("c-1".into())),
            author: Author::Operator,
            operator_id: Some(OperatorId(1)),
            author_name: None,
            text: "Dobrý den".into(),
            sent_at: String::new(),
            files: Vec::new(),
        },
        site: "default".into(),
        visitor_id: VisitorId("v".into()),
        origin,
        duplicate,
        position: None,
    }
}

/// A stored message reaches its sender as an acknowledgement in the sender's own protocol, the
/// other consoles and the visitor's tabs as a copy, and nobody else; a resend reaches only its
/// sender.
#[test]
fn a_stored_message_is_routed_by_endpoint_and_sender() {
    let hub = Hub::new(Arc::new(Metrics::default()));
    let (sender_outbox, mut sender) = mpsc::channel(OPERATOR_OUTBOX);
    let (colleague_outbox, mut colleague) = mpsc::channel(OPERATOR_OUTBOX);
    let (tab_outbox, mut tab) = mpsc::channel(VISITOR_OUTBOX);
    let (stranger_outbox, mut stranger) = mpsc::channel(VISITOR_OUTBOX);
    hub.add_operator(1, OperatorId(1), sender_outbox);
    hub.add_operator(2, OperatorId(2), colleague_outbox);
    hub.add_visitor(3, "default", &VisitorId("v".into()), LOCAL, tab_outbox);
    hub.add_visitor(4, "default", &VisitorId("w".into()), LOCAL, stranger_outbox);

    hub.publish(vec![stored(Some(1), false)]);
    let frame = only(
        drain(&mut sender),
        true,
        "the sender gets one acknowledgement",
    );
    assert!(matches!(
        serde_json::from_str::<operator::FromRelay>(&frame).unwrap(),
        operator::FromRelay::Ack { .. }
    ));
    let frame = only(
        drain(&mut colleague),
        false,
        "another console gets one copy",
    );
    assert!(matches!(
        serde_json::from_str::<operator::FromRelay>(&frame).unwrap(),
        operator::FromRelay::Message { .. }
    ));
    let frame = only(drain(&mut tab), false, "the visitor gets one copy");
    assert!(matches!(
        serde_json::from_str::<visitor::FromRelay>(&frame).unwrap(),
        visitor::FromRelay::Message { .. }
    ));
    assert!(drain(&mut stranger).is_empty());

    hub.publish(vec![stored(Some(3), true)]);
    let frame = only(
        drain(&mut tab),
        true,
        "a resend is acknowledged to its sender",
    );
    assert!(matches!(
        serde_json::from_str::<visitor::FromRelay>(&frame).unwrap(),
        visitor::FromRelay::Ack { .. }
    ));
    assert!(drain(&mut sender).is_empty());
    assert!(drain(&mut colleague).is_empty());
}

#[test]
fn missed_events_close_every_socket_so_that_its_client_resumes_from_the_database() {
    let hub = Hub::new(Arc::new(Metrics::default()));
    let (operator_outbox, mut operator_inbox) = mpsc::channel(OPERATOR_OUTBOX);
    let (visitor_outbox, mut visitor_inbox) = mpsc::channel(8);
    hub.add_operator(7, OperatorId(1), operator_outbox);
    hub.add_visitor(8, "default", &VisitorId("v".into()), LOCAL, visitor_outbox);
    hub.publish(vec![Event::Missed]);
    assert!(hub.peers().operators.is_empty());
    assert!(hub.peers().visitors.is_empty());
    // With the hub's senders gone, each socket task's outbox ends and the task closes its socket.
    while operator_inbox.try_recv().is_ok() {}
    while visitor_inbox.try_recv().is_ok() {}
    assert!(operator_inbox.is_closed() && visitor_inbox.is_closed());
}
