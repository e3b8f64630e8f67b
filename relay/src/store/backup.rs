//! `beseda-relay backup --to FILE`: a consistent copy of the SQLite database, taken while the
//! relay runs and writes. `VACUUM INTO` reads the database in one read transaction, so the copy
//! holds exactly what was committed when it started — every message acknowledged by then — and
//! nothing of a transaction still being written; the relay's writer is not stopped (in WAL mode a
//! reader and the writer do not wait for each other). The copy is written beside the target as
//! `FILE.partial`, checked, flushed to disk and only then renamed, so a file named as the backup
//! is always a whole one. Restoring is starting the relay on the copy (`--db FILE`).
//!
//! A PostgreSQL database is backed up with PostgreSQL's own tools (`pg_dump`; see the README).

use super::postgres::is_postgres_url;
use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the copy waits for a lock it cannot take at once (e.g. a checkpoint's).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a finished backup holds.
#[derive(Debug)]
pub struct Backup {
    pub to: PathBuf,
    pub conversations: i64,
    pub messages: i64,
    pub bytes: u64,
    pub seconds: f64,
}

impl fmt::Display for Backup {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "backed up {} conversations and {} messages to {} ({:.1} MB) in {:.1} s",
            self.conversations,
            self.messages,
            self.to.display(),
            self.bytes as f64 / 1_000_000.0,
            self.seconds
        )
    }
}

/// Copies the SQLite database `db` into the new file `to` (see the module's documentation).
pub fn backup(db: &Path, to: &Path) -> anyhow::Result<Backup> {
    let started = Instant::now();
    if is_postgres_url(&db.to_string_lossy()) {
        bail!(
            "a PostgreSQL database is backed up with pg_dump (e.g. pg_dump --format=custom \
             --file=beseda.dump URL) and restored with pg_restore; see the README"
        );
    }
    if !db.is_file() {
        bail!("{}: no such database file", db.display());
    }
    if to.exists() {
        bail!("{} exists already: name a new file", to.display());
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    // A copy left by a backup that was stopped half-way is no use to anyone.
    match fs::remove_file(&partial) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("cannot remove {}", partial.display()));
        }
    }
    {
        // Opened for writing, as WAL mode needs for its shared memory, but never written: no
        // `CREATE`, so a mistyped path is an error rather than a new empty database.
        let source = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open {}", db.display()))?;
        source.busy_timeout(BUSY_TIMEOUT)?;
        let target = partial
            .to_str()
            .context("the backup's file name must be valid UTF-8")?;
        source
            .execute("VACUUM INTO ?1", [target])
            .with_context(|| format!("cannot copy {} into {}", db.display(), to.display()))?;
    }
    let (conversations, messages) = check(&partial).inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })?;
    File::open(&partial)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot flush {}", partial.display()))?;
    fs::rename(&partial, to).with_context(|| format!("cannot name the copy {}", to.display()))?;
    let directory = match to.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(directory)
        .and_then(|directory| directory.sync_all())
        .with_context(|| format!("cannot flush {}", directory.display()))?;
    Ok(Backup {
        to: to.to_owned(),
        conversations,
        messages,
        bytes: fs::metadata(to).map_or(0, |metadata| metadata.len()),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The copy's integrity, and what it holds: (conversations, messages).
fn check(copy: &Path) -> anyhow::Result<(i64, i64)> {
    let connection = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open the copy {}", copy.display()))?;
    let verdict: String =
        connection.query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))?;
    if verdict != "ok" {
        bail!("the copy failed its integrity check: {verdict}");
    }
    let count = |table: &str| -> rusqlite::Result<i64> {
        connection.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
    };
    Ok((count("conversations")?, count("messages")?))
}
