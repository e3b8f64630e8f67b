//! The operator's work on one conversation: joining it (the visitor learns who is there, in
//! their language), read marks and unread counts, and tags.

use beseda_tests::http::{post_json, put_json, request};
use beseda_tests::workflow::{detail, operator_id, summary, texts_by, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn join(relay: &TestRelay, token: Option<&str>, conversation_id: i64) -> (u16, Value) {
    let path = format!("/api/conversations/{conversation_id}/join");
    let response = request(relay.addr, "POST", &path, token, None).await;
    let body = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    (response.status, body)
}

async fn reply(relay: &TestRelay, token: &str, conversation_id: i64, text: &str) -> Value {
    let path = format!("/api/conversations/{conversation_id}/messages");
    let response = post_json(relay.addr, &path, Some(token), &json!({ "text": text })).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn joining_tells_the_visitor_who_is_there_once_per_operator_in_their_language() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let jana_id = operator_id(&relay, &jana).await;
    let photo = "https://shop.example/team/jana.jpg";
    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&jana),
        &json!({ "photoUrl": photo }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);

    // Nobody is online, so the conversation waits unassigned until somebody joins it.
    let mut visitor = visitor_writes(&relay, json!({ "locale": "cs" }), "Dobrý den").await;
    let id = visitor.conversation_id;
    assert!(summary(&relay, &jana, id).await.get("assignedTo").is_none());

    let (status, joined) = join(&relay, Some(&jana), id).await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(
        joined["assignedTo"], jana_id,
        "joining an unassigned chat takes it"
    );
    let (before, agent) = visitor.client.recv_until_type("agent").await;
    assert_eq!(agent["agent"], json!({ "name": "Jana", "photoUrl": photo }));
    let said: Vec<&Value> = before
        .iter()
        .filter(|frame| frame["type"] == "message")
        .collect();
    assert_eq!(said.len(), 1, "{before:?}");
    assert_eq!(said[0]["message"]["author"], "system");
    assert_eq!(said[0]["message"]["text"], "Jana je tu pro vás.");

    // Joining again says nothing: the next thing the visitor hears is Jana's reply.
    let (status, _) = join(&relay, Some(&jana), id).await;
    assert_eq!(status, 200);
    let marker = reply(&relay, &jana, id, "Jak vám mohu pomoci?").await;
    assert_eq!(visitor.client.recv_type("message").await["message"], marker);

    // Petr joins too: the visitor hears of him, and the chat stays Jana's.
    let (status, joined) = join(&relay, Some(&petr), id).await;
    assert_eq!(status, 200);
    assert_eq!(joined["assignedTo"], jana_id);
    let (before, agent) = visitor.client.recv_until_type("agent").await;
    assert_eq!(agent["agent"], json!({ "name": "Petr" }));
    assert!(
        before
            .iter()
            .any(|frame| frame["message"]["text"] == "Petr je tu pro vás."),
        "{before:?}"
    );
    assert_eq!(
        texts_by(&detail(&relay, &jana, id).await, "system"),
        ["Jana je tu pro vás.", "Petr je tu pro vás."]
    );
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": visitor.token })).await;
    assert_eq!(welcome["agent"], json!({ "name": "Petr" }));

    // Without a known language the relay speaks English.
    let mut english = visitor_writes(&relay, json!({}), "Hello").await;
    assert_eq!(
        join(&relay, Some(&petr), english.conversation_id).await.0,
        200
    );
    let (before, _) = english.client.recv_until_type("agent").await;
    assert!(
        before
            .iter()
            .any(|frame| frame["message"]["text"] == "Petr has joined the chat."),
        "{before:?}"
    );

    // Regression: opening a resolved chat announced the operator to a visitor who had left.
    let path = format!("/api/conversations/{}/resolve", english.conversation_id);
    assert_eq!(
        request(relay.addr, "POST", &path, Some(&jana), None)
            .await
            .status,
        200
    );
    let (status, refused) = join(&relay, Some(&jana), english.conversation_id).await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (409, &json!("conflict"))
    );
    let stored = detail(&relay, &jana, english.conversation_id).await;
    assert_eq!(texts_by(&stored, "system"), ["Petr has joined the chat."]);

    assert_eq!(join(&relay, Some(&jana), 999).await.0, 404);
    assert_eq!(join(&relay, None, id).await.0, 401);
    relay.stop().await;
}

async fn unread(relay: &TestRelay, token: &str, conversation_id: i64) -> u64 {
    summary(relay, token, conversation_id).await["unread"]
        .as_u64()
        .expect("an unread count in the list")
}

async fn mark_read(relay: &TestRelay, token: Option<&str>, id: i64, body: Value) -> (u16, String) {
    let path = format!("/api/conversations/{id}/read");
    let response = post_json(relay.addr, &path, token, &body).await;
    (response.status, response.body)
}

#[tokio::test]
async fn unread_counts_are_per_operator_and_read_marks_lower_them() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let mut visitor = visitor_writes(&relay, json!({}), "one").await;
    let id = visitor.conversation_id;
    for (client_id, text) in [("m2", "two"), ("m3", "three")] {
        visitor.client.say(client_id, text).await;
        until_ack(&mut visitor.client, client_id).await;
    }
    // The operators' own messages are not unread.
    reply(&relay, &jana, id, "Dobrý den").await;
    assert_eq!(
        (
            unread(&relay, &jana, id).await,
            unread(&relay, &petr, id).await
        ),
        (3, 3)
    );

    assert_eq!(
        mark_read(&relay, Some(&jana), id, json!({ "seq": 2 })).await,
        (204, String::new())
    );
    assert_eq!(
        (
            unread(&relay, &jana, id).await,
            unread(&relay, &petr, id).await
        ),
        (1, 3)
    );
    // A mark never moves back (a console that reports late does not resurrect read messages).
    assert_eq!(
        mark_read(&relay, Some(&jana), id, json!({ "seq": 1 }))
            .await
            .0,
        204
    );
    assert_eq!(unread(&relay, &jana, id).await, 1);

    for (token, path_id, body, status) in [
        (Some(&jana), 999, json!({ "seq": 3 }), 404),
        (Some(&jana), id, json!({ "seq": "all" }), 400),
        (Some(&jana), id, json!({}), 400),
        (None, id, json!({ "seq": 4 }), 401),
    ] {
        let (got, body_text) = mark_read(&relay, token.map(String::as_str), path_id, body).await;
        assert_eq!(got, status, "{body_text}");
    }
    assert_eq!(
        (
            unread(&relay, &jana, id).await,
            unread(&relay, &petr, id).await
        ),
        (1, 3)
    );

    assert_eq!(
        mark_read(&relay, Some(&petr), id, json!({ "seq": 4 }))
            .await
            .0,
        204
    );
    assert_eq!(
        (
            unread(&relay, &jana, id).await,
            unread(&relay, &petr, id).await
        ),
        (1, 0)
    );
    relay.stop().await;
}

async fn put_tags(relay: &TestRelay, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    let path = format!("/api/conversations/{id}/tags");
    let response = put_json(relay.addr, &path, token, &body).await;
    let body = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    (response.status, body)
}

#[tokio::test]
async fn tags_are_trimmed_stored_told_to_consoles_and_checked() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let visitor = visitor_writes(&relay, json!({}), "Reklamace").await;
    let id = visitor.conversation_id;
    let (mut console, _) = relay.operator(&jana).await;

    let (status, body) = put_tags(
        &relay,
        Some(&jana),
        id,
        json!({ "tags": [" vip ", "reklamace"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"], json!(["vip", "reklamace"]));
    let (_, changed) = console.recv_until_type("conversation").await;
    assert_eq!(changed["conversation"]["id"], id);
    assert_eq!(changed["conversation"]["tags"], json!(["vip", "reklamace"]));

    let too_many: Vec<String> = (0..21).map(|index| format!("t{index}")).collect();
    for body in [
        json!({ "tags": [""] }),
        json!({ "tags": ["vip", "   "] }),
        json!({ "tags": too_many }),
        json!({ "tags": ["x".repeat(65)] }),
        json!({ "tags": "vip" }),
        json!({}),
    ] {
        let (status, answer) = put_tags(&relay, Some(&jana), id, body.clone()).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (400, &json!("bad_request")),
            "{body}"
        );
    }
    assert_eq!(
        put_tags(&relay, Some(&jana), 999, json!({ "tags": [] }))
            .await
            .0,
        404
    );
    assert_eq!(
        put_tags(&relay, None, id, json!({ "tags": [] })).await.0,
        401
    );
    assert_eq!(
        summary(&relay, &jana, id).await["tags"],
        json!(["vip", "reklamace"])
    );

    // The same tag twice is one tag.
    let (status, body) = put_tags(&relay, Some(&jana), id, json!({ "tags": ["vip", "vip"] })).await;
    assert_eq!((status, &body["tags"]), (200, &json!(["vip"])));
    let (status, body) = put_tags(&relay, Some(&jana), id, json!({ "tags": [] })).await;
    assert_eq!((status, &body["tags"]), (200, &json!([])));
    assert_eq!(detail(&relay, &jana, id).await["tags"], json!([]));
    relay.stop().await;
}
