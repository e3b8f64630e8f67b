//! [`WebhookStore`](crate::store::WebhookStore) on both stores: endpoints, the deliveries
//! recorded with their causes, their order and their outcomes.

use crate::clock::now_millis;
use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::webhooks::{
    DISABLE_AFTER_MILLIS, DISABLED_FOR_FAILING, DeliveryOutcome, Response, WebhookInput,
};
use crate::store::*;
use beseda_protocol::webhooks::DeliveryStatus;
use beseda_protocol::{Author, ClientMessageId, ConversationStatus, VisitorId};
use std::sync::Arc;

fn input(url: &str, events: &[&str], enabled: bool) -> WebhookInput {
    WebhookInput {
        url: url.into(),
        events: events.iter().map(|event| (*event).to_owned()).collect(),
        enabled,
    }
}

fn from_visitor(visitor: &str, client_id: &str, text: &str) -> NewMessage {
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
        origin: None,
    }
}

async fn say(store: &Arc<dyn Store>, visitor: &str, client_id: &str, text: &str) -> Appended {
    store
        .append_message(
            from_visitor(visitor, client_id, text),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
}

/// The types of an endpoint's deliveries, oldest first.
async fn kinds(store: &Arc<dyn Store>, id: i64) -> Vec<String> {
    let mut deliveries = store.webhook_deliveries(id, 50).await.unwrap();
    deliveries.reverse();
    deliveries
        .into_iter()
        .map(|delivery| delivery.kind)
        .collect()
}

fn answered(status: u16) -> Response {
    Response {
        status: Some(status),
        millis: Some(12),
        snippet: Some("ok".into()),
    }
}

async fn endpoints_are_created_listed_changed_rotated_and_deleted(backend: Backend) {
    let (store, _) = open(backend).await;
    let created = store
        .create_webhook(
            input("https://crm.example/hook", &["message.created"], true),
            "whsec_one".into(),
        )
        .await
        .unwrap();
    assert_eq!(created.url, "https://crm.example/hook");
    assert_eq!(created.events, vec!["message.created".to_owned()]);
    assert!(created.enabled);
    assert_eq!(created.disabled_reason, None);
    assert_eq!(store.webhooks().await.unwrap(), vec![created.clone()]);

    let changed = store
        .update_webhook(
            created.id,
            input(
                "https://crm.example/other",
                &["conversation.created", "order.tracked"],
                false,
            ),
        )
        .await
        .unwrap();
    assert_eq!(changed.url, "https://crm.example/other");
    assert_eq!(changed.events.len(), 2);
    assert!(!changed.enabled);

    store
        .rotate_webhook_secret(created.id, "whsec_two".into(), now_millis())
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_webhook(9_999, input("https://x.example", &[], true))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .rotate_webhook_secret(9_999, "s".into(), now_millis())
            .await,
        Err(StoreError::NotFound)
    ));
    store.delete_webhook(created.id).await.unwrap();
    assert!(store.webhooks().await.unwrap().is_empty());
    assert!(matches!(
        store.delete_webhook(created.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.webhook_deliveries(created.id, 50).await,
        Err(StoreError::NotFound)
    ));
}

async fn each_cause_records_one_delivery_per_subscribed_enabled_endpoint(backend: Backend) {
    let (store, _) = open(backend).await;
    let everything = store
        .create_webhook(
            input(
                "https://a.example/",
                &[
                    "conversation.created",
                    "message.created",
                    "conversation.resolved",
                ],
                true,
            ),
            "a".into(),
        )
        .await
        .unwrap();
    let resolved_only = store
        .create_webhook(
            input("https://b.example/", &["conversation.resolved"], true),
            "b".into(),
        )
        .await
        .unwrap();
    let disabled = store
        .create_webhook(
            input("https://c.example/", &["message.created"], false),
            "c".into(),
        )
        .await
        .unwrap();
    let first = say(&store, "v1", "c1", "Hello").await;
    // A resend of the same client id is no new message.
    say(&store, "v1", "c1", "Hello").await;
    let conversation = first.message.conversation_id;
    assert_eq!(
        kinds(&store, everything.id).await,
        ["conversation.created", "message.created"]
    );
    assert!(kinds(&store, resolved_only.id).await.is_empty());
    assert!(kinds(&store, disabled.id).await.is_empty());

    // An internal note is never an event.
    let operator = store
        .add_operator("petr@shop.example", "Petr", "x", false)
        .await
        .unwrap();
    store
        .add_note(conversation, operator.id, "a private remark".into())
        .await
        .unwrap();
    assert_eq!(kinds(&store, everything.id).await.len(), 2);

    store
        .set_status(conversation, ConversationStatus::Resolved)
        .await
        .unwrap();
    assert_eq!(
        kinds(&store, everything.id).await,
        [
            "conversation.created",
            "message.created",
            "conversation.resolved"
        ]
    );
    assert_eq!(
        kinds(&store, resolved_only.id).await,
        ["conversation.resolved"]
    );

    // The body is the event's envelope, its id the delivery's event id; the conversation's
    // first event is delivered first.
    let now = now_millis() + 1_000;
    let due = store.webhook_due(now, 50).await.unwrap();
    let created = due
        .iter()
        .find(|delivery| delivery.webhook_id == everything.id)
        .unwrap();
    assert!(created.body.contains("\"conversation.created\""));
    store
        .webhook_attempted(created.id, DeliveryOutcome::Delivered(answered(200)), now)
        .await
        .unwrap();
    let due = store.webhook_due(now, 50).await.unwrap();
    let message = due
        .iter()
        .find(|delivery| delivery.body.contains("\"message.created\""))
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
    assert_eq!(body["id"], message.event_id.as_str());
    assert_eq!(body["type"], "message.created");
    assert_eq!(body["site"], "default");
    assert_eq!(body["data"]["text"], "Hello");
    assert_eq!(body["data"]["author"], "visitor");
    assert_eq!(body["data"]["conversationId"], conversation.0);
}

async fn a_conversations_later_event_waits_for_its_earlier_one(backend: Backend) {
    let (store, _) = open(backend).await;
    let hook = store
        .create_webhook(
            input("https://a.example/", &["message.created"], true),
            "a".into(),
        )
        .await
        .unwrap();
    say(&store, "v1", "c1", "one").await;
    say(&store, "v1", "c2", "two").await;
    say(&store, "v2", "c3", "other conversation").await;
    let now = now_millis() + 1_000;
    let due = store.webhook_due(now, 50).await.unwrap();
    let texts: Vec<bool> = due.iter().map(|d| d.body.contains("\"one\"")).collect();
    // The first of v1's and v2's only: "two" waits behind "one".
    assert_eq!(due.len(), 2, "{due:?}");
    assert!(texts.contains(&true));
    assert!(!due.iter().any(|delivery| delivery.body.contains("\"two\"")));
    let one = due.iter().find(|d| d.body.contains("\"one\"")).unwrap();

    // A retry later: still nothing of v1's is due before it.
    store
        .webhook_attempted(
            one.id,
            DeliveryOutcome::Retry {
                at: now + 60_000,
                response: answered(503),
            },
            now,
        )
        .await
        .unwrap();
    let due = store.webhook_due(now, 50).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].body.contains("other conversation"));
    assert!(store.next_webhook_due().await.unwrap().unwrap() <= now);

    let due = store.webhook_due(now + 60_000, 50).await.unwrap();
    let one = due.iter().find(|d| d.body.contains("\"one\"")).unwrap();
    assert_eq!(one.attempts, 1);
    store
        .webhook_attempted(one.id, DeliveryOutcome::Delivered(answered(200)), now)
        .await
        .unwrap();
    let due = store.webhook_due(now, 50).await.unwrap();
    assert!(due.iter().any(|delivery| delivery.body.contains("\"two\"")));

    let listed = store.webhook_deliveries(hook.id, 50).await.unwrap();
    let delivered = listed
        .iter()
        .find(|delivery| delivery.status == DeliveryStatus::Delivered)
        .unwrap();
    assert_eq!(delivered.attempts, 2);
    assert_eq!(delivered.response_status, Some(200));
    assert_eq!(delivered.response_ms, Some(12));
    assert_eq!(delivered.response_snippet.as_deref(), Some("ok"));
    assert!(delivered.last_attempt_at.is_some());
    // Newest first.
    assert!(listed.windows(2).all(|pair| pair[0].id > pair[1].id));
}

async fn an_endpoint_failing_for_a_day_is_disabled_and_enabling_clears_it(backend: Backend) {
    let (store, _) = open(backend).await;
    let hook = store
        .create_webhook(
            input("https://a.example/", &["message.created"], true),
            "a".into(),
        )
        .await
        .unwrap();
    say(&store, "v1", "c1", "one").await;
    say(&store, "v2", "c2", "two").await;
    let start = now_millis() + 1_000;
    let due = store.webhook_due(start, 50).await.unwrap();
    assert_eq!(due.len(), 2);
    let disabled = store
        .webhook_attempted(due[0].id, DeliveryOutcome::Failed(answered(410)), start)
        .await
        .unwrap();
    assert!(disabled.is_none());
    // A day later (a moved clock), the second fails too: the endpoint has failed for a day.
    let later = start + DISABLE_AFTER_MILLIS;
    let disabled = store
        .webhook_attempted(
            due[1].id,
            DeliveryOutcome::Retry {
                at: later + 1_000,
                response: answered(500),
            },
            later,
        )
        .await
        .unwrap()
        .expect("disabled");
    assert_eq!(disabled.id, hook.id);
    assert_eq!(disabled.url, "https://a.example/");
    let listed = store.webhooks().await.unwrap();
    assert!(!listed[0].enabled);
    assert_eq!(
        listed[0].disabled_reason.as_deref(),
        Some(DISABLED_FOR_FAILING)
    );
    // A disabled endpoint gets nothing, and no new events are recorded for it.
    assert!(
        store
            .webhook_due(later + 5_000, 50)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.next_webhook_due().await.unwrap(), None);
    say(&store, "v3", "c3", "three").await;
    assert_eq!(
        store.webhook_deliveries(hook.id, 50).await.unwrap().len(),
        2
    );

    let enabled = store
        .update_webhook(
            hook.id,
            input("https://a.example/", &["message.created"], true),
        )
        .await
        .unwrap();
    assert_eq!(enabled.disabled_reason, None);
    assert_eq!(store.webhook_due(later + 5_000, 50).await.unwrap().len(), 1);

    // The failed one, delivered again: the same event id, a new row.
    let failed = store
        .webhook_deliveries(hook.id, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|delivery| delivery.status == DeliveryStatus::Failed)
        .unwrap();
    store.redeliver_webhook(hook.id, failed.id).await.unwrap();
    let listed = store.webhook_deliveries(hook.id, 50).await.unwrap();
    assert_eq!(listed[0].event_id, failed.event_id);
    assert_eq!(listed[0].status, DeliveryStatus::Pending);
    assert!(matches!(
        store.redeliver_webhook(hook.id, 9_999).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_rotated_secret_signs_too_for_a_day(backend: Backend) {
    let (store, _) = open(backend).await;
    let hook = store
        .create_webhook(input("https://a.example/", &[], true), "old".into())
        .await
        .unwrap();
    let now = now_millis();
    store
        .rotate_webhook_secret(hook.id, "new".into(), now)
        .await
        .unwrap();
    store
        .queue_webhook_event(hook.id, "evt_1".into(), "webhook.test".into(), "{}".into())
        .await
        .unwrap();
    let due = store.webhook_due(now + 1_000, 50).await.unwrap();
    assert_eq!(due[0].secret, "new");
    assert_eq!(due[0].previous_secret.as_deref(), Some("old"));
    assert_eq!(due[0].event_id, "evt_1");
    let due = store
        .webhook_due(now + 25 * 60 * 60 * 1000, 50)
        .await
        .unwrap();
    assert_eq!(due[0].previous_secret, None);
    assert!(matches!(
        store
            .queue_webhook_event(9_999, "e".into(), "webhook.test".into(), "{}".into())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn each_change_of_assignee_is_told_once(backend: Backend) {
    let (store, _) = open(backend).await;
    let hook = store
        .create_webhook(
            input("https://a.example/", &["conversation.assigned"], true),
            "a".into(),
        )
        .await
        .unwrap();
    let petr = store
        .add_operator("petr@shop.example", "Petr", "x", false)
        .await
        .unwrap();
    let eva = store
        .add_operator("eva@shop.example", "Eva", "x", false)
        .await
        .unwrap();
    let conversation = say(&store, "v1", "c1", "Hello")
        .await
        .message
        .conversation_id;
    assert!(kinds(&store, hook.id).await.is_empty(), "nobody has it yet");
    store.join(conversation, petr.id).await.unwrap();
    assert_eq!(kinds(&store, hook.id).await, ["conversation.assigned"]);
    // Joining again, or another message, changes nobody: nothing more is told.
    store.join(conversation, petr.id).await.unwrap();
    say(&store, "v1", "c2", "Are you there?").await;
    assert_eq!(kinds(&store, hook.id).await.len(), 1);
    // A transfer is a new assignee.
    store.assign(conversation, eva.id).await.unwrap();
    assert_eq!(
        kinds(&store, hook.id).await,
        ["conversation.assigned", "conversation.assigned"]
    );
    let due = store.webhook_due(now_millis() + 1_000, 50).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&due[0].body).unwrap();
    assert_eq!(body["data"]["assignedTo"], petr.id.0);
}

on_both_stores!(
    endpoints_are_created_listed_changed_rotated_and_deleted,
    each_cause_records_one_delivery_per_subscribed_enabled_endpoint,
    a_conversations_later_event_waits_for_its_earlier_one,
    an_endpoint_failing_for_a_day_is_disabled_and_enabling_clears_it,
    a_rotated_secret_signs_too_for_a_day,
    each_change_of_assignee_is_told_once,
);
