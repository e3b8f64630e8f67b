//! Keyword rules over REST: everyone reads them, admins change them (403 for others); keywords,
//! tags, priorities and sites are checked, and every refusal leaves the list as it was.

use beseda_tests::http::{assert_refused, delete, get, post_json, put_json};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn list(relay: &TestRelay, path: &str, token: &str) -> Value {
    let response = get(relay.addr, path, Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn rules_are_listed_for_everyone_and_changed_by_admins() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    assert_refused(
        &get(relay.addr, "/api/rules", None).await,
        401,
        "unauthorized",
        "list",
    );
    assert_eq!(list(&relay, "/api/rules", &petr).await, json!([]));

    let missing = json!({ "keyword": "chybí", "tag": "missing", "priority": 10 });
    assert_refused(
        &post_json(relay.addr, "/api/rules", Some(&petr), &missing).await,
        403,
        "forbidden",
        "create",
    );
    let response = post_json(relay.addr, "/api/rules", Some(&jana), &missing).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let first = response.json();
    let first_id = first["id"].as_i64().unwrap();
    assert_eq!(
        first,
        json!({ "id": first_id, "keyword": "chybí", "tag": "missing", "priority": 10 })
    );
    let late = json!({ "keyword": "nedorazilo", "tag": "late", "priority": 20, "site": "default" });
    let response = post_json(relay.addr, "/api/rules", Some(&jana), &late).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let second_id = response.json()["id"].as_i64().unwrap();
    assert_eq!(response.json()["site"], "default");
    let billing = json!({ "keyword": " faktura ", "tag": " billing " });
    let response = post_json(relay.addr, "/api/rules", Some(&jana), &billing).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let (keyword, tag, priority) = (
        &response.json()["keyword"],
        &response.json()["tag"],
        &response.json()["priority"],
    );
    assert_eq!(
        (keyword, tag, priority),
        (&json!("faktura"), &json!("billing"), &json!(0)),
        "trimmed, like tags"
    );

    let rules = list(&relay, "/api/rules", &petr).await;
    let order: Vec<&Value> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| &rule["tag"])
        .collect();
    assert_eq!(
        order,
        [&json!("late"), &json!("missing"), &json!("billing")],
        "highest priority first"
    );

    let path = format!("/api/rules/{first_id}");
    let with = |field: &str, value: Value| {
        let mut body = missing.clone();
        body[field] = value;
        body
    };
    let refusals = [
        (
            put_json(relay.addr, &path, Some(&petr), &missing).await,
            403,
            "forbidden",
        ),
        (
            delete(relay.addr, &path, Some(&petr)).await,
            403,
            "forbidden",
        ),
        (delete(relay.addr, &path, None).await, 401, "unauthorized"),
        (
            post_json(relay.addr, "/api/rules", None, &missing).await,
            401,
            "unauthorized",
        ),
        (
            post_json(
                relay.addr,
                "/api/rules",
                Some(&jana),
                &with("site", json!("nowhere")),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/rules",
                Some(&jana),
                &with("keyword", json!("  ")),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/rules",
                Some(&jana),
                &with("tag", json!("")),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/rules",
                Some(&jana),
                &with("keyword", json!("k".repeat(65))),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/rules",
                Some(&jana),
                &with("priority", json!(1001)),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            put_json(
                relay.addr,
                &path,
                Some(&jana),
                &with("priority", json!(-1001)),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            put_json(
                relay.addr,
                &path,
                Some(&jana),
                &with("site", json!("nowhere")),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            put_json(relay.addr, "/api/rules/999", Some(&jana), &missing).await,
            404,
            "not_found",
        ),
        (
            delete(relay.addr, "/api/rules/999", Some(&jana)).await,
            404,
            "not_found",
        ),
    ];
    for (index, (response, status, code)) in refusals.iter().enumerate() {
        assert_refused(response, *status, code, &format!("refusal {index}"));
    }
    assert_eq!(
        list(&relay, "/api/rules", &jana).await,
        rules,
        "refusals change nothing"
    );

    let response = put_json(relay.addr, &path, Some(&jana), &with("priority", json!(30))).await;
    assert_eq!(
        (response.status, &response.json()["priority"]),
        (200, &json!(30))
    );
    let response = delete(relay.addr, &format!("/api/rules/{second_id}"), Some(&jana)).await;
    assert_eq!((response.status, response.body.as_str()), (204, ""));
    let rules = list(&relay, "/api/rules", &petr).await;
    let order: Vec<&Value> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| &rule["tag"])
        .collect();
    assert_eq!(order, [&json!("missing"), &json!("billing")]);
    relay.stop().await;
}
