//! Hostile clients: each attack that once took the relay down, locked operators out or held its
//! connections, replayed against it. Memory is read from `/proc` of a relay child process.

use beseda_tests::http::{connect_from, exchange, get, parse, post_json, request_from};
use beseda_tests::{JANA, METRICS_TOKEN, PATIENCE, RelayProcess, TestRelay, prepare_database};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The resident memory of a process, in bytes.
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("a VmRSS line")
        * 1024
}

/// One metric's value from `/metrics`.
async fn metric(addr: SocketAddr, name: &str) -> u64 {
    let body = get(addr, "/metrics", Some(METRICS_TOKEN)).await.body;
    body.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{body}"))
}

fn sign_in_body(email: &str, password: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "email": email, "password": password })).unwrap()
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// A relay child process on a fresh database with the test operators.
fn relay_process(extra_args: &[&str]) -> (RelayProcess, tempfile::TempDir) {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(prepare_database(&db));
    });
    let relay = RelayProcess::start(env!("CARGO_BIN_EXE_relay-process"), &db, extra_args);
    (relay, directory)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_checks_a_few_passwords_and_takes_little_memory() {
    let (relay, _directory) = relay_process(&["--connections-per-ip", "0"]);
    let addr = relay.addr;
    // One real sign-in first, so that the baseline includes what any sign-in leaves behind.
    let response = post_json(
        addr,
        "/api/login",
        None,
        &serde_json::json!({ "email": JANA.0, "password": JANA.1 }),
    )
    .await;
    assert_eq!(response.status, 200);
    let before = rss_bytes(relay.pid());
    let checked_before = metric(addr, "beseda_password_checks_total").await;

    let body = sign_in_body(JANA.0, "a wrong guess");
    let attempts: Vec<_> = (0..200)
        .map(|_| {
            let body = body.clone();
            tokio::spawn(async move {
                beseda_tests::http::request(addr, "POST", "/api/login", None, Some(&body)).await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap().status);
    }
    let after = rss_bytes(relay.pid());
    let checked = metric(addr, "beseda_password_checks_total").await - checked_before;
    let wrong = statuses.iter().filter(|status| **status == 401).count();
    let limited = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(
        wrong + limited,
        200,
        "every attempt is answered 401 or 429: {statuses:?}"
    );
    assert!(checked <= 10, "{checked} passwords were checked");
    assert!(
        wrong <= 10,
        "{wrong} attempts got as far as a password check"
    );
    let grown = after.saturating_sub(before);
    assert!(grown < 200 << 20, "the burst added {} MB", grown >> 20);
    println!(
        "200 parallel sign-ins: {checked} checked, {} MB added",
        grown >> 20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_with_huge_emails_are_refused_and_leave_nothing_behind() {
    let (relay, _directory) = relay_process(&["--connections-per-ip", "0"]);
    let addr = relay.addr;
    let long_email = format!("{}@shop.example", "x".repeat(60 * 1024));
    let attack = |count: usize| {
        let long_email = long_email.clone();
        async move {
            let workers: Vec<_> = (0..8)
                .map(|worker| {
                    let long_email = long_email.clone();
                    tokio::spawn(async move {
                        for index in (worker..count).step_by(8) {
                            // A different address each time, as an attacker would make them.
                            let email = format!("{index}{long_email}");
                            let response = beseda_tests::http::request(
                                addr,
                                "POST",
                                "/api/login",
                                None,
                                Some(&sign_in_body(&email, "guess")),
                            )
                            .await;
                            assert_eq!(response.status, 400, "{}", response.body);
                            assert_eq!(response.error_code(), "invalid_email");
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.await.unwrap();
            }
        }
    };
    // Warm up the allocator's arenas, then measure.
    attack(500).await;
    let before = rss_bytes(relay.pid());
    attack(15_000).await;
    let after = rss_bytes(relay.pid());
    let grown = after.saturating_sub(before);
    assert!(
        grown < 50 << 20,
        "15,000 long-email sign-ins added {} MB",
        grown >> 20
    );
    assert_eq!(metric(addr, "beseda_password_checks_total").await, 0);
    println!(
        "15,000 sign-ins with 60 KB emails: {} MB added",
        grown >> 20
    );
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    // A long first delay, so that the test's own pace cannot let an attempt through.
    let relay = TestRelay::start_with(|config| config.login_delay = Duration::from_secs(600)).await;
    let attacker = loopback(2);
    let wrong = sign_in_body(JANA.0, "not the password");
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            request_from(
                attacker,
                relay.addr,
                "POST",
                "/api/login",
                None,
                Some(&wrong),
            )
            .await
            .status,
        );
    }
    assert_eq!(
        &statuses[..5],
        &[401; 5],
        "five free failures: {statuses:?}"
    );
    assert!(
        statuses[5..].iter().all(|status| *status == 429),
        "{statuses:?}"
    );
    let refused = request_from(
        attacker,
        relay.addr,
        "POST",
        "/api/login",
        None,
        Some(&wrong),
    )
    .await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_code(), "rate_limited");
    assert!(refused.header("retry-after").is_some());
    // Even the right password waits from the attacker's address…
    let right = sign_in_body(JANA.0, JANA.1);
    let blocked = request_from(
        attacker,
        relay.addr,
        "POST",
        "/api/login",
        None,
        Some(&right),
    )
    .await;
    assert_eq!(blocked.status, 429);
    // …while the owner, elsewhere, signs in at once.
    let owner = request_from(
        loopback(3),
        relay.addr,
        "POST",
        "/api/login",
        None,
        Some(&right),
    )
    .await;
    assert_eq!(owner.status, 200, "{}", owner.body);
    relay.stop().await;
}

/// Sends a request head announcing a body, then the body one byte at a time, slowly; returns
/// the response and how long it took to come.
async fn trickle_body(stream: &mut TcpStream, addr: SocketAddr) -> (String, Duration) {
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut response = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        // One byte, then wait up to 200 ms for an answer before the next.
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(read)) => response.extend_from_slice(&buffer[..read]),
            Err(_) => {}
        }
        assert!(started.elapsed() < PATIENCE, "the slow body was never cut");
    }
    (
        String::from_utf8_lossy(&response).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_cut_within_the_limit() {
    let relay =
        TestRelay::start_with(|config| config.request_timeout = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(relay.addr).await.unwrap();
    let (response, took) = trickle_body(&mut stream, relay.addr).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response:?}");
    assert!(response.contains("request_timeout"), "{response:?}");
    assert!(took < Duration::from_secs(3), "cut after {took:?}");

    // Headers that never end are cut too.
    let mut stream = TcpStream::connect(relay.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, async {
        loop {
            if stream.write_all(b"X-Slow: y\r\n").await.is_err() {
                break;
            }
            let mut buffer = [0u8; 256];
            match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(read)) => rest.extend_from_slice(&buffer[..read]),
                Err(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "slow headers were never cut");
    assert!(started.elapsed() < Duration::from_secs(3));
    relay.stop().await;
}

/// A connection that sends half a request head and then nothing, holding its place.
async fn hold(source: IpAddr, addr: SocketAddr) -> TcpStream {
    let mut stream = connect_from(source, addr).await;
    stream
        .write_all(b"POST /api/login HTTP/1.1\r\n")
        .await
        .unwrap();
    stream
}

#[tokio::test]
async fn one_address_at_its_cap_does_not_keep_another_out() {
    let relay = TestRelay::start_with(|config| config.connections_per_ip = 5).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(hold(loopback(2), relay.addr).await);
    }
    // The sixth from that address is answered at once and closed…
    let refused = request_from(loopback(2), relay.addr, "GET", "/healthz", None, None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_code(), "rate_limited");
    // …while another address is served.
    let other = request_from(loopback(3), relay.addr, "GET", "/healthz", None, None).await;
    assert_eq!((other.status, other.body.as_str()), (200, "ok"));
    // Plain HTTP counts: a WebSocket from the full address is refused too.
    let socket = tokio_tungstenite::client_async(
        format!("ws://{}/ws/visitor", relay.addr),
        connect_from(loopback(2), relay.addr).await,
    )
    .await;
    assert!(socket.is_err(), "the upgrade was refused");
    // Freed places can be used again.
    held.clear();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let response = request_from(loopback(2), relay.addr, "GET", "/healthz", None, None).await;
        if response.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the address never got its places back"
        );
        tokio::task::yield_now().await;
    }
    relay.stop().await;
}

#[tokio::test]
async fn past_the_whole_cap_connections_get_503_and_others_come_back_later() {
    let relay = TestRelay::start_with(|config| {
        config.connections_per_ip = 0;
        config.max_connections = 8;
    })
    .await;
    let mut held = Vec::new();
    for index in 0..8 {
        held.push(hold(loopback(10 + index), relay.addr).await);
    }
    let refused = request_from(loopback(30), relay.addr, "GET", "/healthz", None, None).await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.error_code(), "unavailable");
    held.pop();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let response = request_from(loopback(30), relay.addr, "GET", "/healthz", None, None).await;
        if response.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a freed place was never used again"
        );
        tokio::task::yield_now().await;
    }
    held.clear();
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_few_file_descriptors_the_relay_refuses_cleanly_instead_of_failing_accepts() {
    // A relay allowed only 200 open files (soft and hard), as on a small server.
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let log = directory.path().join("relay.log");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 200 && exec \"$0\" serve --listen 127.0.0.1:0 --db \"$1\" --bootstrap-admin false 2>\"$2\"")
        .arg(env!("CARGO_BIN_EXE_relay-process"))
        .arg(&db)
        .arg(&log)
        .env("BESEDA_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // 300 connections from six addresses (50 each, the per-address cap).
    let mut held = Vec::new();
    let mut refused = 0;
    for index in 0..300u16 {
        let source = loopback(2 + (index / 50) as u8);
        let mut stream = connect_from(source, addr).await;
        stream
            .write_all(b"POST /api/login HTTP/1.1\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 512];
        // A refused connection is answered at once; a held one hears nothing.
        match tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buffer)).await {
            Ok(Ok(read)) if read > 0 => {
                let response = parse(&buffer[..read]);
                assert_eq!(response.status, 503, "{}", response.body);
                refused += 1;
            }
            _ => held.push(stream),
        }
    }
    assert!(refused > 0, "the cap was never reached");
    assert!(
        held.len() < 200,
        "{} connections held with 200 files",
        held.len()
    );
    // Another client is served again once the held connections go.
    held.clear();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stream = connect_from(loopback(100), addr).await;
        let response = exchange(stream, addr, "GET", "/healthz", None, &[], None).await;
        if response.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the relay did not recover");
        tokio::task::yield_now().await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let errors = std::fs::read_to_string(&log).unwrap();
    assert!(!errors.contains("accept failed"), "{errors}");
    println!(
        "with 200 files: {} held, {refused} refused cleanly",
        300 - refused
    );
}

#[tokio::test]
async fn metrics_are_off_the_public_port_unless_a_token_is_given() {
    let relay = TestRelay::start_with(|config| config.metrics_token = None).await;
    assert_eq!(get(relay.addr, "/metrics", None).await.status, 404);
    relay.stop().await;

    let relay = TestRelay::start().await;
    assert_eq!(get(relay.addr, "/metrics", None).await.status, 401);
    assert_eq!(
        get(relay.addr, "/metrics", Some("a guess")).await.status,
        401
    );
    let metrics = get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("beseda_http_requests_total"));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_have_an_address_of_their_own() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let metrics_address = format!("127.0.0.1:{port}");
    let (relay, _directory) = relay_process(&["--metrics-listen", &metrics_address]);
    let metrics_addr: SocketAddr = metrics_address.parse().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let metrics = loop {
        if let Ok(stream) = TcpStream::connect(metrics_addr).await {
            break exchange(stream, metrics_addr, "GET", "/metrics", None, &[], None).await;
        }
        assert!(
            Instant::now() < deadline,
            "the metrics address never answered"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("beseda_password_checks_total"));
    // The public port still has it only with the token.
    assert_eq!(get(relay.addr, "/metrics", None).await.status, 401);
}
