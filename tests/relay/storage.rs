//! When the storage fails: a database at its size cap (`--db-max-bytes`, a full disk made
//! portable) answers writes `unavailable` with a suggested delay, loses nothing acknowledged,
//! says so on `/healthz` and `/metrics`, and stores every resend exactly once once there is
//! room again. A damaged database file is refused at start with the steps to recover it.

use beseda_tests::database::number;
use beseda_tests::http::{get, post_json};
use beseda_tests::{Client, JANA, METRICS_TOKEN, RelayProcess, prepare_database};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const LIMITS: [&str; 2] = ["--visitor-messages-per-minute", "1000000"];
/// Writes answered `unavailable` before the test stops writing into the full database.
const REFUSED_WRITES: usize = 8;

/// A visitor's send and the one answer to it: `Ok(seq)` for an acknowledgement, `Err(frame)`
/// for an error frame with its client id.
async fn send_and_answer(client: &mut Client, client_id: &str, text: &str) -> Result<u64, Value> {
    client.say(client_id, text).await;
    let (_, answer) = client
        .recv_until(|frame| {
            (frame["type"] == "ack" || frame["type"] == "error") && frame["clientId"] == client_id
        })
        .await;
    if answer["type"] == "ack" {
        Ok(answer["message"]["seq"]
            .as_u64()
            .expect("an acknowledged seq"))
    } else {
        Err(answer)
    }
}

/// The conversation's stored messages as (client id, seq), read from a fresh socket's welcome;
/// the relay's own messages have an empty client id.
async fn stored_messages(relay: &RelayProcess, token: &str) -> Vec<(String, u64)> {
    let (client, welcome) = Client::visitor(relay.addr, Some(token), Some(0)).await;
    client.close().await;
    welcome["missed"]
        .as_array()
        .expect("the missed messages")
        .iter()
        .map(|message| {
            (
                message["clientId"].as_str().unwrap_or_default().to_owned(),
                message["seq"].as_u64().expect("a seq"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_answers_unavailable_and_every_resend_is_stored_once_when_room_returns() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    prepare_database(&db).await;
    // Room for some dozens of messages past what the empty database takes.
    let size = number(&db, "PRAGMA page_count") * number(&db, "PRAGMA page_size");
    let cap = (size + 96 * 1024).to_string();
    let mut capped_args = LIMITS.to_vec();
    capped_args.extend(["--db-max-bytes", &cap]);
    let relay = RelayProcess::start(RELAY, &db, &capped_args);

    // Signed in before the disk fills: a sign-in writes a session.
    let login = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": JANA.0, "password": JANA.1 }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let operator_token = login.json()["token"].as_str().unwrap().to_owned();

    let (mut visitor, welcome) = Client::visitor(relay.addr, None, None).await;
    let visitor_token = welcome["token"].as_str().unwrap().to_owned();
    let text = "a line the visitor wrote. ".repeat(60);
    let mut acked: HashMap<String, u64> = HashMap::new();
    let mut refused: Vec<String> = Vec::new();
    let mut conversation_id = None;
    for next in 0.. {
        let client_id = format!("m{next}");
        match send_and_answer(&mut visitor, &client_id, &text).await {
            Ok(seq) => {
                assert!(refused.is_empty(), "{client_id} was stored after a refusal");
                acked.insert(client_id, seq);
            }
            Err(error) => {
                assert_eq!(error["code"], "unavailable", "{error}");
                assert!(
                    error["retryAfterMs"]
                        .as_u64()
                        .is_some_and(|delay| delay > 0),
                    "a delay is suggested: {error}"
                );
                let message = error["message"].as_str().unwrap();
                assert!(
                    !message.contains("SQL") && !message.contains("database or disk"),
                    "nothing internal is sent: {message}"
                );
                refused.push(client_id);
                if refused.len() == REFUSED_WRITES {
                    break;
                }
            }
        }
        if conversation_id.is_none() {
            conversation_id = Some(stored_conversation(&db));
        }
        assert!(next < 2000, "the cap was never reached");
    }
    assert!(acked.len() >= 5, "some messages fit: {}", acked.len());

    let health = get(relay.addr, "/healthz", None).await;
    assert_eq!(health.status, 503);
    assert_eq!(health.body.trim(), "storage unavailable: disk full");
    let metrics = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await.body;
    // The first refusal was a write that failed; the later messages on the socket waited
    // behind it (answered `unavailable` untried, so that the order holds) and failed nothing.
    let failures = metric(&metrics, "beseda_store_failures_total{kind=\"disk_full\"}");
    assert!(failures >= 1, "{metrics}");
    assert_eq!(metric(&metrics, "beseda_store_available"), 0);
    // Reads keep working: the history is there.
    let readable = stored_messages(&relay, &visitor_token).await;
    assert_eq!(
        readable.iter().filter(|(id, _)| !id.is_empty()).count(),
        acked.len()
    );

    // An operator's reply over REST: 503 with Retry-After and the error shape.
    let reply = post_json(
        relay.addr,
        &format!("/api/conversations/{}/messages", conversation_id.unwrap()),
        Some(&operator_token),
        &json!({ "text": text, "clientId": "op-1" }),
    )
    .await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.error_code(), "unavailable");
    let retry_after: u64 = reply
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .unwrap();
    assert!(retry_after > 0);
    visitor.close().await;
    assert!(relay.terminate(), "the full relay stops cleanly");

    // Room again (no cap): every refused message and one acknowledged one are sent again with
    // their client ids; each is stored once, after what was acknowledged, without gaps.
    let relay = RelayProcess::start(RELAY, &db, &LIMITS);
    let (mut visitor, _) = Client::visitor(relay.addr, Some(&visitor_token), None).await;
    let mut resent: HashMap<String, u64> = HashMap::new();
    for client_id in refused.iter().chain(acked.keys().take(1)) {
        let seq = send_and_answer(&mut visitor, client_id, &text)
            .await
            .unwrap_or_else(|error| panic!("the resend of {client_id} was refused: {error}"));
        resent.insert(client_id.clone(), seq);
    }
    for (client_id, seq) in &acked {
        if let Some(again) = resent.get(client_id) {
            assert_eq!(again, seq, "a resend of {client_id} is the stored message");
        }
    }
    let health = get(relay.addr, "/healthz", None).await;
    assert_eq!((health.status, health.body.trim()), (200, "ok"));
    visitor.close().await;
    let stored = stored_messages(&relay, &visitor_token).await;
    let seqs: Vec<u64> = stored.iter().map(|(_, seq)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as u64).collect::<Vec<_>>(),
        "seqs contiguous"
    );
    let stored: Vec<_> = stored
        .into_iter()
        .filter(|(id, _)| !id.is_empty())
        .collect();
    assert_eq!(
        stored.len(),
        acked.len() + refused.len(),
        "each stored once"
    );
    let by_id: HashMap<&str, u64> = stored.iter().map(|(id, seq)| (id.as_str(), *seq)).collect();
    for (client_id, seq) in &acked {
        assert_eq!(by_id.get(client_id.as_str()), Some(seq), "{client_id} kept");
    }
    for client_id in &refused {
        assert!(by_id.contains_key(client_id.as_str()), "{client_id} stored");
    }
    assert!(relay.terminate());
}

/// The one conversation in the database.
fn stored_conversation(db: &Path) -> i64 {
    number(db, "SELECT MAX(id) FROM conversations")
}

/// A metric's value in the exposition text.
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} is missing from {text}"))
}

/// Starts the relay on a damaged `db` and returns its exit status and standard error; the relay
/// must exit by itself.
fn start_on_damaged(db: &Path) -> (std::process::ExitStatus, String) {
    let child = std::process::Command::new(RELAY)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--bootstrap-admin",
            "false",
            "--db",
        ])
        .arg(db)
        .env("BESEDA_LOG", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the relay");
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(beseda_tests::PATIENCE) {
        Ok(output) => {
            let output = output.expect("the relay's output");
            (
                output.status,
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        }
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the relay served a damaged database instead of exiting");
        }
    }
}

/// A database with a conversation in it, closed (its log folded into the file).
async fn database_with_messages(directory: &Path) -> std::path::PathBuf {
    let db = directory.join("beseda.db");
    prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &LIMITS);
    let (mut visitor, _) = Client::visitor(relay.addr, None, None).await;
    for next in 0..40 {
        let client_id = format!("m{next}");
        send_and_answer(&mut visitor, &client_id, &"words ".repeat(200))
            .await
            .expect("stored");
    }
    visitor.close().await;
    assert!(relay.terminate());
    db
}

/// What the refusal of a damaged file must say: that it is damaged, and both ways back.
fn assert_recovery_steps(status: std::process::ExitStatus, stderr: &str) {
    assert!(!status.success(), "the relay exits non-zero: {stderr}");
    for expected in ["is damaged", "beseda-relay backup --to", ".recover"] {
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
    assert!(
        !stderr.contains("malformed") && !stderr.contains("SQLITE"),
        "nothing internal: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_database_is_refused_with_the_recovery_steps() {
    let directory = tempfile::tempdir().unwrap();
    let db = database_with_messages(directory.path()).await;
    let length = std::fs::metadata(&db).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(length / 2).unwrap();
    drop(file);
    let (status, stderr) = start_on_damaged(&db);
    assert_recovery_steps(status, &stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_with_a_corrupted_page_is_refused_with_the_recovery_steps() {
    use std::io::{Seek, SeekFrom, Write};
    let directory = tempfile::tempdir().unwrap();
    let db = database_with_messages(directory.path()).await;
    let page_size = number(&db, "PRAGMA page_size") as u64;
    // A page in the middle of the messages, overwritten after its first bytes: one of the
    // messages' own leaves (`dbstat`), since a free page in the middle of the file, which
    // migrations that drop an index leave, holds nothing a check could miss.
    let page = number(
        &db,
        "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno
         LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf')",
    ) as u64;
    let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.seek(SeekFrom::Start((page - 1) * page_size + 8))
        .unwrap();
    file.write_all(&vec![0xA5; page_size as usize - 16])
        .unwrap();
    file.sync_all().unwrap();
    drop(file);
    let (status, stderr) = start_on_damaged(&db);
    assert_recovery_steps(status, &stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_left_on_the_databases_disk_is_measured_and_warned_of() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    prepare_database(&db).await;
    // More than any test machine has: the warning is due at the first measurement.
    let mut args = LIMITS.to_vec();
    args.extend([
        "--disk-warn-bytes",
        "1000000TB",
        "--disk-check-interval",
        "100ms",
    ]);
    let log = directory.path().join("relay.log");
    let relay = RelayProcess::start_logging_to(RELAY, &db, &args, &log);
    let deadline = tokio::time::Instant::now() + beseda_tests::PATIENCE;
    let free = loop {
        let metrics = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await.body;
        if let Some(free) = metrics
            .lines()
            .find_map(|line| line.strip_prefix("beseda_disk_free_bytes "))
        {
            break free.trim().parse::<u64>().expect("a number of bytes");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no beseda_disk_free_bytes in {metrics}"
        );
        // Measured every 100 ms: look again a little later.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(free > 0);
    assert!(relay.terminate());
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        log.matches("the database's disk is nearly full").count(),
        1,
        "warned once per crossing: {log}"
    );
}
