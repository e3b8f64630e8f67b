//! The PostgreSQL server the tests use when they run on PostgreSQL: the test process's
//! throwaway server, a fresh database on it for each relay.

/// A new empty database on the test process's server; its URL.
pub fn fresh_database() -> String {
    beseda_throwaway::Postgres::shared().fresh_database()
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
