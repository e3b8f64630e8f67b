//! PostgreSQL stopped and started again while a visitor writes: the sends during the outage are
//! answered `unavailable` with a suggested delay (never `internal`), `/healthz` says why, the
//! relay reconnects by itself, and every message acknowledged, or sent again with its client id,
//! is stored once.

use beseda_tests::http::get;
use beseda_tests::{Client, METRICS_TOKEN, PATIENCE, RelayProcess, prepare_database};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const LIMITS: [&str; 2] = ["--visitor-messages-per-minute", "1000000"];
/// Sends answered `unavailable` while the database is away.
const REFUSED_WRITES: usize = 6;

/// A visitor's send and the one answer to it: the acknowledged seq, or the error frame.
async fn send_and_answer(client: &mut Client, client_id: &str) -> Result<u64, Value> {
    client.say(client_id, &format!("message {client_id}")).await;
    let (_, answer) = client
        .recv_until(|frame| {
            (frame["type"] == "ack" || frame["type"] == "error") && frame["clientId"] == client_id
        })
        .await;
    if answer["type"] == "ack" {
        Ok(answer["message"]["seq"].as_u64().expect("a seq"))
    } else {
        Err(answer)
    }
}

/// Sends again, as a client does, after each `unavailable` waiting the delay it suggests, until
/// the message is acknowledged; fails after the tests' patience.
async fn send_until_stored(client: &mut Client, client_id: &str) -> u64 {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match send_and_answer(client, client_id).await {
            Ok(seq) => return seq,
            Err(error) => {
                assert_eq!(error["code"], "unavailable", "{error}");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{client_id} was not stored after the database came back"
                );
                let delay = error["retryAfterMs"].as_u64().expect("a suggested delay");
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_answers_unavailable_and_the_relay_reconnects_by_itself() {
    // A server of its own: stopping it breaks every connection on it.
    let server = beseda_throwaway::Postgres::start();
    let db = PathBuf::from(server.fresh_database());
    prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &LIMITS);
    let (mut visitor, welcome) = Client::visitor(relay.addr, None, None).await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    let mut acked: HashMap<String, u64> = HashMap::new();
    for next in 0..10 {
        let client_id = format!("before-{next}");
        let seq = send_and_answer(&mut visitor, &client_id)
            .await
            .expect("stored");
        acked.insert(client_id, seq);
    }

    server.stop_for_now();
    let mut refused = Vec::new();
    for next in 0..REFUSED_WRITES {
        let client_id = format!("during-{next}");
        let error = send_and_answer(&mut visitor, &client_id)
            .await
            .expect_err("nothing is stored while the database is away");
        assert_eq!(error["code"], "unavailable", "{error}");
        assert!(
            error["retryAfterMs"]
                .as_u64()
                .is_some_and(|delay| delay > 0)
        );
        refused.push(client_id);
    }
    let health = get(relay.addr, "/healthz", None).await;
    assert_eq!(health.status, 503);
    assert!(
        health.body.starts_with("storage unavailable: database"),
        "{}",
        health.body
    );
    let metrics = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await.body;
    assert!(metrics.contains("beseda_store_available 0"), "{metrics}");

    server.start_again();
    // Nobody writes: the relay's own probe finds the database back and `/healthz` recovers, so
    // that a balancer that steered visitors away sends them back.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let health = get(relay.addr, "/healthz", None).await;
        if health.status == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/healthz stayed {}: {}",
            health.status,
            health.body
        );
        // The probe runs every two seconds; look again a little later.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The same socket: the relay reconnects to the database without a restart of its own.
    for client_id in &refused {
        let seq = send_until_stored(&mut visitor, client_id).await;
        acked.insert(client_id.clone(), seq);
    }
    // A resend of a message stored before the outage is that message.
    let again = send_until_stored(&mut visitor, "before-0").await;
    assert_eq!(Some(&again), acked.get("before-0"));
    let health = get(relay.addr, "/healthz", None).await;
    assert_eq!((health.status, health.body.trim()), (200, "ok"));
    visitor.close().await;

    let (reader, welcome) = Client::visitor(relay.addr, Some(&token), Some(0)).await;
    reader.close().await;
    let stored: Vec<(String, u64)> = welcome["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| {
            (
                message["clientId"].as_str().unwrap_or_default().to_owned(),
                message["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    let seqs: Vec<u64> = stored.iter().map(|(_, seq)| *seq).collect();
    assert_eq!(seqs, (1..=stored.len() as u64).collect::<Vec<_>>());
    let by_id: HashMap<&str, u64> = stored
        .iter()
        .filter(|(id, _)| !id.is_empty())
        .map(|(id, seq)| (id.as_str(), *seq))
        .collect();
    assert_eq!(
        stored.iter().filter(|(id, _)| !id.is_empty()).count(),
        acked.len(),
        "each message stored once"
    );
    for (client_id, seq) in &acked {
        assert_eq!(by_id.get(client_id.as_str()), Some(seq), "{client_id}");
    }
    assert!(relay.terminate(), "the relay stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_whose_database_is_gone_still_stops_in_bounded_time() {
    let server = beseda_throwaway::Postgres::start();
    let db = PathBuf::from(server.fresh_database());
    prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &LIMITS);
    let (mut visitor, _) = Client::visitor(relay.addr, None, None).await;
    send_and_answer(&mut visitor, "first")
        .await
        .expect("stored");
    server.stop();
    // Writes queued for a database that will not come back.
    for next in 0..20 {
        visitor.say(&format!("lost-{next}"), "into the void").await;
    }
    let started = std::time::Instant::now();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(relay.terminate_and_read_rest());
    });
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the relay stopped within 30 s of SIGTERM");
    assert!(started.elapsed() < Duration::from_secs(30));
}
