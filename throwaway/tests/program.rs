//! The `beseda-throwaway` program as the browser tests use it: it prints where its server
//! listens, and the server is gone once the program's standard input closes or the program is
//! killed.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROGRAM: &str = env!("CARGO_BIN_EXE_beseda-throwaway");

/// Starts the program and returns it with the line it printed.
fn start(arguments: &[&str]) -> (Child, String) {
    let mut child = Command::new(PROGRAM)
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start beseda-throwaway");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its standard output"))
        .read_line(&mut line)
        .expect("read its line");
    (child, line.trim_end().to_owned())
}

/// The port at the end of a URL (`…:PORT` or `…:PORT/path`).
fn port_of(url: &str) -> u16 {
    let authority = url.split("://").nth(1).expect("a URL");
    let host_and_port = authority.split('/').next().expect("an authority");
    host_and_port
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Waits until `condition` holds, within the crate's patience.
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + beseda_throwaway::PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "{what}: not in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn postgres_prints_its_url_and_stops_when_its_input_closes() {
    let (mut child, url) = start(&["postgres"]);
    assert!(
        url.starts_with("postgres://beseda@127.0.0.1:") && url.ends_with("/beseda"),
        "{url}"
    );
    let port = port_of(&url);
    assert!(accepts_connections(port));
    drop(child.stdin.take());
    assert!(child.wait().expect("the program's end").success());
    assert!(!accepts_connections(port), "PostgreSQL still listens");
}

#[test]
fn nginx_prints_its_url_and_stops_when_the_program_is_killed() {
    let upstream = TcpListener::bind("127.0.0.1:0").expect("bind an upstream");
    let upstream = upstream.local_addr().expect("its address").to_string();
    let (mut child, url) = start(&["nginx", "--upstream", &upstream]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port = port_of(&url);
    assert!(accepts_connections(port));
    // SIGKILL: the program drops nothing, its watchdog stops nginx.
    child.kill().expect("kill the program");
    child.wait().expect("the program's end");
    wait_until("nginx stops", || !accepts_connections(port));
}

#[test]
fn a_wrong_command_line_starts_nothing_and_says_why() {
    let output = Command::new(PROGRAM)
        .args(["nginx", "--upstream", "nowhere"])
        .stdin(Stdio::null())
        .output()
        .expect("run beseda-throwaway");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("not an address") && error.contains("usage"),
        "{error}"
    );
}
