//! PostgreSQL only: several relays (several [`PgStore`]s) on one database. Messages appended
//! through both at once are numbered without gaps or duplicates, a visitor's first messages
//! through two relays make one conversation, both relays hear every event once and in the same
//! order, and a database newer than the relay is refused.

use super::conversations::visitor_message;
use crate::store::postgres::PgStore;
use crate::store::test_stores::fresh_database;
use crate::store::*;
use beseda_protocol::{ConversationId, Seq};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// A store as one relay of a cluster, and the events its commit listener hears.
async fn relay(url: &str, name: &str) -> (Arc<PgStore>, mpsc::Receiver<Vec<Event>>) {
    let (sender, receiver) = mpsc::channel();
    let sender = Mutex::new(sender);
    let store = PgStore::open(
        url,
        name.to_owned(),
        Box::new(move |batch| {
            let _ = sender
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .send(batch);
        }),
    )
    .await
    .unwrap_or_else(|error| panic!("open relay {name}: {error}"));
    (Arc::new(store), receiver)
}

/// The events a listener hears until it has heard `stored` new messages, or the deadline.
fn hear_until(receiver: &mpsc::Receiver<Vec<Event>>, stored: usize) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut heard = Vec::new();
    while new_messages(&heard).len() < stored {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "heard {} of {stored} messages",
            new_messages(&heard).len()
        );
        if let Ok(batch) = receiver.recv_timeout(left) {
            heard.extend(batch);
        }
    }
    heard
}

/// The ids of the newly stored messages among `events`, in order.
fn new_messages(events: &[Event]) -> Vec<i64> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::MessageStored {
                message,
                duplicate: false,
                ..
            } => Some(message.id.0),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_appending_at_once_number_every_conversation_without_gaps() {
    let url = fresh_database().await;
    let (first, first_events) = relay(&url, "relay-a").await;
    let (second, second_events) = relay(&url, "relay-b").await;
    const PER_VISITOR: usize = 12;
    let visitors = ["shared", "a-only", "b-only", "both"];
    let mut writes = Vec::new();
    for (relay_index, store) in [first.clone(), second.clone()].into_iter().enumerate() {
        for visitor in visitors {
            if (visitor == "a-only" && relay_index == 1)
                || (visitor == "b-only" && relay_index == 0)
            {
                continue;
            }
            for index in 0..PER_VISITOR {
                let store = store.clone();
                // "both" sends the same client ids through both relays: each is stored once.
                let client_id = if visitor == "both" {
                    format!("m{index}")
                } else {
                    format!("r{relay_index}-m{index}")
                };
                writes.push(tokio::spawn(async move {
                    store
                        .append_message(
                            visitor_message(visitor, &client_id, "text"),
                            VisitorDetails::default(),
                            Notices::default(),
                        )
                        .await
                        .map(|appended| (visitor, client_id, appended))
                }));
            }
        }
    }
    let mut by_conversation: BTreeMap<ConversationId, Vec<u64>> = BTreeMap::new();
    let mut stored_ids = HashSet::new();
    let mut conversation_of = BTreeMap::new();
    for write in writes {
        let (visitor, client_id, appended) = write.await.unwrap().unwrap();
        let known = conversation_of.insert(visitor, appended.message.conversation_id);
        assert!(
            known.is_none_or(|known| known == appended.message.conversation_id),
            "{visitor} has two conversations"
        );
        assert_eq!(
            appended.message.client_id.as_ref().map(|id| id.0.as_str()),
            Some(client_id.as_str())
        );
        if !appended.duplicate {
            stored_ids.insert(appended.message.id);
            by_conversation
                .entry(appended.message.conversation_id)
                .or_default()
                .push(appended.message.seq.0);
        }
    }
    // shared: 2 × 12, a-only and b-only: 12 each, both: 12 (each id once).
    let expected = [("shared", 24), ("a-only", 12), ("b-only", 12), ("both", 12)];
    for (visitor, count) in expected {
        let conversation_id = conversation_of[visitor];
        let mut seqs = by_conversation.remove(&conversation_id).unwrap();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=count).collect::<Vec<u64>>(), "{visitor}");
        let stored = first
            .messages_after_seq(conversation_id, Seq(0))
            .await
            .unwrap();
        let numbers: Vec<u64> = stored.iter().map(|message| message.seq.0).collect();
        assert_eq!(numbers, (1..=count).collect::<Vec<u64>>(), "{visitor}");
    }
    let total = stored_ids.len();
    assert_eq!(total, 60);
    let heard_first = hear_until(&first_events, total);
    let heard_second = hear_until(&second_events, total);
    let first_order = new_messages(&heard_first);
    assert_eq!(first_order.len(), total, "each message heard once");
    assert_eq!(first_order.iter().collect::<HashSet<_>>().len(), total);
    assert_eq!(first_order, new_messages(&heard_second));
    // Every event the cluster shares, as each relay heard it: a resend's acknowledgement is
    // its sender's alone, and another relay's peer tags mean nothing here.
    let shared = |events: &[Event]| -> Vec<String> {
        events
            .iter()
            .filter(|event| {
                !matches!(
                    event,
                    Event::MessageStored {
                        duplicate: true,
                        ..
                    }
                )
            })
            .map(|event| {
                let mut event = event.clone();
                if let Event::MessageStored { origin, .. } = &mut event {
                    *origin = None;
                }
                serde_json::to_string(&event).unwrap()
            })
            .collect()
    };
    assert_eq!(shared(&heard_first), shared(&heard_second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitors_first_messages_through_two_relays_make_one_conversation() {
    for round in 0..5 {
        let url = fresh_database().await;
        let (first, _first_events) = relay(&url, "relay-a").await;
        let (second, _second_events) = relay(&url, "relay-b").await;
        let visitor = format!("visitor-{round}");
        let (one, two) = tokio::join!(
            first.append_message(
                visitor_message(&visitor, "tab-1", "hello"),
                VisitorDetails::default(),
                Notices::default(),
            ),
            second.append_message(
                visitor_message(&visitor, "tab-2", "hello"),
                VisitorDetails::default(),
                Notices::default(),
            ),
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        assert_eq!(one.message.conversation_id, two.message.conversation_id);
        let mut seqs = [one.message.seq.0, two.message.seq.0];
        seqs.sort_unstable();
        assert_eq!(seqs, [1, 2]);
        let all = first.conversations(None, None).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].message_count, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_newer_than_the_relay_is_refused() {
    let url = fresh_database().await;
    let (store, _events) = relay(&url, "relay-a").await;
    drop(store);
    let config: tokio_postgres::Config = url.parse().unwrap();
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .execute("UPDATE schema_version SET version = version + 1", &[])
        .await
        .unwrap();
    let refused = PgStore::open(&url, "relay-b".into(), Box::new(|_| {})).await;
    match refused {
        Ok(_) => panic!("a database newer than the relay was opened"),
        Err(error) => assert!(error.to_string().contains("newer"), "{error}"),
    }
}

/// TLS with a database's own CA (`sslrootcert=FILE`), against a server with `ssl=on` whose
/// certificate a CA made for the test signed.
mod tls {
    use super::relay;
    use crate::store::AccountStore;
    use crate::store::postgres::PgStore;
    use beseda_throwaway::Postgres;
    use std::sync::OnceLock;

    /// One TLS server for these tests, and a fresh database on it.
    async fn tls_database() -> (&'static Postgres, String) {
        static SERVER: OnceLock<Postgres> = OnceLock::new();
        tokio::task::spawn_blocking(|| {
            let server = SERVER.get_or_init(Postgres::start_with_tls);
            (server, server.fresh_database())
        })
        .await
        .expect("start a TLS server")
    }

    fn certificate_authority(server: &Postgres) -> String {
        let file = server
            .certificate_authority()
            .expect("a TLS server has a CA");
        file.display().to_string()
    }

    /// Whether the connection `client` runs over TLS, as the server sees it.
    async fn is_tls(client: &tokio_postgres::Client) -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_store_connects_over_tls_with_the_databases_own_ca() {
        let (server, url) = tls_database().await;
        let url = format!(
            "{url}?application_name=tls-test&sslmode=require&sslrootcert={}",
            certificate_authority(server)
        );
        let (store, _events) = relay(&url, "relay-a").await;
        store.ensure_site("beseda", "Beseda").await.unwrap();
        let pooled = store
            .with_connection(|client| async move { Ok(is_tls(&client).await) })
            .await
            .unwrap();
        assert!(pooled, "a pooled connection is not TLS");
        let dedicated = store.dedicated_connection().await.unwrap();
        assert!(
            is_tls(&dedicated).await,
            "a dedicated connection is not TLS"
        );
        // Every connection of the store (pool, writer, listener), and the other URL options
        // kept. The listener connects (and reconnects) on a task of its own: it is waited for.
        let connections = || async {
            store
                .with_connection(|client| async move {
                    let row = client
                        .query_one(
                            "SELECT count(*) FILTER (WHERE NOT ssl.ssl), count(*) \
                             FROM pg_stat_ssl ssl JOIN pg_stat_activity activity USING (pid) \
                             WHERE activity.datname = current_database() \
                             AND activity.application_name = 'tls-test'",
                            &[],
                        )
                        .await?;
                    Ok((row.get::<_, i64>(0), row.get::<_, i64>(1)))
                })
                .await
                .unwrap()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let (plain, total) = loop {
            let (plain, total) = connections().await;
            if total >= 4 || std::time::Instant::now() > deadline {
                break (plain, total);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(plain, 0, "{plain} of {total} connections are not TLS");
        assert!(total >= 4, "only {total} connections seen");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verify_full_with_the_ca_connects_too() {
        let (server, url) = tls_database().await;
        let url = format!(
            "{url}?sslrootcert={}&sslmode=verify-full",
            certificate_authority(server)
        );
        let (store, _events) = relay(&url, "relay-a").await;
        let dedicated = store.dedicated_connection().await.unwrap();
        assert!(is_tls(&dedicated).await);
    }

    /// A server reached by a name its certificate does not give (`db.example`, at 127.0.0.1):
    /// `verify-full` refuses it, `verify-ca` checks only the chain and connects.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verify_ca_leaves_out_the_host_name_that_verify_full_checks() {
        let (server, url) = tls_database().await;
        let url = url.replacen("@127.0.0.1:", "@db.example:", 1);
        let options = format!(
            "hostaddr=127.0.0.1&sslrootcert={}",
            certificate_authority(server)
        );
        let full = format!("{url}?{options}&sslmode=verify-full");
        let refused = PgStore::open(&full, "relay-a".into(), Box::new(|_| {})).await;
        let error = refused
            .err()
            .expect("a wrong host name was accepted")
            .to_string();
        assert!(error.contains("does not name the host"), "{error}");
        let (store, _events) =
            relay(&format!("{url}?{options}&sslmode=verify-ca"), "relay-a").await;
        let dedicated = store.dedicated_connection().await.unwrap();
        assert!(is_tls(&dedicated).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_the_ca_the_servers_certificate_is_not_trusted() {
        let (_server, url) = tls_database().await;
        let refused = PgStore::open(
            &format!("{url}?sslmode=require"),
            "relay-a".into(),
            Box::new(|_| {}),
        )
        .await;
        let error = refused
            .err()
            .expect("an untrusted server was accepted")
            .to_string();
        assert!(error.contains("not trusted"), "{error}");
        assert!(error.contains("sslrootcert"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_ca_file_that_does_not_exist_is_a_clear_error() {
        let (_server, url) = tls_database().await;
        let directory = tempfile::tempdir().unwrap();
        let missing = directory.path().join("missing-ca.pem");
        let url = format!("{url}?sslmode=require&sslrootcert={}", missing.display());
        let refused = PgStore::open(&url, "relay-a".into(), Box::new(|_| {})).await;
        let error = refused
            .err()
            .expect("a missing CA file was accepted")
            .to_string();
        assert!(error.contains("sslrootcert="), "{error}");
        assert!(error.contains("cannot read the file"), "{error}");
    }
}
