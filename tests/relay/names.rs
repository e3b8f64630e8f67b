//! Names people see and photos their browsers fetch: a right-to-left override, a zero-width space
//! or a control character in a name, title or tag is refused by every way in (REST, the command
//! line, the visitor's profile frame) with a clear error and nothing stored; a photo is an
//! `https://` address or a path on the relay, never `http://`, `//host` or `/\host`.

use beseda_tests::http::{assert_refused, get, post_json, put_json};
use beseda_tests::workflow::{default_site, detail, operator_id, until_ack};
use beseda_tests::{Client, JANA, PETR, RelayProcess, TestRelay};
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");

/// Names that pass for another or move the text beside them: a right-to-left override ("Jana"
/// followed by a reversed "Admin"), a zero-width space, a control character, a bidi isolate and
/// a byte order mark.
const BAD_NAMES: [&str; 5] = [
    "Jana\u{202E}nimdA",
    "Ja\u{200B}na",
    "Jana\u{0007}",
    "\u{2067}Jana",
    "\u{FEFF}Jana",
];

async fn operators(relay: &TestRelay, token: &str) -> Value {
    let response = get(relay.addr, "/api/operators", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn names_with_hidden_or_reordering_characters_are_refused_over_rest() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    let team = operators(&relay, &jana).await;
    let me = get(relay.addr, "/api/me", Some(&petr)).await.json();
    let site = default_site(&relay, &jana).await;
    for name in BAD_NAMES {
        let what = format!("{name:?}");
        let new_operator =
            json!({ "email": "eva@shop.example", "name": name, "password": "long enough" });
        let response = post_json(relay.addr, "/api/operators", Some(&jana), &new_operator).await;
        assert_refused(&response, 400, "bad_request", &what);
        assert!(
            response.body.contains("direction-changing"),
            "a clear reason: {}",
            response.body
        );
        assert_refused(
            &put_json(relay.addr, "/api/me", Some(&petr), &json!({ "name": name })).await,
            400,
            "bad_request",
            &what,
        );
        assert_refused(
            &put_json(
                relay.addr,
                &format!("/api/operators/{petr_id}"),
                Some(&jana),
                &json!({ "name": name }),
            )
            .await,
            400,
            "bad_request",
            &what,
        );
        let mut titled = site.clone();
        titled["title"] = json!(name);
        assert_refused(
            &put_json(relay.addr, "/api/sites/default", Some(&jana), &titled).await,
            400,
            "bad_request",
            &what,
        );
    }
    // Nothing was stored.
    assert_eq!(operators(&relay, &jana).await, team);
    assert_eq!(get(relay.addr, "/api/me", Some(&petr)).await.json(), me);
    assert_eq!(default_site(&relay, &jana).await, site);

    // Names in other scripts are names like any other.
    for name in ["محمد علي", "Zoë Nováková", "李雷"] {
        let response = put_json(relay.addr, "/api/me", Some(&petr), &json!({ "name": name })).await;
        assert_eq!(response.status, 200, "{name}: {}", response.body);
        assert_eq!(response.json()["name"], name);
    }
    relay.stop().await;
}

#[tokio::test]
async fn tags_with_hidden_or_reordering_characters_are_refused() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let (mut visitor, _) = relay.visitor().await;
    visitor.say("m1", "Dobrý den").await;
    let (_, ack) = until_ack(&mut visitor, "m1").await;
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();
    let path = format!("/api/conversations/{conversation_id}/tags");
    for name in BAD_NAMES {
        assert_refused(
            &put_json(
                relay.addr,
                &path,
                Some(&jana),
                &json!({ "tags": ["vip", name] }),
            )
            .await,
            400,
            "bad_request",
            &format!("{name:?}"),
        );
    }
    let tags = detail(&relay, &jana, conversation_id).await["tags"].clone();
    assert!(
        tags.as_array().is_none_or(Vec::is_empty),
        "nothing stored: {tags}"
    );
    let response = put_json(relay.addr, &path, Some(&jana), &json!({ "tags": ["vip"] })).await;
    assert_eq!(response.status, 200, "{}", response.body);
    relay.stop().await;
}

#[tokio::test]
async fn a_visitors_name_with_hidden_or_reordering_characters_is_refused_and_not_kept() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let (mut visitor, welcome) = relay.visitor().await;
    visitor
        .send(json!({ "type": "profile", "name": "Petr" }))
        .await;
    // The same visitor in a second tab: a socket takes only a few profile frames in a row.
    let token = welcome["token"].as_str().unwrap();
    let (mut other_tab, _) = Client::visitor(relay.addr, Some(token), None).await;
    for (index, name) in BAD_NAMES.iter().enumerate() {
        let tab = if index < 4 {
            &mut visitor
        } else {
            &mut other_tab
        };
        tab.send(json!({ "type": "profile", "name": name })).await;
        let error = tab.recv_type("error").await;
        assert_eq!(error["code"], "bad_request", "{name:?}: {error}");
    }
    other_tab.close().await;
    visitor.say("m1", "Dobrý den").await;
    let (_, ack) = until_ack(&mut visitor, "m1").await;
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();
    assert_eq!(
        detail(&relay, &jana, conversation_id).await["visitor"]["name"],
        "Petr",
        "the name given before the refusals stays"
    );
    relay.stop().await;
}

fn relay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(RELAY)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the relay");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("the relay's output")
}

#[tokio::test]
async fn the_command_line_refuses_the_same_names_and_stores_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let db_arg = db.to_str().unwrap();
    for name in BAD_NAMES {
        let added = relay(
            &[
                "operator",
                "add",
                "--email",
                "eva@shop.example",
                "--name",
                name,
                "--db",
                db_arg,
            ],
            "a long enough secret\n",
        );
        assert_eq!(added.status.code(), Some(1), "{name:?}");
        let stderr = String::from_utf8_lossy(&added.stderr);
        assert!(stderr.contains("direction-changing"), "{name:?}: {stderr}");
        let site = relay(
            &["site", "add", "eshop", "--title", name, "--db", db_arg],
            "",
        );
        assert_eq!(site.status.code(), Some(1), "{name:?}");
    }
    // The same additions with plain names work: nothing was stored before them.
    let added = relay(
        &[
            "operator",
            "add",
            "--email",
            "eva@shop.example",
            "--name",
            "Eva",
            "--db",
            db_arg,
        ],
        "a long enough secret\n",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let site = relay(
        &["site", "add", "eshop", "--title", "E-shop", "--db", db_arg],
        "",
    );
    assert!(
        site.status.success(),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    let server = RelayProcess::start(RELAY, &db, &[]);
    let login = post_json(
        server.addr,
        "/api/login",
        None,
        &json!({ "email": "eva@shop.example", "password": "a long enough secret" }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["operator"]["name"], "Eva");
    server.kill();
}

#[tokio::test]
async fn photos_are_https_addresses_or_paths_on_the_relay() {
    let relay = TestRelay::start_with(|config| {
        config.public_url = Some("https://chat.shop.example".to_owned());
    })
    .await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    let me = get(relay.addr, "/api/me", Some(&petr)).await.json();
    for photo in [
        "http://tracker.example/pixel.gif",
        "//tracker.example/pixel.gif",
        "/\\tracker.example/pixel.gif",
        "https:/\\tracker.example/pixel.gif",
        "javascript:alert(1)",
        "pixel.gif",
    ] {
        let body = json!({ "photoUrl": photo });
        let response = put_json(relay.addr, "/api/me", Some(&petr), &body).await;
        assert_refused(&response, 400, "bad_request", photo);
        assert!(
            response.body.contains("https://"),
            "a clear reason: {}",
            response.body
        );
        let path = format!("/api/operators/{petr_id}");
        assert_refused(
            &put_json(relay.addr, &path, Some(&jana), &body).await,
            400,
            "bad_request",
            photo,
        );
    }
    assert_eq!(
        get(relay.addr, "/api/me", Some(&petr)).await.json(),
        me,
        "nothing stored"
    );
    for photo in [
        "https://cdn.shop.example/team/petr.jpg",
        "/photos/petr.jpg",
        "https://chat.shop.example/photos/petr.jpg",
    ] {
        let response = put_json(
            relay.addr,
            "/api/me",
            Some(&petr),
            &json!({ "photoUrl": photo }),
        )
        .await;
        assert_eq!(response.status, 200, "{photo}: {}", response.body);
        assert_eq!(response.json()["photoUrl"], photo);
    }
    relay.stop().await;
}
