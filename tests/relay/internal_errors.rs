//! A failure inside the relay answers `internal` with a generic text, over REST and on both
//! sockets: nothing of the database (its errors, table names, SQL) ever reaches a client.
//!
//! The failure is real: the test renames a table of the running relay's database under it.

use beseda_tests::http::get;
use beseda_tests::{JANA, TestRelay};
use serde_json::{Value, json};

/// Words that would show a database error leaking to a client.
const INTERNAL_WORDS: [&str; 6] = [
    "table",
    "sql",
    "database",
    "conversations_gone",
    "no such",
    "rusqlite",
];

fn assert_generic(what: &str, message: &str) {
    let lowered = message.to_lowercase();
    for word in INTERNAL_WORDS {
        assert!(!lowered.contains(word), "{what} leaked {word:?}: {message}");
    }
}

fn rename(relay: &TestRelay, from: &str, to: &str) {
    beseda_tests::database::execute(&relay.db, &format!("ALTER TABLE {from} RENAME TO {to}"));
}

/// The error frame answering the frame just sent (other frames are skipped).
async fn next_error(client: &mut beseda_tests::Client) -> Value {
    client.recv_type("error").await
}

#[tokio::test]
async fn a_failing_database_answers_internal_with_nothing_of_it_on_rest_and_sockets() {
    let relay = TestRelay::start().await;
    let token = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("first", "Dobrý den").await;
    let ack = visitor.recv_type("ack").await;
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();
    let (mut operator, _) = relay.operator(&token).await;

    rename(&relay, "conversations", "conversations_gone");

    for path in [
        "/api/conversations".to_owned(),
        format!("/api/conversations/{conversation_id}"),
    ] {
        let response = get(relay.addr, &path, Some(&token)).await;
        assert_eq!(response.status, 500, "GET {path}: {}", response.body);
        assert_eq!(response.error_code(), "internal", "GET {path}");
        assert_generic(&format!("GET {path}"), &response.body);
    }

    operator
        .send(json!({ "type": "typing", "conversationId": conversation_id, "typing": true }))
        .await;
    let error = next_error(&mut operator).await;
    assert_eq!(error["code"], "internal", "{error}");
    assert_generic("the operator's typing", &error.to_string());

    operator
        .reply(conversation_id, "reply-1", "Hned to bude")
        .await;
    let error = next_error(&mut operator).await;
    assert_eq!(error["code"], "internal", "{error}");
    assert_eq!(error["clientId"], "reply-1", "{error}");
    assert_generic("the operator's reply", &error.to_string());

    visitor.say("second", "Jste tam?").await;
    let error = next_error(&mut visitor).await;
    assert_eq!(error["code"], "internal", "{error}");
    assert_eq!(error["clientId"], "second", "{error}");
    assert_generic("the visitor's message", &error.to_string());

    // Once the database is whole again, the same resend is stored: nothing was half-written.
    rename(&relay, "conversations_gone", "conversations");
    visitor.say("second", "Jste tam?").await;
    let ack = visitor.recv_type("ack").await;
    assert_eq!(ack["message"]["seq"], 2, "{ack}");
}
