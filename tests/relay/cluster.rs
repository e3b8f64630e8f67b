//! Two relays on one PostgreSQL database, as a shop behind a load balancer runs them: a visitor
//! on one relay talks to an operator on the other; a relay killed with SIGKILL loses no
//! acknowledged message and duplicates none, and its clients carry on on the other relay; the
//! queue's maximum holds whichever relay the writes come from; a dead relay's consoles stop
//! counting; the singletons move to the relay that is left.

use beseda_tests::http::{get, post_json, put_json};
use beseda_tests::ledger::{Ledger, keep_sending};
use beseda_tests::{Client, JANA, METRICS_TOKEN, PATIENCE, PETR, RelayProcess, prepare_database};
use futures_util::FutureExt;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const NO_LIMITS: [&str; 2] = ["--visitor-messages-per-minute", "1000000"];

/// A fresh PostgreSQL database with the test operators.
async fn cluster_database() -> PathBuf {
    let db = PathBuf::from(beseda_tests::postgres::fresh_database());
    prepare_database(&db).await;
    db
}

fn start(db: &Path, extra: &[&str]) -> RelayProcess {
    let mut args = NO_LIMITS.to_vec();
    args.extend_from_slice(extra);
    RelayProcess::start(RELAY, db, &args)
}

async fn login(addr: SocketAddr, (email, password): (&str, &str)) -> String {
    let response = post_json(
        addr,
        "/api/login",
        None,
        &json!({ "email": email, "password": password }),
    )
    .await;
    assert_eq!(response.status, 200, "sign-in: {}", response.body);
    response.json()["token"].as_str().unwrap().to_owned()
}

async fn set_available(addr: SocketAddr, token: &str, online: bool) {
    let response = put_json(
        addr,
        "/api/me/availability",
        Some(token),
        &json!({ "online": online }),
    )
    .await;
    assert_eq!(response.status, 200, "availability: {}", response.body);
}

/// Reads frames until one matches, within the tests' patience.
async fn frame_where(client: &mut Client, matches: impl Fn(&Value) -> bool) -> Value {
    client.recv_until(matches).await.1
}

/// Polls `condition` until it holds, failing after `patience`.
async fn within<F, Fut>(what: &str, patience: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + patience;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn is_leader(addr: SocketAddr) -> bool {
    let metrics = get(addr, "/metrics", Some(METRICS_TOKEN)).await;
    metrics
        .body
        .lines()
        .any(|line| line == "beseda_cluster_leader 1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_on_one_relay_talks_to_an_operator_on_the_other_both_ways() {
    let db = cluster_database().await;
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    for (visitor_relay, console_relay) in [(a.addr, b.addr), (b.addr, a.addr)] {
        let token = login(console_relay, JANA).await;
        let (mut console, _) = Client::operator(console_relay, &token, None).await;
        let (mut visitor, _) = Client::visitor(visitor_relay, None, None).await;
        let text = format!("Dobrý den z {visitor_relay}");
        visitor.say("hello-1", &text).await;
        visitor.recv_type("ack").await;
        let heard = frame_where(&mut console, |frame| {
            frame["type"] == "message" && frame["message"]["text"] == text.as_str()
        })
        .await;
        assert!(
            heard["position"].as_u64().is_some(),
            "messages carry their position on PostgreSQL: {heard}"
        );
        let conversation_id = heard["message"]["conversationId"].as_i64().unwrap();
        console
            .reply(conversation_id, "reply-1", "Dobrý den, jak pomohu?")
            .await;
        let ack = console.recv_type("ack").await;
        assert!(ack["position"].as_u64() > heard["position"].as_u64());
        let answer = frame_where(&mut visitor, |frame| frame["type"] == "message").await;
        assert_eq!(answer["message"]["text"], "Dobrý den, jak pomohu?");
        assert_eq!(answer["message"]["seq"], 2);
    }
    a.kill();
    b.kill();
}

/// The message frames a console heard, each with its position.
type Heard = Arc<Mutex<Vec<(u64, Value)>>>;

/// Collects every message frame a console hears, with its position.
fn listen(mut console: Client) -> (Heard, tokio::task::JoinHandle<()>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let into = heard.clone();
    let task = tokio::spawn(async move {
        while let Some(frame) = console.try_recv().await {
            if frame["type"] == "message" {
                let position = frame["position"].as_u64().expect("a position");
                into.lock()
                    .unwrap()
                    .push((position, frame["message"].clone()));
            }
        }
    });
    (heard, task)
}

/// Reads a visitor's conversation through a fresh socket: (client id, seq) in order.
async fn stored(addr: SocketAddr, token: &str) -> Vec<(String, u64)> {
    let (_, welcome) = Client::visitor(addr, Some(token), Some(0)).await;
    welcome["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| {
            (
                message["clientId"].as_str().unwrap().to_owned(),
                message["seq"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_relay_under_load_loses_and_duplicates_nothing_and_the_console_hears_each_message_once_in_order()
 {
    const VISITORS: usize = 4;
    let db = cluster_database().await;
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    let jana = login(b.addr, JANA).await;
    let (console, _) = Client::operator(b.addr, &jana, None).await;
    let (heard, listening) = listen(console);

    let (acked_total, mut acked_watch) = watch::channel(0usize);
    let mut visitors = Vec::new();
    for visitor in 0..VISITORS {
        let (client, welcome) = Client::visitor(a.addr, None, None).await;
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let task = tokio::spawn(keep_sending(
            client,
            ledger.clone(),
            format!("v{visitor}"),
            acked_total.clone(),
        ));
        visitors.push((welcome["token"].as_str().unwrap().to_owned(), ledger, task));
    }
    acked_watch.wait_for(|total| *total >= 300).await.unwrap();
    a.kill();
    for (_, _, task) in &mut visitors {
        task.await.unwrap();
    }

    // The visitors come back on B (as the balancer sends them) and resend what was not acked.
    let mut all_stored = 0;
    for (token, ledger, _) in &visitors {
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        let before = stored(b.addr, token).await;
        let before_seq: HashMap<&str, u64> =
            before.iter().map(|(id, seq)| (id.as_str(), *seq)).collect();
        for (client_id, seq) in &ledger.acked {
            assert_eq!(
                before_seq.get(client_id.as_str()),
                Some(seq),
                "acknowledged {client_id} was lost"
            );
        }
        let (mut client, _) = Client::visitor(b.addr, Some(token), Some(0)).await;
        for client_id in ledger
            .sent
            .iter()
            .filter(|id| !ledger.acked.contains_key(*id))
        {
            client.say(client_id, &format!("message {client_id}")).await;
            let ack = client.recv_type("ack").await;
            assert_eq!(ack["clientId"], client_id.as_str());
        }
        let after = stored(b.addr, token).await;
        let seqs: Vec<u64> = after.iter().map(|(_, seq)| *seq).collect();
        assert_eq!(
            seqs,
            (1..=after.len() as u64).collect::<Vec<_>>(),
            "seqs run without gaps"
        );
        let ids: HashSet<&str> = after.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), after.len(), "a client id was stored twice");
        assert_eq!(
            after.len(),
            ledger.sent.len(),
            "every sent message is stored"
        );
        all_stored += after.len();
    }

    // The console on B heard every stored message exactly once, in position order.
    within("the console hearing every message", PATIENCE, || {
        let count = heard.lock().unwrap().len();
        async move { count >= all_stored }
    })
    .await;
    let heard = heard.lock().unwrap().clone();
    let positions: Vec<u64> = heard.iter().map(|(position, _)| *position).collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "positions rise strictly"
    );
    let ids: HashSet<i64> = heard
        .iter()
        .map(|(_, message)| message["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), heard.len(), "no message was heard twice");
    assert_eq!(heard.len(), all_stored, "every stored message was heard");
    listening.abort();
    b.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_whose_relay_dies_resumes_on_the_other_by_position_and_the_visitor_gets_each_reply_once()
 {
    let db = cluster_database().await;
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    let (mut visitor, welcome) = Client::visitor(a.addr, None, None).await;
    let visitor_token = welcome["token"].as_str().unwrap().to_owned();
    visitor.say("q", "Kdy dorazí balík?").await;
    visitor.recv_type("ack").await;

    let jana = login(b.addr, JANA).await;
    let (mut console, console_welcome) = Client::operator(b.addr, &jana, None).await;
    let mut position = console_welcome["position"].as_u64();
    assert!(
        position.is_some(),
        "the welcome tells the position: {console_welcome}"
    );
    let question = &console_welcome["missed"][0];
    assert_eq!(question["text"], "Kdy dorazí balík?");
    let conversation_id = question["conversationId"].as_i64().unwrap();

    // Replies in bursts while B is killed; what was acked is what the console knows was stored.
    let mut acked = HashSet::new();
    let mut sent = Vec::new();
    let mut b = Some(b);
    'replying: for burst in 0..40 {
        for index in 0..5 {
            let client_id = format!("r{burst}-{index}");
            sent.push(client_id.clone());
            if !console
                .try_send(json!({
                    "type": "send",
                    "clientId": client_id,
                    "conversationId": conversation_id,
                    "text": format!("odpověď {client_id}"),
                }))
                .await
            {
                break 'replying;
            }
        }
        if burst == 10
            && let Some(relay) = b.take()
        {
            relay.kill();
        }
        let mut outstanding = 5;
        while outstanding > 0 {
            let Some(frame) = console.try_recv().await else {
                break 'replying;
            };
            if frame["type"] == "ack" {
                acked.insert(frame["clientId"].as_str().unwrap().to_owned());
                position = position.max(frame["position"].as_u64());
                outstanding -= 1;
            }
        }
    }
    assert!(b.is_none(), "B was killed while replies were in flight");

    // The console resumes on A from its position and resends what was not acked.
    let jana_on_a = login(a.addr, JANA).await;
    let mut resumed = Client::connect(a.addr, "/ws/operator", None).await.unwrap();
    resumed
        .send(
            json!({ "type": "hello", "version": 1, "token": jana_on_a, "lastPosition": position }),
        )
        .await;
    resumed.recv_type("welcome").await;
    for client_id in sent.iter().filter(|id| !acked.contains(*id)) {
        resumed
            .send(json!({
                "type": "send",
                "clientId": client_id,
                "conversationId": conversation_id,
                "text": format!("odpověď {client_id}"),
            }))
            .await;
        let ack = resumed.recv_type("ack").await;
        assert_eq!(ack["clientId"], client_id.as_str());
    }

    // The visitor, on A all along, has every reply exactly once, in seq order.
    let (_, after) = Client::visitor(a.addr, Some(&visitor_token), Some(0)).await;
    let replies: Vec<&str> = after["missed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["author"] == "operator")
        .map(|message| message["clientId"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = replies.iter().copied().collect();
    assert_eq!(unique.len(), replies.len(), "a reply was stored twice");
    assert_eq!(replies.len(), sent.len(), "every reply is stored");
    let seqs: Vec<u64> = after["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    a.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_maximum_of_one_no_operator_gets_two_chats_whichever_relays_the_visitors_write_to() {
    let db = cluster_database().await;
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    let jana = login(a.addr, JANA).await;
    let petr = login(b.addr, PETR).await;
    let response = put_json(
        a.addr,
        "/api/settings",
        Some(&jana),
        &json!({ "maxChatsPerOperator": 1 }),
    )
    .await;
    assert_eq!(response.status, 200, "settings: {}", response.body);
    let (_jana_console, _) = Client::operator(a.addr, &jana, None).await;
    let (_petr_console, _) = Client::operator(b.addr, &petr, None).await;
    set_available(a.addr, &jana, true).await;
    set_available(b.addr, &petr, true).await;

    // Twelve visitors write their first message at once, half through each relay.
    let mut writers = Vec::new();
    for index in 0..12 {
        let addr = if index % 2 == 0 { a.addr } else { b.addr };
        writers.push(tokio::spawn(async move {
            let (mut visitor, _) = Client::visitor(addr, None, None).await;
            visitor.say("first", "Dobrý den").await;
            visitor.recv_until_type("ack").await;
            visitor
        }));
    }
    let mut visitors = Vec::new();
    for writer in writers {
        visitors.push(writer.await.unwrap());
    }
    let operators = get(a.addr, "/api/operators", Some(&jana)).await.json();
    let open: Vec<u64> = operators
        .as_array()
        .unwrap()
        .iter()
        .map(|operator| operator["openChats"].as_u64().unwrap())
        .collect();
    assert_eq!(
        open,
        [1, 1],
        "each operator has exactly one chat: {operators}"
    );
    let list = get(b.addr, "/api/conversations?status=open", Some(&petr))
        .await
        .json();
    let assigned = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|summary| !summary["assignedTo"].is_null())
        .count();
    assert_eq!(assigned, 2, "two assigned, the rest wait: {list}");
    drop(visitors);
    a.kill();
    b.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_whose_only_relay_dies_goes_offline_after_the_heartbeats_and_the_grace() {
    let db = cluster_database().await;
    let a = start(&db, &["--availability-grace", "1s"]);
    let b = start(&db, &["--availability-grace", "1s"]);
    let jana = login(a.addr, JANA).await;
    let (_console, _) = Client::operator(a.addr, &jana, None).await;
    set_available(a.addr, &jana, true).await;
    let petr = login(b.addr, PETR).await;
    let (mut watcher, _) = Client::operator(b.addr, &petr, None).await;

    // While A lives, Jana stays online though B has no console of hers.
    let online_on_b = |addr: SocketAddr, token: String| async move {
        let operators = get(addr, "/api/operators", Some(&token)).await.json();
        operators
            .as_array()
            .unwrap()
            .iter()
            .any(|operator| operator["email"] == JANA.0 && operator["online"] == true)
    };
    assert!(online_on_b(b.addr, petr.clone()).await);
    a.kill();
    // A dead relay counts until its heartbeat is older than the timeout; then the grace runs.
    within("Jana going offline", Duration::from_secs(30), || {
        online_on_b(b.addr, petr.clone()).map(|online| !online)
    })
    .await;
    let gone = frame_where(&mut watcher, |frame| {
        frame["type"] == "availability" && frame["online"] == false
    })
    .await;
    assert_eq!(gone["anyoneOnline"], false);
    b.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_relay_leads_and_the_other_takes_over_within_seconds_when_it_dies() {
    let db = cluster_database().await;
    let a = start(&db, &[]);
    // Regression: a relay starting while another led waited for the leader's lock forever.
    within("the first relay leading", PATIENCE, || is_leader(a.addr)).await;
    let b = start(&db, &[]);
    within("one relay leading", PATIENCE, || async {
        is_leader(a.addr).await != is_leader(b.addr).await
    })
    .await;
    let (leader, follower) = if is_leader(a.addr).await {
        (a, b)
    } else {
        (b, a)
    };
    assert!(!is_leader(follower.addr).await);
    leader.kill();
    within("the follower leading", Duration::from_secs(5), || {
        is_leader(follower.addr)
    })
    .await;
    follower.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitors_message_rate_and_failed_sign_ins_count_on_every_relay_together() {
    let db = cluster_database().await;
    let limits = [
        "--visitor-messages-per-minute",
        "3",
        "--login-attempts",
        "2",
        "--login-delay",
        "60s",
    ];
    let a = RelayProcess::start(RELAY, &db, &limits);
    let b = RelayProcess::start(RELAY, &db, &limits);

    // Two messages through A and one through B use up the minute's three...
    let (mut on_a, welcome) = Client::visitor(a.addr, None, None).await;
    for index in 0..2 {
        on_a.say(&format!("a{index}"), "hi").await;
        on_a.recv_until_type("ack").await;
    }
    let token = welcome["token"].as_str().unwrap();
    let (mut on_b, _) = Client::visitor(b.addr, Some(token), None).await;
    on_b.say("b0", "third").await;
    on_b.recv_until_type("ack").await;
    // ...so B refuses the fourth, though B itself has seen only one.
    on_b.say("b1", "fourth is too many").await;
    let refused = frame_where(&mut on_b, |frame| frame["type"] == "error").await;
    assert_eq!(
        (refused["code"].as_str(), refused["clientId"].as_str()),
        (Some("rate_limited"), Some("b1"))
    );

    // Two wrong passwords on A make B wait too.
    let wrong = json!({ "email": JANA.0, "password": "not her password" });
    for _ in 0..2 {
        let response = post_json(a.addr, "/api/login", None, &wrong).await;
        assert_eq!(response.status, 401, "{}", response.body);
    }
    let response = post_json(b.addr, "/api/login", None, &wrong).await;
    assert_eq!(response.status, 429, "{}", response.body);
    assert!(response.header("retry-after").is_some());
    a.kill();
    b.kill();
}

/// Two relays on a database whose server has a CA of its own, named with `sslrootcert` in the
/// `--db` URL: every connection of both relays is TLS and the chat works across them; without
/// the CA a relay refuses to start and says that the server's certificate is not trusted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_reach_a_database_with_its_own_ca_over_tls_and_refuse_it_without() {
    let (server, plain) = tokio::task::spawn_blocking(|| {
        let server = beseda_throwaway::Postgres::start_with_tls();
        let url = server.fresh_database();
        (server, url)
    })
    .await
    .unwrap();
    let authority = server
        .certificate_authority()
        .unwrap()
        .display()
        .to_string();
    let db = PathBuf::from(format!(
        "{plain}?application_name=beseda-tls&sslrootcert={authority}"
    ));
    prepare_database(&db).await;
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    let token = login(b.addr, JANA).await;
    let (mut console, _) = Client::operator(b.addr, &token, None).await;
    let (mut visitor, _) = Client::visitor(a.addr, None, None).await;
    visitor.say("hello-1", "Dobrý den přes TLS").await;
    visitor.recv_type("ack").await;
    frame_where(&mut console, |frame| {
        frame["type"] == "message" && frame["message"]["text"] == "Dobrý den přes TLS"
    })
    .await;
    let counts = beseda_tests::database::query(
        &db,
        "SELECT count(*) FILTER (WHERE NOT ssl.ssl), count(*) \
         FROM pg_stat_ssl ssl JOIN pg_stat_activity activity USING (pid) \
         WHERE activity.datname = current_database() \
         AND activity.application_name = 'beseda-tls' AND pid <> pg_backend_pid()",
    );
    let (plain_connections, connections) = (&counts[0][0], &counts[0][1]);
    assert_eq!(plain_connections, "0", "of {connections} connections");
    assert!(connections.parse::<u32>().unwrap() >= 6, "{connections}");
    a.kill();
    b.kill();

    let refused = std::process::Command::new(RELAY)
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(format!("{plain}?sslmode=require"))
        .env("BESEDA_LOG", "warn")
        .output()
        .expect("run the relay");
    assert!(!refused.status.success());
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(error.contains("not trusted"), "{error}");
    assert!(error.contains("sslrootcert"), "{error}");
}

/// Webhooks on two relays: the events written on either are recorded in their transactions and
/// delivered by one relay (the leader) only, each once while the receiver answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_written_on_either_relay_are_delivered_once_by_one_of_them() {
    use beseda_tests::receiver::{Receiver, check_delivery, post, register};
    let db = cluster_database().await;
    let a = start(&db, &["--webhook-allow-private"]);
    let b = start(&db, &["--webhook-allow-private"]);
    let mut receiver = Receiver::start().await;
    let jana = login(a.addr, JANA).await;
    let (hook, secret) = register(a.addr, &jana, &receiver.url(), &["message.created"]).await;
    let mut expected = HashSet::new();
    for (n, relay) in [a.addr, b.addr, a.addr, b.addr].into_iter().enumerate() {
        let (mut visitor, _) = Client::visitor(relay, None, None).await;
        let text = format!("written on {relay}, visitor {n}");
        visitor.say("w1", &text).await;
        visitor.recv_type("ack").await;
        expected.insert(text);
    }
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut texts = HashSet::new();
    while texts != expected {
        let body = check_delivery(&receiver.next().await, &secret);
        *ids.entry(body["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
        texts.insert(body["data"]["text"].as_str().unwrap().to_owned());
    }
    // A test event queued after them, as a barrier: nothing is delivered a second time meanwhile.
    let tested = post(
        b.addr,
        &format!("/api/webhooks/{hook}/test"),
        &jana,
        json!({}),
    )
    .await;
    assert_eq!(tested.status, 202, "{}", tested.body);
    loop {
        let body = check_delivery(&receiver.next().await, &secret);
        if body["type"] == "webhook.test" {
            break;
        }
        *ids.entry(body["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(ids.values().all(|count| *count == 1), "{ids:?}");
    assert_eq!(ids.len(), 4);
}
