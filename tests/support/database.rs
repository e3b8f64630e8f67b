//! A test's look into a relay's database, whichever store it runs on: SQL run on the SQLite
//! file with rusqlite, or on the PostgreSQL database with `psql`. Rows come back as text
//! (`NULL` as an empty string, blobs and byte strings as lower-case hex), so that one test body
//! reads both.

use std::path::Path;

fn is_postgres(db: &Path) -> bool {
    let text = db.to_string_lossy();
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The rows `sql` answers, each a list of its fields as text.
pub fn query(db: &Path, sql: &str) -> Vec<Vec<String>> {
    if is_postgres(db) {
        let output = std::process::Command::new("psql")
            .arg(db)
            .args([
                "--no-psqlrc",
                "-tA",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return String::from_utf8(output.stdout)
            .expect("psql prints UTF-8")
            .lines()
            .map(|line| {
                line.split('\t')
                    .map(|field| field.strip_prefix("\\x").unwrap_or(field).to_owned())
                    .collect()
            })
            .collect();
    }
    let connection = rusqlite::Connection::open(db).expect("open the relay's database");
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .expect("set a busy timeout");
    let mut statement = connection.prepare(sql).expect("prepare the statement");
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|index| {
                    use rusqlite::types::ValueRef;
                    Ok(match row.get_ref(index)? {
                        ValueRef::Null => String::new(),
                        ValueRef::Integer(integer) => integer.to_string(),
                        ValueRef::Real(real) => real.to_string(),
                        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                        ValueRef::Blob(blob) => {
                            blob.iter().map(|byte| format!("{byte:02x}")).collect()
                        }
                    })
                })
                .collect()
        })
        .expect("run the query")
        .collect::<Result<_, _>>()
        .expect("read the rows")
}

/// The one number `sql` answers.
pub fn number(db: &Path, sql: &str) -> i64 {
    let rows = query(db, sql);
    rows.first()
        .and_then(|row| row.first())
        .and_then(|field| field.parse().ok())
        .unwrap_or_else(|| panic!("{sql} answered {rows:?}"))
}

/// Runs statements that answer nothing.
pub fn execute(db: &Path, sql: &str) {
    if is_postgres(db) {
        query(db, sql);
        return;
    }
    let connection = rusqlite::Connection::open(db).expect("open the relay's database");
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .expect("set a busy timeout");
    connection.execute_batch(sql).expect("run the statements");
}

/// Decodes the hex of a blob or byte string.
pub fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
        .collect()
}

/// Every write of the relay waiting, as behind a stalled disk: SQLite's write lock, or the
/// PostgreSQL cluster's write lock, held by another connection until [`WritesHeld::release`].
pub enum WritesHeld {
    Sqlite(rusqlite::Connection),
    Postgres(std::process::Child),
}

/// Takes the store's write lock from outside the relay; returns once it is held.
pub fn hold_writes(db: &Path) -> WritesHeld {
    if !is_postgres(db) {
        let connection = rusqlite::Connection::open(db).expect("open the relay's database");
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .expect("take SQLite's write lock");
        return WritesHeld::Sqlite(connection);
    }
    use std::io::{BufRead, Write};
    let mut psql = std::process::Command::new("psql")
        .arg(db)
        .args(["--no-psqlrc", "-qtA", "-v", "ON_ERROR_STOP=1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run psql");
    let lock = beseda_relay::store::postgres::WRITE_LOCK;
    writeln!(
        psql.stdin.as_mut().expect("psql's input"),
        "SELECT pg_advisory_lock({lock});\n\\echo held"
    )
    .expect("ask for the lock");
    let mut stdout = std::io::BufReader::new(psql.stdout.take().expect("psql's output"));
    let mut line = String::new();
    while line.trim() != "held" {
        line.clear();
        let read = stdout.read_line(&mut line).expect("read psql's output");
        assert!(read > 0, "psql ended before it held the lock");
    }
    WritesHeld::Postgres(psql)
}

impl WritesHeld {
    /// Lets the writes go on.
    pub fn release(self) {
        match self {
            WritesHeld::Sqlite(connection) => connection
                .execute_batch("COMMIT")
                .expect("release SQLite's write lock"),
            WritesHeld::Postgres(mut psql) => {
                // Ending the session frees its locks.
                drop(psql.stdin.take());
                psql.wait().expect("psql ended");
            }
        }
    }
}
