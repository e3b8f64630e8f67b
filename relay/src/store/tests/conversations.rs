//! [`ConversationStore`](crate::store::ConversationStore) on both stores: a visitor's first
//! message creates the conversation, resends store nothing, messages are numbered without gaps,
//! resolving and reopening, and what a missing conversation answers.

use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, Seq, VisitorId,
};

pub(super) fn visitor_message(visitor: &str, client_id: &str, text: &str) -> NewMessage {
    NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: "default".into(),
            visitor_id: VisitorId(visitor.into()),
        },
        author: Author::Visitor,
        operator_id: None,
        client_id: Some(ClientMessageId(client_id.into())),
        text: text.into(),
        origin: Some(1),
    }
}

async fn first_visitor_message_creates_the_conversation_and_numbers_from_one(backend: Backend) {
    let (store, events) = open(backend).await;
    let first = store
        .append_message(
            visitor_message("v1", "a", "Dobrý den"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let second = store
        .append_message(
            visitor_message("v1", "b", "Máte XL?"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    assert_eq!((first.message.seq, second.message.seq), (Seq(1), Seq(2)));
    assert_eq!(
        first.message.conversation_id,
        second.message.conversation_id
    );
    let first_batch = events.recv().unwrap();
    assert!(matches!(first_batch[0], Event::ConversationChanged { .. }));
    assert!(matches!(
        first_batch[1],
        Event::MessageStored {
            duplicate: false,
            ..
        }
    ));
}

async fn resending_a_client_id_stores_nothing_new(backend: Backend) {
    let (store, _events) = open(backend).await;
    let first = store
        .append_message(
            visitor_message("v1", "same", "one"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let again = store
        .append_message(
            visitor_message("v1", "same", "one"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(first.message, again.message);
    let all = store
        .messages_after_seq(first.message.conversation_id, Seq(0))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

async fn visitors_get_separate_conversations(backend: Backend) {
    let (store, _events) = open(backend).await;
    let alice = store
        .append_message(
            visitor_message("alice", "a", "hi"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let bob = store
        .append_message(
            visitor_message("bob", "a", "hi"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    assert_ne!(alice.message.conversation_id, bob.message.conversation_id);
    assert!(
        !bob.duplicate,
        "the same client id from another visitor is a new message"
    );
}

async fn a_visitor_message_reopens_a_resolved_conversation(backend: Backend) {
    let (store, _events) = open(backend).await;
    let first = store
        .append_message(
            visitor_message("v1", "a", "hi"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let conversation_id = first.message.conversation_id;
    let resolved = store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();
    assert_eq!(resolved.status, ConversationStatus::Resolved);
    store
        .append_message(
            visitor_message("v1", "b", "one more thing"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let detail = store.conversation(conversation_id).await.unwrap();
    assert_eq!(detail.status, ConversationStatus::Open);
    assert_eq!(detail.messages.len(), 2);
}

async fn messages_after_seq_returns_only_the_missed_ones_in_order(backend: Backend) {
    let (store, _events) = open(backend).await;
    let mut conversation_id = None;
    for index in 0..5 {
        let appended = store
            .append_message(
                visitor_message("v1", &format!("m{index}"), "x"),
                VisitorDetails::default(),
                Notices::default(),
            )
            .await
            .unwrap();
        conversation_id = Some(appended.message.conversation_id);
    }
    let missed = store
        .messages_after_seq(conversation_id.unwrap(), Seq(2))
        .await
        .unwrap();
    let seqs: Vec<u64> = missed.iter().map(|message| message.seq.0).collect();
    assert_eq!(seqs, vec![3, 4, 5]);
}

async fn an_operator_message_to_a_missing_conversation_is_not_found(backend: Backend) {
    let (store, _events) = open(backend).await;
    let result = store
        .append_message(
            NewMessage {
                files: Vec::new(),
                target: MessageTarget::Conversation(ConversationId(404)),
                author: Author::Operator,
                operator_id: None,
                client_id: None,
                text: "hello".into(),
                origin: None,
            },
            VisitorDetails::default(),
            Notices::default(),
        )
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)));
}

on_both_stores!(
    first_visitor_message_creates_the_conversation_and_numbers_from_one,
    resending_a_client_id_stores_nothing_new,
    visitors_get_separate_conversations,
    a_visitor_message_reopens_a_resolved_conversation,
    messages_after_seq_returns_only_the_missed_ones_in_order,
    an_operator_message_to_a_missing_conversation_is_not_found,
);
