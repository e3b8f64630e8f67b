//! Operator sessions that really end: signing out ends the session on the relay (not only in
//! the console), a password change ends every other session, a disabled operator is out at once
//! (REST, sockets, sign-in, assignment), and a session unused for the idle period expires. Each
//! ended session's console socket is closed at once with `unauthorized`.

use beseda_tests::http::{Response, assert_refused, get, post_json, put_json, request};
use beseda_tests::workflow::{operator_id, set_available, summary, visitor_writes};
use beseda_tests::{Client, JANA, PETR, TestRelay};
use serde_json::{Value, json};
use std::time::Duration;

async fn me(relay: &TestRelay, token: &str) -> u16 {
    get(relay.addr, "/api/me", Some(token)).await.status
}

async fn logout(relay: &TestRelay, token: Option<&str>) -> Response {
    request(relay.addr, "POST", "/api/logout", token, None).await
}

async fn login(relay: &TestRelay, email: &str, password: &str) -> Response {
    post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": email, "password": password }),
    )
    .await
}

async fn change_password(relay: &TestRelay, token: &str, current: &str, new: &str) -> Response {
    put_json(
        relay.addr,
        "/api/me/password",
        Some(token),
        &json!({ "currentPassword": current, "newPassword": new }),
    )
    .await
}

/// Asserts that the relay closes this console socket because its session ended.
async fn assert_signed_out(socket: &mut Client, what: &str) {
    let ending = socket.ending().await;
    assert_eq!(
        (ending.error_code().as_deref(), ending.code()),
        (Some("unauthorized"), Some(1008)),
        "{what}: {ending:?}"
    );
}

/// Asserts that a socket opened with this token is refused at its hello.
async fn assert_socket_refused(relay: &TestRelay, token: &str, what: &str) {
    let mut socket = Client::connect(relay.addr, "/ws/operator", None)
        .await
        .expect("open an operator socket");
    socket
        .send(json!({ "type": "hello", "version": 1, "token": token }))
        .await;
    assert_signed_out(&mut socket, what).await;
}

/// Asserts that this console socket is still open: it hears of its operator's availability.
async fn assert_still_open(relay: &TestRelay, socket: &mut Client, token: &str, online: bool) {
    set_available(relay, token, online).await;
    let (_, frame) = socket
        .recv_until(|frame| frame["type"] == "availability" && frame["online"] == online)
        .await;
    assert_eq!(frame["online"], online);
}

async fn operator_row(relay: &TestRelay, token: &str, id: i64) -> Value {
    let operators = get(relay.addr, "/api/operators", Some(token)).await.json();
    operators
        .as_array()
        .expect("a list of operators")
        .iter()
        .find(|operator| operator["id"] == id)
        .cloned()
        .expect("the operator is listed")
}

#[tokio::test]
async fn signing_out_ends_the_session_and_closes_its_socket() {
    let relay = TestRelay::start().await;
    let signed_out = relay.login(JANA).await;
    let elsewhere = relay.login(JANA).await;
    let (mut socket, _) = relay.operator(&signed_out).await;
    let (mut other_socket, _) = relay.operator(&elsewhere).await;

    assert_refused(&logout(&relay, None).await, 401, "unauthorized", "no token");
    let response = logout(&relay, Some(&signed_out)).await;
    assert_eq!(response.status, 204, "{}", response.body);

    assert_eq!(
        me(&relay, &signed_out).await,
        401,
        "the token opens nothing"
    );
    assert_signed_out(&mut socket, "the signed-out console").await;
    assert_socket_refused(&relay, &signed_out, "a new socket").await;
    assert_refused(
        &logout(&relay, Some(&signed_out)).await,
        401,
        "unauthorized",
        "signing out twice",
    );

    assert_eq!(me(&relay, &elsewhere).await, 200, "other sessions stay");
    assert_still_open(&relay, &mut other_socket, &elsewhere, true).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_the_other_sessions() {
    let relay = TestRelay::start().await;
    let (email, old_password) = PETR;
    let new_password = "a brand new password";
    let current = relay.login(PETR).await;
    let other = relay.login(PETR).await;
    let (mut current_socket, _) = relay.operator(&current).await;
    let (mut other_socket, _) = relay.operator(&other).await;

    assert_refused(
        &change_password(&relay, &current, "not my password", new_password).await,
        403,
        "forbidden",
        "a wrong current password",
    );
    assert_refused(
        &change_password(&relay, &current, old_password, "short").await,
        400,
        "bad_request",
        "a too short new password",
    );
    let unsigned = request(
        relay.addr,
        "PUT",
        "/api/me/password",
        None,
        Some(
            json!({ "currentPassword": old_password, "newPassword": new_password })
                .to_string()
                .as_bytes(),
        ),
    )
    .await;
    assert_refused(&unsigned, 401, "unauthorized", "no token");
    assert_eq!(
        me(&relay, &other).await,
        200,
        "the refusals changed nothing"
    );

    let response = change_password(&relay, &current, old_password, new_password).await;
    assert_eq!(response.status, 204, "{}", response.body);

    assert_eq!(me(&relay, &other).await, 401, "the other session ended");
    assert_signed_out(&mut other_socket, "the other console").await;
    assert_eq!(me(&relay, &current).await, 200, "this session stays");
    assert_still_open(&relay, &mut current_socket, &current, true).await;

    assert_refused(
        &login(&relay, email, old_password).await,
        401,
        "unauthorized",
        "the old password",
    );
    relay.login((email, new_password)).await;
    relay.stop().await;
}

#[tokio::test]
async fn guessing_the_current_password_is_limited() {
    let relay = TestRelay::start_with(|config| config.login_attempts = 2).await;
    let token = relay.login(PETR).await;
    for attempt in 0..2 {
        assert_refused(
            &change_password(&relay, &token, "a wrong guess", "a brand new password").await,
            403,
            "forbidden",
            &format!("guess {attempt}"),
        );
    }
    assert_refused(
        &change_password(&relay, &token, PETR.1, "a brand new password").await,
        429,
        "rate_limited",
        "even the right password, once over the limit",
    );
    relay.login(PETR).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_disabled_operator_is_out_at_once_until_enabled_again() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let jana_id = operator_id(&relay, &jana).await;
    let petr_id = operator_id(&relay, &petr).await;
    let (mut petr_socket, _) = relay.operator(&petr).await;
    set_available(&relay, &petr, true).await;
    let writer = visitor_writes(&relay, json!({}), "Dobrý den").await;
    let conversation = writer.conversation_id;
    assert_eq!(
        summary(&relay, &jana, conversation).await["assignedTo"],
        petr_id
    );
    set_available(&relay, &jana, true).await;

    let disable = |id: i64| format!("/api/operators/{id}/disable");
    assert_refused(
        &request(relay.addr, "POST", &disable(petr_id), None, None).await,
        401,
        "unauthorized",
        "no token",
    );
    assert_refused(
        &request(relay.addr, "POST", &disable(jana_id), Some(&petr), None).await,
        403,
        "forbidden",
        "not an admin",
    );
    assert_refused(
        &request(relay.addr, "POST", &disable(jana_id), Some(&jana), None).await,
        403,
        "forbidden",
        "oneself",
    );
    assert_refused(
        &request(relay.addr, "POST", &disable(9999), Some(&jana), None).await,
        404,
        "not_found",
        "nobody",
    );
    assert_eq!(me(&relay, &petr).await, 200, "the refusals changed nothing");

    let response = request(relay.addr, "POST", &disable(petr_id), Some(&jana), None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["disabled"], true);
    assert_eq!(response.json()["online"], false);

    assert_eq!(me(&relay, &petr).await, 401, "REST at once");
    assert_signed_out(&mut petr_socket, "Petr's console").await;
    assert_socket_refused(&relay, &petr, "a new socket").await;
    let wrong_password = login(&relay, PETR.0, "not his password").await;
    let disabled_login = login(&relay, PETR.0, PETR.1).await;
    assert_refused(&disabled_login, 401, "unauthorized", "signing in");
    assert_eq!(
        disabled_login.body, wrong_password.body,
        "the same answer as a wrong password"
    );

    let row = operator_row(&relay, &jana, petr_id).await;
    assert_eq!(
        (&row["disabled"], &row["online"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(
        summary(&relay, &jana, conversation).await["assignedTo"],
        jana_id,
        "Petr's conversation went back to the queue and to Jana"
    );
    let next = visitor_writes(&relay, json!({}), "Haló").await;
    assert_eq!(
        summary(&relay, &jana, next.conversation_id).await["assignedTo"],
        jana_id
    );

    let enable = format!("/api/operators/{petr_id}/enable");
    let response = request(relay.addr, "POST", &enable, Some(&jana), None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json().get("disabled"), None, "{}", response.body);
    assert_eq!(me(&relay, &petr).await, 401, "old sessions stay ended");
    let petr_again = relay.login(PETR).await;
    assert_eq!(me(&relay, &petr_again).await, 200);
    relay.stop().await;
}

#[tokio::test]
async fn a_session_unused_for_the_idle_period_expires() {
    let idle = Duration::from_millis(1500);
    let relay = TestRelay::start_with(|config| config.session_idle = idle).await;
    let token = relay.login(JANA).await;

    // Used more often than the idle period, for longer than it: the session stays.
    let started = tokio::time::Instant::now();
    while started.elapsed() < idle * 2 {
        assert_eq!(me(&relay, &token).await, 200, "a session in use stays");
        tokio::time::sleep(idle / 6).await;
    }

    // Left alone, it ends once the idle period has passed. (Asking whether it still works would
    // be a use; so the test waits out the period, which is what it tests, and asks once.)
    assert_eq!(me(&relay, &token).await, 200);
    tokio::time::sleep(idle + Duration::from_millis(300)).await;
    assert_eq!(me(&relay, &token).await, 401, "the idle session expired");
    assert_socket_refused(&relay, &token, "a socket of the expired session").await;
    relay.stop().await;
}

#[tokio::test]
async fn a_console_at_work_over_its_socket_alone_keeps_its_session() {
    let idle = Duration::from_millis(1500);
    let relay = TestRelay::start_with(|config| config.session_idle = idle).await;
    let token = relay.login(JANA).await;
    let (mut socket, _) = relay.operator(&token).await;
    let writer = visitor_writes(&relay, json!({}), "Dobrý den").await;
    let started = tokio::time::Instant::now();
    let mut typing = true;
    while started.elapsed() < idle * 2 {
        socket
            .send(json!({ "type": "typing", "conversationId": writer.conversation_id, "typing": typing }))
            .await;
        typing = !typing;
        tokio::time::sleep(idle / 6).await;
    }
    assert_eq!(me(&relay, &token).await, 200, "the session is in use");
    relay.stop().await;
}
