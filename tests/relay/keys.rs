//! API keys end to end: created by an admin in person and shown once, working as a bearer token
//! within their scope and site, never for the console's socket nor for people and credentials,
//! revoked at once; bad requests refused, changing nothing.

use beseda_tests::http::{
    Response, assert_refused, delete, get, post_json, put_json, request, request_with,
};
use beseda_tests::socket::Client;
use beseda_tests::workflow::visitor_writes;
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn create_key(relay: &TestRelay, token: &str, body: Value) -> Response {
    post_json(relay.addr, "/api/keys", Some(token), &body).await
}

async fn keys(relay: &TestRelay, token: &str) -> Value {
    let response = get(relay.addr, "/api/keys", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// A second site, added as `beseda-relay site add` would, beside the running relay.
async fn add_site(relay: &TestRelay, name: &str) {
    let store = beseda_relay::store::open(&relay.db, "test-setup", Box::new(|_| {}))
        .await
        .expect("open the test database")
        .store;
    store.ensure_site(name, "Second shop").await.unwrap();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_key_is_shown_once_and_works_within_its_scope_until_revoked() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "Dobrý den")
        .await
        .conversation_id;

    let created = create_key(&relay, &jana, json!({ "name": "CRM", "scope": "read" })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let key = created["key"]
        .as_str()
        .expect("the key, this once")
        .to_owned();
    assert!(key.starts_with("bsk_") && key.len() == 68, "{key}");
    assert_eq!(created["scope"], "read");
    assert_eq!(created["createdBy"], "Jana");
    let listed = keys(&relay, &jana).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "CRM");
    assert_eq!(listed[0]["prefix"], &key[..12]);
    assert!(listed[0].get("key").is_none(), "never listed: {listed}");
    assert!(!listed.to_string().contains(&key[12..]), "{listed}");
    assert!(
        listed[0].get("lastUsedAt").is_none(),
        "not used yet: {listed}"
    );

    // It reads, as the admin who made it.
    let list = get(relay.addr, "/api/conversations", Some(&key)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&format!("\"id\":{id}")), "{}", list.body);
    let detail = get(relay.addr, &format!("/api/conversations/{id}"), Some(&key)).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert!(
        keys(&relay, &jana).await[0]["lastUsedAt"].is_string(),
        "use recorded"
    );

    // It does not write.
    let reply = json!({ "clientId": "k1", "text": "Dobrý den, jak pomohu?" });
    let path = format!("/api/conversations/{id}/messages");
    let refused = post_json(relay.addr, &path, Some(&key), &reply).await;
    assert_refused(&refused, 403, "forbidden", "a read key writing");
    let settings = put_json(
        relay.addr,
        "/api/settings",
        Some(&key),
        &json!({ "maxChatsPerOperator": 1 }),
    )
    .await;
    assert_refused(&settings, 403, "forbidden", "a read key changing settings");

    // A read-write key writes, as the admin.
    let writer = create_key(
        &relay,
        &jana,
        json!({ "name": "Helpdesk", "scope": "read-write" }),
    )
    .await
    .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = post_json(relay.addr, &path, Some(&writer), &reply).await;
    assert!(sent.status == 200 || sent.status == 201, "{}", sent.body);
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{id}"),
        Some(&writer),
    )
    .await;
    assert!(detail.body.contains("jak pomohu"), "{}", detail.body);

    // Revoked: refused at once.
    let first_id = listed[0]["id"].as_i64().unwrap();
    assert_eq!(
        delete(relay.addr, &format!("/api/keys/{first_id}"), Some(&jana))
            .await
            .status,
        204
    );
    let after = get(relay.addr, "/api/conversations", Some(&key)).await;
    assert_refused(&after, 401, "unauthorized", "a revoked key");
    let again = delete(relay.addr, &format!("/api/keys/{first_id}"), Some(&jana)).await;
    assert_refused(&again, 404, "not_found", "revoking twice");
    assert_eq!(keys(&relay, &jana).await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn no_key_opens_the_console_or_manages_people_and_credentials() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let key = create_key(
        &relay,
        &jana,
        json!({ "name": "All", "scope": "read-write" }),
    )
    .await
    .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let operator = json!({ "email": "eva@shop.example", "name": "Eva", "password": "long enough" });
    let refused = [
        ("GET", "/api/operators", None),
        ("POST", "/api/operators", Some(operator)),
        ("PUT", "/api/operators/2", Some(json!({ "admin": true }))),
        ("POST", "/api/operators/2/disable", None),
        ("GET", "/api/me", None),
        ("PUT", "/api/me", Some(json!({ "name": "X" }))),
        (
            "PUT",
            "/api/me/password",
            Some(json!({ "currentPassword": "a", "newPassword": "long enough b" })),
        ),
        ("POST", "/api/logout", None),
        ("GET", "/api/keys", None),
        (
            "POST",
            "/api/keys",
            Some(json!({ "name": "More", "scope": "read-write" })),
        ),
        ("DELETE", "/api/keys/1", None),
    ];
    for (method, path, body) in refused {
        let body = body.map(|body| body.to_string().into_bytes());
        let response = request(relay.addr, method, path, Some(&key), body.as_deref()).await;
        assert_refused(&response, 403, "forbidden", &format!("{method} {path}"));
    }
    assert_eq!(keys(&relay, &jana).await.as_array().unwrap().len(), 1);
    let operators = get(relay.addr, "/api/operators", Some(&jana)).await.json();
    assert_eq!(
        operators.as_array().unwrap().len(),
        2,
        "nobody added: {operators}"
    );

    // The console's socket takes sessions only.
    let mut socket = Client::connect(relay.addr, "/ws/operator", None)
        .await
        .expect("open an operator socket");
    socket
        .send(json!({ "type": "hello", "version": 1, "token": key }))
        .await;
    let ending = socket.ending().await;
    assert_eq!(
        (ending.error_code().as_deref(), ending.code()),
        (Some("unauthorized"), Some(1008)),
        "{ending:?}"
    );

    // Only admins make keys; other operators see none.
    let petr = relay.login(PETR).await;
    let by_operator = create_key(&relay, &petr, json!({ "name": "Mine", "scope": "read" })).await;
    assert_refused(&by_operator, 403, "forbidden", "an operator creating a key");
    assert_refused(
        &get(relay.addr, "/api/keys", Some(&petr)).await,
        403,
        "forbidden",
        "listing",
    );

    // A disabled admin's keys stop working with them.
    let jana_id = get(relay.addr, "/api/me", Some(&jana)).await.json()["id"]
        .as_i64()
        .unwrap();
    let petr_admin = put_json(
        relay.addr,
        "/api/operators/2",
        Some(&jana),
        &json!({ "admin": true }),
    )
    .await;
    assert_eq!(petr_admin.status, 200, "{}", petr_admin.body);
    let disabled = post_json(
        relay.addr,
        &format!("/api/operators/{jana_id}/disable"),
        Some(&petr),
        &json!({}),
    )
    .await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    let after = get(relay.addr, "/api/conversations", Some(&key)).await;
    assert_refused(&after, 401, "unauthorized", "the key of a disabled admin");
}

#[tokio::test]
async fn a_site_key_sees_its_site_alone() {
    let relay = TestRelay::start().await;
    add_site(&relay, "second").await;
    let jana = relay.login(JANA).await;
    let elsewhere = visitor_writes(&relay, json!({}), "Dobrý den")
        .await
        .conversation_id;
    let here = visitor_writes(&relay, json!({ "site": "second" }), "Ahoj")
        .await
        .conversation_id;
    let created = create_key(
        &relay,
        &jana,
        json!({ "name": "Second shop", "scope": "read", "site": "second" }),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["site"], "second");
    let key = created.json()["key"].as_str().unwrap().to_owned();

    let mine = get(relay.addr, "/api/conversations?site=second", Some(&key)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(
        mine.body.contains(&format!("\"id\":{here}")),
        "{}",
        mine.body
    );
    assert!(
        !mine.body.contains(&format!("\"id\":{elsewhere}")),
        "{}",
        mine.body
    );
    let own = get(
        relay.addr,
        &format!("/api/conversations/{here}"),
        Some(&key),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
    let other = get(
        relay.addr,
        &format!("/api/conversations/{elsewhere}"),
        Some(&key),
    )
    .await;
    assert_refused(&other, 404, "not_found", "another site's conversation");
    for path in [
        "/api/conversations",
        "/api/conversations?site=default",
        "/api/reports/volume?site=default",
        "/api/settings",
        "/api/rules",
    ] {
        let response = get(relay.addr, path, Some(&key)).await;
        assert_refused(&response, 403, "forbidden", path);
    }
    let report = get(relay.addr, "/api/reports/volume?site=second", Some(&key)).await;
    assert_eq!(report.status, 200, "{}", report.body);
}

#[tokio::test]
async fn a_bad_key_request_is_refused_and_changes_nothing() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let long_name = "k".repeat(101);
    for (body, status, code) in [
        (json!({ "name": "X", "scope": "admin" }), 400, "bad_request"),
        (json!({ "name": "  ", "scope": "read" }), 400, "bad_request"),
        (
            json!({ "name": long_name, "scope": "read" }),
            400,
            "bad_request",
        ),
        (json!({ "scope": "read" }), 400, "bad_request"),
        (
            json!({ "name": "X", "scope": "read", "site": "nowhere" }),
            404,
            "not_found",
        ),
        (
            json!({ "name": "X", "scope": "read", "owner": 1 }),
            400,
            "bad_request",
        ),
        (json!(["name", "scope"]), 400, "bad_request"),
    ] {
        let response = create_key(&relay, &jana, body.clone()).await;
        assert_refused(&response, status, code, &body.to_string());
        assert!(!response.body.contains("SQL") && !response.body.contains("api_keys"));
    }
    assert_eq!(keys(&relay, &jana).await, json!([]));
    let unknown = get(
        relay.addr,
        "/api/conversations",
        Some(&format!("bsk_{}", "0".repeat(64))),
    )
    .await;
    assert_refused(&unknown, 401, "unauthorized", "an unknown key");
}

/// A text file sent by an operator into conversation `id`; its path on the relay.
async fn send_file(relay: &TestRelay, token: &str, id: i64) -> String {
    let boundary = "beseda-keys-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"clientId\"\r\n\r\nf1\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"order.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nOrder 2024-117\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let sent = request_with(
        relay.addr,
        "POST",
        &format!("/api/conversations/{id}/files"),
        Some(token),
        &[("Content-Type", &content_type)],
        Some(body.as_bytes()),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    sent.json()["files"][0]["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_key_fetches_the_files_of_its_sites_only() {
    let relay = TestRelay::start().await;
    add_site(&relay, "second").await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "Posílám objednávku")
        .await
        .conversation_id;
    let url = send_file(&relay, &jana, id).await;
    let key_for = |body: Value| {
        let relay = &relay;
        let jana = &jana;
        async move {
            create_key(relay, jana, body).await.json()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let every_site = key_for(json!({ "name": "CRM", "scope": "read" })).await;
    let this_site = key_for(json!({ "name": "Default", "scope": "read", "site": "default" })).await;
    let other_site = key_for(json!({ "name": "Second", "scope": "read", "site": "second" })).await;
    for key in [&every_site, &this_site] {
        let fetched = get(relay.addr, &url, Some(key)).await;
        assert_eq!(fetched.status, 200, "{}", fetched.body);
        assert_eq!(fetched.body, "Order 2024-117");
    }
    let refused = get(relay.addr, &url, Some(&other_site)).await;
    assert_refused(&refused, 404, "not_found", "another site's file");
    let listed = keys(&relay, &jana).await;
    let first = listed[0]["id"].as_i64().unwrap();
    assert_eq!(
        delete(relay.addr, &format!("/api/keys/{first}"), Some(&jana))
            .await
            .status,
        204
    );
    let revoked = get(relay.addr, &url, Some(&every_site)).await;
    assert_refused(&revoked, 404, "not_found", "a revoked key");
}
