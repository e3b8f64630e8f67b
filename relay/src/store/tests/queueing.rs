//! What the accounts' and the team's writes do to the queue, on both stores: an operator coming
//! online, being disabled, or a higher maximum hands waiting conversations out, with the same
//! events in the same order.

use super::conversations::visitor_message;
use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::{Event, Notices, Store, VisitorDetails};
use beseda_protocol::api::TeamSettings;
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use std::sync::mpsc::Receiver;

/// Every event published so far, in order.
fn published(events: &Receiver<Vec<Event>>) -> Vec<Event> {
    events.try_iter().flatten().collect()
}

/// The events as (kind, visitor, assigned operator) to compare in one assertion.
fn outline(events: &[Event]) -> Vec<(&'static str, String, Option<OperatorId>)> {
    events
        .iter()
        .map(|event| match event {
            Event::ConversationChanged { conversation, .. } => (
                "changed",
                conversation.visitor.id.0.clone(),
                conversation.assigned_to,
            ),
            Event::QueuePosition {
                visitor_id,
                position,
                ..
            } => (
                if position.is_none() {
                    "served"
                } else {
                    "position"
                },
                visitor_id.0.clone(),
                None,
            ),
            Event::QueueChanged { waiting } => (
                "queue",
                waiting
                    .iter()
                    .map(|(_, visitor)| visitor.0.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                None,
            ),
            Event::OperatorAvailability {
                operator_id,
                online,
            } => (
                if *online { "online" } else { "offline" },
                String::new(),
                Some(*operator_id),
            ),
            _ => ("other", String::new(), None),
        })
        .collect()
}

/// A visitor's first message; answers the conversation's id.
async fn visitor_writes(store: &dyn Store, visitor: &str) -> ConversationId {
    store
        .append_message(
            visitor_message(visitor, "first", "Hello"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
        .message
        .conversation_id
}

async fn assigned_to(store: &dyn Store, visitor: &str) -> Option<OperatorId> {
    store
        .visitor_conversation("default", &VisitorId(visitor.into()))
        .await
        .unwrap()
        .expect("the visitor's conversation")
        .assigned_to
}

async fn coming_online_takes_waiting_conversations(backend: Backend) {
    let (store, events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    visitor_writes(&*store, "v1").await;
    assert_eq!(assigned_to(&*store, "v1").await, None);
    published(&events);

    store.set_operator_online(ada.id, true).await.unwrap();
    assert_eq!(
        outline(&published(&events)),
        vec![
            ("online", String::new(), Some(ada.id)),
            ("changed", "v1".into(), Some(ada.id)),
            ("served", "v1".into(), None),
            ("queue", String::new(), None),
        ]
    );
    assert_eq!(assigned_to(&*store, "v1").await, Some(ada.id));
    assert_eq!(store.operators().await.unwrap()[0].open_chats, 1);
    // Going offline keeps the conversation; only the switch is told.
    store.set_operator_online(ada.id, false).await.unwrap();
    assert_eq!(
        outline(&published(&events)),
        vec![("offline", String::new(), Some(ada.id))]
    );
    assert_eq!(assigned_to(&*store, "v1").await, Some(ada.id));
}

async fn disabling_an_operator_hands_their_conversations_to_others(backend: Backend) {
    let (store, events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    store.set_operator_online(ada.id, true).await.unwrap();
    visitor_writes(&*store, "v1").await;
    visitor_writes(&*store, "v2").await;
    let bob = store
        .add_operator("bob@example.com", "Bob", "hash", false)
        .await
        .unwrap();
    store.set_operator_online(bob.id, true).await.unwrap();
    assert_eq!(assigned_to(&*store, "v1").await, Some(ada.id));
    assert_eq!(assigned_to(&*store, "v2").await, Some(ada.id));
    published(&events);

    let (info, _) = store.set_operator_disabled(ada.id, true).await.unwrap();
    assert_eq!(info.open_chats, 0);
    assert_eq!(
        outline(&published(&events)),
        vec![
            ("changed", "v1".into(), None),
            ("changed", "v2".into(), None),
            ("changed", "v1".into(), Some(bob.id)),
            ("served", "v1".into(), None),
            ("changed", "v2".into(), Some(bob.id)),
            ("served", "v2".into(), None),
            ("queue", String::new(), None),
        ]
    );
    assert_eq!(assigned_to(&*store, "v2").await, Some(bob.id));
    // Enabling again gives nothing back.
    store.set_operator_disabled(ada.id, false).await.unwrap();
    assert!(published(&events).is_empty());
}

async fn a_higher_maximum_hands_waiting_conversations_out(backend: Backend) {
    let (store, events) = open(backend).await;
    store
        .set_team_settings(TeamSettings {
            max_chats_per_operator: 1,
        })
        .await
        .unwrap();
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    store.set_operator_online(ada.id, true).await.unwrap();
    visitor_writes(&*store, "v1").await;
    visitor_writes(&*store, "v2").await;
    visitor_writes(&*store, "v3").await;
    assert_eq!(assigned_to(&*store, "v1").await, Some(ada.id));
    assert_eq!(assigned_to(&*store, "v2").await, None);
    published(&events);

    store
        .set_team_settings(TeamSettings {
            max_chats_per_operator: 2,
        })
        .await
        .unwrap();
    assert_eq!(
        outline(&published(&events)),
        vec![
            ("changed", "v2".into(), Some(ada.id)),
            ("served", "v2".into(), None),
            ("queue", "v3".into(), None),
        ]
    );
    assert_eq!(assigned_to(&*store, "v3").await, None);
}

on_both_stores!(
    coming_online_takes_waiting_conversations,
    disabling_an_operator_hands_their_conversations_to_others,
    a_higher_maximum_hands_waiting_conversations_out,
);
