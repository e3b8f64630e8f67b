//! Tests of the console's state: the list order, unread counting and the open conversation.

use super::*;
use beseda_protocol::api::ConversationDetail;
use beseda_protocol::{MessageId, VisitorId};

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
        updated_at: "2026-01-01T10:00:00.000Z".into(),
        assigned_to: None,
        priority: 0,
        tags: Vec::new(),
        waiting_since: None,
        rating: None,
        unread: None,
    }
}

fn message(id: i64, conversation: i64, seq: u64, author: Author) -> Message {
    Message {
        id: MessageId(id),
        conversation_id: ConversationId(conversation),
        seq: Seq(seq),
        client_id: None,
        author,
        operator_id: None,
        author_name: None,
        text: format!("message {id}"),
        sent_at: format!("2026-01-01T10:{id:02}:00.000Z"),
        files: Vec::new(),
    }
}

fn detail(id: i64, messages: Vec<Message>) -> ConversationDetail {
    let summary = summary(id);
    ConversationDetail {
        id: summary.id,
        site: summary.site,
        status: summary.status,
        visitor: summary.visitor,
        cart: None,
        created_at: summary.created_at,
        updated_at: summary.updated_at,
        messages,
        site_title: "Shop".into(),
        assigned_to: None,
        priority: 0,
        tags: Vec::new(),
        waiting_since: None,
        rating: None,
        rating_comment: None,
        context: VisitorContext::default(),
        blocked: false,
    }
}

fn ids(list: Vec<(ConversationId, u64)>) -> Vec<i64> {
    list.into_iter().map(|(id, _)| id.0).collect()
}

#[test]
fn priority_first_then_longest_waiting_then_newest() {
    let mut state = ConsoleState::default();
    let mut urgent = summary(1);
    urgent.priority = 5;
    let mut waiting_long = summary(2);
    waiting_long.waiting_since = Some("2026-01-01T09:00:00.000Z".into());
    let mut waiting_short = summary(3);
    waiting_short.waiting_since = Some("2026-01-01T09:30:00.000Z".into());
    let mut answered = summary(4);
    answered.updated_at = "2026-01-01T11:00:00.000Z".into();
    let mut resolved = summary(5);
    resolved.status = ConversationStatus::Resolved;
    state.load_list(
        None,
        vec![
            answered,
            waiting_short,
            resolved,
            waiting_long,
            urgent,
            summary(6),
        ],
    );
    assert_eq!(
        ids(state.list(ConversationStatus::Open)),
        vec![1, 2, 3, 4, 6]
    );
    assert_eq!(ids(state.list(ConversationStatus::Resolved)), vec![5]);
}

#[test]
fn visitor_messages_count_as_unread_except_on_screen() {
    let mut state = ConsoleState::default();
    let mut first = summary(1);
    first.unread = Some(2);
    state.load_list(Some(ConversationStatus::Open), vec![first, summary(2)]);
    state.select(Some(ConversationId(2)));
    state.load_detail(detail(2, Vec::new()));
    apply(
        &mut state,
        FromRelay::Message {
            message: message(10, 1, 3, Author::Visitor),
            position: None,
        },
    );
    let effects = apply(
        &mut state,
        FromRelay::Message {
            message: message(11, 2, 1, Author::Visitor),
            position: None,
        },
    );
    assert_eq!(state.rows[&ConversationId(1)].unread, 3);
    assert_eq!(state.rows[&ConversationId(2)].unread, 0);
    assert_eq!(effects, vec![Effect::Read(ConversationId(2), Seq(1))]);
    assert_eq!(state.open.as_ref().unwrap().detail.messages.len(), 1);
    assert_eq!(state.last_message_id, Some(MessageId(11)));
    assert_eq!(state.unread_conversations(), 1);
    state.select(Some(ConversationId(1)));
    assert_eq!(state.rows[&ConversationId(1)].unread, 0);
}

#[test]
fn waiting_starts_with_the_visitor_and_ends_with_the_reply() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    for (id, author) in [(1, Author::Visitor), (2, Author::Visitor)] {
        apply(
            &mut state,
            FromRelay::Message {
                message: message(id, 1, id as u64, author),
                position: None,
            },
        );
    }
    let row = &state.rows[&ConversationId(1)].summary;
    assert_eq!(
        row.waiting_since.as_deref(),
        Some("2026-01-01T10:01:00.000Z")
    );
    assert_eq!(row.message_count, 2);
    apply(
        &mut state,
        FromRelay::Message {
            message: message(3, 1, 3, Author::Operator),
            position: None,
        },
    );
    let row = &state.rows[&ConversationId(1)].summary;
    assert_eq!(row.waiting_since, None);
    assert_eq!(row.last_message.as_ref().unwrap().id, MessageId(3));
}

#[test]
fn a_message_seen_twice_counts_once() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    for _ in 0..2 {
        apply(
            &mut state,
            FromRelay::Message {
                message: message(5, 1, 1, Author::Visitor),
                position: None,
            },
        );
    }
    assert_eq!(state.rows[&ConversationId(1)].unread, 1);
    assert_eq!(state.rows[&ConversationId(1)].summary.message_count, 1);
}

#[test]
fn messages_before_the_detail_are_kept_in_order() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    apply(
        &mut state,
        FromRelay::Message {
            message: message(3, 1, 3, Author::Visitor),
            position: None,
        },
    );
    state.load_detail(detail(
        1,
        vec![
            message(1, 1, 1, Author::Visitor),
            message(2, 1, 2, Author::Operator),
            message(3, 1, 3, Author::Visitor),
        ],
    ));
    let seqs: Vec<u64> = state
        .open
        .as_ref()
        .unwrap()
        .detail
        .messages
        .iter()
        .map(|m| m.seq.0)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    // A detail for a conversation no longer picked is dropped.
    state.load_detail(detail(9, Vec::new()));
    assert_eq!(state.open.as_ref().unwrap().detail.id, ConversationId(1));
}

#[test]
fn unknown_conversations_reload_the_list_and_new_ones_notify() {
    let mut state = ConsoleState::default();
    let effects = apply(
        &mut state,
        FromRelay::Message {
            message: message(1, 7, 1, Author::Visitor),
            position: None,
        },
    );
    assert_eq!(effects, vec![Effect::ReloadList]);
    let mut created = summary(7);
    created.message_count = 1;
    let effects = apply(
        &mut state,
        FromRelay::Conversation {
            conversation: created.clone(),
        },
    );
    assert_eq!(
        effects,
        vec![Effect::NewConversation(Box::new(created.clone()))]
    );
    // The same conversation again (assigned, say) is no longer news.
    created.assigned_to = Some(OperatorId(2));
    assert!(
        apply(
            &mut state,
            FromRelay::Conversation {
                conversation: created
            }
        )
        .is_empty()
    );
}

#[test]
fn summaries_update_the_open_conversation_and_a_rating_reloads_it() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    state.load_detail(detail(1, Vec::new()));
    let mut resolved = summary(1);
    resolved.status = ConversationStatus::Resolved;
    resolved.tags = vec!["missing".into()];
    assert!(
        apply(
            &mut state,
            FromRelay::Conversation {
                conversation: resolved.clone()
            }
        )
        .is_empty()
    );
    let open = &state.open.as_ref().unwrap().detail;
    assert_eq!(open.status, ConversationStatus::Resolved);
    assert_eq!(open.tags, vec!["missing".to_owned()]);
    resolved.rating = Some(beseda_protocol::Rating::Satisfied);
    assert_eq!(
        apply(
            &mut state,
            FromRelay::Conversation {
                conversation: resolved
            }
        ),
        vec![Effect::ReloadDetail(ConversationId(1))]
    );
}

#[test]
fn acks_settle_pending_replies_and_errors_mark_them() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    for id in ["a", "b"] {
        state.pending.push(Pending {
            client_id: ClientMessageId(id.into()),
            conversation_id: ConversationId(1),
            text: "hi".into(),
            refused: None,
        });
    }
    let mut stored = message(4, 1, 1, Author::Operator);
    stored.client_id = Some(ClientMessageId("a".into()));
    apply(
        &mut state,
        FromRelay::Ack {
            client_id: ClientMessageId("a".into()),
            message: stored,
            position: None,
        },
    );
    apply(
        &mut state,
        FromRelay::Error {
            code: beseda_protocol::ErrorCode::TextTooLong,
            message: "too long".into(),
            client_id: Some(ClientMessageId("b".into())),
            retry_after_ms: None,
        },
    );
    assert_eq!(state.pending.len(), 1);
    assert_eq!(state.pending[0].refused.as_deref(), Some("too long"));
    assert_eq!(state.rows[&ConversationId(1)].summary.message_count, 1);
}

/// Issue 20: a reply the relay could not store for a moment was shown as refused, and the
/// operator had to write it again.
#[test]
fn a_reply_the_store_could_not_take_stays_pending_and_goes_again_later() {
    let mut state = ConsoleState::default();
    state.pending.push(Pending {
        client_id: ClientMessageId("a".into()),
        conversation_id: ConversationId(1),
        text: "hi".into(),
        refused: None,
    });
    let effects = apply(
        &mut state,
        FromRelay::Error {
            code: beseda_protocol::ErrorCode::Unavailable,
            message: "try again in a moment".into(),
            client_id: Some(ClientMessageId("a".into())),
            retry_after_ms: Some(2000),
        },
    );
    assert_eq!(effects, vec![Effect::ResendLater(Some(2000))]);
    assert_eq!(state.pending[0].refused, None);
    assert_eq!(state.notice, None);
}

#[test]
fn typing_and_visitor_details_reach_the_row_and_the_open_view() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    state.load_detail(detail(1, Vec::new()));
    apply(
        &mut state,
        FromRelay::Typing {
            conversation_id: ConversationId(1),
            typing: true,
        },
    );
    assert!(state.rows[&ConversationId(1)].visitor_typing);
    assert!(state.open.as_ref().unwrap().visitor_typing);
    let visitor = VisitorInfo {
        id: VisitorId("v1".into()),
        name: Some("Petr".into()),
        email: None,
    };
    apply(
        &mut state,
        FromRelay::Visitor {
            conversation_id: ConversationId(1),
            visitor: visitor.clone(),
            cart: None,
            context: VisitorContext::default(),
        },
    );
    assert_eq!(state.open.as_ref().unwrap().detail.visitor, visitor);
    assert_eq!(
        visitor_label(
            &state.rows[&ConversationId(1)].summary.visitor,
            ConversationId(1)
        ),
        "Petr"
    );
}

#[test]
fn visitors_without_name_or_email_get_a_number() {
    let anonymous = VisitorInfo {
        id: VisitorId("v".into()),
        name: Some("  ".into()),
        email: None,
    };
    assert_eq!(visitor_label(&anonymous, ConversationId(12)), "Visitor #12");
    let with_email = VisitorInfo {
        email: Some("petr@example.cz".into()),
        ..anonymous
    };
    assert_eq!(
        visitor_label(&with_email, ConversationId(12)),
        "petr@example.cz"
    );
}

#[test]
fn the_detail_names_a_visitor_the_list_did_not_know() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    let mut named = detail(1, Vec::new());
    named.visitor.name = Some("Petr".into());
    let before = state.rows[&ConversationId(1)].revision;
    state.load_detail(named);
    let row = &state.rows[&ConversationId(1)];
    assert_eq!(row.summary.visitor.name.as_deref(), Some("Petr"));
    assert!(row.revision > before, "the row is redrawn");
}

fn page_view(index: usize) -> PageView {
    PageView {
        url: format!("https://shop.example/{index}"),
        title: format!("Page {index}"),
        at: format!("2026-01-01T10:{:02}:00.000Z", index % 60),
    }
}

#[test]
fn a_page_frame_appends_one_page_to_the_open_context() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1), summary(2)]);
    state.select(Some(ConversationId(1)));
    let mut opened = detail(1, Vec::new());
    opened.context.pages = vec![page_view(0)];
    opened.context.current_page = Some(page_view(0));
    opened.context.locale = Some("cs".into());
    state.load_detail(opened);
    apply(
        &mut state,
        FromRelay::Page {
            conversation_id: ConversationId(1),
            page: page_view(1),
        },
    );
    let context = &state.open.as_ref().unwrap().detail.context;
    assert_eq!(context.pages, [page_view(0), page_view(1)]);
    assert_eq!(context.current_page, Some(page_view(1)));
    assert_eq!(context.locale.as_deref(), Some("cs"), "the rest stays");

    // Another conversation's page changes nothing here.
    apply(
        &mut state,
        FromRelay::Page {
            conversation_id: ConversationId(2),
            page: page_view(7),
        },
    );
    let context = &state.open.as_ref().unwrap().detail.context;
    assert_eq!(context.pages.len(), 2);
    assert_eq!(context.current_page, Some(page_view(1)));
}

#[test]
fn the_open_context_keeps_the_last_fifty_pages() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    state.load_detail(detail(1, Vec::new()));
    for index in 0..(MAX_PAGES_PER_VISIT + 5) {
        apply(
            &mut state,
            FromRelay::Page {
                conversation_id: ConversationId(1),
                page: page_view(index),
            },
        );
    }
    let context = &state.open.as_ref().unwrap().detail.context;
    assert_eq!(context.pages.len(), MAX_PAGES_PER_VISIT);
    assert_eq!(context.pages[0], page_view(5));
    assert_eq!(
        context.current_page,
        Some(page_view(MAX_PAGES_PER_VISIT + 4))
    );
}

#[test]
fn an_erased_conversation_leaves_the_list_and_the_screen() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1), summary(2)]);
    state.select(Some(ConversationId(1)));
    state.load_detail(detail(1, vec![message(1, 1, 1, Author::Visitor)]));
    state.pending.push(Pending {
        client_id: ClientMessageId("reply-1".into()),
        conversation_id: ConversationId(1),
        text: "Hned to bude.".into(),
        refused: None,
    });
    apply(
        &mut state,
        FromRelay::Erased {
            conversation_id: ConversationId(1),
        },
    );
    assert_eq!(ids(state.list(ConversationStatus::Open)), vec![2]);
    assert_eq!(state.selected, None);
    assert_eq!(state.open, None);
    assert!(state.pending.is_empty());

    // Another console's erase of a conversation not on screen leaves the screen alone.
    state.select(Some(ConversationId(2)));
    state.load_detail(detail(2, Vec::new()));
    apply(
        &mut state,
        FromRelay::Erased {
            conversation_id: ConversationId(7),
        },
    );
    assert_eq!(state.selected, Some(ConversationId(2)));
    assert!(state.open.is_some());
}

#[test]
fn a_blocked_frame_marks_the_open_conversation() {
    let mut state = ConsoleState::default();
    state.load_list(None, vec![summary(1)]);
    state.select(Some(ConversationId(1)));
    state.load_detail(detail(1, Vec::new()));
    let blocked = |state: &ConsoleState| state.open.as_ref().map(|open| open.detail.blocked);
    let frame = |blocked| FromRelay::Blocked {
        conversation_id: ConversationId(1),
        blocked,
    };
    apply(&mut state, frame(true));
    assert_eq!(blocked(&state), Some(true));
    apply(
        &mut state,
        FromRelay::Blocked {
            conversation_id: ConversationId(2),
            blocked: false,
        },
    );
    assert_eq!(blocked(&state), Some(true), "another conversation's frame");
    apply(&mut state, frame(false));
    assert_eq!(blocked(&state), Some(false));
}
