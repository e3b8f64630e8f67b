//! Every endpoint of the operators' workflow and of the team's settings refuses a request
//! without a valid sign-in with 401, before looking at anything else, and changes nothing.

use beseda_tests::http::{assert_refused, get, request};
use beseda_tests::workflow::visitor_writes;
use beseda_tests::{JANA, TestRelay};
use serde_json::json;

#[tokio::test]
async fn every_new_endpoint_wants_a_valid_sign_in() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "Dobrý den")
        .await
        .conversation_id;
    let shortcut = json!({ "name": "ahoj", "text": "Ahoj", "scope": "team" });
    let rule = json!({ "keyword": "chybí", "tag": "missing", "priority": 1 });
    let site = json!({ "title": "X", "autoMessageDelaySecs": 1, "ratingEnabled": false });
    let operator = json!({ "email": "eva@shop.example", "name": "Eva", "password": "long enough" });
    let endpoints = [
        ("POST", format!("/api/conversations/{id}/join"), None),
        (
            "POST",
            format!("/api/conversations/{id}/assign"),
            Some(json!({ "operatorId": 1 })),
        ),
        (
            "POST",
            format!("/api/conversations/{id}/read"),
            Some(json!({ "seq": 1 })),
        ),
        (
            "PUT",
            format!("/api/conversations/{id}/tags"),
            Some(json!({ "tags": ["x"] })),
        ),
        ("GET", "/api/operators".to_owned(), None),
        ("POST", "/api/operators".to_owned(), Some(operator)),
        (
            "PUT",
            "/api/operators/1".to_owned(),
            Some(json!({ "admin": false })),
        ),
        ("PUT", "/api/me".to_owned(), Some(json!({ "name": "X" }))),
        ("GET", "/api/shortcuts".to_owned(), None),
        ("POST", "/api/shortcuts".to_owned(), Some(shortcut.clone())),
        ("PUT", "/api/shortcuts/1".to_owned(), Some(shortcut)),
        ("DELETE", "/api/shortcuts/1".to_owned(), None),
        ("GET", "/api/settings".to_owned(), None),
        (
            "PUT",
            "/api/settings".to_owned(),
            Some(json!({ "maxChatsPerOperator": 1 })),
        ),
        ("GET", "/api/sites".to_owned(), None),
        ("PUT", "/api/sites/default".to_owned(), Some(site)),
        ("GET", "/api/rules".to_owned(), None),
        ("POST", "/api/rules".to_owned(), Some(rule.clone())),
        ("PUT", "/api/rules/1".to_owned(), Some(rule)),
        ("DELETE", "/api/rules/1".to_owned(), None),
    ];
    let before = [
        get(relay.addr, &format!("/api/conversations/{id}"), Some(&jana))
            .await
            .body,
        get(relay.addr, "/api/operators", Some(&jana)).await.body,
        get(relay.addr, "/api/sites", Some(&jana)).await.body,
        get(relay.addr, "/api/settings", Some(&jana)).await.body,
    ];
    for (method, path, body) in &endpoints {
        let body = body.as_ref().map(|body| body.to_string().into_bytes());
        for token in [None, Some("not-a-session-token")] {
            let response = request(relay.addr, method, path, token, body.as_deref()).await;
            assert_refused(
                &response,
                401,
                "unauthorized",
                &format!("{method} {path} {token:?}"),
            );
        }
    }
    let after = [
        get(relay.addr, &format!("/api/conversations/{id}"), Some(&jana))
            .await
            .body,
        get(relay.addr, "/api/operators", Some(&jana)).await.body,
        get(relay.addr, "/api/sites", Some(&jana)).await.body,
        get(relay.addr, "/api/settings", Some(&jana)).await.body,
    ];
    assert_eq!(before, after, "nothing changed");
    assert_eq!(
        get(relay.addr, "/api/shortcuts", Some(&jana)).await.body,
        "[]"
    );
    assert_eq!(get(relay.addr, "/api/rules", Some(&jana)).await.body, "[]");
    relay.stop().await;
}
