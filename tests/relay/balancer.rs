//! Two relays behind nginx, configured as in `examples/nginx/beseda.conf`: visitors' sockets
//! and health checks reach both relays through it, and still succeed when one relay is killed.
//! Each relay has its own SQLite file here; the relays share nothing yet.

use beseda_tests::{Client, METRICS_TOKEN, RelayProcess, http, prepare_database};
use beseda_throwaway::Nginx;
use std::net::SocketAddr;
use tempfile::TempDir;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");

/// A relay process on its own database in `directory`, trusting nginx's X-Forwarded-For.
async fn start_relay(directory: &TempDir, name: &str) -> RelayProcess {
    let db = directory.path().join(format!("{name}.db"));
    prepare_database(&db).await;
    RelayProcess::start(RELAY, &db, &["--trusted-proxy", "127.0.0.1"])
}

/// The visitor sockets a relay has open, from its own `/metrics` (not through nginx).
async fn visitor_connections(relay: SocketAddr) -> i64 {
    let response = http::request(relay, "GET", "/metrics", Some(METRICS_TOKEN), None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response
        .body
        .lines()
        .find_map(|line| line.strip_prefix("beseda_visitor_connections "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no visitor connections in {}", response.body))
}

/// `GET /healthz` through nginx answers 200 `ok`.
async fn assert_healthy(nginx: SocketAddr) {
    let response = http::request(nginx, "GET", "/healthz", None, None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body.trim(), "ok");
}

/// A visitor socket through nginx, after its welcome.
async fn visitor_through(nginx: SocketAddr) -> Client {
    let (client, welcome) = Client::visitor(nginx, None, None).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    client
}

#[tokio::test]
async fn visitors_and_health_checks_pass_through_nginx_to_both_relays_and_to_the_one_left() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let first = start_relay(&directory, "first").await;
    let second = start_relay(&directory, "second").await;
    let nginx = Nginx::balancing(&[first.addr, second.addr]);

    let mut visitors = Vec::new();
    for _ in 0..4 {
        visitors.push(visitor_through(nginx.addr()).await);
    }
    let on_first = visitor_connections(first.addr).await;
    let on_second = visitor_connections(second.addr).await;
    assert!(
        on_first > 0 && on_second > 0,
        "nginx sent the visitors to one relay only: {on_first} and {on_second}"
    );
    for _ in 0..4 {
        assert_healthy(nginx.addr()).await;
    }

    // SIGKILL: the relay closes nothing, nginx finds its port refusing connections.
    first.kill();
    for _ in 0..4 {
        assert_healthy(nginx.addr()).await;
    }
    for _ in 0..4 {
        visitors.push(visitor_through(nginx.addr()).await);
    }
    assert_eq!(
        visitor_connections(second.addr).await,
        on_second + 4,
        "the visitors after the kill went to the relay that is left"
    );
}
