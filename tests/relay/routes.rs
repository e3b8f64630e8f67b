//! Which answer a request gets when its path or its method is unknown: a path no route has is
//! 404 `not_found` whatever the method (once a POST to an unknown path was answered 405, since the
//! files' fallback took every method but GET as a wrong method); a known path asked with a method
//! it does not take is 405 `method_not_allowed`.

use beseda_tests::http::request;
use beseda_tests::workflow::visitor_writes;
use beseda_tests::{JANA, TestRelay};
use serde_json::json;

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_on_known_paths_are_405() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "Dobrý den")
        .await
        .conversation_id;
    let conversation = format!("/api/conversations/{id}");
    let table: Vec<(&str, String, u16)> = vec![
        // Paths that do not exist, with every method.
        ("POST", "/api/nonexistent".to_owned(), 404),
        ("GET", "/api/nonexistent".to_owned(), 404),
        ("PUT", "/api/nonexistent".to_owned(), 404),
        ("DELETE", "/api/nonexistent".to_owned(), 404),
        ("PATCH", "/api/nonexistent".to_owned(), 404),
        ("POST", "/nonexistent".to_owned(), 404),
        ("PUT", "/api".to_owned(), 404),
        ("POST", format!("{conversation}/nonexistent"), 404),
        ("POST", "/api/me/nonexistent".to_owned(), 404),
        // Ids that are not numbers: no route has such a path.
        ("POST", "/api/conversations/abc/messages".to_owned(), 404),
        ("GET", "/api/conversations/abc".to_owned(), 404),
        ("POST", "/api/conversations/abc/resolve".to_owned(), 404),
        ("POST", "/api/conversations/abc/join".to_owned(), 404),
        ("PUT", "/api/conversations/abc/tags".to_owned(), 404),
        ("PUT", "/api/operators/abc".to_owned(), 404),
        ("POST", "/api/operators/abc/disable".to_owned(), 404),
        ("DELETE", "/api/rules/abc".to_owned(), 404),
        ("PUT", "/api/shortcuts/abc".to_owned(), 404),
        ("DELETE", "/api/prompts/abc".to_owned(), 404),
        ("GET", "/api/prompts/abc/stats".to_owned(), 404),
        ("PUT", "/api/webhooks/abc".to_owned(), 404),
        ("POST", "/api/webhooks/abc/rotate".to_owned(), 404),
        ("PUT", "/api/answers/abc".to_owned(), 404),
        ("POST", "/visitor/prompts/abc/events".to_owned(), 404),
        // Known paths, asked with a method they do not take.
        ("DELETE", "/api/me".to_owned(), 405),
        ("PUT", "/healthz".to_owned(), 405),
        ("POST", "/healthz".to_owned(), 405),
        ("GET", "/api/login".to_owned(), 405),
        ("GET", "/api/logout".to_owned(), 405),
        ("DELETE", "/api/conversations".to_owned(), 405),
        ("PUT", conversation.clone(), 405),
        ("PUT", format!("{conversation}/messages"), 405),
        ("GET", format!("{conversation}/resolve"), 405),
        ("GET", format!("{conversation}/join"), 405),
        ("POST", "/api/me/availability".to_owned(), 405),
        ("POST", "/api/me/password".to_owned(), 405),
        ("DELETE", "/api/settings".to_owned(), 405),
        ("PATCH", "/api/operators".to_owned(), 405),
        ("GET", "/api/operators/1/disable".to_owned(), 405),
        ("POST", "/api/rules/1".to_owned(), 405),
        ("PATCH", "/api/prompts/1".to_owned(), 405),
        ("PATCH", "/api/webhooks".to_owned(), 405),
        ("PUT", format!("{conversation}/block"), 405),
        ("POST", "/api/privacy/export".to_owned(), 405),
        ("GET", "/api/privacy/erase".to_owned(), 405),
        ("DELETE", "/api/audit".to_owned(), 405),
        ("GET", "/api/webhooks/1/test".to_owned(), 405),
        (
            "GET",
            "/api/webhooks/1/deliveries/2/redeliver".to_owned(),
            405,
        ),
        ("POST", "/api/answers/stats".to_owned(), 405),
        ("GET", "/visitor/prompts/1/events".to_owned(), 405),
        ("DELETE", "/visitor/prompts".to_owned(), 405),
        // Known paths with their own methods.
        ("GET", "/healthz".to_owned(), 200),
        ("GET", "/api/me".to_owned(), 200),
        ("GET", "/api/conversations".to_owned(), 200),
        ("GET", conversation.clone(), 200),
        ("GET", "/api/operators".to_owned(), 200),
        ("GET", "/api/settings".to_owned(), 200),
        ("GET", "/api/shortcuts".to_owned(), 200),
        ("GET", "/api/prompts".to_owned(), 200),
        ("GET", "/api/webhooks".to_owned(), 200),
        ("GET", "/api/blocks".to_owned(), 200),
        ("GET", "/api/audit".to_owned(), 200),
    ];
    let mut wrong = Vec::new();
    for (method, path, expected) in &table {
        let response = request(relay.addr, method, path, Some(&jana), None).await;
        let code = match response.status {
            404 => Some(response.error_code() == "not_found"),
            405 => Some(response.error_code() == "method_not_allowed"),
            _ => None,
        };
        if response.status != *expected || code == Some(false) {
            wrong.push(format!(
                "{method} {path}: expected {expected}, got {} {}",
                response.status, response.body
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong answers:\n{}", wrong.join("\n"));
}
