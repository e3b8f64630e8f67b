//! Webhooks end to end: a receiver on 127.0.0.1 gets every event the real flow causes, signed,
//! in order per conversation, none lost while it is down or while the relay is killed; private
//! destinations are refused without `--webhook-allow-private`; rotation, the test event and
//! redelivery.

use beseda_tests::http::{assert_refused, get, post_json, put_json, request_with};
use beseda_tests::receiver::{Mode, Receiver, check_delivery, post, register, track_order};
use beseda_tests::workflow::{until_ack, visitor_writes};
use beseda_tests::{Client, JANA, PATIENCE, PETR, RelayProcess, TestRelay, prepare_database};
use serde_json::{Value, json};
use std::collections::HashSet;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const ALL_EVENTS: [&str; 8] = [
    "conversation.created",
    "conversation.assigned",
    "conversation.resolved",
    "conversation.reopened",
    "conversation.rated",
    "message.created",
    "contact.submitted",
    "order.tracked",
];

async fn allowing_private() -> TestRelay {
    TestRelay::start_with(|config| config.webhook_allow_private = true).await
}

#[tokio::test]
async fn every_event_of_the_real_flow_arrives_signed_and_in_order_and_notes_never_do() {
    let relay = allowing_private().await;
    let mut receiver = Receiver::start().await;
    let jana = relay.login(JANA).await;
    let (_, secret) = register(relay.addr, &jana, &receiver.url(), &ALL_EVENTS).await;

    // The contact form, while nobody is online.
    let (mut contact, _) = Client::visitor_with(relay.addr, json!({})).await;
    contact
        .send(json!({ "type": "contact", "clientId": "c1", "email": "eva@example.com", "text": "Do you ship to Slovakia?" }))
        .await;
    until_ack(&mut contact, "c1").await;

    // A visitor writes over the socket; Jana joins, answers over her socket and over REST,
    // writes a note, resolves; the visitor rates, then writes again.
    let mut visitor = visitor_writes(&relay, json!({}), "Hello from the widget").await;
    let id = visitor.conversation_id;
    let joined = post(
        relay.addr,
        &format!("/api/conversations/{id}/join"),
        &jana,
        json!({}),
    )
    .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let (mut console, _) = relay.operator(&jana).await;
    console.reply(id, "o1", "Answer over the console").await;
    until_ack(&mut console, "o1").await;
    let rest = post(
        relay.addr,
        &format!("/api/conversations/{id}/messages"),
        &jana,
        json!({ "text": "Answer over REST" }),
    )
    .await;
    assert_eq!(rest.status, 201, "{}", rest.body);
    let note = post(
        relay.addr,
        &format!("/api/conversations/{id}/notes"),
        &jana,
        json!({ "text": "internal remark nobody outside sees" }),
    )
    .await;
    assert_eq!(note.status, 201, "{}", note.body);
    let resolved = post(
        relay.addr,
        &format!("/api/conversations/{id}/resolve"),
        &jana,
        json!({}),
    )
    .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    visitor
        .client
        .recv_until(|frame| frame["type"] == "status" && frame["status"] == "resolved")
        .await;
    visitor
        .client
        .send(json!({ "type": "rate", "rating": "satisfied", "comment": "Quick" }))
        .await;
    visitor.client.recv_until_type("rated").await;
    visitor.client.say("again", "One more question").await;
    until_ack(&mut visitor.client, "again").await;
    track_order(relay.addr, &jana, 1234.5).await;

    // Every type arrives; the conversation's events in the order they happened.
    let mut seen: Vec<Value> = Vec::new();
    let complete = |seen: &[Value]| {
        let texts: HashSet<&str> = seen
            .iter()
            .filter(|event| event["type"] == "message.created")
            .filter_map(|event| event["data"]["text"].as_str())
            .collect();
        ALL_EVENTS
            .iter()
            .all(|kind| seen.iter().any(|event| event["type"] == *kind))
            && [
                "Hello from the widget",
                "Answer over the console",
                "Answer over REST",
                "One more question",
                "Do you ship to Slovakia?",
            ]
            .iter()
            .all(|text| texts.contains(text))
            && seen
                .iter()
                .any(|event| event["type"] == "conversation.reopened")
    };
    while !complete(&seen) {
        let delivery = receiver.next().await;
        seen.push(check_delivery(&delivery, &secret));
    }
    assert!(
        seen.iter()
            .all(|event| !event.to_string().contains("internal remark")),
        "a note went out: {seen:?}"
    );
    let of_conversation: Vec<String> = seen
        .iter()
        .filter(|event| {
            event["data"]["conversationId"] == id
                || (event["type"].as_str().unwrap().starts_with("conversation.")
                    && event["data"]["id"] == id)
        })
        .map(|event| {
            let kind = event["type"].as_str().unwrap();
            match event["data"]["text"].as_str() {
                Some(text) if kind == "message.created" => format!("{kind}:{text}"),
                _ => kind.to_owned(),
            }
        })
        .collect();
    let position = |wanted: &str| {
        of_conversation
            .iter()
            .position(|kind| kind == wanted)
            .unwrap_or_else(|| panic!("{wanted} missing from {of_conversation:?}"))
    };
    let order = [
        "conversation.created",
        "message.created:Hello from the widget",
        "conversation.assigned",
        "message.created:Answer over the console",
        "message.created:Answer over REST",
        "conversation.resolved",
        "conversation.reopened",
        "message.created:One more question",
    ];
    for pair in order.windows(2) {
        assert!(
            position(pair[0]) < position(pair[1]),
            "{} before {}: {of_conversation:?}",
            pair[0],
            pair[1]
        );
    }
    // The rating is looked up by the visitor: it is about this conversation too.
    let rated = seen
        .iter()
        .find(|event| event["type"] == "conversation.rated")
        .unwrap();
    assert_eq!(rated["data"]["rating"], "satisfied");
    assert_eq!(rated["data"]["conversationId"], id, "{rated}");
    assert_events_match_the_document(&relay, &seen).await;
    assert_eq!(rated["data"]["comment"], "Quick");
    assert_eq!(rated["site"], "default");
    let contact = seen
        .iter()
        .find(|event| event["type"] == "contact.submitted")
        .unwrap();
    assert_eq!(contact["data"]["email"], "eva@example.com");
    assert_eq!(contact["data"]["text"], "Do you ship to Slovakia?");
    let order = seen
        .iter()
        .find(|event| event["type"] == "order.tracked")
        .unwrap();
    assert_eq!(order["data"]["total"], 1234.5);
    assert_eq!(order["data"]["variant"], 0);
    let assigned = seen
        .iter()
        .find(|event| event["type"] == "conversation.assigned")
        .unwrap();
    assert!(assigned["data"]["assignedTo"].is_i64(), "{assigned}");
    let ids: HashSet<&str> = seen
        .iter()
        .map(|event| event["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        seen.len(),
        "each event once while the receiver is up"
    );
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_every_event_in_order() {
    let relay = allowing_private().await;
    let mut receiver = Receiver::start().await;
    receiver.set_mode(Mode::Drop);
    let jana = relay.login(JANA).await;
    let (hook, secret) = register(
        relay.addr,
        &jana,
        &receiver.url(),
        &["conversation.created", "message.created"],
    )
    .await;
    let (mut visitor, _) = Client::visitor_with(relay.addr, json!({})).await;
    let texts: Vec<String> = (1..=5).map(|n| format!("message {n}")).collect();
    for (n, text) in texts.iter().enumerate() {
        let client_id = format!("m{n}");
        visitor.say(&client_id, text).await;
        until_ack(&mut visitor, &client_id).await;
    }
    // Two refused attempts (the first and its retry), then the receiver comes back; the
    // receiver's 503 is a passing failure too.
    assert!(!receiver.next().await.accepted);
    receiver.set_mode(Mode::Unavailable);
    assert!(!receiver.next().await.accepted);
    receiver.set_mode(Mode::Ok);
    let mut arrived: Vec<Value> = Vec::new();
    while arrived.len() < 6 {
        let delivery = receiver.next_accepted().await;
        arrived.push(check_delivery(&delivery, &secret));
    }
    assert_eq!(arrived[0]["type"], "conversation.created");
    let received: Vec<&str> = arrived[1..]
        .iter()
        .map(|event| event["data"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(received, texts, "every message, in order, none missing");

    let deliveries = get(
        relay.addr,
        &format!("/api/webhooks/{hook}/deliveries"),
        Some(&jana),
    )
    .await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.body);
    let first = deliveries
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|delivery| delivery["type"] == "conversation.created")
        .cloned()
        .unwrap();
    assert!(first["attempts"].as_u64().unwrap() >= 3, "{first}");
}

#[tokio::test]
async fn an_event_committed_before_a_sigkill_is_delivered_after_the_restart() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let mut receiver = Receiver::start().await;
    receiver.set_mode(Mode::Drop);
    let relay = RelayProcess::start(RELAY, &db, &["--webhook-allow-private"]);
    let signin = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": JANA.0, "password": JANA.1 }),
    )
    .await;
    let jana = signin.json()["token"].as_str().unwrap().to_owned();
    let (_, secret) = register(relay.addr, &jana, &receiver.url(), &["message.created"]).await;
    let (mut visitor, _) = Client::visitor_with(relay.addr, json!({})).await;
    visitor.say("k1", "Written just before the crash").await;
    until_ack(&mut visitor, "k1").await;
    let refused = receiver.next().await;
    assert!(!refused.accepted);
    relay.kill();

    receiver.set_mode(Mode::Ok);
    let relay = RelayProcess::start(RELAY, &db, &["--webhook-allow-private"]);
    let delivered = receiver.next_accepted().await;
    let body = check_delivery(&delivered, &secret);
    assert_eq!(body["data"]["text"], "Written just before the crash");
    assert_eq!(
        body["id"],
        refused.json()["id"],
        "the same event id across attempts"
    );
    relay.kill();
}

#[tokio::test]
async fn private_destinations_unknown_events_and_non_admins_are_refused() {
    let relay = TestRelay::start().await;
    let receiver = Receiver::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    for (url, what) in [
        (receiver.url(), "loopback"),
        (
            "http://localhost/hooks".to_owned(),
            "a name of a loopback address",
        ),
        ("http://10.1.2.3/hooks".to_owned(), "RFC 1918"),
        ("http://169.254.169.254/latest".to_owned(), "link-local"),
        ("http://100.64.0.1/".to_owned(), "CGNAT"),
        ("http://[::1]/".to_owned(), "IPv6 loopback"),
        ("ftp://crm.example/hooks".to_owned(), "not http(s)"),
        (
            format!("https://crm.example/{}", "a".repeat(2_000)),
            "too long",
        ),
    ] {
        let response = post(
            relay.addr,
            "/api/webhooks",
            &jana,
            json!({ "url": url, "events": ["message.created"], "enabled": true }),
        )
        .await;
        assert_refused(&response, 400, "bad_request", what);
    }
    let unknown = post(
        relay.addr,
        "/api/webhooks",
        &jana,
        json!({ "url": "https://93.184.216.34/hooks", "events": ["message.deleted"], "enabled": true }),
    )
    .await;
    assert_refused(&unknown, 400, "bad_request", "an unknown event");
    let by_petr = post(
        relay.addr,
        "/api/webhooks",
        &petr,
        json!({ "url": "https://93.184.216.34/hooks", "events": [], "enabled": true }),
    )
    .await;
    assert_eq!(by_petr.status, 403, "{}", by_petr.body);
    assert_eq!(
        get(relay.addr, "/api/webhooks", Some(&petr)).await.status,
        403
    );
    let listed = get(relay.addr, "/api/webhooks", Some(&jana)).await;
    assert_eq!(listed.json(), json!([]), "nothing refused was stored");
    let missing = put_json(
        relay.addr,
        "/api/webhooks/999",
        Some(&jana),
        &json!({ "url": "https://93.184.216.34/hooks", "events": [], "enabled": true }),
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let missing = post(relay.addr, "/api/webhooks/999/test", &jana, json!({})).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_and_test_events_can_be_redelivered() {
    let relay = allowing_private().await;
    let mut receiver = Receiver::start().await;
    let jana = relay.login(JANA).await;
    let (hook, old_secret) = register(relay.addr, &jana, &receiver.url(), &[]).await;
    let rotated = post(
        relay.addr,
        &format!("/api/webhooks/{hook}/rotate"),
        &jana,
        json!({}),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);

    let tested = post(
        relay.addr,
        &format!("/api/webhooks/{hook}/test"),
        &jana,
        json!({}),
    )
    .await;
    assert_eq!(tested.status, 202, "{}", tested.body);
    let event_id = tested.json()["eventId"].as_str().unwrap().to_owned();
    let delivery = receiver.next().await;
    let body = check_delivery(&delivery, &new_secret);
    assert!(
        delivery.signed_by(&old_secret),
        "the old secret signs for a day more"
    );
    assert_eq!(delivery.signature().1.len(), 2);
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["id"], event_id.as_str());

    // Its record: delivered, with the receiver's answer.
    let path = format!("/api/webhooks/{hook}/deliveries");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let recorded = loop {
        let listed = get(relay.addr, &path, Some(&jana)).await.json();
        let first = listed[0].clone();
        if first["status"] == "delivered" {
            break first;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never recorded: {listed}"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(recorded["eventId"], event_id.as_str());
    assert_eq!(recorded["responseStatus"], 200);
    assert_eq!(recorded["responseSnippet"], "received");
    assert_eq!(recorded["attempts"], 1);

    let delivery_id = recorded["id"].as_i64().unwrap();
    let again = request_with(
        relay.addr,
        "POST",
        &format!("/api/webhooks/{hook}/deliveries/{delivery_id}/redeliver"),
        Some(&jana),
        &[],
        None,
    )
    .await;
    assert_eq!(again.status, 202, "{}", again.body);
    let redelivered = receiver.next().await;
    assert_eq!(
        check_delivery(&redelivered, &new_secret)["id"],
        event_id.as_str()
    );
    let unknown = request_with(
        relay.addr,
        "POST",
        &format!("/api/webhooks/{hook}/deliveries/99999/redeliver"),
        Some(&jana),
        &[],
        None,
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    // Deleted: gone from the list, its deliveries with it.
    let deleted = request_with(
        relay.addr,
        "DELETE",
        &format!("/api/webhooks/{hook}"),
        Some(&jana),
        &[],
        None,
    )
    .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(get(relay.addr, &path, Some(&jana)).await.status, 404);
}

/// Each delivered event has the envelope and, for its type, the data the OpenAPI document
/// describes: every required field and none it does not name.
async fn assert_events_match_the_document(relay: &TestRelay, events: &[Value]) {
    let document = get(relay.addr, "/api/openapi.json", None).await.json();
    let schemas = &document["components"]["schemas"];
    let fields = |schema: &Value| -> (HashSet<String>, HashSet<String>) {
        let named = schema["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        let required = schema["required"]
            .as_array()
            .map(|required| {
                required
                    .iter()
                    .map(|name| name.as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        (named, required)
    };
    let keys =
        |value: &Value| -> HashSet<String> { value.as_object().unwrap().keys().cloned().collect() };
    let (envelope, _) = fields(&schemas["WebhookPayload"]);
    for event in events {
        assert_eq!(keys(event), envelope, "the envelope of {event}");
        let schema = match event["type"].as_str().unwrap() {
            "message.created" => "MessageCreatedData",
            "conversation.created"
            | "conversation.assigned"
            | "conversation.resolved"
            | "conversation.reopened" => "ConversationEventData",
            "conversation.rated" => "RatedData",
            "contact.submitted" => "ContactData",
            "order.tracked" => "OrderData",
            other => panic!("an event of an undocumented type: {other}"),
        };
        let (named, required) = fields(&schemas[schema]);
        let present = keys(&event["data"]);
        assert!(
            present.is_subset(&named),
            "{schema} does not name {:?}: {event}",
            present.difference(&named).collect::<Vec<_>>()
        );
        let non_null: HashSet<String> = present
            .iter()
            .filter(|key| !event["data"][key.as_str()].is_null())
            .cloned()
            .collect();
        assert!(
            required.is_subset(&present)
                && required.iter().all(|key| {
                    // A required field may be null only where the document allows it.
                    non_null.contains(key)
                        || schemas[schema]["properties"][key]["type"]
                            .as_array()
                            .is_some()
                }),
            "{schema} requires {required:?}: {event}"
        );
    }
}
