//! Shortcuts over REST: personal shortcuts belong to their owner alone (404 for anyone else),
//! team shortcuts are changed by admins (403 for others), templates and names are checked, and
//! every refusal leaves the lists as they were.

use beseda_tests::http::{assert_refused, delete, get, post_json, put_json};
use beseda_tests::workflow::operator_id;
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn list(relay: &TestRelay, path: &str, token: &str) -> Value {
    let response = get(relay.addr, path, Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn shortcut(name: &str, text: &str, scope: &str) -> Value {
    json!({ "name": name, "text": text, "scope": scope })
}

async fn create(relay: &TestRelay, token: &str, body: &Value) -> Value {
    let response = post_json(relay.addr, "/api/shortcuts", Some(token), body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn personal_shortcuts_are_their_owners_and_team_shortcuts_are_the_admins() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    assert_refused(
        &get(relay.addr, "/api/shortcuts", None).await,
        401,
        "unauthorized",
        "list",
    );
    assert_eq!(list(&relay, "/api/shortcuts", &petr).await, json!([]));

    let greeting = "Dobrý den, {visitor.name|vocative}!";
    let mine = create(&relay, &petr, &shortcut(" pozdrav ", greeting, "personal")).await;
    let mine_id = mine["id"].as_i64().unwrap();
    assert_eq!(
        mine,
        json!({ "id": mine_id, "name": "pozdrav", "text": greeting, "scope": "personal", "ownerId": petr_id })
    );
    let thanks = shortcut(
        "diky",
        "Děkujeme za nákup v {shop.name}. {operator.name}",
        "team",
    );
    let response = post_json(relay.addr, "/api/shortcuts", Some(&petr), &thanks).await;
    assert_refused(
        &response,
        403,
        "forbidden",
        "a team shortcut by a non-admin",
    );
    let team = create(&relay, &jana, &thanks).await;
    let team_id = team["id"].as_i64().unwrap();
    assert_eq!(team["scope"], "team");
    assert!(team.get("ownerId").is_none(), "{team}");
    // Jana may have her own "pozdrav": names are unique per owner.
    create(
        &relay,
        &jana,
        &shortcut("pozdrav", "Dobrý den!", "personal"),
    )
    .await;

    let petrs = list(&relay, "/api/shortcuts", &petr).await;
    let janas = list(&relay, "/api/shortcuts", &jana).await;
    let names = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().into(),
                    s["scope"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(
        names(&petrs),
        [
            ("diky".into(), "team".into()),
            ("pozdrav".into(), "personal".into())
        ]
    );
    assert!(petrs.as_array().unwrap().contains(&mine));
    assert_eq!(
        names(&janas),
        [
            ("diky".into(), "team".into()),
            ("pozdrav".into(), "personal".into())
        ]
    );
    assert!(
        !janas.as_array().unwrap().contains(&mine),
        "Petr's own is not Jana's to see"
    );

    let mine_path = format!("/api/shortcuts/{mine_id}");
    let team_path = format!("/api/shortcuts/{team_id}");
    let change = shortcut("pozdrav", "Ahoj!", "personal");
    let refusals = [
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("POZDRAV", "x", "personal"),
            )
            .await,
            409,
            "conflict",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&jana),
                &shortcut("diky", "x", "team"),
            )
            .await,
            409,
            "conflict",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("mail", "Váš e-mail: {visitor.email}", "personal"),
            )
            .await,
            400,
            "invalid_template",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("open", "Dobrý den, {visitor.name", "personal"),
            )
            .await,
            400,
            "invalid_template",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("dobry den", "x", "personal"),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("a/b", "x", "personal"),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("  ", "x", "personal"),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut(&"n".repeat(65), "x", "personal"),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("prazdny", " ", "personal"),
            )
            .await,
            400,
            "text_empty",
        ),
        (
            post_json(
                relay.addr,
                "/api/shortcuts",
                Some(&petr),
                &shortcut("vsem", "x", "global"),
            )
            .await,
            400,
            "bad_request",
        ),
        (
            post_json(relay.addr, "/api/shortcuts", None, &change).await,
            401,
            "unauthorized",
        ),
        // Someone else's personal shortcut does not exist for you, even for an admin.
        (
            put_json(relay.addr, &mine_path, Some(&jana), &change).await,
            404,
            "not_found",
        ),
        (
            delete(relay.addr, &mine_path, Some(&jana)).await,
            404,
            "not_found",
        ),
        (
            put_json(
                relay.addr,
                &team_path,
                Some(&petr),
                &shortcut("diky", "x", "team"),
            )
            .await,
            403,
            "forbidden",
        ),
        (
            put_json(
                relay.addr,
                &team_path,
                Some(&petr),
                &shortcut("diky", "x", "personal"),
            )
            .await,
            403,
            "forbidden",
        ),
        (
            delete(relay.addr, &team_path, Some(&petr)).await,
            403,
            "forbidden",
        ),
        (
            put_json(
                relay.addr,
                &mine_path,
                Some(&petr),
                &shortcut("pozdrav", "x", "team"),
            )
            .await,
            403,
            "forbidden",
        ),
        (
            put_json(
                relay.addr,
                &mine_path,
                Some(&petr),
                &shortcut("pozdrav", "{operator.email}", "personal"),
            )
            .await,
            400,
            "invalid_template",
        ),
        (
            put_json(relay.addr, "/api/shortcuts/999", Some(&petr), &change).await,
            404,
            "not_found",
        ),
        (
            delete(relay.addr, "/api/shortcuts/999", Some(&petr)).await,
            404,
            "not_found",
        ),
        (
            delete(relay.addr, &mine_path, None).await,
            401,
            "unauthorized",
        ),
    ];
    for (index, (response, status, code)) in refusals.iter().enumerate() {
        assert_refused(response, *status, code, &format!("refusal {index}"));
    }
    assert_eq!(
        list(&relay, "/api/shortcuts", &petr).await,
        petrs,
        "refusals change nothing"
    );
    assert_eq!(list(&relay, "/api/shortcuts", &jana).await, janas);

    // Renaming onto another of one's own names is a conflict too.
    create(
        &relay,
        &petr,
        &shortcut("nashle", "Na shledanou!", "personal"),
    )
    .await;
    let response = put_json(
        relay.addr,
        &mine_path,
        Some(&petr),
        &shortcut("Nashle", "x", "personal"),
    )
    .await;
    assert_refused(&response, 409, "conflict", "rename onto an existing name");

    let response = put_json(relay.addr, &mine_path, Some(&petr), &change).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["text"], "Ahoj!");
    let response = put_json(
        relay.addr,
        &team_path,
        Some(&jana),
        &shortcut("diky", "Díky!", "team"),
    )
    .await;
    assert_eq!(
        (response.status, &response.json()["text"]),
        (200, &json!("Díky!"))
    );

    let response = delete(relay.addr, &mine_path, Some(&petr)).await;
    assert_eq!((response.status, response.body.as_str()), (204, ""));
    let response = delete(relay.addr, &team_path, Some(&jana)).await;
    assert_eq!(response.status, 204);
    assert_eq!(
        names(&list(&relay, "/api/shortcuts", &petr).await),
        [("nashle".into(), "personal".into())]
    );
    assert_refused(
        &delete(relay.addr, &mine_path, Some(&petr)).await,
        404,
        "not_found",
        "deleted twice",
    );
    relay.stop().await;
}
