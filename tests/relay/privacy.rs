//! Privacy end to end, on either store: the export holds everything a visitor gave through every
//! path; an erase leaves nothing of it in any table (and, on SQLite, nothing readable in the file
//! or its WAL after a clean shutdown) while the reports keep their counts; a blocked visitor and
//! their address can send nothing until an admin unblocks them; the visitor's own erase where
//! the site allows it; the audit log of it all; bad requests refused, changing nothing.

use beseda_relay::config::{SmtpTls, parse_mailbox};
use beseda_tests::database::query;
use beseda_tests::http::{
    Response, assert_refused, delete, get, post_json, put_json, request_with,
};
use beseda_tests::smtp::free_port;
use beseda_tests::socket::Client;
use beseda_tests::workflow::{change_default_site, until_ack, visitor_writes};
use beseda_tests::{JANA, PETR, TestRelay, on_postgres};
use serde_json::{Value, json};
use std::path::Path;

/// What the visitor of the fixture gives, each unique to it.
const TEXT: &str = "Quokkafjord zelený čajník 7731";
const NAME: &str = "Karel Tajnovský";
const EMAIL: &str = "karel.tajny@example.com";
const CART_ITEM: &str = "Samovar wolverine";
const PAGE: &str = "https://shop.example/tajna-stranka-okapi";
const FILE_TEXT: &str = "Wombatreklamace";
const FILE_NAME: &str = "smlouva-wombat.pdf";
const REPLY: &str = "Odpověď platypus";
const NOTE: &str = "Poznámka narwhalnote";
const COMMENT: &str = "Axolotl skvělé";
const REVIEW: &str = "Kakapo review";

/// Every needle that must be gone after an erase, lower-cased where the search index folds.
const NEEDLES: [&str; 12] = [
    "quokkafjord",
    "karel",
    "tajnovsk",
    "karel.tajny",
    "wolverine",
    "okapi",
    "wombatreklamace",
    "smlouva-wombat",
    "platypus",
    "narwhalnote",
    "axolotl",
    "kakapo",
];

const BOUNDARY: &str = "beseda-privacy-boundary";
/// A small PDF (the relay judges the kind by the first bytes).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(relay: &TestRelay, token: &str) -> Response {
    let mut body = Vec::new();
    for (name, value) in [("clientId", "f1"), ("text", FILE_TEXT)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{FILE_NAME}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(PDF);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    request_with(
        relay.addr,
        "POST",
        "/visitor/files",
        Some(token),
        &[("Content-Type", &content_type)],
        Some(&body),
    )
    .await
}

async fn ok(response: Response, what: &str) -> Value {
    assert!(
        (200..300).contains(&response.status),
        "{what}: {} {}",
        response.status,
        response.body
    );
    if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    }
}

/// A request that must succeed, by `token`; its JSON (null when empty). The path names it.
async fn read(relay: &TestRelay, token: &str, path: &str) -> Value {
    ok(get(relay.addr, path, Some(token)).await, path).await
}

/// A JSON POST that must succeed; its JSON.
async fn write(relay: &TestRelay, token: &str, path: &str, body: &Value) -> Value {
    ok(post_json(relay.addr, path, Some(token), body).await, path).await
}

/// The fixture: a visitor who gives everything through every path, and what the team adds.
/// Returns the conversation's id, the visitor's token and id.
async fn a_visitor_who_gave_everything(relay: &TestRelay, jana: &str) -> (i64, String, String) {
    // A webhook endpoint that never answers: its deliveries keep copies of the events.
    write(relay, jana, "/api/webhooks", &json!({ "url": "http://127.0.0.1:9/hook", "events": ["message.created", "conversation.rated", "contact.submitted"], "enabled": true })).await;
    let hello = json!({
        "page": { "url": PAGE, "title": "Tajná stránka" },
        "locale": "cs",
    });
    let mut visitor = visitor_writes(relay, hello, TEXT).await;
    let id = visitor.conversation_id;
    visitor
        .client
        .send(json!({ "type": "profile", "name": NAME, "email": EMAIL }))
        .await;
    visitor
        .client
        .send(json!({ "type": "cart", "cart": { "items": [{ "name": CART_ITEM, "qty": 1, "price": 990 }], "total": 990, "currency": "CZK" } }))
        .await;
    let uploaded = upload(relay, &visitor.token).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let conversation = format!("/api/conversations/{id}");
    write(relay, jana, &format!("{conversation}/join"), &json!({})).await;
    write(
        relay,
        jana,
        &format!("{conversation}/messages"),
        &json!({ "clientId": "r1", "text": REPLY }),
    )
    .await;
    write(
        relay,
        jana,
        &format!("{conversation}/notes"),
        &json!({ "text": NOTE }),
    )
    .await;
    write(relay, jana, &format!("{conversation}/resolve"), &json!({})).await;
    visitor
        .client
        .send(json!({ "type": "rate", "rating": "satisfied", "comment": COMMENT }))
        .await;
    visitor
        .client
        .recv_until(|frame| frame["type"] == "rated")
        .await;
    ok(
        put_json(
            relay.addr,
            &format!("{conversation}/review"),
            Some(jana),
            &json!({ "verdict": "good", "comment": REVIEW }),
        )
        .await,
        "a review",
    )
    .await;
    let visitor_id = query(
        &relay.db,
        &format!("SELECT visitor_id FROM conversations WHERE id = {id}"),
    )[0][0]
        .clone();
    (id, visitor.token, visitor_id)
}

/// Every table of the relay's database with every row as text.
fn every_row(db: &Path) -> Vec<(String, String)> {
    let tables = if on_postgres() {
        query(
            db,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
    } else {
        query(
            db,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
        )
    };
    let mut rows = Vec::new();
    for table in tables.into_iter().map(|row| row[0].clone()) {
        for row in query(db, &format!("SELECT * FROM \"{table}\"")) {
            rows.push((table.clone(), row.join("\t").to_lowercase()));
        }
    }
    rows
}

fn hex(text: &str) -> String {
    text.bytes().map(|byte| format!("{byte:02x}")).collect()
}

/// The rows holding any of `needles`, as text or as hex (blobs are read as hex).
fn holding<'a>(rows: &'a [(String, String)], needles: &[&str]) -> Vec<&'a (String, String)> {
    rows.iter()
        .filter(|(_, row)| {
            needles
                .iter()
                .any(|needle| row.contains(needle) || row.contains(&hex(needle)))
        })
        .collect()
}

#[tokio::test]
async fn the_export_holds_everything_and_an_erase_leaves_nothing_but_the_counts() {
    let relay = TestRelay::start_with(|config| {
        config.webhook_allow_private = true;
        // Email to a server that never answers: the shop's email waits in the outbox.
        config.smtp_host = Some("127.0.0.1".to_owned());
        config.smtp_port = Some(free_port());
        config.smtp_tls = SmtpTls::None;
        config.mail_from = Some(parse_mailbox("Beseda <chat@shop.example>").unwrap());
        config.mail_interval = std::time::Duration::from_secs(300);
    })
    .await;
    let jana = relay.login(JANA).await;
    let (id, token, visitor_id) = a_visitor_who_gave_everything(&relay, &jana).await;
    // Another visitor's conversation, which nothing here may touch.
    let other = visitor_writes(&relay, json!({}), "Another visitor's capybara").await;

    let by_conversation = read(&relay, &jana, &format!("/api/conversations/{id}/export")).await;
    let by_email = read(
        &relay,
        &jana,
        &format!("/api/privacy/export?email={}", EMAIL.to_uppercase()),
    )
    .await;
    assert_eq!(by_email["email"], EMAIL.to_uppercase());
    assert_eq!(by_email["conversations"], by_conversation["conversations"]);
    let exported = &by_conversation["conversations"][0];
    assert_eq!(
        by_conversation["conversations"].as_array().unwrap().len(),
        1
    );
    assert_eq!(exported["id"], id);
    assert_eq!(
        exported["visitor"],
        json!({ "id": visitor_id, "name": NAME, "email": EMAIL })
    );
    assert_eq!(exported["cart"]["items"][0]["name"], CART_ITEM);
    assert_eq!(exported["context"]["pages"][0]["url"], PAGE);
    assert_eq!(exported["locale"], "cs");
    assert_eq!(exported["rating"], "satisfied");
    assert_eq!(exported["ratingComment"], COMMENT);
    assert_eq!(exported["notes"][0]["text"], NOTE);
    let texts: Vec<&str> = exported["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|message| message["text"].as_str())
        .collect();
    for text in [TEXT, FILE_TEXT, REPLY] {
        assert!(texts.contains(&text), "{text} in {texts:?}");
    }
    let files: Vec<Value> = exported["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|message| message["files"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], FILE_NAME);
    assert!(
        !exported["emails"].as_array().unwrap().is_empty(),
        "the shop was emailed: {exported}"
    );
    assert!(
        !by_conversation.to_string().contains("capybara"),
        "only this visitor's data"
    );

    let rows = every_row(&relay.db);
    assert!(
        !holding(&rows, &NEEDLES).is_empty(),
        "the scan finds what is there"
    );
    let volume_before = read(&relay, &jana, "/api/reports/volume").await;
    let hours_before = read(&relay, &jana, "/api/reports/hours").await;

    let (mut console, _) = relay.operator(&jana).await;
    let (mut tab, _) = Client::visitor(relay.addr, Some(&token), None).await;
    let erased = delete(relay.addr, &format!("/api/conversations/{id}"), Some(&jana)).await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    let (_, frame) = console.recv_until(|frame| frame["type"] == "erased").await;
    assert_eq!(frame["conversationId"], id);
    tab.recv_type("erased").await;

    assert_refused(
        &get(relay.addr, &format!("/api/conversations/{id}"), Some(&jana)).await,
        404,
        "not_found",
        "an erased conversation",
    );
    assert_refused(
        &delete(relay.addr, &format!("/api/conversations/{id}"), Some(&jana)).await,
        404,
        "not_found",
        "erased twice",
    );
    let mut needles: Vec<&str> = NEEDLES.to_vec();
    needles.push(&visitor_id);
    let left = holding(&every_row(&relay.db), &needles)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(left.is_empty(), "left after the erase: {left:?}");
    assert!(
        !holding(&every_row(&relay.db), &["capybara"]).is_empty(),
        "the other visitor's conversation stays"
    );
    assert_eq!(
        read(&relay, &jana, "/api/reports/volume").await,
        volume_before
    );
    assert_eq!(
        read(&relay, &jana, "/api/reports/hours").await,
        hours_before
    );
    read(
        &relay,
        &jana,
        &format!("/api/conversations/{}", other.conversation_id),
    )
    .await;

    // The same visitor may come back: a new conversation, which the erased one's episodes never
    // join (its id may be the erased one's on SQLite).
    let again = visitor_writes(&relay, json!({}), "Back again").await;
    let summary = read(
        &relay,
        &jana,
        &format!("/api/conversations/{}", again.conversation_id),
    )
    .await;
    assert_eq!(summary["messages"].as_array().unwrap().len(), 1);

    // Erase by email: the count, then nothing more to erase.
    let (_, _, _) = a_visitor_who_gave_everything(&relay, &jana).await;
    let by_email = write(
        &relay,
        &jana,
        "/api/privacy/erase",
        &json!({ "email": EMAIL }),
    )
    .await;
    assert_eq!(by_email, json!({ "conversations": 1 }));
    let again = write(
        &relay,
        &jana,
        "/api/privacy/erase",
        &json!({ "email": EMAIL }),
    )
    .await;
    assert_eq!(again, json!({ "conversations": 0 }));
    let left = holding(&every_row(&relay.db), &NEEDLES)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(left.is_empty(), "left after the erase by email: {left:?}");

    // The audit log: who exported and erased, newest first, without the visitor's email.
    let audit = read(&relay, &jana, "/api/audit").await;
    let acts: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        vec![
            ("erase".to_owned(), "email".to_owned()),
            ("erase".to_owned(), "email".to_owned()),
            ("erase".to_owned(), format!("conversation {id}")),
            ("export".to_owned(), "email".to_owned()),
            ("export".to_owned(), format!("conversation {id}")),
        ]
    );
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["operator"] == "Jana")
    );
    assert!(!audit.to_string().contains("karel"), "{audit}");
    let older = read(
        &relay,
        &jana,
        &format!("/api/audit?before={}", audit[1]["id"]),
    )
    .await;
    assert_eq!(older.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_erased_conversation_cannot_be_read_from_the_database_file_or_its_wal() {
    let relay = TestRelay::start_on_sqlite_with(|_| {}).await;
    let jana = relay.login(JANA).await;
    let erased = visitor_writes(&relay, json!({}), "Quokkafjord secret words 7731").await;
    let kept = visitor_writes(&relay, json!({}), "Capybaraword stays here").await;
    let path = format!("/api/conversations/{}", erased.conversation_id);
    let reply = json!({ "clientId": "r", "text": "Platypusanswer for you" });
    write(&relay, &jana, &format!("{path}/messages"), &reply).await;
    assert_eq!(delete(relay.addr, &path, Some(&jana)).await.status, 204);
    drop((erased, kept));
    let db = relay.db.clone();
    let directory = relay.stop().await;
    let mut bytes = std::fs::read(&db).expect("read the database file");
    let wal = db.with_extension("db-wal");
    if let Ok(more) = std::fs::read(&wal) {
        bytes.extend(more);
    }
    let lower = bytes.to_ascii_lowercase();
    let found = |needle: &str| {
        lower
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    };
    // The scan finds what is there: the other conversation's words, in the messages and the
    // search index.
    assert!(
        found("capybaraword"),
        "the kept conversation is in the file"
    );
    for needle in ["quokkafjord", "platypusanswer", "secret words"] {
        assert!(!found(needle), "{needle} can still be read from the file");
    }
    drop(directory);
}

#[tokio::test]
async fn a_blocked_visitor_and_their_address_send_nothing_until_an_admin_unblocks() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let mut visitor = visitor_writes(&relay, json!({}), "First words").await;
    let id = visitor.conversation_id;
    let path = format!("/api/conversations/{id}/block");

    for (body, what) in [
        (json!({ "days": 0 }), "no days"),
        (json!({ "days": 366 }), "over a year"),
        (json!({ "days": "7" }), "days as text"),
        (json!({ "hours": 1 }), "an unknown field"),
    ] {
        assert_refused(
            &post_json(relay.addr, &path, Some(&petr), &body).await,
            400,
            "bad_request",
            what,
        );
    }
    assert_eq!(
        post_json(relay.addr, &path, Some(&petr), &json!({ "days": 0 }))
            .await
            .json()["error"]["message"],
        "days lies between 1 and 365, or is left out to block the visitor alone"
    );
    assert_refused(
        &post_json(
            relay.addr,
            "/api/conversations/99999/block",
            Some(&petr),
            &json!({}),
        )
        .await,
        404,
        "not_found",
        "no such conversation",
    );
    assert!(
        query(
            &relay.db,
            "SELECT 1 FROM conversations WHERE blocked_at IS NOT NULL"
        )
        .is_empty(),
        "refusals change nothing"
    );

    // An operator (not only an admin) blocks, with the address for a week.
    let (mut console, _) = relay.operator(&jana).await;
    let block = write(&relay, &petr, &path, &json!({ "days": 7 })).await;
    assert_eq!(block["conversationId"], id);
    assert_eq!(block["blockedBy"], "Petr");
    assert!(block["addressUntil"].is_string(), "{block}");
    visitor.client.recv_type("blocked").await;
    let (_, frame) = console.recv_until(|frame| frame["type"] == "blocked").await;
    assert_eq!(
        frame,
        json!({ "type": "blocked", "conversationId": id, "blocked": true })
    );
    assert_eq!(
        read(&relay, &jana, &format!("/api/conversations/{id}")).await["blocked"],
        true
    );

    // The visitor's next message is refused; so is a new visitor from the same address.
    visitor.client.say("after", "Still here?").await;
    let (_, refused) = visitor
        .client
        .recv_until(|frame| frame["type"] == "error")
        .await;
    assert_eq!(
        (refused["code"].as_str(), refused["clientId"].as_str()),
        (Some("blocked"), Some("after"))
    );
    let (_, welcome) = Client::visitor(relay.addr, Some(&visitor.token), None).await;
    assert_eq!(welcome["blocked"], true);
    let (mut stranger, welcome) = Client::visitor(relay.addr, None, None).await;
    assert_eq!(welcome["blocked"], true, "the same address, a new visitor");
    stranger.say("s1", "A new identity").await;
    let (_, refused) = stranger.recv_until(|frame| frame["type"] == "error").await;
    assert_eq!(refused["code"], "blocked");
    assert_eq!(
        query(
            &relay.db,
            &format!("SELECT count(*) FROM messages WHERE conversation_id = {id}")
        )[0][0],
        "1"
    );

    // Admins see the list and unblock; an operator may not.
    let blocks = read(&relay, &jana, "/api/blocks").await;
    assert_eq!(blocks.as_array().unwrap().len(), 1);
    assert_eq!(blocks[0]["conversationId"], id);
    assert_refused(
        &get(relay.addr, "/api/blocks", Some(&petr)).await,
        403,
        "forbidden",
        "an operator listing blocks",
    );
    assert_refused(
        &delete(relay.addr, &path, Some(&petr)).await,
        403,
        "forbidden",
        "an operator unblocking",
    );
    assert_eq!(delete(relay.addr, &path, Some(&jana)).await.status, 204);
    assert_refused(
        &delete(relay.addr, &path, Some(&jana)).await,
        404,
        "not_found",
        "unblocked twice",
    );
    let (_, frame) = console.recv_until(|frame| frame["type"] == "blocked").await;
    assert_eq!(frame["blocked"], false);
    assert!(
        read(&relay, &jana, "/api/blocks")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (mut back, welcome) = Client::visitor(relay.addr, Some(&visitor.token), None).await;
    assert!(welcome.get("blocked").is_none(), "{welcome}");
    back.say("back", "Thank you").await;
    until_ack(&mut back, "back").await;
    assert!(
        query(&relay.db, "SELECT 1 FROM address_blocks").is_empty(),
        "the address goes with the block"
    );

    let audit = read(&relay, &jana, "/api/audit").await;
    let acts: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap(),
                entry["operator"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(acts, vec![("unblock", "Jana"), ("block", "Petr")]);
}

#[tokio::test]
async fn a_visitor_erases_their_own_conversation_only_where_the_site_allows_it() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let mut visitor = visitor_writes(&relay, json!({}), "Please forget me").await;
    let id = visitor.conversation_id;
    visitor.client.send(json!({ "type": "erase" })).await;
    let (_, refused) = visitor
        .client
        .recv_until(|frame| frame["type"] == "error")
        .await;
    assert_eq!(refused["code"], "forbidden");
    read(&relay, &jana, &format!("/api/conversations/{id}")).await;

    let site = change_default_site(
        &relay,
        &jana,
        json!({ "visitorErase": true, "retentionDays": 30 }),
    )
    .await;
    assert_eq!(
        (
            site["visitorErase"].as_bool(),
            site["retentionDays"].as_u64()
        ),
        (Some(true), Some(30))
    );
    let (mut other_tab, welcome) = Client::visitor(relay.addr, Some(&visitor.token), None).await;
    assert_eq!(welcome["canErase"], true);
    visitor.client.send(json!({ "type": "erase" })).await;
    // Every tab hears it last: the socket closes normally, and the widget comes back as a new
    // visitor.
    for tab in [&mut visitor.client, &mut other_tab] {
        let ending = tab.ending().await;
        assert_eq!(
            ending.frames.last().map(|frame| frame["type"].clone()),
            Some(json!("erased"))
        );
        assert_eq!(ending.code(), Some(1000));
    }
    assert_refused(
        &get(relay.addr, &format!("/api/conversations/{id}"), Some(&jana)).await,
        404,
        "not_found",
        "erased by its visitor",
    );
    let (mut again, _) = Client::visitor(relay.addr, Some(&visitor.token), None).await;
    again.send(json!({ "type": "erase" })).await;
    let (_, refused) = again.recv_until(|frame| frame["type"] == "error").await;
    assert_eq!(refused["code"], "not_found");

    for (changes, what) in [
        (json!({ "retentionDays": 0 }), "no days"),
        (json!({ "retentionDays": 3651 }), "over ten years"),
    ] {
        let mut site = get(relay.addr, "/api/sites", Some(&jana)).await.json()[0].clone();
        site.as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        assert_refused(
            &put_json(relay.addr, "/api/sites/default", Some(&jana), &site).await,
            400,
            "bad_request",
            what,
        );
    }
    let audit = read(&relay, &jana, "/api/audit").await;
    assert_eq!(audit[0]["action"], "visitor_erase");
    assert!(audit[0].get("operator").is_none());
    assert_eq!(audit[1]["action"], "retention_change");
    assert_eq!(
        audit[1]["detail"],
        "retention kept → 30 days, visitors erase off → on"
    );
}

#[tokio::test]
async fn only_admins_export_erase_and_read_the_audit_and_bad_requests_change_nothing() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let visitor = visitor_writes(&relay, json!({}), "Hello").await;
    let id = visitor.conversation_id;
    for (method, path) in [
        ("GET", format!("/api/conversations/{id}/export")),
        ("GET", "/api/privacy/export?email=a@example.com".to_owned()),
        ("DELETE", format!("/api/conversations/{id}")),
        ("GET", "/api/audit".to_owned()),
    ] {
        let response = request_with(relay.addr, method, &path, Some(&petr), &[], None).await;
        assert_refused(&response, 403, "forbidden", &path);
    }
    let response = post_json(
        relay.addr,
        "/api/privacy/erase",
        Some(&petr),
        &json!({ "email": "a@example.com" }),
    )
    .await;
    assert_refused(&response, 403, "forbidden", "an operator erasing by email");
    let refusals = [
        (
            "GET",
            "/api/privacy/export",
            None,
            400,
            "bad_request",
            "no email",
        ),
        (
            "GET",
            "/api/privacy/export?email=nobody",
            None,
            400,
            "invalid_email",
            "not an email",
        ),
        (
            "POST",
            "/api/privacy/erase",
            Some(json!({ "email": "x" })),
            400,
            "invalid_email",
            "not an email",
        ),
        (
            "POST",
            "/api/privacy/erase",
            Some(json!({ "mail": "a@example.com" })),
            400,
            "bad_request",
            "an unknown field",
        ),
        (
            "GET",
            "/api/conversations/99999/export",
            None,
            404,
            "not_found",
            "no such conversation",
        ),
        (
            "GET",
            "/api/audit?before=x",
            None,
            400,
            "bad_request",
            "before as text",
        ),
    ];
    for (method, path, body, status, code, what) in refusals {
        let body = body.map(|body: Value| body.to_string());
        let response = request_with(
            relay.addr,
            method,
            path,
            Some(&jana),
            &[],
            body.as_deref().map(str::as_bytes),
        )
        .await;
        assert_refused(&response, status, code, what);
    }
    let audit = read(&relay, &jana, "/api/audit").await;
    assert_eq!(audit, json!([]), "refusals leave no entry");
    read(&relay, &jana, &format!("/api/conversations/{id}")).await;
}
