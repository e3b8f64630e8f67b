//! Every limit and refusal of the relay, each asserting its exact status or error code, and that
//! nothing was stored or changed by the refused request.

use beseda_tests::http::{get, post_json, request};
use beseda_tests::raw_socket::{connect_and_send, read_until_closed};
use beseda_tests::{Client, JANA, PETR, TestRelay};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The HTTP status of a refused upgrade.
fn refused_status(result: Result<Client, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("refused, but not with an HTTP response: {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

async fn stored_messages(relay: &TestRelay, token: &str) -> usize {
    let list = get(relay.addr, "/api/conversations", Some(token))
        .await
        .json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|conversation| conversation["messageCount"].as_u64().unwrap() as usize)
        .sum()
}

#[tokio::test]
async fn bad_messages_get_an_error_with_their_client_id_and_store_nothing() {
    let relay = TestRelay::start_with(|config| config.max_text_chars = 20).await;
    let token = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    let cases = [
        (
            json!({ "type": "send", "clientId": "long", "text": "x".repeat(21) }),
            "text_too_long",
            Some("long"),
        ),
        (
            json!({ "type": "send", "clientId": "empty", "text": "  \n " }),
            "text_empty",
            Some("empty"),
        ),
        (
            json!({ "type": "send", "clientId": "<script>", "text": "hi" }),
            "invalid_client_id",
            Some("<script>"),
        ),
        (
            json!({ "type": "send", "clientId": "", "text": "hi" }),
            "invalid_client_id",
            Some(""),
        ),
        (json!({ "type": "launch" }), "bad_frame", None),
        (
            json!({ "type": "send", "text": "no id" }),
            "bad_frame",
            None,
        ),
    ];
    for (frame, code, client_id) in cases {
        visitor.send(frame.clone()).await;
        let error = visitor.recv_type("error").await;
        assert_eq!(error["code"], code, "for {frame}");
        assert_eq!(error["clientId"].as_str(), client_id, "for {frame}");
    }
    visitor.send_raw(Message::text("{ not json")).await;
    assert_eq!(visitor.recv_type("error").await["code"], "bad_frame");
    visitor.send_raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(visitor.recv_type("error").await["code"], "bad_frame");
    assert_eq!(stored_messages(&relay, &token).await, 0);

    // The socket survived all of that: a good message still goes through.
    visitor.say("fine", "exactly twenty chars").await;
    assert_eq!(visitor.recv_type("ack").await["message"]["seq"], 1);
    relay.stop().await;
}

#[tokio::test]
async fn markup_is_stored_and_returned_as_plain_text() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    let markup = "<img src=x onerror=alert(1)><script>alert('x')</script>";
    visitor.say("html", markup).await;
    assert_eq!(visitor.recv_type("ack").await["message"]["text"], markup);
    relay.stop().await;
}

#[tokio::test]
async fn an_oversized_frame_closes_the_socket_with_1009() {
    let relay = TestRelay::start_with(|config| config.max_frame_bytes = 1024).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("big", &"x".repeat(2000)).await;
    let ending = visitor.ending().await;
    assert_eq!(ending.error_code().as_deref(), Some("payload_too_large"));
    assert_eq!(ending.code(), Some(1009));
    relay.stop().await;
}

#[tokio::test]
async fn the_hello_must_come_first_be_known_and_be_on_time() {
    let relay =
        TestRelay::start_with(|config| config.hello_timeout = Duration::from_millis(300)).await;
    let cases = [
        (
            json!({ "type": "send", "clientId": "a", "text": "hi" }),
            "hello_required",
        ),
        (
            json!({ "type": "hello", "version": 99 }),
            "unsupported_version",
        ),
        (
            json!({ "type": "hello", "version": 1, "site": "no-such-shop" }),
            "unknown_site",
        ),
        (
            json!({ "type": "hello", "version": 1, "token": "v1.0123.abcd" }),
            "invalid_token",
        ),
    ];
    for (hello, code) in cases {
        let mut client = Client::connect(relay.addr, "/ws/visitor", None)
            .await
            .unwrap();
        client.send(hello.clone()).await;
        let ending = client.ending().await;
        assert_eq!(ending.error_code().as_deref(), Some(code), "for {hello}");
        assert_eq!(ending.code(), Some(1008), "for {hello}");
    }
    let mut silent = Client::connect(relay.addr, "/ws/visitor", None)
        .await
        .unwrap();
    let ending = silent.ending().await;
    assert_eq!(ending.error_code().as_deref(), Some("hello_timeout"));

    // A second hello on a greeted socket is a protocol error too.
    let (mut visitor, _) = relay.visitor().await;
    visitor.send(json!({ "type": "hello", "version": 1 })).await;
    assert_eq!(
        visitor.ending().await.error_code().as_deref(),
        Some("hello_required")
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_socket_that_answers_no_pings_is_closed_as_idle() {
    let relay = TestRelay::start_with(|config| {
        config.ping_interval = Duration::from_millis(100);
        config.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let mut stream =
        connect_and_send(relay.addr, "/ws/visitor", r#"{"type":"hello","version":1}"#).await;
    let frames = read_until_closed(&mut stream).await;
    let opcodes: Vec<u8> = frames.iter().map(|frame| frame.opcode).collect();
    assert_eq!(opcodes.first(), Some(&0x1), "the welcome comes first");
    assert!(opcodes.contains(&0x9), "the relay pinged: {opcodes:?}");
    let error = frames
        .iter()
        .rev()
        .find(|frame| frame.opcode == 0x1)
        .unwrap();
    let error: serde_json::Value = serde_json::from_slice(&error.payload).unwrap();
    assert_eq!(error["code"], "idle_timeout");
    let close = frames.last().unwrap();
    assert_eq!(
        (
            close.opcode,
            u16::from_be_bytes([close.payload[0], close.payload[1]])
        ),
        (0x8, 1001)
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_visitor_who_floods_is_rate_limited_across_tabs() {
    let relay = TestRelay::start_with(|config| config.visitor_messages_per_minute = 3).await;
    let token = relay.login(JANA).await;
    let (mut first_tab, welcome) = relay.visitor().await;
    let (mut second_tab, _) = Client::visitor(relay.addr, welcome["token"].as_str(), None).await;
    for index in 0..2 {
        first_tab.say(&format!("a{index}"), "hi").await;
        first_tab.recv_type("ack").await;
    }
    second_tab.recv_type("message").await;
    second_tab.recv_type("message").await;
    second_tab.say("b0", "third").await;
    second_tab.recv_type("ack").await;
    second_tab.say("b1", "fourth is too many").await;
    let error = second_tab.recv_type("error").await;
    assert_eq!(
        (error["code"].as_str(), error["clientId"].as_str()),
        (Some("rate_limited"), Some("b1"))
    );
    assert_eq!(stored_messages(&relay, &token).await, 3);

    // Another visitor is not affected.
    let (mut other, _) = relay.visitor().await;
    other.say("o", "hello").await;
    other.recv_type("ack").await;
    relay.stop().await;
}

#[tokio::test]
async fn connections_per_ip_are_capped_with_429() {
    let relay = TestRelay::start_with(|config| config.connections_per_ip = 2).await;
    let (first, _) = relay.visitor().await;
    let (_second, _) = relay.visitor().await;
    assert_eq!(
        refused_status(Client::connect(relay.addr, "/ws/visitor", None).await),
        429
    );
    // A closed connection frees its slot.
    first.close().await;
    let mut reopened = None;
    for _ in 0..100 {
        // The relay frees the slot when its session task ends, just after the close handshake.
        match Client::connect(relay.addr, "/ws/visitor", None).await {
            Ok(client) => {
                reopened = Some(client);
                break;
            }
            Err(_) => tokio::task::yield_now().await,
        }
    }
    assert!(reopened.is_some(), "the slot was freed");
    relay.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_cap_counts_forwarded_addresses() {
    let relay = TestRelay::start_with(|config| {
        config.connections_per_ip = 1;
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    let _first = Client::connect_with_headers(relay.addr, "/ws/visitor", &from("203.0.113.1"))
        .await
        .unwrap();
    let _second = Client::connect_with_headers(relay.addr, "/ws/visitor", &from("203.0.113.2"))
        .await
        .unwrap();
    let again = Client::connect_with_headers(relay.addr, "/ws/visitor", &from("203.0.113.1")).await;
    assert_eq!(refused_status(again), 429);
    relay.stop().await;

    // Without the proxy being trusted, a forged header changes nothing.
    let relay = TestRelay::start_with(|config| config.connections_per_ip = 1).await;
    let _first = Client::connect_with_headers(relay.addr, "/ws/visitor", &from("203.0.113.1"))
        .await
        .unwrap();
    let forged =
        Client::connect_with_headers(relay.addr, "/ws/visitor", &from("203.0.113.2")).await;
    assert_eq!(refused_status(forged), 429);
    relay.stop().await;
}

#[tokio::test]
async fn origins_that_are_not_allowed_are_refused_with_403() {
    let relay =
        TestRelay::start_with(|config| config.allow_origins = vec!["https://shop.example".into()])
            .await;
    assert_eq!(
        refused_status(
            Client::connect(relay.addr, "/ws/visitor", Some("https://evil.example")).await
        ),
        403
    );
    assert!(
        Client::connect(relay.addr, "/ws/visitor", Some("https://shop.example"))
            .await
            .is_ok()
    );
    assert_eq!(
        refused_status(
            Client::connect(relay.addr, "/ws/operator", Some("https://evil.example")).await
        ),
        403
    );
    assert_eq!(
        refused_status(
            Client::connect(relay.addr, "/ws/operator", Some("https://shop.example")).await
        ),
        403
    );
    let own_origin = format!("http://{}", relay.addr);
    assert!(
        Client::connect(relay.addr, "/ws/operator", Some(&own_origin))
            .await
            .is_ok()
    );
    assert_eq!(
        refused_status(Client::connect(relay.addr, "/ws/elsewhere", None).await),
        404
    );
    relay.stop().await;
}

#[tokio::test]
async fn the_operator_socket_needs_a_valid_session() {
    let relay = TestRelay::start().await;
    let mut client = Client::connect(relay.addr, "/ws/operator", None)
        .await
        .unwrap();
    client
        .send(json!({ "type": "hello", "version": 1, "token": "not-a-session" }))
        .await;
    let ending = client.ending().await;
    assert_eq!(
        (ending.error_code().as_deref(), ending.code()),
        (Some("unauthorized"), Some(1008))
    );

    let token = relay.login(PETR).await;
    let (mut console, _) = relay.operator(&token).await;
    console.reply(999, "r", "to nowhere").await;
    let error = console.recv_type("error").await;
    assert_eq!(
        (error["code"].as_str(), error["clientId"].as_str()),
        (Some("not_found"), Some("r"))
    );
    relay.stop().await;
}

#[tokio::test]
async fn the_api_refuses_without_a_session() {
    let relay = TestRelay::start().await;
    let calls = [
        ("GET", "/api/conversations"),
        ("GET", "/api/conversations/1"),
        ("POST", "/api/conversations/1/messages"),
        ("POST", "/api/conversations/1/resolve"),
        ("POST", "/api/conversations/1/reopen"),
        ("PUT", "/api/me/availability"),
        ("GET", "/api/me"),
    ];
    for (method, path) in calls {
        for token in [None, Some("forged-token")] {
            let response = request(relay.addr, method, path, token, Some(b"{}")).await;
            assert_eq!(
                (response.status, response.error_code().as_str()),
                (401, "unauthorized"),
                "{method} {path}"
            );
        }
    }
    relay.stop().await;
}

#[tokio::test]
async fn the_api_refuses_bad_requests_and_changes_nothing() {
    let relay = TestRelay::start_with(|config| config.max_text_chars = 10).await;
    let token = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("m", "hello").await;
    let conversation_id = visitor.recv_type("ack").await["message"]["conversationId"]
        .as_i64()
        .unwrap();
    let messages = format!("/api/conversations/{conversation_id}/messages");
    let bearer = Some(token.as_str());

    let cases: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        (
            "GET",
            "/api/conversations/4040".into(),
            vec![],
            404,
            "not_found",
        ),
        (
            "GET",
            "/api/conversations/abc".into(),
            vec![],
            404,
            "not_found",
        ),
        (
            "POST",
            "/api/conversations/4040/messages".into(),
            br#"{"text":"hi"}"#.to_vec(),
            404,
            "not_found",
        ),
        (
            "POST",
            "/api/conversations/4040/resolve".into(),
            vec![],
            404,
            "not_found",
        ),
        (
            "GET",
            "/api/conversations?status=lost".into(),
            vec![],
            400,
            "bad_request",
        ),
        (
            "POST",
            messages.clone(),
            b"{ not json".to_vec(),
            400,
            "bad_request",
        ),
        (
            "POST",
            messages.clone(),
            br#"{"txt":"hi"}"#.to_vec(),
            400,
            "bad_request",
        ),
        (
            "POST",
            messages.clone(),
            br#"{"text":"far too long for ten"}"#.to_vec(),
            400,
            "text_too_long",
        ),
        (
            "POST",
            messages.clone(),
            br#"{"text":"   "}"#.to_vec(),
            400,
            "text_empty",
        ),
        (
            "POST",
            messages.clone(),
            br#"{"text":"hi","clientId":"a b"}"#.to_vec(),
            400,
            "invalid_client_id",
        ),
        (
            "POST",
            messages.clone(),
            format!(r#"{{"text":"{}"}}"#, "x".repeat(70_000)).into_bytes(),
            413,
            "payload_too_large",
        ),
        (
            "PUT",
            "/api/me/availability".into(),
            br#"{"online":"yes"}"#.to_vec(),
            400,
            "bad_request",
        ),
        (
            "DELETE",
            messages.clone(),
            vec![],
            405,
            "method_not_allowed",
        ),
        ("GET", "/api/nothing-here".into(), vec![], 404, "not_found"),
    ];
    for (method, path, body, status, code) in cases {
        let body = if body.is_empty() && method != "POST" {
            None
        } else {
            Some(body.as_slice())
        };
        let response = request(relay.addr, method, &path, bearer, body).await;
        assert_eq!(
            (response.status, response.error_code().as_str()),
            (status, code),
            "{method} {path}: {}",
            response.body
        );
    }
    assert_eq!(
        stored_messages(&relay, &token).await,
        1,
        "nothing was stored by the refused calls"
    );
    relay.stop().await;
}

#[tokio::test]
async fn sign_in_failures_are_limited_with_429() {
    let relay = TestRelay::start_with(|config| {
        config.login_attempts = 3;
        config.login_attempts_per_ip = 4;
        // Long enough that the test's own pace never lets an attempt through.
        config.login_delay = std::time::Duration::from_secs(600);
    })
    .await;
    let wrong = json!({ "email": JANA.0, "password": "wrong password" });
    for _ in 0..3 {
        let response = post_json(relay.addr, "/api/login", None, &wrong).await;
        assert_eq!(
            (response.status, response.error_code().as_str()),
            (401, "unauthorized")
        );
    }
    let response = post_json(relay.addr, "/api/login", None, &wrong).await;
    assert_eq!(
        (response.status, response.error_code().as_str()),
        (429, "rate_limited")
    );
    let wait: u64 = response
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((590..=600).contains(&wait), "Retry-After: {wait}");
    // Even the right password waits until the delay has passed.
    let right = json!({ "email": JANA.0, "password": JANA.1 });
    assert_eq!(
        post_json(relay.addr, "/api/login", None, &right)
            .await
            .status,
        429
    );
    // An unknown email is answered like a wrong password, and counts against the address…
    let unknown = json!({ "email": "nobody@shop.example", "password": "whatever" });
    assert_eq!(
        post_json(relay.addr, "/api/login", None, &unknown)
            .await
            .status,
        401
    );
    // …which has now used up its attempts for every email.
    let other = json!({ "email": "someone@shop.example", "password": "whatever" });
    assert_eq!(
        post_json(relay.addr, "/api/login", None, &other)
            .await
            .status,
        429
    );
    relay.stop().await;
}

#[tokio::test]
async fn an_unknown_email_is_refused_like_a_wrong_password() {
    let relay = TestRelay::start().await;
    let response = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": "nobody@shop.example", "password": "x" }),
    )
    .await;
    assert_eq!(
        (response.status, response.error_code().as_str()),
        (401, "unauthorized")
    );
    let right = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": "JANA@shop.example ", "password": JANA.1 }),
    )
    .await;
    assert_eq!(
        right.status, 200,
        "emails are matched without case and surrounding spaces"
    );
    relay.stop().await;
}
