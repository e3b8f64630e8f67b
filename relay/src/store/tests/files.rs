//! [`FileStore`](crate::store::FileStore) on both stores: a file is stored unattached and served
//! only once a message carries it; a message naming a missing file is not stored; a resend keeps
//! the first files; unattached files are dropped or swept; file names are searched.

use super::conversations::visitor_message;
use crate::store::files::{file_url, new_file_id};
use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::{FileRef, Seq, VisitorId};

fn new_file(name: &str, bytes: &[u8]) -> NewFile {
    NewFile {
        id: new_file_id(),
        name: name.into(),
        content_type: "application/pdf".into(),
        bytes: bytes.to_vec(),
        thumbnail: None,
        thumbnail_type: None,
        uploader: "visitor:v1".into(),
    }
}

fn reference(file: &NewFile) -> FileRef {
    FileRef {
        id: file.id.clone(),
        name: file.name.clone(),
        content_type: file.content_type.clone(),
        size: file.bytes.len() as u64,
        url: file_url(&file.id),
        thumbnail_url: None,
    }
}

fn with_files(mut message: NewMessage, files: &[&NewFile]) -> NewMessage {
    message.files = files.iter().map(|file| reference(file)).collect();
    message.text = String::new();
    message
}

async fn a_file_is_served_only_once_a_message_carries_it(backend: Backend) {
    let (store, _events) = open(backend).await;
    let file = new_file("faktura.pdf", b"%PDF-1.7 bytes");
    store.store_file(file.clone()).await.unwrap();
    assert!(
        store
            .file(file.id.clone(), FilePart::Original)
            .await
            .unwrap()
            .is_none()
    );
    let totals = store.file_totals().await.unwrap();
    assert_eq!((totals.attached, totals.unattached), (0, 1));

    let appended = store
        .append_message(
            with_files(visitor_message("v1", "a", ""), &[&file]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    assert_eq!(appended.message.files, vec![reference(&file)]);
    assert_eq!(appended.message.text, "");

    let served = store
        .file(file.id.clone(), FilePart::Original)
        .await
        .unwrap()
        .expect("an attached file is served");
    assert_eq!(served.bytes, file.bytes);
    assert_eq!(served.visitor_id, VisitorId("v1".into()));
    assert_eq!(served.conversation_id, appended.message.conversation_id);
    assert_eq!(served.name, "faktura.pdf");
    // No thumbnail was stored, so none is served.
    assert!(
        store
            .file(file.id.clone(), FilePart::Thumbnail)
            .await
            .unwrap()
            .is_none()
    );
    // Every read of the message carries its files.
    let missed = store
        .messages_after_seq(appended.message.conversation_id, Seq(0))
        .await
        .unwrap();
    assert_eq!(missed[0].files, vec![reference(&file)]);
    let detail = store
        .conversation(appended.message.conversation_id)
        .await
        .unwrap();
    assert_eq!(detail.messages[0].files, vec![reference(&file)]);
    let totals = store.file_totals().await.unwrap();
    assert_eq!((totals.attached, totals.unattached), (1, 0));
    assert_eq!(totals.bytes, file.bytes.len() as u64);
}

async fn a_message_naming_a_missing_file_is_not_stored(backend: Backend) {
    let (store, _events) = open(backend).await;
    let missing = new_file("missing.pdf", b"%PDF-");
    let result = store
        .append_message(
            with_files(visitor_message("v2", "a", ""), &[&missing]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    assert!(
        store
            .visitor_conversation("default", &VisitorId("v2".into()))
            .await
            .unwrap()
            .is_none()
    );
    // A file attached already cannot be carried by a second message either.
    let file = new_file("once.pdf", b"%PDF-");
    store.store_file(file.clone()).await.unwrap();
    store
        .append_message(
            with_files(visitor_message("v2", "b", ""), &[&file]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let again = store
        .append_message(
            with_files(visitor_message("v2", "c", ""), &[&file]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    let conversation = store
        .visitor_conversation("default", &VisitorId("v2".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conversation.message_count, 1);
}

async fn a_resend_keeps_the_first_files_and_unattached_ones_go(backend: Backend) {
    let (store, _events) = open(backend).await;
    let first = new_file("photo.pdf", b"%PDF-first");
    let second = new_file("photo.pdf", b"%PDF-second");
    store.store_file(first.clone()).await.unwrap();
    store.store_file(second.clone()).await.unwrap();
    let stored = store
        .append_message(
            with_files(visitor_message("v3", "same", ""), &[&first]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let resent = store
        .append_message(
            with_files(visitor_message("v3", "same", ""), &[&second]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    assert!(resent.duplicate);
    assert_eq!(resent.message, stored.message);
    assert_eq!(resent.message.files, vec![reference(&first)]);
    // Dropping both ids deletes only the unattached one.
    let dropped = store
        .drop_files(vec![first.id.clone(), second.id.clone()])
        .await
        .unwrap();
    assert_eq!(dropped, 1);
    assert!(
        store
            .file(first.id.clone(), FilePart::Original)
            .await
            .unwrap()
            .is_some()
    );
    // The sweep takes unattached files stored before its time, and nothing else.
    let orphan = new_file("orphan.pdf", b"%PDF-orphan");
    store.store_file(orphan).await.unwrap();
    assert_eq!(store.sweep_files(0).await.unwrap(), 0);
    let later = crate::clock::now_millis() + 1000;
    assert_eq!(store.sweep_files(later).await.unwrap(), 1);
    let totals = store.file_totals().await.unwrap();
    assert_eq!((totals.attached, totals.unattached), (1, 0));
}

async fn file_names_are_searched(backend: Backend) {
    let (store, _events) = open(backend).await;
    let file = new_file("reklamace-bota.pdf", b"%PDF-");
    store.store_file(file.clone()).await.unwrap();
    let appended = store
        .append_message(
            with_files(visitor_message("v4", "a", ""), &[&file]),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let hits = store
        .history(HistoryFilter {
            words: Some(vec!["reklamace".into()]),
            limit: 10,
            ..HistoryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].summary.id, appended.message.conversation_id);
}

on_both_stores!(
    a_file_is_served_only_once_a_message_carries_it,
    a_message_naming_a_missing_file_is_not_stored,
    a_resend_keeps_the_first_files_and_unattached_ones_go,
    file_names_are_searched,
);
