//! Conversations end to end over real sockets: visitor → operator → reply, isolation between
//! visitors, resume after reconnecting, idempotent resends, tabs, typing and availability.

use beseda_tests::http::{get, post_json, put_json};
use beseda_tests::{Client, JANA, METRICS_TOKEN, PETR, TestRelay};
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn a_visitor_message_reaches_the_operator_and_replies_come_back() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut console, welcome) = relay.operator(&token).await;
    assert_eq!(welcome["operator"]["name"], "Jana");

    let (mut visitor, welcome) = relay.visitor().await;
    assert!(welcome["token"].as_str().unwrap().starts_with("v1."));
    assert_eq!(welcome["missed"], json!([]));
    assert!(
        welcome.get("conversation").is_none(),
        "no conversation before the first message"
    );

    visitor.say("m1", "Dobrý den, máte tuto bundu v XL?").await;
    let ack = visitor.recv_type("ack").await;
    assert_eq!(ack["clientId"], "m1");
    assert_eq!(ack["message"]["seq"], 1);
    assert_eq!(ack["message"]["author"], "visitor");
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();

    let created = console.recv_type("conversation").await;
    assert_eq!(created["conversation"]["id"], conversation_id);
    assert_eq!(created["conversation"]["status"], "open");
    let delivered = console.recv_type("message").await;
    assert_eq!(delivered["message"], ack["message"]);

    // A reply over REST reaches the visitor and every console.
    let path = format!("/api/conversations/{conversation_id}/messages");
    let response = post_json(
        relay.addr,
        &path,
        Some(&token),
        &json!({ "text": "Ano, XL máme skladem." }),
    )
    .await;
    assert_eq!(response.status, 201);
    let stored = response.json();
    assert_eq!(stored["author"], "operator");
    assert_eq!(stored["authorName"], "Jana");
    assert_eq!(stored["seq"], 2);
    assert_eq!(visitor.recv_type("message").await["message"], stored);
    assert_eq!(console.recv_type("message").await["message"], stored);

    // A reply over the console socket is acknowledged to that socket and delivered to the visitor.
    console
        .reply(conversation_id, "r2", "Pošlu vám odkaz.")
        .await;
    let ack = console.recv_type("ack").await;
    assert_eq!(ack["clientId"], "r2");
    assert_eq!(ack["message"]["seq"], 3);
    assert_eq!(
        visitor.recv_type("message").await["message"],
        ack["message"]
    );

    // The REST views agree.
    let list = get(relay.addr, "/api/conversations?status=open", Some(&token))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["lastMessage"]["text"], "Pošlu vám odkaz.");
    assert_eq!(list[0]["messageCount"], 3);
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(&token),
    )
    .await
    .json();
    let texts: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Dobrý den, máte tuto bundu v XL?",
            "Ano, XL máme skladem.",
            "Pošlu vám odkaz."
        ]
    );
    relay.stop().await;
}

#[tokio::test]
async fn two_visitors_cannot_read_each_other() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut alice, alice_welcome) = relay.visitor().await;
    let (mut bob, bob_welcome) = relay.visitor().await;
    assert_ne!(alice_welcome["token"], bob_welcome["token"]);

    alice.say("a1", "alice's secret").await;
    let alice_conversation = alice.recv_type("ack").await["message"]["conversationId"]
        .as_i64()
        .unwrap();
    bob.say("b1", "bob's secret").await;
    let bob_conversation = bob.recv_type("ack").await["message"]["conversationId"]
        .as_i64()
        .unwrap();
    assert_ne!(alice_conversation, bob_conversation);

    // The operator answers Bob; the next thing Alice hears must be her own reply, not Bob's.
    post_json(
        relay.addr,
        &format!("/api/conversations/{bob_conversation}/messages"),
        Some(&token),
        &json!({ "text": "for bob" }),
    )
    .await;
    post_json(
        relay.addr,
        &format!("/api/conversations/{alice_conversation}/messages"),
        Some(&token),
        &json!({ "text": "for alice" }),
    )
    .await;
    assert_eq!(
        alice.recv_type("message").await["message"]["text"],
        "for alice"
    );
    assert_eq!(bob.recv_type("message").await["message"]["text"], "for bob");

    // Alice's token opens Alice's history only.
    let (_, again) = Client::visitor(relay.addr, alice_welcome["token"].as_str(), Some(0)).await;
    let texts: Vec<&str> = again["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["alice's secret", "for alice"]);

    // A token pieced together from Bob's id and Alice's signature is refused.
    let alice_token = alice_welcome["token"].as_str().unwrap();
    let bob_token = bob_welcome["token"].as_str().unwrap();
    let forged = format!(
        "v1.{}.{}",
        bob_token.split('.').nth(1).unwrap(),
        alice_token.split('.').nth(2).unwrap()
    );
    let mut intruder = Client::connect(relay.addr, "/ws/visitor", None)
        .await
        .unwrap();
    intruder
        .send(json!({ "type": "hello", "version": 1, "token": forged }))
        .await;
    let ending = intruder.ending().await;
    assert_eq!(ending.error_code().as_deref(), Some("invalid_token"));
    assert_eq!(ending.code(), Some(1008));
    relay.stop().await;
}

#[tokio::test]
async fn a_reconnecting_visitor_gets_exactly_what_it_missed_in_order() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, welcome) = relay.visitor().await;
    let visitor_token = welcome["token"].as_str().unwrap().to_owned();
    for index in 1..=3 {
        visitor
            .say(&format!("m{index}"), &format!("message {index}"))
            .await;
        assert_eq!(visitor.recv_type("ack").await["message"]["seq"], index);
    }
    let conversation_id = {
        let list = get(relay.addr, "/api/conversations", Some(&token))
            .await
            .json();
        list[0]["id"].as_i64().unwrap()
    };
    visitor.close().await;

    // While the visitor is away, the operator answers twice.
    for text in ["reply 4", "reply 5"] {
        let response = post_json(
            relay.addr,
            &format!("/api/conversations/{conversation_id}/messages"),
            Some(&token),
            &json!({ "text": text }),
        )
        .await;
        assert_eq!(response.status, 201);
    }

    let (mut visitor, welcome) = Client::visitor(relay.addr, Some(&visitor_token), Some(3)).await;
    assert_eq!(
        welcome["token"],
        visitor_token.as_str(),
        "the same visitor keeps the same token"
    );
    let seqs: Vec<i64> = welcome["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [4, 5]);
    assert_eq!(welcome["conversation"]["lastSeq"], 5);

    // And the live stream continues after the resume point without repeating anything.
    post_json(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/messages"),
        Some(&token),
        &json!({ "text": "reply 6" }),
    )
    .await;
    assert_eq!(visitor.recv_type("message").await["message"]["seq"], 6);

    // Without lastSeq the whole history comes.
    let (_, fresh) = Client::visitor(relay.addr, Some(&visitor_token), None).await;
    assert_eq!(fresh["missed"].as_array().unwrap().len(), 6);
    relay.stop().await;
}

#[tokio::test]
async fn resending_a_client_id_is_acknowledged_again_but_stored_once() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut console, _) = relay.operator(&token).await;
    let (mut visitor, welcome) = relay.visitor().await;

    visitor.say("same-id", "only once").await;
    let first = visitor.recv_type("ack").await;
    visitor.say("same-id", "only once").await;
    let second = visitor.recv_type("ack").await;
    assert_eq!(first["message"], second["message"]);

    // After a reconnect the widget resends what it never saw acknowledged: still one copy.
    visitor.close().await;
    let (mut visitor, _) = Client::visitor(relay.addr, welcome["token"].as_str(), Some(1)).await;
    visitor.say("same-id", "only once").await;
    assert_eq!(visitor.recv_type("ack").await["message"], first["message"]);
    visitor.say("next-id", "second message").await;
    assert_eq!(visitor.recv_type("ack").await["message"]["seq"], 2);

    // The console saw the conversation, the message once, then the second message.
    console.recv_type("conversation").await;
    assert_eq!(
        console.recv_type("message").await["message"]["clientId"],
        "same-id"
    );
    assert_eq!(
        console.recv_type("message").await["message"]["clientId"],
        "next-id"
    );

    // REST resends with a clientId are idempotent too: 201 the first time, 200 after.
    let conversation_id = first["message"]["conversationId"].as_i64().unwrap();
    let path = format!("/api/conversations/{conversation_id}/messages");
    let body = json!({ "text": "reply", "clientId": "rest-1" });
    let created = post_json(relay.addr, &path, Some(&token), &body).await;
    let repeated = post_json(relay.addr, &path, Some(&token), &body).await;
    assert_eq!((created.status, repeated.status), (201, 200));
    assert_eq!(created.json(), repeated.json());
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(detail["messages"].as_array().unwrap().len(), 3);
    relay.stop().await;
}

#[tokio::test]
async fn a_second_tab_sees_the_first_tabs_messages() {
    let relay = TestRelay::start().await;
    let (mut first_tab, welcome) = relay.visitor().await;
    let (mut second_tab, _) = Client::visitor(relay.addr, welcome["token"].as_str(), Some(0)).await;
    first_tab.say("t1", "from the first tab").await;
    let ack = first_tab.recv_type("ack").await;
    assert_eq!(
        second_tab.recv_type("message").await["message"],
        ack["message"]
    );
    relay.stop().await;
}

#[tokio::test]
async fn an_operator_console_resumes_after_its_last_message_id() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("1", "one").await;
    let first_id = visitor.recv_type("ack").await["message"]["id"]
        .as_i64()
        .unwrap();
    visitor.say("2", "two").await;
    visitor.recv_type("ack").await;
    visitor.say("3", "three").await;
    visitor.recv_type("ack").await;
    let (_, welcome) = Client::operator(relay.addr, &token, Some(first_id)).await;
    let texts: Vec<&str> = welcome["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["two", "three"]);
    relay.stop().await;
}

#[tokio::test]
async fn typing_is_forwarded_both_ways() {
    let relay = TestRelay::start().await;
    let token = relay.login(PETR).await;
    let (mut console, _) = relay.operator(&token).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("m", "hello").await;
    let conversation_id = visitor.recv_type("ack").await["message"]["conversationId"]
        .as_i64()
        .unwrap();
    console.recv_type("conversation").await;
    console.recv_type("message").await;

    visitor
        .send(json!({ "type": "typing", "typing": true }))
        .await;
    let typing = console.recv_type("typing").await;
    assert_eq!(
        (
            typing["conversationId"].as_i64(),
            typing["typing"].as_bool()
        ),
        (Some(conversation_id), Some(true))
    );

    console
        .send(json!({ "type": "typing", "conversationId": conversation_id, "typing": true }))
        .await;
    let typing = visitor.recv_type("typing").await;
    assert_eq!(typing["typing"], true);
    assert_eq!(typing["name"], "Petr");
    relay.stop().await;
}

#[tokio::test]
async fn availability_reaches_visitors_at_once() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], false);

    let response = put_json(
        relay.addr,
        "/api/me/availability",
        Some(&token),
        &json!({ "online": true }),
    )
    .await;
    assert_eq!(
        (response.status, response.json()),
        (200, json!({ "online": true }))
    );
    assert_eq!(visitor.recv_type("availability").await["online"], true);
    let (_, later) = relay.visitor().await;
    assert_eq!(later["online"], true);

    put_json(
        relay.addr,
        "/api/me/availability",
        Some(&token),
        &json!({ "online": false }),
    )
    .await;
    assert_eq!(visitor.recv_type("availability").await["online"], false);
    relay.stop().await;
}

#[tokio::test]
async fn resolving_and_reopening_and_a_visitor_message_reopens() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("m1", "where is my order?").await;
    let conversation_id = visitor.recv_type("ack").await["message"]["conversationId"]
        .as_i64()
        .unwrap();

    let resolved = post_json(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/resolve"),
        Some(&token),
        &json!({}),
    )
    .await;
    assert_eq!(
        (resolved.status, resolved.json()["status"].as_str()),
        (200, Some("resolved"))
    );
    assert_eq!(visitor.recv_type("status").await["status"], "resolved");
    let open = get(relay.addr, "/api/conversations?status=open", Some(&token))
        .await
        .json();
    let done = get(
        relay.addr,
        "/api/conversations?status=resolved",
        Some(&token),
    )
    .await
    .json();
    assert_eq!(
        (
            open.as_array().unwrap().len(),
            done.as_array().unwrap().len()
        ),
        (0, 1)
    );

    // A new visitor message moves the resolved conversation back to open.
    visitor.say("m2", "one more question").await;
    assert_eq!(visitor.recv_type("status").await["status"], "open");
    assert_eq!(visitor.recv_type("ack").await["message"]["seq"], 2);
    let open = get(relay.addr, "/api/conversations?status=open", Some(&token))
        .await
        .json();
    assert_eq!(open[0]["id"], conversation_id);

    post_json(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/resolve"),
        Some(&token),
        &json!({}),
    )
    .await;
    let reopened = post_json(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/reopen"),
        Some(&token),
        &json!({}),
    )
    .await;
    assert_eq!(reopened.json()["status"], "open");
    relay.stop().await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_a_close_frame_and_keeps_what_was_stored() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("kept", "stored before shutdown").await;
    visitor.recv_type("ack").await;
    let db = relay.db.clone();
    let stopping = tokio::spawn(relay.stop());
    let ending = visitor.ending().await;
    assert_eq!(ending.error_code().as_deref(), Some("shutting_down"));
    assert_eq!(ending.code(), Some(1012));
    let _directory = stopping.await.unwrap();
    let store = beseda_relay::store::SqliteStore::open(
        beseda_relay::store::Location::File(db),
        Box::new(|_| {}),
    )
    .unwrap();
    use beseda_relay::store::prelude::*;
    let conversations = store.conversations(None, None).await.unwrap();
    assert_eq!(
        conversations[0].last_message.as_ref().unwrap().text,
        "stored before shutdown"
    );
}

#[tokio::test]
async fn health_and_metrics_are_served() {
    let relay = TestRelay::start().await;
    let health = get(relay.addr, "/healthz", None).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("m", "count me").await;
    visitor.recv_type("ack").await;
    let metrics = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        metrics.body.contains("beseda_visitor_connections 1\n"),
        "{}",
        metrics.body
    );
    assert!(
        metrics.body.contains("beseda_messages_stored_total 1\n"),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("beseda_store_write_seconds_count 1\n"),
        "{}",
        metrics.body
    );
    relay.stop().await;
}

/// The value of one metric line, e.g. `beseda_store_pending_writes`.
async fn metric(relay: &TestRelay, name: &str) -> u64 {
    let body = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await.body;
    body.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{body}"))
}

/// A stalled disk (another process holding SQLite's write lock) makes writes pile up; once it
/// lets go, the whole burst is committed and reaches the console complete, without dropping it.
/// (The deterministic guard for the outbox size is the hub's unit test.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_after_a_stalled_disk_reaches_every_console_without_dropping_it() {
    const VISITORS: usize = 200;
    // Every visitor of the test comes from one address: the limits per address are off.
    let relay = TestRelay::start_with(|config| {
        config.connections_per_ip = 0;
        config.visitor_identities_per_hour = 0;
        config.conversations_per_hour = 0;
    })
    .await;
    let token = relay.login(JANA).await;
    let (mut console, _) = relay.operator(&token).await;
    let mut visitors = Vec::new();
    for _ in 0..VISITORS {
        visitors.push(relay.visitor().await.0);
    }

    // Hold the store's write lock, as a backup or a slow disk would, while every visitor writes.
    let blocker = beseda_tests::database::hold_writes(&relay.db);
    for (index, visitor) in visitors.iter_mut().enumerate() {
        visitor.say(&format!("burst-{index}"), "hello").await;
    }
    // Wait (boundedly) until every one of those writes is waiting for the lock.
    let all_waiting = async {
        while metric(&relay, "beseda_store_pending_writes").await < VISITORS as u64 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(beseda_tests::PATIENCE, all_waiting)
        .await
        .expect("every write reached the store");
    blocker.release();

    let mut messages = HashSet::new();
    while messages.len() < VISITORS {
        let frame = console.recv().await;
        match frame["type"].as_str() {
            Some("message") => {
                messages.insert(frame["message"]["clientId"].as_str().unwrap().to_owned());
            }
            Some("conversation") => {}
            other => panic!("unexpected {other:?}: {frame}"),
        }
    }
    assert_eq!(metric(&relay, "beseda_slow_peers_dropped_total").await, 0);
    relay.stop().await;
}

#[tokio::test]
async fn the_pages_details_and_the_contact_form_are_kept_on_the_conversation() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, welcome) = relay.visitor().await;
    assert_eq!(welcome["siteTitle"], "Shop");

    // Told before the first message: kept once the conversation exists.
    visitor
        .send(json!({ "type": "profile", "name": "Petr Novák" }))
        .await;
    let cart = json!({ "items": [{ "name": "Bunda XL", "qty": 1.0, "price": 2490.0 }], "total": 2490.0, "currency": "CZK" });
    visitor.send(json!({ "type": "cart", "cart": cart })).await;
    visitor
        .send(json!({ "type": "contact", "clientId": "c1", "email": "petr@example.cz", "text": "Ozvěte se mi" }))
        .await;
    let ack = visitor.recv_type("ack").await;
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(detail["visitor"]["name"], "Petr Novák");
    assert_eq!(detail["visitor"]["email"], "petr@example.cz");
    assert_eq!(detail["cart"], cart);
    assert_eq!(detail["messages"][0]["text"], "Ozvěte se mi");

    // Told later: updated at once.
    visitor
        .send(json!({ "type": "profile", "email": "novak@example.cz" }))
        .await;
    visitor.say("m2", "ještě jedna věc").await;
    visitor.recv_type("ack").await;
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(
        (
            detail["visitor"]["name"].as_str(),
            detail["visitor"]["email"].as_str()
        ),
        (Some("Petr Novák"), Some("novak@example.cz"))
    );
    relay.stop().await;
}

#[tokio::test]
async fn bad_details_are_refused_and_change_nothing() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    visitor
        .send(json!({ "type": "contact", "clientId": "c1", "email": "not an email", "text": "hi" }))
        .await;
    let error = visitor.recv_type("error").await;
    assert_eq!(
        (error["code"].as_str(), error["clientId"].as_str()),
        (Some("invalid_email"), Some("c1"))
    );
    visitor
        .send(json!({ "type": "profile", "email": "@example.cz" }))
        .await;
    assert_eq!(visitor.recv_type("error").await["code"], "invalid_email");
    let items: Vec<_> = (0..101)
        .map(|index| json!({ "name": format!("item {index}") }))
        .collect();
    visitor
        .send(json!({ "type": "cart", "cart": { "items": items } }))
        .await;
    assert_eq!(visitor.recv_type("error").await["code"], "bad_request");
    visitor.say("m1", "still fine").await;
    assert_eq!(visitor.recv_type("ack").await["message"]["seq"], 1);
    let token = relay.login(JANA).await;
    let list = get(relay.addr, "/api/conversations", Some(&token))
        .await
        .json();
    assert!(
        list[0]["visitor"].get("email").is_none(),
        "the refused email was not kept"
    );
    relay.stop().await;
}
