//! Throwaway servers for tests and benchmarks: a real PostgreSQL and a real nginx, each started
//! in a temporary directory on a free 127.0.0.1 port, and stopped again when dropped — or, when
//! the process ends without dropping them (a static, a SIGKILL), by a watchdog process.
//!
//! No mocks: the servers are Debian's `postgresql` and `nginx` packages (`make cluster-deps`
//! installs them). Everything here is blocking std code, usable from any test, async or not.

#[cfg(test)]
mod holder;
mod nginx;
mod postgres;
mod watchdog;

pub use nginx::Nginx;
pub use postgres::Postgres;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

/// The longest a server may take to start or stop before the helper gives up with a panic.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A port that was free a moment ago: bound on 127.0.0.1 and released at once. Another process
/// may take it before the server does, so every caller retries with a new one on a clash.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind 127.0.0.1:0 to find a free port")
}

/// Whether this process runs as root, asked of `id -u` once (std has no safe `geteuid`).
fn running_as_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        let output = Command::new("id").arg("-u").output().expect("run `id -u`");
        String::from_utf8_lossy(&output.stdout).trim() == "0"
    })
}

/// Runs a command to its end and returns its output, panicking with its error text when it fails.
fn run(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what}: could not run {command:?}: {error}"));
    if !output.status.success() {
        panic!(
            "{what}: {command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
    output
}

/// A file's text for an error message, or a note that it could not be read.
fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| format!("({} unreadable: {error})", path.display()))
}
