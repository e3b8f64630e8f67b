//! `beseda-relay backup --to FILE` while visitors keep writing: the copy holds every message
//! acknowledged before the backup started, passes its integrity check, and a relay started on it
//! serves those conversations (restoring is starting on the copy). On PostgreSQL the command
//! names pg_dump instead.

use beseda_tests::ledger::{Ledger, keep_sending};
use beseda_tests::{Client, RelayProcess, on_postgres, prepare_database};
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const VISITORS: usize = 3;
/// How many acknowledgements to see before the backup starts.
const ACKED_BEFORE_BACKUP: usize = 300;

fn backup(db: &std::path::Path, to: &std::path::Path) -> std::process::Output {
    Command::new(RELAY)
        .args(["backup", "--to"])
        .arg(to)
        .arg("--db")
        .arg(db)
        .env("BESEDA_LOG", "warn")
        .output()
        .expect("run the backup")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_visitors_write_holds_every_message_acknowledged_before_it() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let copy = directory.path().join("copy.db");
    if on_postgres() {
        let output = backup(&db, &copy);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        assert!(!copy.exists());
        return;
    }
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
        .wait_for(|total| *total >= ACKED_BEFORE_BACKUP)
        .await
        .unwrap();
    // What was acknowledged before the backup started; the visitors go on writing meanwhile.
    let acked_before: Vec<HashMap<String, u64>> = visitors
        .iter()
        .map(|(_, ledger, _)| ledger.lock().unwrap().acked.clone())
        .collect();
    let db_path = db.clone();
    let copy_path = copy.clone();
    let output = tokio::task::spawn_blocking(move || backup(&db_path, &copy_path))
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("backed up"));
    // A second backup to the same name is refused and leaves the first one as it was.
    let first = std::fs::read(&copy).unwrap();
    let again = backup(&db, &copy);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(std::fs::read(&copy).unwrap(), first);
    relay.kill();
    for (_, _, task) in &mut visitors {
        task.await.unwrap();
    }

    // Restoring: a relay started on the copy serves every message acknowledged before the
    // backup, with the sequence number it was acknowledged with, and no gaps.
    let restored = RelayProcess::start(RELAY, &copy, &limits);
    for ((token, _, _), acked) in visitors.iter().zip(&acked_before) {
        let (_, welcome) = Client::visitor(restored.addr, Some(token), Some(0)).await;
        let stored: HashMap<String, u64> = welcome["missed"]
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
        for (client_id, seq) in acked {
            assert_eq!(
                stored.get(client_id),
                Some(seq),
                "{client_id}, acknowledged before the backup, is not in it"
            );
        }
        let mut seqs: Vec<u64> = stored.values().copied().collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    }
    restored.kill();
}

#[test]
fn a_backup_of_a_missing_database_is_refused_and_writes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let copy = directory.path().join("copy.db");
    let output = backup(&directory.path().join("absent.db"), &copy);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such database file"));
    assert!(!copy.exists());
    assert!(!directory.path().join("absent.db").exists());
}
