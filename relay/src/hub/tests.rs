//! The hub's fan-out under the largest commits.

use super::*;
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
        };
        events.push(Event::MessageStored {
            message,
            site: "default".into(),
            visitor_id,
            origin: None,
            duplicate: false,
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
