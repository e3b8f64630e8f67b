//! Nothing acknowledged is ever lost: the relay is killed with SIGKILL while visitors are sending,
//! restarted on the same file, and every acknowledged message is there, once, in order.

use beseda_tests::ledger::{Ledger, keep_sending};
use beseda_tests::{Client, RelayProcess, prepare_database};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const VISITORS: usize = 4;
/// How many acknowledgements to see before the kill.
const ACKED_BEFORE_KILL: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill_and_resends_are_not_duplicated() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let limits = ["--visitor-messages-per-minute", "1000000"];
    let relay = RelayProcess::start(RELAY, &db, &limits);

    let (acked_total, mut acked_watch) = watch::channel(0usize);
    let mut visitors = Vec::new();
    for visitor in 0..VISITORS {
        let (client, welcome) = Client::visitor(relay.addr, None, None).await;
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let task = tokio::spawn(keep_sending(
            client,
            ledger.clone(),
            format!("v{visitor}"),
            acked_total.clone(),
        ));
        visitors.push((welcome["token"].as_str().unwrap().to_owned(), ledger, task));
    }
    acked_watch
        .wait_for(|total| *total >= ACKED_BEFORE_KILL)
        .await
        .unwrap();
    relay.kill();
    for (_, _, task) in &mut visitors {
        task.await.unwrap();
    }

    let relay = RelayProcess::start(RELAY, &db, &limits);
    let mut in_flight_total = 0;
    for (token, ledger, _) in &visitors {
        // The senders have finished; take the ledger out so no lock is held across an await.
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        let (mut client, welcome) = Client::visitor(relay.addr, Some(token), Some(0)).await;
        let stored: Vec<(String, u64)> = welcome["missed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| {
                (
                    message["clientId"].as_str().unwrap().to_owned(),
                    message["seq"].as_u64().unwrap(),
                )
            })
            .collect();
        // Every acknowledged message is there with the sequence number it was acknowledged with.
        let stored_seq: HashMap<&str, u64> =
            stored.iter().map(|(id, seq)| (id.as_str(), *seq)).collect();
        for (client_id, seq) in &ledger.acked {
            assert_eq!(
                stored_seq.get(client_id.as_str()),
                Some(seq),
                "acknowledged {client_id} was lost"
            );
        }
        // Sequence numbers run 1, 2, 3, … without gaps, and no client id is stored twice.
        let seqs: Vec<u64> = stored.iter().map(|(_, seq)| *seq).collect();
        assert_eq!(seqs, (1..=stored.len() as u64).collect::<Vec<_>>());
        assert_eq!(
            stored_seq.len(),
            stored.len(),
            "a client id was stored twice"
        );

        // The widget resends everything it never saw acknowledged: each is stored once.
        let unacked: Vec<&String> = ledger
            .sent
            .iter()
            .filter(|id| !ledger.acked.contains_key(*id))
            .collect();
        in_flight_total += unacked.len();
        for client_id in &unacked {
            client.say(client_id, &format!("message {client_id}")).await;
            let ack = client.recv_type("ack").await;
            assert_eq!(ack["clientId"], client_id.as_str());
        }
        let (_, after) = Client::visitor(relay.addr, Some(token), Some(0)).await;
        let ids: Vec<&str> = after["missed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["clientId"].as_str().unwrap())
            .collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(
            ids.len(),
            ledger.sent.len(),
            "every sent message is stored exactly once"
        );
        assert_eq!(unique.len(), ids.len());
    }
    assert!(
        in_flight_total <= VISITORS * 10,
        "at most one burst per visitor was in flight"
    );
    relay.kill();
}

#[tokio::test]
async fn sigterm_closes_sockets_politely_and_loses_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &[]);
    let (mut visitor, welcome) = Client::visitor(relay.addr, None, None).await;
    visitor.say("before-term", "stored before SIGTERM").await;
    visitor.recv_type("ack").await;
    let reader = tokio::spawn(async move { visitor.ending().await });
    assert!(
        tokio::task::spawn_blocking(move || relay.terminate())
            .await
            .unwrap(),
        "the relay exited with success"
    );
    let ending = reader.await.unwrap();
    assert_eq!(
        (ending.error_code().as_deref(), ending.code()),
        (Some("shutting_down"), Some(1012))
    );

    let relay = RelayProcess::start(RELAY, &db, &[]);
    let (_, welcome) = Client::visitor(relay.addr, welcome["token"].as_str(), Some(0)).await;
    assert_eq!(welcome["missed"][0]["clientId"], "before-term");
    relay.kill();
}
