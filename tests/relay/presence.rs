//! Availability that follows the consoles: an operator whose consoles have all closed goes
//! offline after `--availability-grace`, unless a console comes back within it.

use beseda_tests::http::{get, post_json};
use beseda_tests::workflow::{operator_id, set_available};
use beseda_tests::{Client, JANA, PETR, RelayProcess, TestRelay};

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
use serde_json::json;
use std::time::{Duration, Instant};

async fn online(relay: &TestRelay, token: &str) -> Vec<(String, bool)> {
    let operators = get(relay.addr, "/api/operators", Some(token)).await.json();
    operators
        .as_array()
        .unwrap()
        .iter()
        .map(|operator| {
            (
                operator["name"].as_str().unwrap().to_owned(),
                operator["online"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn closing_the_last_console_takes_the_operator_offline_after_the_grace() {
    let grace = Duration::from_millis(300);
    let relay = TestRelay::start_with(|config| config.availability_grace = grace).await;
    let jana = relay.login(JANA).await;
    set_available(&relay, &jana, true).await;
    let (first, _) = relay.operator(&jana).await;
    let (second, _) = relay.operator(&jana).await;
    let (mut visitor, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], true);

    // One of two consoles closing is not leaving.
    first.close().await;
    let closed = Instant::now();
    second.close().await;
    let (before, availability) = visitor.recv_until_type("availability").await;
    assert_eq!(availability["online"], false);
    assert!(before.is_empty(), "{before:?}");
    assert!(closed.elapsed() >= grace, "offline only after the grace");
    assert_eq!(
        online(&relay, &jana).await,
        [("Jana".into(), false), ("Petr".into(), false)]
    );
    let (_, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], false);
    relay.stop().await;
}

#[tokio::test]
async fn a_console_back_within_the_grace_keeps_the_operator_online() {
    let relay =
        TestRelay::start_with(|config| config.availability_grace = Duration::from_secs(1)).await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    set_available(&relay, &jana, true).await;
    set_available(&relay, &petr, true).await;
    let (janas_console, _) = relay.operator(&jana).await;
    let (petrs_console, _) = relay.operator(&petr).await;

    // Jana reloads the console: it closes and opens again at once.
    janas_console.close().await;
    let (mut reloaded, _) = relay.operator(&jana).await;
    // Petr leaves after Jana's reload; his grace ends after hers would have.
    petrs_console.close().await;
    let (before, availability) = reloaded.recv_until_type("availability").await;
    assert_eq!(availability["operatorId"], petr_id);
    assert_eq!(availability["online"], false);
    assert_eq!(availability["anyoneOnline"], true);
    assert!(
        before.iter().all(|frame| frame["type"] != "availability"),
        "Jana stayed online: {before:?}"
    );
    assert_eq!(
        online(&relay, &jana).await,
        [("Jana".into(), true), ("Petr".into(), false)]
    );
    let (_, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], true);
    relay.stop().await;
}

#[tokio::test]
async fn an_operator_who_never_opened_a_console_keeps_the_switch() {
    let relay =
        TestRelay::start_with(|config| config.availability_grace = Duration::from_millis(200))
            .await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let jana_id = operator_id(&relay, &jana).await;
    // Eva only watches: her console hears every availability change.
    let eva =
        json!({ "email": "eva@shop.example", "name": "Eva", "password": "long enough password" });
    let response = post_json(relay.addr, "/api/operators", Some(&jana), &eva).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let eva = relay
        .login(("eva@shop.example", "long enough password"))
        .await;
    let (mut watcher, _) = relay.operator(&eva).await;

    // Petr switches on over REST (an integration, say) and never opens a console.
    set_available(&relay, &petr, true).await;
    let (console, _) = relay.operator(&jana).await;
    set_available(&relay, &jana, true).await;
    console.close().await;
    let (_, frame) = watcher
        .recv_until(|frame| frame["type"] == "availability" && frame["operatorId"] == jana_id)
        .await;
    assert_eq!(frame["online"], true);
    let (before, frame) = watcher.recv_until_type("availability").await;
    assert!(before.is_empty(), "{before:?}");
    assert_eq!(
        (&frame["operatorId"], &frame["online"]),
        (&json!(jana_id), &json!(false))
    );
    assert_eq!(frame["anyoneOnline"], true, "Petr is still online");
    assert_eq!(
        online(&relay, &jana).await,
        [
            ("Eva".into(), false),
            ("Jana".into(), false),
            ("Petr".into(), true)
        ]
    );
    relay.stop().await;
}

#[tokio::test]
async fn operators_left_online_by_the_last_run_get_the_grace_after_a_restart() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    set_available(&relay, &jana, true).await;
    let db = relay.db.clone();
    let directory = relay.stop().await;

    // The real command line, with the flag; nobody opens a console after the restart.
    let restarted = RelayProcess::start(RELAY, &db, &["--availability-grace", "2s"]);
    let (mut visitor, welcome) = Client::visitor(restarted.addr, None, None).await;
    assert_eq!(welcome["online"], true, "online until the grace ends");
    let (_, frame) = visitor.recv_until_type("availability").await;
    assert_eq!(frame["online"], false);
    let (_, welcome) = Client::visitor(restarted.addr, None, None).await;
    assert_eq!(welcome["online"], false);
    restarted.kill();
    drop(directory);
}
