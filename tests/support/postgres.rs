//! The PostgreSQL server the tests use when they run on PostgreSQL, and fresh databases on it.

use std::sync::atomic::{AtomicU32, Ordering};

/// The server's URL (its `postgres` database).
pub fn server_url() -> String {
    std::env::var("BESEDA_TEST_POSTGRES").expect("BESEDA_TEST_POSTGRES names the test server")
}

/// A new empty database on the test server, named uniquely for this process; its URL.
pub fn fresh_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "relay_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let server = server_url();
    let status = std::process::Command::new("psql")
        .arg(&server)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("run psql");
    assert!(status.success(), "create the database {name}");
    match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("the server URL names no database: {server}"),
    }
}

/// The rows a query answers on the database at `url`, each a list of its columns as text
/// (read with `psql`, as the test databases are made): for tests that look into what a relay
/// on PostgreSQL stored.
pub fn query(url: &str, sql: &str) -> Vec<Vec<String>> {
    let output = std::process::Command::new("psql")
        .arg(url)
        .args(["-A", "-t", "-F", "\t", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "query {sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}
