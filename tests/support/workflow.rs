//! Helpers for the tests of the operators' workflow: availability, team and site settings,
//! visitors who write (and perhaps wait in the queue), and the REST views of conversations.

use crate::http::{get, put_json};
use crate::{Client, PATIENCE, TestRelay};
use serde_json::{Value, json};

/// Turns an operator's availability switch, as the console's "Available" does.
pub async fn set_available(relay: &TestRelay, token: &str, online: bool) {
    let response = put_json(
        relay.addr,
        "/api/me/availability",
        Some(token),
        &json!({ "online": online }),
    )
    .await;
    assert_eq!(response.status, 200, "availability: {}", response.body);
}

/// Sets the team's `maxChatsPerOperator` (as an admin).
pub async fn set_max_chats(relay: &TestRelay, admin_token: &str, max: u32) {
    let response = put_json(
        relay.addr,
        "/api/settings",
        Some(admin_token),
        &json!({ "maxChatsPerOperator": max }),
    )
    .await;
    assert_eq!(response.status, 200, "settings: {}", response.body);
    assert_eq!(response.json()["maxChatsPerOperator"], max);
}

/// The `default` site's settings.
pub async fn default_site(relay: &TestRelay, token: &str) -> Value {
    let sites = get(relay.addr, "/api/sites", Some(token)).await.json();
    sites
        .as_array()
        .expect("a list of sites")
        .iter()
        .find(|site| site["name"] == "default")
        .cloned()
        .expect("the default site")
}

/// Changes some of the `default` site's settings (as an admin); answers the saved settings.
pub async fn change_default_site(relay: &TestRelay, admin_token: &str, changes: Value) -> Value {
    let mut settings = default_site(relay, admin_token).await;
    if let (Some(settings), Some(changes)) = (settings.as_object_mut(), changes.as_object()) {
        settings.extend(changes.clone());
    }
    let response = put_json(
        relay.addr,
        "/api/sites/default",
        Some(admin_token),
        &settings,
    )
    .await;
    assert_eq!(response.status, 200, "site settings: {}", response.body);
    response.json()
}

/// The signed-in operator's id.
pub async fn operator_id(relay: &TestRelay, token: &str) -> i64 {
    get(relay.addr, "/api/me", Some(token)).await.json()["id"]
        .as_i64()
        .expect("an operator id")
}

/// `GET /api/conversations` as this operator.
pub async fn conversations(relay: &TestRelay, token: &str) -> Vec<Value> {
    let response = get(relay.addr, "/api/conversations", Some(token)).await;
    assert_eq!(response.status, 200, "list: {}", response.body);
    response.json().as_array().expect("a list").clone()
}

/// One row of `GET /api/conversations` as this operator.
pub async fn summary(relay: &TestRelay, token: &str, conversation_id: i64) -> Value {
    conversations(relay, token)
        .await
        .into_iter()
        .find(|row| row["id"] == conversation_id)
        .unwrap_or_else(|| panic!("conversation {conversation_id} is listed"))
}

/// `GET /api/conversations/{id}`.
pub async fn detail(relay: &TestRelay, token: &str, conversation_id: i64) -> Value {
    let response = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(token),
    )
    .await;
    assert_eq!(response.status, 200, "detail: {}", response.body);
    response.json()
}

/// The texts of a conversation's messages by this author.
pub fn texts_by(detail: &Value, author: &str) -> Vec<String> {
    detail["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|message| message["author"] == author)
        .map(|message| message["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A visitor who has written their first message.
pub struct Writer {
    pub client: Client,
    /// The visitor token, to reconnect as the same visitor.
    pub token: String,
    pub conversation_id: i64,
    /// What the relay sent this visitor before the acknowledgement.
    pub before_ack: Vec<Value>,
}

/// Reads a visitor's (or console's) frames up to the acknowledgement of `client_id`.
pub async fn until_ack(client: &mut Client, client_id: &str) -> (Vec<Value>, Value) {
    client
        .recv_until(|frame| frame["type"] == "ack" && frame["clientId"] == client_id)
        .await
}

/// A new visitor whose hello also carries `hello` (page, locale, …) writes `text`.
pub async fn visitor_writes(relay: &TestRelay, hello: Value, text: &str) -> Writer {
    let (mut client, welcome) = Client::visitor_with(relay.addr, hello).await;
    let token = welcome["token"].as_str().expect("a token").to_owned();
    client.say("first", text).await;
    let (before_ack, ack) = until_ack(&mut client, "first").await;
    Writer {
        client,
        token,
        conversation_id: ack["message"]["conversationId"]
            .as_i64()
            .expect("a conversation id"),
        before_ack,
    }
}

/// The queue frames among `frames`: their `position`, `None` for "served".
pub fn queue_positions(frames: &[Value]) -> Vec<Option<u64>> {
    frames
        .iter()
        .filter(|frame| frame["type"] == "queue")
        .map(|frame| frame["position"].as_u64())
        .collect()
}

/// Waits until `condition` holds, checking it every few milliseconds; panics after [`PATIENCE`].
/// For state that no frame announces (e.g. a column the relay sets in the database).
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Whether the relay has handled the conversation's wait (posted its automatic message, or let
/// it pass with nobody to promise): no frame tells of the second, the database does.
pub fn auto_message_handled(relay: &TestRelay, conversation_id: i64) -> bool {
    let sql = format!("SELECT auto_message_sent FROM conversations WHERE id = {conversation_id}");
    crate::database::number(&relay.db, &sql) != 0
}

/// Adds a site to a running relay's database, as `beseda-relay site add` does.
pub async fn add_site(relay: &TestRelay, name: &str, title: &str) {
    let store = beseda_relay::store::open(&relay.db, "test-setup", Box::new(|_| {}))
        .await
        .expect("open the relay's database")
        .store;
    assert!(
        store.ensure_site(name, title).await.expect("add a site"),
        "the site {name} is new"
    );
    tokio::task::spawn_blocking(move || store.close())
        .await
        .expect("close the store");
}

/// Open all week round the clock, except the given days (closed).
pub fn hours_closed_on(days: &[time::Date]) -> Value {
    let weekly: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|day| json!({ "day": day, "open": "00:00", "close": "24:00" }))
        .collect();
    let exceptions: Vec<Value> = days
        .iter()
        .map(|day| json!({ "date": day.to_string() }))
        .collect();
    json!({ "timeZone": "UTC", "weekly": weekly, "exceptions": exceptions })
}
