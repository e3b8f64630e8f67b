//! The store's tests, on an in-memory database (and one file, for reopening).

use crate::store::*;
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, Seq, VisitorId,
};
use std::sync::mpsc as std_mpsc;

fn memory_store() -> (SqliteStore, std_mpsc::Receiver<Vec<Event>>) {
    let (events_sender, events) = std_mpsc::channel();
    let store = SqliteStore::open(
        Location::Memory,
        Box::new(move |batch| {
            let _ = events_sender.send(batch);
        }),
    )
    .unwrap();
    (store, events)
}

fn visitor_message(visitor: &str, client_id: &str, text: &str) -> NewMessage {
    NewMessage {
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn first_visitor_message_creates_the_conversation_and_numbers_from_one() {
    runtime().block_on(async {
        let (store, events) = memory_store();
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
    });
}

#[test]
fn resending_a_client_id_stores_nothing_new() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
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
    });
}

#[test]
fn visitors_get_separate_conversations() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
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
    });
}

#[test]
fn a_visitor_message_reopens_a_resolved_conversation() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
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
    });
}

#[test]
fn messages_after_seq_returns_only_the_missed_ones_in_order() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
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
    });
}

#[test]
fn a_failing_write_leaves_the_rest_of_its_batch_committed() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
        let profile = store
            .add_operator("jana@shop.example", "Jana", "hash", false)
            .await
            .unwrap();
        let duplicate = store.add_operator("JANA@shop.example", "Jana", "hash", false);
        let other = store.add_operator("petr@shop.example", "Petr", "hash", true);
        let (duplicate, other) = tokio::join!(duplicate, other);
        assert!(matches!(duplicate, Err(StoreError::EmailTaken(_))));
        assert!(other.unwrap().admin);
        assert_eq!(store.operator_count().await.unwrap(), 2);
        assert_eq!(profile.name, "Jana");
    });
}

#[test]
fn an_operator_message_to_a_missing_conversation_is_not_found() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
        let result = store
            .append_message(
                NewMessage {
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
    });
}

#[test]
fn sessions_expire() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
        let profile = store
            .add_operator("a@b.c", "A", "hash", false)
            .await
            .unwrap();
        store
            .create_session([1; 32], profile.id, crate::clock::now_millis() + 60_000)
            .await
            .unwrap();
        store
            .create_session([2; 32], profile.id, crate::clock::now_millis() - 1)
            .await
            .unwrap();
        let long_ago = crate::clock::now_millis() - 60_000;
        let session = store.session_operator([1; 32], long_ago).await.unwrap();
        assert_eq!(session.map(|session| session.operator), Some(profile));
        assert_eq!(
            store.session_operator([2; 32], long_ago).await.unwrap(),
            None
        );
        assert_eq!(
            store.session_operator([3; 32], long_ago).await.unwrap(),
            None
        );
    });
}

#[test]
fn a_setting_is_created_once() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
        let first = store
            .setting_or_insert("secret", vec![1, 2, 3])
            .await
            .unwrap();
        let second = store.setting_or_insert("secret", vec![9]).await.unwrap();
        assert_eq!(first, vec![1, 2, 3]);
        assert_eq!(second, first);
    });
}

#[test]
fn reopening_a_file_keeps_committed_messages() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("beseda.db");
    runtime().block_on(async {
        let store = SqliteStore::open(Location::File(path.clone()), Box::new(|_| {})).unwrap();
        store
            .append_message(
                visitor_message("v1", "a", "kept"),
                VisitorDetails::default(),
                Notices::default(),
            )
            .await
            .unwrap();
        store.close();
        let store = SqliteStore::open(Location::File(path.clone()), Box::new(|_| {})).unwrap();
        let conversation = store
            .visitor_conversation("default", &VisitorId("v1".into()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(conversation.last_message.unwrap().text, "kept");
    });
}

/// Regression: when a job's savepoint could not be released, its writes were rolled back (or
/// left in doubt) but its caller was told `Ok`. The job here releases its own savepoint early, so
/// that the writer's release fails; the caller must hear of it, and nothing of the job may stay.
#[test]
fn a_savepoint_that_cannot_be_released_fails_its_caller_and_keeps_nothing() {
    runtime().block_on(async {
        let (store, _events) = memory_store();
        let outcome = store
            .write(|connection, _events| {
                connection.execute(
                    "INSERT INTO sites (name, title, created_at) VALUES ('released', 'Released', 0)",
                    [],
                )?;
                connection.execute_batch("RELEASE _rusqlite_sp")?;
                Ok(())
            })
            .await;
        assert!(outcome.is_err(), "the caller was told {outcome:?}");
        assert_eq!(store.site_title("released").await.unwrap(), None);
        // The writer goes on: the next write commits.
        assert!(store.ensure_site("after", "After").await.unwrap());
        assert_eq!(
            store.site_title("after").await.unwrap().as_deref(),
            Some("After")
        );
    });
}

mod on_both {
    use crate::store::test_stores::{Backend, on_both_stores, open};

    async fn settings_keep_their_first_value(backend: Backend) {
        let (store, _events) = open(backend).await;
        let first = store.setting_or_insert("secret", vec![1, 2]).await.unwrap();
        let second = store.setting_or_insert("secret", vec![3]).await.unwrap();
        assert_eq!(first, vec![1, 2]);
        assert_eq!(second, vec![1, 2]);
        assert!(store.ensure_site("eshop", "E-shop").await.unwrap());
        assert!(!store.ensure_site("eshop", "Other").await.unwrap());
        assert_eq!(
            store.site_title("eshop").await.unwrap().as_deref(),
            Some("E-shop")
        );
        assert_eq!(store.site_title("none").await.unwrap(), None);
    }

    on_both_stores!(settings_keep_their_first_value);
}
