//! [`PrivacyStore`](crate::store::PrivacyStore) on both stores: the retention finds only
//! resolved conversations past their own site's time (the clock moved by asking with a later
//! `now`); an erase removes the conversation and tells of it; blocks and their addresses, and
//! the audit log's pages.

use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::privacy::AuditAction;
use beseda_protocol::{Author, ClientMessageId, ConversationId, ConversationStatus, VisitorId};
use std::sync::Arc;

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn write(store: &Arc<dyn Store>, site: &str, visitor: &str) -> ConversationId {
    let message = NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: site.into(),
            visitor_id: VisitorId(visitor.into()),
        },
        author: Author::Visitor,
        operator_id: None,
        client_id: Some(ClientMessageId(format!("{visitor}-1"))),
        text: format!("Hello from {visitor}"),
        origin: None,
    };
    store
        .append_message(message, VisitorDetails::default(), Notices::default())
        .await
        .unwrap()
        .message
        .conversation_id
}

fn audit(action: AuditAction, target: &str) -> AuditRecord {
    AuditRecord {
        operator: None,
        action,
        target: target.to_owned(),
        detail: String::new(),
    }
}

async fn the_retention_finds_resolved_conversations_past_their_sites_time(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("kept", "Kept").await.unwrap();
    store.ensure_site("month", "Month").await.unwrap();
    let kept = write(&store, "kept", "a").await;
    let resolved = write(&store, "month", "b").await;
    let open_one = write(&store, "month", "c").await;
    for id in [kept, resolved] {
        store
            .set_status(id, ConversationStatus::Resolved)
            .await
            .unwrap();
    }
    let mut month = store
        .sites()
        .await
        .unwrap()
        .into_iter()
        .find(|site| site.name == "month")
        .unwrap();
    month.retention_days = Some(30);
    store.update_site("month", month).await.unwrap();
    let now = crate::clock::now_millis();
    assert_eq!(store.expired(now, 10).await.unwrap(), vec![]);
    assert_eq!(store.expired(now + 29 * DAY, 10).await.unwrap(), vec![]);
    let due = store.expired(now + 31 * DAY, 10).await.unwrap();
    assert_eq!(
        due,
        vec![Expired {
            conversation_id: resolved,
            site: "month".into()
        }]
    );
    assert_eq!(store.expired(now + 31 * DAY, 0).await.unwrap(), vec![]);
    let _ = open_one;
}

async fn an_erase_removes_the_conversation_and_tells_of_it(backend: Backend) {
    let (store, events) = open(backend).await;
    let id = write(&store, "default", "v").await;
    while events.try_recv().is_ok() {}
    let erased = store
        .erase(
            vec![id, ConversationId(99_999)],
            audit(AuditAction::Erase, "conversation"),
        )
        .await
        .unwrap();
    assert_eq!(erased, 1);
    assert!(matches!(
        store.conversation(id).await,
        Err(StoreError::NotFound)
    ));
    let told = events.recv().unwrap();
    assert!(
        told.iter().any(|event| matches!(
            event,
            Event::ConversationErased { conversation_id, visitor_hash, .. }
                if conversation_id == &id
                    && *visitor_hash == privacy::visitor_hash(&VisitorId("v".into()))
        )),
        "{told:?}"
    );
    // The same visitor starts afresh.
    let again = write(&store, "default", "v").await;
    assert_eq!(
        store
            .messages_after_seq(again, beseda_protocol::Seq(0))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn blocks_and_their_addresses_hold_until_lifted(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", true)
        .await
        .unwrap();
    let id = write(&store, "default", "v").await;
    let now = crate::clock::now_millis();
    let block = store
        .block(id, ada.id, Some(now + DAY), Some([7; 32]))
        .await
        .unwrap();
    assert_eq!(block.blocked_by, "Ada");
    assert!(block.address_until.is_some());
    assert!(store.address_blocked([7; 32], now).await.unwrap());
    assert!(!store.address_blocked([7; 32], now + 2 * DAY).await.unwrap());
    assert!(!store.address_blocked([8; 32], now).await.unwrap());
    assert_eq!(store.blocks().await.unwrap(), vec![block]);
    // A blocked visitor's message is refused.
    let refused = store
        .append_message(
            NewMessage {
                files: Vec::new(),
                target: MessageTarget::Visitor {
                    site: "default".into(),
                    visitor_id: VisitorId("v".into()),
                },
                author: Author::Visitor,
                operator_id: None,
                client_id: Some(ClientMessageId("v-2".into())),
                text: "Again".into(),
                origin: None,
            },
            VisitorDetails::default(),
            Notices::default(),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Blocked)), "{refused:?}");
    assert!(store.unblock(id, ada.id).await.unwrap());
    assert!(!store.unblock(id, ada.id).await.unwrap());
    assert!(!store.address_blocked([7; 32], now).await.unwrap());
    assert_eq!(store.blocks().await.unwrap(), vec![]);
    assert!(matches!(
        store
            .block(ConversationId(99_999), ada.id, None, None)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn the_audit_log_pages_newest_first(backend: Backend) {
    let (store, _events) = open(backend).await;
    for index in 0..5 {
        store
            .record_audit(audit(AuditAction::Export, &format!("conversation {index}")))
            .await
            .unwrap();
    }
    let first = store.audit(None, 2).await.unwrap();
    let targets = |entries: &[beseda_protocol::privacy::AuditEntry]| {
        entries
            .iter()
            .map(|entry| entry.target.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(targets(&first), ["conversation 4", "conversation 3"]);
    let next = store.audit(Some(first[1].id), 10).await.unwrap();
    assert_eq!(
        targets(&next),
        ["conversation 2", "conversation 1", "conversation 0"]
    );
    assert_eq!(
        store
            .forget_deliveries(crate::clock::now_millis())
            .await
            .unwrap(),
        0
    );
}

on_both_stores!(
    the_retention_finds_resolved_conversations_past_their_sites_time,
    an_erase_removes_the_conversation_and_tells_of_it,
    blocks_and_their_addresses_hold_until_lifted,
    the_audit_log_pages_newest_first,
);
