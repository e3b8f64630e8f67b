//! Hostile visitors: fresh identities and conversations are limited per client address, a
//! visitor who never writes leaves nothing in the database, and the frames that are not
//! messages (`page`, `typing`, `profile`, `cart`) have a rate per socket. Consoles hear a page
//! view as that one page, not the whole list of the visit.
//!
//! The client address comes from `X-Forwarded-For` behind a trusted proxy (the test itself, on
//! 127.0.0.1), so that one test can speak from several addresses.

use beseda_tests::workflow::{detail, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, TestRelay};
use serde_json::{Value, json};
use std::path::Path;

/// A visitor socket from `address` after its hello (with `fields` added to it); the first
/// frame the relay answered, a welcome or an error.
async fn visitor_from(relay: &TestRelay, address: &str, fields: Value) -> (Client, Value) {
    let mut client =
        Client::connect_with_headers(relay.addr, "/ws/visitor", &[("x-forwarded-for", address)])
            .await
            .expect("open a visitor socket");
    let mut hello = json!({ "type": "hello", "version": 1, "site": "default" });
    if let (Some(hello), Some(fields)) = (hello.as_object_mut(), fields.as_object()) {
        hello.extend(fields.clone());
    }
    client.send(hello).await;
    let first = client.recv().await;
    (client, first)
}

/// A relay that takes the test's `X-Forwarded-For` as the client's address.
async fn relay_behind_proxy(adjust: impl FnOnce(&mut beseda_relay::Config)) -> TestRelay {
    TestRelay::start_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        adjust(config);
    })
    .await
}

/// Rows of each table that says anything about visitors.
fn rows(db: &Path) -> [i64; 3] {
    if beseda_tests::on_postgres() {
        return ["visitors", "conversations", "messages"].map(|table| {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            beseda_tests::postgres::query(&db.to_string_lossy(), &sql)[0][0]
                .parse()
                .unwrap()
        });
    }
    let database =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    ["visitors", "conversations", "messages"].map(|table| {
        database
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    })
}

fn page(url: &str, title: &str) -> Value {
    json!({ "url": url, "title": title })
}

#[tokio::test]
async fn fresh_identities_from_one_address_stop_at_the_limit() {
    let relay = relay_behind_proxy(|config| config.visitor_identities_per_hour = 5).await;
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let (_, welcome) = visitor_from(&relay, "203.0.113.7", json!({})).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        tokens.push(welcome["token"].as_str().unwrap().to_owned());
    }

    let (mut sixth, refused) = visitor_from(&relay, "203.0.113.7", json!({})).await;
    assert_eq!(
        refused,
        json!({
            "type": "error",
            "code": "rate_limited",
            "message": "at most 5 new visitors an hour from one address; try again later",
        })
    );
    let ending = sixth.ending().await;
    assert_eq!(ending.code(), Some(1013), "try again later");

    // The limit is the address's: another address gets a new identity, and the visitors this
    // address already has come back with their tokens.
    let (_, welcome) = visitor_from(&relay, "203.0.113.8", json!({})).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let returning = json!({ "token": tokens[0] });
    let (_, welcome) = visitor_from(&relay, "203.0.113.7", returning).await;
    assert_eq!(welcome["token"], tokens[0].as_str());
    relay.stop().await;
}

#[tokio::test]
async fn new_conversations_from_one_address_stop_at_the_limit() {
    let relay = relay_behind_proxy(|config| {
        config.conversations_per_hour = 3;
        config.visitor_identities_per_hour = 0;
    })
    .await;
    let mut writers = Vec::new();
    for index in 0..3 {
        let (mut client, welcome) = visitor_from(&relay, "198.51.100.4", json!({})).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        client.say("m1", &format!("question {index}")).await;
        until_ack(&mut client, "m1").await;
        writers.push(client);
    }

    let (mut fourth, welcome) = visitor_from(&relay, "198.51.100.4", json!({})).await;
    assert_eq!(
        welcome["type"], "welcome",
        "no limit on identities: {welcome}"
    );
    fourth.say("m1", "one conversation too many").await;
    assert_eq!(
        fourth.recv().await,
        json!({
            "type": "error",
            "code": "rate_limited",
            "message": "at most 3 new conversations an hour from one address; try again later",
            "clientId": "m1",
        })
    );

    // Conversations that exist go on; another address starts its own.
    writers[0].say("m2", "and another thing").await;
    until_ack(&mut writers[0], "m2").await;
    let (mut other, _) = visitor_from(&relay, "198.51.100.5", json!({})).await;
    other.say("m1", "hello from elsewhere").await;
    until_ack(&mut other, "m1").await;

    let db = relay.db.clone();
    let _directory = relay.stop().await;
    let [_, conversations, messages] = rows(&db);
    assert_eq!(
        (conversations, messages),
        (4, 5),
        "the refused message was not stored"
    );
}

#[tokio::test]
async fn a_visitor_who_never_writes_leaves_nothing_stored() {
    let relay = TestRelay::start().await;
    let hello = json!({ "page": page("https://shop.example/", "Obchod"), "locale": "cs" });
    let (mut visitor, welcome) = Client::visitor_with(relay.addr, hello).await;
    assert!(welcome["conversation"].is_null());
    visitor
        .send(json!({ "type": "page", "page": page("https://shop.example/boty", "Boty") }))
        .await;
    visitor
        .send(json!({ "type": "profile", "name": "Petr", "email": "petr@example.cz" }))
        .await;
    visitor
        .send(json!({ "type": "cart", "cart": { "items": [ { "name": "Boty", "qty": 1, "price": 990 } ], "total": 990, "currency": "CZK" } }))
        .await;
    // Frames are handled in order: the answer to a bad one means the others were handled.
    visitor.send(json!({ "type": "page" })).await;
    assert_eq!(
        visitor.recv_until_type("error").await.1["code"],
        "bad_frame"
    );
    visitor.close().await;

    let db = relay.db.clone();
    let _directory = relay.stop().await;
    assert_eq!(rows(&db), [0, 0, 0], "visitors, conversations, messages");
}

#[tokio::test]
async fn pages_before_the_first_message_are_stored_in_its_transaction() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let home = "https://shop.example/";
    let hello = json!({ "page": page(home, "Obchod"), "locale": "sk" });
    let (mut visitor, _) = Client::visitor_with(relay.addr, hello).await;
    let shoes = "https://shop.example/boty";
    visitor
        .send(json!({ "type": "page", "page": page(shoes, "Boty") }))
        .await;
    visitor.send(json!({ "type": "page" })).await;
    visitor.recv_until_type("error").await;
    assert_eq!(rows(&relay.db), [0, 0, 0], "nothing before the message");

    visitor.say("m1", "Dobrý deň").await;
    let (_, ack) = until_ack(&mut visitor, "m1").await;
    assert_eq!(rows(&relay.db), [1, 1, 1]);
    let id = ack["message"]["conversationId"].as_i64().unwrap();
    let context = detail(&relay, &jana, id).await["context"].clone();
    let urls: Vec<&str> = context["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|page| page["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, [home, shoes]);
    assert_eq!(context["locale"], "sk");
    assert_eq!(context["currentPage"]["title"], "Boty");
    assert!(context["firstSeen"].as_str().unwrap().ends_with('Z'));
    relay.stop().await;
}

#[tokio::test]
async fn a_page_flood_is_refused_and_consoles_hear_single_pages() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let mut visitor = visitor_writes(&relay, json!({}), "Dobrý den").await;
    let (mut console, _) = relay.operator(&jana).await;

    let sent = 40;
    for index in 0..sent {
        let url = format!("https://shop.example/product/{index}");
        visitor
            .client
            .send(json!({ "type": "page", "page": page(&url, &"Product ".repeat(20)) }))
            .await;
    }
    visitor.client.say("m2", "Still there?").await;
    let (before, _) = until_ack(&mut visitor.client, "m2").await;
    let refusals: Vec<&Value> = before
        .iter()
        .filter(|frame| frame["type"] == "error")
        .collect();
    for refusal in &refusals {
        assert_eq!(
            **refusal,
            json!({
                "type": "error",
                "code": "rate_limited",
                "message": "at most 30 page views a minute on one connection; wait a moment",
            })
        );
    }
    // A burst of ten passes; the rest of a burst sent at once (bar a refill or two) does not.
    assert!(
        refusals.len() >= 25 && refusals.len() <= 30,
        "{} refused",
        refusals.len()
    );

    // The console hears each accepted page once, as that page alone, before the message.
    let (frames, _) = console
        .recv_until(|frame| {
            frame["type"] == "message" && frame["message"]["text"] == "Still there?"
        })
        .await;
    let pages: Vec<&Value> = frames
        .iter()
        .filter(|frame| frame["type"] == "page")
        .collect();
    assert_eq!(pages.len(), sent - refusals.len());
    assert!(
        frames.iter().all(|frame| frame["type"] != "visitor"),
        "no whole lists"
    );
    for (index, frame) in pages.iter().enumerate() {
        assert_eq!(frame["conversationId"], visitor.conversation_id);
        assert_eq!(
            frame["page"]["url"],
            format!("https://shop.example/product/{index}")
        );
        let keys: Vec<&String> = frame.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "type, conversationId, page: {frame}");
        assert!(frame.to_string().len() < 400, "one page: {frame}");
    }
    // The stored visit has every accepted page.
    let context = detail(&relay, &jana, visitor.conversation_id).await["context"].clone();
    assert_eq!(context["pages"].as_array().unwrap().len(), pages.len());
    relay.stop().await;
}

#[tokio::test]
async fn profile_and_cart_updates_have_a_rate_per_socket() {
    let relay = TestRelay::start().await;
    let mut visitor = visitor_writes(&relay, json!({}), "Dobrý den").await;
    for _ in 0..8 {
        visitor
            .client
            .send(json!({ "type": "cart", "cart": { "items": [], "total": 0, "currency": "CZK" } }))
            .await;
    }
    for _ in 0..8 {
        visitor
            .client
            .send(json!({ "type": "profile", "name": "Petr" }))
            .await;
    }
    visitor.client.say("m2", "done").await;
    let (before, _) = until_ack(&mut visitor.client, "m2").await;
    let messages: Vec<&str> = before
        .iter()
        .filter(|frame| frame["type"] == "error" && frame["code"] == "rate_limited")
        .map(|frame| frame["message"].as_str().unwrap())
        .collect();
    let count = |text: &str| messages.iter().filter(|message| **message == text).count();
    assert_eq!(
        count("at most 10 cart updates a minute on one connection; wait a moment"),
        3,
        "{messages:?}"
    );
    assert_eq!(
        count("at most 10 profile updates a minute on one connection; wait a moment"),
        3,
        "{messages:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_socket_flooding_far_past_the_rates_is_closed() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    // Typing past its rate is dropped without an answer; a flood of it ends the connection.
    for index in 0..80 {
        if !visitor
            .try_send(json!({ "type": "typing", "typing": index % 2 == 0 }))
            .await
        {
            break;
        }
    }
    let ending = visitor.ending().await;
    assert_eq!(ending.error_code().as_deref(), Some("rate_limited"));
    assert_eq!(ending.code(), Some(1008));
    relay.stop().await;
}

#[tokio::test]
async fn search_frames_the_visitor_limit_does_not_count_have_a_rate_per_socket() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    // Empty searches run no search and count against no visitor limit, but they are frames.
    let sent = 130;
    for _ in 0..sent {
        visitor
            .send(json!({ "type": "search", "query": "   " }))
            .await;
    }
    let mut refused = 0;
    for _ in 0..sent {
        let frame = visitor.recv().await;
        if frame["type"] == "error" {
            assert_eq!(frame["code"], "rate_limited");
            assert_eq!(
                frame["message"],
                "at most 120 searches a minute on one connection; wait a moment"
            );
            refused += 1;
        } else {
            assert_eq!(frame["type"], "answers", "{frame}");
        }
    }
    assert!((5..=10).contains(&refused), "{refused} refused");
    relay.stop().await;
}
