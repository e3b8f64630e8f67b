//! For the tests that kill a process holding a server: the test binary runs one of its own
//! tests again as a child process, which starts a server, reports it and waits to be killed.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set for the copy of the test binary that is to hold its server until killed.
const HOLD: &str = "BESEDA_THROWAWAY_HOLD";

/// Whether `port` on 127.0.0.1 accepts connections.
pub(crate) fn accepts_connections(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Waits until `condition` holds, panicking with `what` after the crate's patience.
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + crate::PATIENCE;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "{what}: not within {:?}",
            crate::PATIENCE
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// In the copy started by [`kill_holder`]: reports the server's port and directory, then
/// blocks until killed. In a normal run: returns at once.
pub(crate) fn hold_if_asked(port: u16, directory: &Path) {
    if std::env::var_os(HOLD).is_some() {
        // On a line of its own: the harness has printed the test's name without a newline.
        println!("\nholding {port} {}", directory.display());
        // Until the parent kills this process; it never writes to this pipe.
        let _ = std::io::stdin().lines().count();
    }
}

/// Runs the test `test_name` of this binary as a holder, kills it with SIGKILL once it holds
/// its server, and returns the port and directory that server had.
pub(crate) fn kill_holder(test_name: &str) -> (u16, PathBuf) {
    let mut holder = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(HOLD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a copy of this test binary");
    let stdout = BufReader::new(holder.stdout.take().expect("its standard output"));
    let holding = stdout
        .lines()
        .map(|line| line.expect("read the copy's output"))
        .find(|line| line.starts_with("holding "))
        .expect("the copy reports its server");
    let mut words = holding.split(' ').skip(1);
    let port = words
        .next()
        .and_then(|port| port.parse().ok())
        .expect("a port");
    let directory = PathBuf::from(words.next().expect("a directory"));
    assert!(accepts_connections(port), "the copy's server is not up");
    assert!(directory.exists());
    holder.kill().expect("SIGKILL the copy");
    holder.wait().expect("reap the copy");
    (port, directory)
}
