//! The PostgreSQL server the tests use when they run on PostgreSQL: the test process's
//! throwaway server, a fresh database on it for each relay.

/// A new empty database on the test process's server; its URL.
pub fn fresh_database() -> String {
    beseda_throwaway::Postgres::shared().fresh_database()
}
