//! `beseda-relay migrate`: a shop's SQLite database, filled by the real relay, copied into a new
//! PostgreSQL database and verified; a database that is not empty, or a SQLite file a relay is
//! running on, is refused and nothing changes; a row changed after the copy fails the
//! verification. The source is always a SQLite file; the target a fresh database on the test
//! process's throwaway PostgreSQL server.

use beseda_relay::Config;
use beseda_relay::config::{SmtpTls, parse_mailbox};
use beseda_tests::http::{post_json, put_json};
use beseda_tests::smtp::free_port;
use beseda_tests::workflow::{set_available, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, PETR, RelayProcess, TestRelay};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use tempfile::TempDir;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");

/// Every table `migrate` copies.
const TABLES: &[&str] = &[
    "settings",
    "sites",
    "operators",
    "sessions",
    "conversations",
    "messages",
    "visitors",
    "reads",
    "shortcuts",
    "rules",
    "prompts",
    "prompt_counts",
    "answers",
    "answer_misses",
    "mail_outbox",
    "mail_messages",
    "prompt_views_counted",
    "notes",
    "reviews",
];

/// A new empty database on the test process's throwaway server; answers its URL.
async fn fresh_database() -> String {
    tokio::task::spawn_blocking(beseda_tests::postgres::fresh_database)
        .await
        .expect("a fresh database")
}

async fn connect_config(config: &tokio_postgres::Config) -> tokio_postgres::Client {
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(connection);
    client
}

async fn connect(url: &str) -> tokio_postgres::Client {
    connect_config(&url.parse().expect("a valid URL")).await
}

/// Runs `beseda-relay migrate` with `args`.
fn migrate(args: &[&str]) -> impl std::future::Future<Output = Output> + use<> {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    async move {
        tokio::task::spawn_blocking(move || {
            Command::new(RELAY)
                .arg("migrate")
                .args(&args)
                .env("BESEDA_LOG", "warn")
                .output()
                .expect("run the relay")
        })
        .await
        .expect("the command ran")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The row counts `migrate` printed, per table: (SQLite, PostgreSQL, "same" or not).
fn printed_counts(stdout: &str) -> BTreeMap<String, (u64, u64, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[..] {
                [table, sqlite, postgres, verdict] => Some((
                    table.to_owned(),
                    (
                        sqlite.parse().ok()?,
                        postgres.parse().ok()?,
                        verdict.to_owned(),
                    ),
                )),
                _ => None,
            }
        })
        .collect()
}

fn sqlite_counts(db: &Path) -> BTreeMap<String, u64> {
    let connection = rusqlite::Connection::open(db).expect("open the SQLite database");
    TABLES
        .iter()
        .map(|table| {
            let count: i64 = connection
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .unwrap();
            ((*table).to_owned(), count as u64)
        })
        .collect()
}

async fn postgres_counts(client: &tokio_postgres::Client) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for table in TABLES {
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        counts.insert((*table).to_owned(), count as u64);
    }
    counts
}

/// A shop's database written by the real relay: two operators signed in, keyword rules,
/// shortcuts, a prompt, an answer, a chat with a read mark and tags, visitors with pages and
/// languages, and a contact-form message waiting in the mail outbox (its SMTP server is down).
async fn shop_database() -> (TempDir, Visitor) {
    let relay = TestRelay::start_on_sqlite_with(|config: &mut Config| {
        config.smtp_host = Some("127.0.0.1".to_owned());
        config.smtp_port = Some(free_port());
        config.smtp_tls = SmtpTls::None;
        config.mail_from = Some(parse_mailbox("Beseda <chat@shop.example>").unwrap());
        config.public_url = Some("https://chat.shop.example".to_owned());
        config.mail_interval = Duration::from_secs(300);
    })
    .await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    for (path, token, body) in [
        (
            "/api/rules",
            &jana,
            json!({ "keyword": "reklamace", "tag": "complaint", "priority": 5 }),
        ),
        (
            "/api/shortcuts",
            &jana,
            json!({ "name": "pozdrav", "text": "Dobrý den, {visitor.name|vocative}!", "scope": "team" }),
        ),
        (
            "/api/shortcuts",
            &petr,
            json!({ "name": "díky", "text": "Děkuji, {operator.name}", "scope": "personal" }),
        ),
        (
            "/api/prompts",
            &jana,
            json!({
                "name": "Bundy",
                "variants": [{ "text": "Pomůžeme s výběrem?", "weight": 1 },
                             { "text": "Dotaz k velikosti?", "weight": 3 }],
                "trigger": { "urlPattern": "/products/*", "secondsOnPage": 20 },
                "enabled": true
            }),
        ),
        (
            "/api/answers",
            &jana,
            json!({ "site": "default", "language": "cs", "question": "Kdy dorazí zásilka?",
                    "keywords": ["doprava", "zásilka"], "answer": "Do dvou pracovních dnů." }),
        ),
    ] {
        let response = post_json(relay.addr, path, Some(token), &body).await;
        assert_eq!(response.status, 201, "{path}: {}", response.body);
    }
    set_available(&relay, &jana, true).await;
    let mut writer = visitor_writes(
        &relay,
        json!({ "locale": "cs-CZ", "page": { "url": "https://shop.example/products/bunda", "title": "Bunda" } }),
        "Dobrý den, reklamace bundy 🧥",
    )
    .await;
    let reply = post_json(
        relay.addr,
        &format!("/api/conversations/{}/messages", writer.conversation_id),
        Some(&jana),
        &json!({ "text": "Dobrý den, pošlete prosím číslo objednávky." }),
    )
    .await;
    assert_eq!(reply.status, 201, "reply: {}", reply.body);
    writer.client.say("second", "Číslo je 2024-117.").await;
    until_ack(&mut writer.client, "second").await;
    let read = post_json(
        relay.addr,
        &format!("/api/conversations/{}/read", writer.conversation_id),
        Some(&jana),
        &json!({ "seq": 3 }),
    )
    .await;
    assert_eq!(read.status, 204, "read: {}", read.body);
    let id = writer.conversation_id;
    let note = post_json(
        relay.addr,
        &format!("/api/conversations/{id}/notes"),
        Some(&petr),
        &json!({ "text": "Zavolat zákazníkovi" }),
    )
    .await;
    assert_eq!(note.status, 201, "note: {}", note.body);
    let review = put_json(
        relay.addr,
        &format!("/api/conversations/{id}/review"),
        Some(&jana),
        &json!({ "verdict": "good", "comment": "Rychle a věcně" }),
    )
    .await;
    assert_eq!(review.status, 200, "review: {}", review.body);
    set_available(&relay, &jana, false).await;
    let (mut contact, welcome) =
        Client::visitor_with(relay.addr, json!({ "locale": "en-GB" })).await;
    assert_eq!(
        welcome["online"], false,
        "nobody is online: the contact form"
    );
    contact
        .send(json!({ "type": "contact", "clientId": "c1", "email": "eva@example.com", "text": "Do you ship to Slovakia?" }))
        .await;
    until_ack(&mut contact, "c1").await;
    let disabled = put_json(
        relay.addr,
        "/api/settings",
        Some(&jana),
        &json!({ "maxChatsPerOperator": 4 }),
    )
    .await;
    assert_eq!(disabled.status, 200, "settings: {}", disabled.body);
    let visitor = Visitor {
        token: writer.token,
        conversation_id: writer.conversation_id,
    };
    (relay.stop().await, visitor)
}

/// The visitor of the shop's chat: their token and conversation.
struct Visitor {
    token: String,
    conversation_id: i64,
}

/// Adds `count` messages to the first conversation, straight into the file: enough rows for
/// several of the copy's chunks without as many round trips through the relay.
fn add_messages(db: &Path, count: u32) {
    rusqlite::Connection::open(db)
        .unwrap()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
             INSERT INTO messages (conversation_id, seq, client_id, author, text, sent_at)
             SELECT c.id, c.last_seq + n.i, 'bulk-' || n.i, 'visitor', 'zpráva ' || n.i, c.updated_at + n.i
               FROM n, (SELECT id, last_seq, updated_at FROM conversations ORDER BY id LIMIT 1) c;
             UPDATE conversations SET last_seq = last_seq + {count}
              WHERE id = (SELECT min(id) FROM conversations);"
        ))
        .unwrap();
}

/// Operators (their flags now `BOOLEAN`) and sessions (their token hashes now `BYTEA`) are the
/// SQLite rows, ids included.
async fn check_operators_and_sessions(
    sqlite: &rusqlite::Connection,
    client: &tokio_postgres::Client,
) {
    let sql = "SELECT id, email, admin, disabled FROM operators ORDER BY id";
    let operators: Vec<(i64, String, bool, bool)> = sqlite
        .prepare(sql)
        .unwrap()
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let copied: Vec<(i64, String, bool, bool)> = client
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect();
    assert_eq!(copied, operators);
    assert!(copied.iter().any(|operator| operator.2), "an admin");
    let sql = "SELECT token_hash FROM sessions ORDER BY token_hash";
    let sessions: Vec<Vec<u8>> = sqlite
        .prepare(sql)
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let copied: Vec<Vec<u8>> = client
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(copied, sessions, "token hashes as BYTEA");
}

/// A message with Czech text and an emoji keeps its id, text and seq; its conversation its
/// tags; the outbox, prompts and settings their values.
async fn check_chat_values(sqlite: &rusqlite::Connection, client: &tokio_postgres::Client) {
    let message: (i64, String, i64) = sqlite
        .query_row(
            "SELECT id, text, seq FROM messages WHERE text LIKE '%🧥'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    let row = client
        .query_one(
            "SELECT m.id, m.text, m.seq, c.tags FROM messages m
               JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1",
            &[&message.0],
        )
        .await
        .unwrap();
    assert_eq!((row.get(0), row.get(1), row.get(2)), message);
    let tags: String = row.get(3);
    assert!(tags.contains("complaint"), "{tags}");
    let row = client
        .query_one(
            "SELECT (SELECT recipient FROM mail_outbox), (SELECT enabled FROM prompts)",
            &[],
        )
        .await
        .unwrap();
    let (recipient, enabled): (String, bool) = (row.get(0), row.get(1));
    assert_eq!(recipient, JANA.0);
    assert!(enabled);
    let settings: Vec<(String, Vec<u8>)> = client
        .query("SELECT key, value FROM settings ORDER BY key", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert!(
        settings.contains(&("max_chats_per_operator".to_owned(), b"4".to_vec())),
        "{settings:?}"
    );
}

/// The next id a relay takes follows the copied ones, and the event stream starts at its
/// beginning.
async fn check_next_ids_and_stream(client: &tokio_postgres::Client) {
    let row = client
        .query_one(
            "SELECT (SELECT max(id) FROM messages), (SELECT min(id) FROM conversations),
                    (SELECT position FROM event_stream)",
            &[],
        )
        .await
        .unwrap();
    let (largest, conversation, position): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(position, 0);
    let next: i64 = client
        .query_one(
            "INSERT INTO messages (conversation_id, seq, author, text, sent_at)
             VALUES ($1, 100000, 'system', 'next', 0) RETURNING id",
            &[&conversation],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(next, largest + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shops_database_is_copied_whole_with_its_ids_and_verified() {
    let (directory, _) = shop_database().await;
    let db = directory.path().join("beseda.db");
    add_messages(&db, 2500);
    let before = sqlite_counts(&db);
    for table in [
        "settings",
        "sites",
        "operators",
        "sessions",
        "conversations",
        "messages",
        "visitors",
        "reads",
        "shortcuts",
        "rules",
        "prompts",
        "answers",
        "mail_outbox",
        "mail_messages",
        "notes",
        "reviews",
    ] {
        assert!(before[table] > 0, "the shop's database has no {table}");
    }
    let url = fresh_database().await;
    let output = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(
        stdout.contains("both databases hold the same rows"),
        "{stdout}"
    );
    let printed = printed_counts(&stdout);
    for table in TABLES {
        let count = before[*table];
        assert_eq!(
            printed.get(*table),
            Some(&(count, count, "same".to_owned())),
            "{table} in:\n{stdout}"
        );
    }
    let client = connect(&url).await;
    assert_eq!(postgres_counts(&client).await, before);
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    check_operators_and_sessions(&sqlite, &client).await;
    check_chat_values(&sqlite, &client).await;
    check_next_ids_and_stream(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_not_empty_is_refused_and_left_as_it_was() {
    let (first, _) = shop_database().await;
    let first_db = first.path().join("beseda.db");
    let url = fresh_database().await;
    let output = migrate(&["--db", first_db.to_str().unwrap(), "--to", &url]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));

    // Another shop's database, with one operator more.
    let (second, _) = shop_database().await;
    let second_db = second.path().join("beseda.db");
    rusqlite::Connection::open(&second_db)
        .unwrap()
        .execute(
            "INSERT INTO operators (email, name, password_hash, created_at) VALUES ('ota@shop.example', 'Ota', 'x', 1)",
            [],
        )
        .unwrap();
    let client = connect(&url).await;
    let before = postgres_counts(&client).await;
    let refused = migrate(&["--db", second_db.to_str().unwrap(), "--to", &url]).await;
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("is not empty") && stderr.contains("operators"),
        "{stderr}"
    );
    assert_eq!(postgres_counts(&client).await, before);
    // The first copy is still exactly the first database.
    let verified = migrate(&[
        "--db",
        first_db.to_str().unwrap(),
        "--to",
        &url,
        "--verify-only",
    ])
    .await;
    assert!(
        verified.status.success(),
        "{}{}",
        text(&verified.stdout),
        text(&verified.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_after_the_copy_fails_the_verification() {
    let (directory, _) = shop_database().await;
    let db = directory.path().join("beseda.db");
    let url = fresh_database().await;
    let output = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let verify = || migrate(&["--db", db.to_str().unwrap(), "--to", &url, "--verify-only"]);
    let clean = verify().await;
    assert!(clean.status.success(), "{}", text(&clean.stdout));

    let client = connect(&url).await;
    client
        .execute(
            "UPDATE messages SET text = text || '.' WHERE id = (SELECT max(id) FROM messages)",
            &[],
        )
        .await
        .unwrap();
    let changed = verify().await;
    assert!(!changed.status.success());
    let stdout = text(&changed.stdout);
    assert_eq!(
        printed_counts(&stdout)["messages"].2,
        "DIFFERENT",
        "{stdout}"
    );
    assert!(
        stdout.contains("difference: table messages: the rows differ"),
        "{stdout}"
    );
    assert_eq!(printed_counts(&stdout)["operators"].2, "same", "{stdout}");
    assert!(
        text(&changed.stderr).contains("differs"),
        "{}",
        text(&changed.stderr)
    );

    // A conversation whose last_seq lost step with its messages is named.
    client
        .execute(
            "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = (SELECT min(id) FROM conversations)",
            &[],
        )
        .await
        .unwrap();
    let stdout = text(&verify().await.stdout);
    assert!(
        stdout.contains("last_seq is") && stdout.contains("but its last message has seq"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_a_relay_runs_on_is_refused_until_it_stops() {
    let (directory, _) = shop_database().await;
    let db = directory.path().join("beseda.db");
    let url = fresh_database().await;
    let relay = RelayProcess::start(RELAY, &db, &[]);
    let refused = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("in use"), "{stderr}");
    let client = connect(&url).await;
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "nothing was written to PostgreSQL");
    assert!(relay.terminate(), "the relay stopped cleanly");
    let output = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[tokio::test]
async fn bad_flags_are_refused_clearly() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("missing.db");
    let output = migrate(&[
        "--db",
        missing.to_str().unwrap(),
        "--to",
        "postgres://beseda@127.0.0.1:1/none",
    ])
    .await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("there is no SQLite database at"),
        "{}",
        text(&output.stderr)
    );
    assert!(!missing.exists(), "no database was created");
    let output = migrate(&["--db", missing.to_str().unwrap(), "--to", "beseda.db"]).await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("--to: give the PostgreSQL database as postgres://"),
        "{}",
        text(&output.stderr)
    );
    let help = Command::new(RELAY)
        .args(["migrate", "--help"])
        .output()
        .unwrap();
    let help = text(&help.stdout);
    for flag in [
        "--to",
        "--db",
        "--verify-only",
        "BESEDA_MIGRATE_TO",
        "BESEDA_DB",
    ] {
        assert!(help.contains(flag), "migrate --help lacks {flag}:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_sqlite_database_is_upgraded_first_and_verify_only_refuses_it() {
    let (directory, _) = shop_database().await;
    let db = directory.path().join("beseda.db");
    // The database as a relay before migration 10 left it (without the history's and the
    // reports' tables, the operators' languages and the webhooks).
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "DROP TABLE message_search; DROP TABLE notes; DROP TABLE reviews;
             DROP INDEX conversations_by_operator;
             DROP TABLE report_episodes; DROP TABLE report_hours;
             DROP TABLE report_availability; DROP TABLE report_answer_events;
             DROP TABLE report_tallies; DROP TABLE report_waits;
             DROP TABLE audit_log; DROP TABLE address_blocks; DROP INDEX conversations_blocked;
             ALTER TABLE conversations DROP COLUMN blocked_at;
             ALTER TABLE conversations DROP COLUMN blocked_by;
             ALTER TABLE conversations DROP COLUMN blocked_address_until;
             ALTER TABLE sites DROP COLUMN retention_days;
             ALTER TABLE sites DROP COLUMN visitor_erase;
             DROP INDEX sessions_by_operator;
             ALTER TABLE sessions DROP COLUMN last_used_at;
             ALTER TABLE operators DROP COLUMN disabled;
             ALTER TABLE operators DROP COLUMN language;
             DROP TABLE files; ALTER TABLE messages DROP COLUMN files;
             DROP TABLE api_keys;
             DROP TABLE webhook_deliveries; DROP TABLE webhooks; DROP TABLE webhook_assignees;
             PRAGMA user_version = 9;",
        )
        .unwrap();
    let url = fresh_database().await;
    let refused = migrate(&["--db", db.to_str().unwrap(), "--to", &url, "--verify-only"]).await;
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("has schema version 9, older"), "{stderr}");

    let output = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, 20, "upgraded as serve would");
    let client = connect(&url).await;
    let sessions: Vec<(i64, i64)> = client
        .query("SELECT created_at, last_used_at FROM sessions", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert!(!sessions.is_empty());
    assert!(
        sessions.iter().all(|(created, used)| created == used),
        "the upgrade's values were copied: {sessions:?}"
    );
    // The upgrade made each conversation an episode for the reports, and they were copied.
    let episodes = client
        .query_one(
            "SELECT count(*), count(first_visitor_at), count(first_response_at),
                    (SELECT count(*) FROM conversations),
                    (SELECT sum(messages) FROM report_hours)::BIGINT,
                    (SELECT count(*) FROM messages WHERE author != 'system')
             FROM report_episodes",
            &[],
        )
        .await
        .unwrap();
    let (count, asked, answered, conversations): (i64, i64, i64, i64) = (
        episodes.get(0),
        episodes.get(1),
        episodes.get(2),
        episodes.get(3),
    );
    assert_eq!(count, conversations);
    let (counted, written): (i64, i64) = (episodes.get(4), episodes.get(5));
    assert_eq!(counted, written, "every message counted in its hour");
    assert!(asked > 0 && answered > 0, "{asked} {answered}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_on_the_copy_carries_on_where_the_sqlite_relay_left_off() {
    let (directory, visitor) = shop_database().await;
    let db = directory.path().join("beseda.db");
    let url = fresh_database().await;
    let output = migrate(&["--db", db.to_str().unwrap(), "--to", &url]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));

    let relay = RelayProcess::start(RELAY, Path::new(&url), &[]);
    // The visitor's token, signed with the shop's key, still names their conversation.
    let (mut client, welcome) = Client::visitor(relay.addr, Some(&visitor.token), None).await;
    assert_eq!(welcome["token"], visitor.token.as_str());
    assert_eq!(welcome["conversation"]["id"], visitor.conversation_id);
    assert_eq!(welcome["conversation"]["lastSeq"], 3);
    let texts: Vec<&str> = welcome["missed"]
        .as_array()
        .expect("the history")
        .iter()
        .map(|message| message["text"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        texts,
        [
            "Dobrý den, reklamace bundy 🧥",
            "Dobrý den, pošlete prosím číslo objednávky.",
            "Číslo je 2024-117."
        ]
    );
    // The next message takes the next seq; the operators sign in with their passwords.
    client.say("third", "Ještě jedna otázka.").await;
    let (_, ack) = until_ack(&mut client, "third").await;
    assert_eq!(ack["message"]["seq"], 4, "{ack}");
    let login = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": JANA.0, "password": JANA.1 }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    // The copied messages are searchable (the index was built from them), the new one too.
    let token = login.json()["token"].as_str().unwrap().to_owned();
    for query in ["reklamace%20bundy", "JESTE%20otazk"] {
        let found = beseda_tests::http::get(
            relay.addr,
            &format!("/api/conversations?q={query}"),
            Some(&token),
        )
        .await;
        assert_eq!(found.status, 200, "{}", found.body);
        let found = found.json();
        assert_eq!(found[0]["id"], visitor.conversation_id, "{query}: {found}");
    }
    assert!(relay.terminate(), "the relay stopped cleanly");
}

/// `--to` with a database's own CA (`sslrootcert`): the copy goes over TLS checked against that
/// CA; without it the server's certificate is not trusted and nothing is copied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_reaches_a_database_with_its_own_ca_over_tls() {
    let (directory, _) = shop_database().await;
    let db = directory.path().join("beseda.db");
    let (server, url) = tokio::task::spawn_blocking(|| {
        let server = beseda_throwaway::Postgres::start_with_tls();
        let url = server.fresh_database();
        (server, url)
    })
    .await
    .unwrap();
    let refused = migrate(&[
        "--db",
        db.to_str().unwrap(),
        "--to",
        &format!("{url}?sslmode=require"),
    ])
    .await;
    assert!(!refused.status.success());
    let error = text(&refused.stderr);
    assert!(error.contains("not trusted"), "{error}");
    let client = connect(&url).await;
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    let count: i64 = client.query_one(tables, &[]).await.unwrap().get(0);
    assert_eq!(count, 0, "a refused copy created tables");
    let authority = server
        .certificate_authority()
        .unwrap()
        .display()
        .to_string();
    let output = migrate(&[
        "--db",
        db.to_str().unwrap(),
        "--to",
        &format!("{url}?sslrootcert={authority}"),
    ])
    .await;
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(
        stdout.contains("both databases hold the same rows"),
        "{stdout}"
    );
    assert_eq!(postgres_counts(&client).await, sqlite_counts(&db));
}
