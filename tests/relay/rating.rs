//! Resolve, then rate: only a resolved conversation of a site that asks for ratings can be rated;
//! every tab of the visitor hears of the rating, operators see it, and a new visitor message
//! reopens the conversation.

use beseda_tests::http::{post_json, put_json, request};
use beseda_tests::workflow::{change_default_site, detail, summary, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, TestRelay};
use serde_json::{Value, json};

async fn resolve(relay: &TestRelay, token: &str, conversation_id: i64) {
    let path = format!("/api/conversations/{conversation_id}/resolve");
    let response = request(relay.addr, "POST", &path, Some(token), None).await;
    assert_eq!(response.status, 200, "resolve: {}", response.body);
}

/// Reads up to the next `status` frame of this status.
async fn until_status(client: &mut Client, status: &str) {
    client
        .recv_until(|frame| frame["type"] == "status" && frame["status"] == status)
        .await;
}

fn rate(rating: &str, comment: Option<&str>) -> Value {
    let mut frame = json!({ "type": "rate", "rating": rating });
    if let Some(comment) = comment {
        frame["comment"] = json!(comment);
    }
    frame
}

#[tokio::test]
async fn a_resolved_chat_is_rated_once_every_tab_hears_it_and_a_message_reopens_it() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let mut first_tab = visitor_writes(&relay, json!({}), "Kdy dorazí balík?").await;
    let id = first_tab.conversation_id;
    let (mut second_tab, welcome) =
        Client::visitor_with(relay.addr, json!({ "token": first_tab.token })).await;
    assert_eq!(welcome["ratingEnabled"], true);
    assert!(welcome.get("rating").is_none());

    // Still open: refused, and nothing is stored.
    first_tab.client.send(rate("satisfied", None)).await;
    let (_, error) = first_tab.client.recv_until_type("error").await;
    assert_eq!(error["code"], "conflict");
    assert!(summary(&relay, &jana, id).await.get("rating").is_none());

    resolve(&relay, &jana, id).await;
    until_status(&mut first_tab.client, "resolved").await;
    until_status(&mut second_tab, "resolved").await;

    // Bad ratings are refused and change nothing; the socket stays open.
    first_tab.client.send(rate("great", None)).await;
    assert_eq!(
        first_tab.client.recv_until_type("error").await.1["code"],
        "bad_frame"
    );
    let long = "x".repeat(1001);
    first_tab.client.send(rate("neutral", Some(&long))).await;
    assert_eq!(
        first_tab.client.recv_until_type("error").await.1["code"],
        "bad_request"
    );
    assert!(detail(&relay, &jana, id).await.get("rating").is_none());

    first_tab
        .client
        .send(rate("satisfied", Some("Rychlé a milé")))
        .await;
    let expected = json!({ "type": "rated", "rating": "satisfied", "comment": "Rychlé a milé" });
    let (before, rated) = first_tab.client.recv_until_type("rated").await;
    assert_eq!(rated, expected);
    assert!(
        before.iter().all(|frame| frame["type"] != "error"),
        "{before:?}"
    );
    assert_eq!(second_tab.recv_until_type("rated").await.1, expected);

    let stored = detail(&relay, &jana, id).await;
    assert_eq!(
        (&stored["rating"], &stored["ratingComment"]),
        (&json!("satisfied"), &json!("Rychlé a milé"))
    );
    assert_eq!(summary(&relay, &jana, id).await["rating"], "satisfied");
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": first_tab.token })).await;
    assert_eq!(welcome["rating"], "satisfied");

    // Regression: every change of a conversation (here its tags) told the visitor its status
    // again, and a repeated "resolved" made the widget offer the rating form a second time.
    let tags = put_json(
        relay.addr,
        &format!("/api/conversations/{id}/tags"),
        Some(&jana),
        &json!({ "tags": ["vip"] }),
    )
    .await;
    assert_eq!(tags.status, 200, "{}", tags.body);
    let path = format!("/api/conversations/{id}/messages");
    let note = post_json(relay.addr, &path, Some(&jana), &json!({ "text": "Díky!" })).await;
    assert_eq!(note.status, 201, "{}", note.body);
    for tab in [&mut first_tab.client, &mut second_tab] {
        assert_eq!(
            tab.recv().await["message"],
            note.json(),
            "no status frame first"
        );
    }

    // A new message reopens the chat; an open chat cannot be rated again.
    second_tab.say("again", "Ještě jedna otázka").await;
    let (before, _) = until_ack(&mut second_tab, "again").await;
    assert!(
        before
            .iter()
            .any(|frame| frame["type"] == "status" && frame["status"] == "open"),
        "{before:?}"
    );
    until_status(&mut first_tab.client, "open").await;
    assert_eq!(summary(&relay, &jana, id).await["status"], "open");
    second_tab.send(rate("dissatisfied", None)).await;
    assert_eq!(
        second_tab.recv_until_type("error").await.1["code"],
        "conflict"
    );
    assert_eq!(detail(&relay, &jana, id).await["rating"], "satisfied");
    relay.stop().await;
}

#[tokio::test]
async fn a_shop_without_ratings_says_so_in_the_welcome_and_refuses_them() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let saved = change_default_site(&relay, &jana, json!({ "ratingEnabled": false })).await;
    assert_eq!(saved["ratingEnabled"], false);

    // Regression: a visitor without a conversation was told ratings were on, whatever the shop said.
    let (_, welcome) = Client::visitor_with(relay.addr, json!({})).await;
    assert_eq!(welcome["ratingEnabled"], false, "{welcome}");

    let mut visitor = visitor_writes(&relay, json!({}), "Dobrý den").await;
    resolve(&relay, &jana, visitor.conversation_id).await;
    until_status(&mut visitor.client, "resolved").await;
    visitor.client.send(rate("satisfied", None)).await;
    assert_eq!(
        visitor.client.recv_until_type("error").await.1["code"],
        "conflict"
    );
    assert!(
        detail(&relay, &jana, visitor.conversation_id)
            .await
            .get("rating")
            .is_none()
    );
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": visitor.token })).await;
    assert_eq!(welcome["ratingEnabled"], false);
    relay.stop().await;
}

#[tokio::test]
async fn a_visitor_without_a_conversation_has_nothing_to_rate() {
    let relay = TestRelay::start().await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.send(rate("satisfied", None)).await;
    assert_eq!(visitor.recv_type("error").await["code"], "not_found");
    // The socket is still good.
    visitor.say("m1", "Dobrý den").await;
    assert_eq!(visitor.recv_until_type("ack").await.1["message"]["seq"], 1);
    relay.stop().await;
}
