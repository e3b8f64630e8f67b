//! Tests of where the keyboard shortcuts lead.

use super::*;
use beseda_protocol::VisitorId;
use beseda_protocol::api::{ConversationSummary, VisitorInfo};

const ME: OperatorId = OperatorId(1);
const COLLEAGUE: OperatorId = OperatorId(2);

fn summary(id: i64) -> ConversationSummary {
    ConversationSummary {
        id: ConversationId(id),
        site: "demo".into(),
        status: ConversationStatus::Open,
        visitor: VisitorInfo {
            id: VisitorId(format!("v{id}")),
            name: None,
            email: None,
        },
        last_message: None,
        message_count: 0,
        created_at: "2026-01-01T10:00:00.000Z".into(),
        updated_at: format!("2026-01-01T10:{id:02}:00.000Z"),
        assigned_to: None,
        priority: 0,
        tags: Vec::new(),
        waiting_since: None,
        rating: None,
        unread: None,
    }
}

fn waiting(id: i64, since_minute: u32) -> ConversationSummary {
    let mut summary = summary(id);
    summary.waiting_since = Some(format!("2026-01-01T09:{since_minute:02}:00.000Z"));
    summary
}

#[test]
fn the_next_waiting_is_the_longest_waiting_that_is_nobody_elses() {
    let mut state = ConsoleState::default();
    let mut colleagues = waiting(1, 0);
    colleagues.assigned_to = Some(COLLEAGUE);
    let mut answered_but_unread = summary(4);
    answered_but_unread.unread = Some(1);
    answered_but_unread.assigned_to = Some(ME);
    let mut resolved = waiting(5, 0);
    resolved.status = ConversationStatus::Resolved;
    state.load_list(
        None,
        vec![
            colleagues,
            waiting(2, 10),
            waiting(3, 5),
            answered_but_unread,
            resolved,
            summary(6),
        ],
    );
    assert_eq!(next_waiting(&state, ME), Some(ConversationId(3)));

    // The one on screen is skipped: the next is the one after it, then the unread one.
    state.select(Some(ConversationId(3)));
    assert_eq!(next_waiting(&state, ME), Some(ConversationId(2)));
    state.select(Some(ConversationId(2)));
    assert_eq!(next_waiting(&state, ME), Some(ConversationId(3)));
    state
        .rows
        .get_mut(&ConversationId(3))
        .unwrap()
        .summary
        .waiting_since = None;
    assert_eq!(next_waiting(&state, ME), Some(ConversationId(4)));
    state.rows.get_mut(&ConversationId(4)).unwrap().unread = 0;
    assert_eq!(next_waiting(&state, ME), None);
}

#[test]
fn an_urgent_conversation_comes_before_a_longer_waiting_one() {
    let mut state = ConsoleState::default();
    let mut urgent = waiting(2, 30);
    urgent.priority = 3;
    state.load_list(None, vec![waiting(1, 0), urgent]);
    assert_eq!(next_waiting(&state, ME), Some(ConversationId(2)));
}

#[test]
fn neighbours_follow_the_list_and_stop_at_its_ends() {
    let mut state = ConsoleState::default();
    // Order on screen: 2 (waiting), then 3 and 1 by their last activity, newest first.
    state.load_list(None, vec![summary(1), waiting(2, 0), summary(3)]);
    let open = ConversationStatus::Open;
    assert_eq!(neighbour(&state, open, 1), Some(ConversationId(2)));
    assert_eq!(neighbour(&state, open, -1), Some(ConversationId(1)));
    state.select(Some(ConversationId(2)));
    assert_eq!(neighbour(&state, open, 1), Some(ConversationId(3)));
    assert_eq!(neighbour(&state, open, -1), None);
    state.select(Some(ConversationId(1)));
    assert_eq!(neighbour(&state, open, 1), None);
    assert_eq!(neighbour(&state, open, -1), Some(ConversationId(3)));
    assert_eq!(neighbour(&state, ConversationStatus::Resolved, 1), None);
}
