//! `beseda-relay migrate`: copies a shop's SQLite database into an empty PostgreSQL database,
//! then proves the copy by reading both back.
//!
//! The copy keeps every id and converts the types (0/1 to `BOOLEAN`, `BLOB` to `BYTEA`), table
//! by table in one PostgreSQL transaction, so that a failure leaves the target as it was. Rows
//! stream through in chunks ([`source::CHUNK_ROWS`]), so memory stays flat for millions of
//! messages. Afterwards every identity sequence stands at the largest copied id, and the event
//! stream's position is untouched (0 in a new database): the relays that start on the copy
//! begin their log there.
//!
//! The verification reads each table from both databases in key order and compares the row
//! counts and a SHA-256 of every row, computed alike from the values each side answers; it also
//! checks that each conversation's `last_seq` is its largest message `seq`, and that no identity
//! sequence would hand out an id already taken.

mod source;
mod tables;
mod target;
mod values;

use source::Source;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};
use tables::TABLES;

/// What a run did and found, printed by the command.
pub struct Summary {
    /// The rows copied per table (`None` when only verifying).
    copied: Option<Vec<u64>>,
    copy_time: Duration,
    /// Per table: its name, the rows and digest on SQLite and on PostgreSQL.
    tables: Vec<TableCheck>,
    /// Every difference found, one sentence each.
    pub problems: Vec<String>,
    verify_time: Duration,
}

struct TableCheck {
    name: &'static str,
    sqlite: (u64, String),
    postgres: (u64, String),
}

impl Summary {
    /// Whether both databases hold the same rows.
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Copies the SQLite database at `db` into the empty PostgreSQL database `url`, then verifies.
pub async fn migrate(db: &Path, url: &str) -> anyhow::Result<Summary> {
    let source = Source::open(db, true)?;
    let mut client = target::connect(url).await?;
    target::create_schema(&mut client).await?;
    let started = Instant::now();
    let copied = target::copy(&mut client, &source).await?;
    let copy_time = started.elapsed();
    let mut summary = verify_with(&source, &mut client).await?;
    summary.copied = Some(copied);
    summary.copy_time = copy_time;
    Ok(summary)
}

/// Compares the SQLite database at `db` with the PostgreSQL database `url`; changes neither.
pub async fn verify(db: &Path, url: &str) -> anyhow::Result<Summary> {
    let source = Source::open(db, false)?;
    let mut client = target::connect(url).await?;
    target::check_schema_version(&client).await?;
    verify_with(&source, &mut client).await
}

async fn verify_with(
    source: &Source,
    client: &mut tokio_postgres::Client,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let snapshot = target::snapshot(client).await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    let mut problems = Vec::new();
    for table in TABLES {
        // Both sides are read at once: SQLite on a blocking thread, PostgreSQL here.
        let sqlite = source.digest(table);
        let postgres = target::digest(&snapshot, table).await?;
        let sqlite = sqlite.await??;
        if sqlite.0 != postgres.0 {
            problems.push(format!(
                "table {}: {} rows on SQLite, {} on PostgreSQL",
                table.name, sqlite.0, postgres.0
            ));
        } else if sqlite.1 != postgres.1 {
            problems.push(format!(
                "table {}: the rows differ (SHA-256 {} on SQLite, {} on PostgreSQL)",
                table.name, sqlite.1, postgres.1
            ));
        }
        tables.push(TableCheck {
            name: table.name,
            sqlite,
            postgres,
        });
    }
    for (conversation, last_seq, largest) in target::sequence_mismatches(&snapshot).await? {
        problems.push(format!(
            "conversation {conversation}: last_seq is {last_seq} on PostgreSQL, but its last message has seq {largest}"
        ));
    }
    for (table, largest, last) in target::identity_mismatches(&snapshot).await? {
        problems.push(format!(
            "table {table}: the id sequence stands at {last}, below the largest id {largest}"
        ));
    }
    snapshot.commit().await?;
    Ok(Summary {
        copied: None,
        copy_time: Duration::ZERO,
        tables,
        problems,
        verify_time: started.elapsed(),
    })
}

/// "1 difference", "2 differences".
pub fn differences(count: usize) -> String {
    if count == 1 {
        "1 difference".to_owned()
    } else {
        format!("{count} differences")
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "{:<22} {:>12} {:>12}  rows",
            "table", "SQLite", "PostgreSQL"
        )?;
        for check in &self.tables {
            let same = check.sqlite == check.postgres;
            writeln!(
                formatter,
                "{:<22} {:>12} {:>12}  {}",
                check.name,
                check.sqlite.0,
                check.postgres.0,
                if same { "same" } else { "DIFFERENT" }
            )?;
        }
        for problem in &self.problems {
            writeln!(formatter, "difference: {problem}")?;
        }
        let rows: u64 = self.tables.iter().map(|check| check.sqlite.0).sum();
        if let Some(copied) = &self.copied {
            let copied: u64 = copied.iter().sum();
            write!(
                formatter,
                "Copied {} tables, {copied} rows, in {:.2} s; ",
                TABLES.len(),
                self.copy_time.as_secs_f64()
            )?;
        }
        write!(
            formatter,
            "compared {} tables, {rows} rows, in {:.2} s: {}",
            self.tables.len(),
            self.verify_time.as_secs_f64(),
            if self.verified() {
                "both databases hold the same rows".to_owned()
            } else {
                differences(self.problems.len())
            }
        )
    }
}
