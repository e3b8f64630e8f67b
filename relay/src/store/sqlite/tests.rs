//! The store's tests, on an in-memory database (and one file, for reopening).

use crate::store::*;
use beseda_protocol::{Author, ClientMessageId, VisitorId};
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
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

/// Regression (issue 20): a message written while the database was full was answered
/// `internal` and thrown away by the widget; a full disk is an outage the client waits out.
#[test]
fn a_full_database_is_an_outage_not_an_internal_error() {
    use crate::store::{ErrorKind, StoreError};
    let connection = rusqlite::Connection::open_in_memory().unwrap();
    connection
        .execute_batch("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 3;")
        .unwrap();
    let error = connection
        .execute("INSERT INTO t VALUES (zeroblob(100000))", [])
        .unwrap_err();
    let error = StoreError::from(error);
    assert!(
        matches!(
            error,
            StoreError::Unavailable(crate::store::Outage::DiskFull, _)
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    let other = StoreError::from(
        connection
            .execute("INSERT INTO nowhere VALUES (1)", [])
            .unwrap_err(),
    );
    assert_eq!(other.kind(), ErrorKind::Internal);
}
