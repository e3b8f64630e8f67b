//! The database's soundness at start, and its size cap.
//!
//! A relay that serves a damaged file answers some reads with garbage and fails some writes at
//! random; an operator is better served by a relay that refuses to start and says how to
//! recover. `PRAGMA quick_check` reads every page once (about 2.5 s for a million messages) but
//! skips the comparison of indexes with their tables that `integrity_check` does.

use crate::store::StoreError;
use rusqlite::{Connection, ErrorCode};
use std::path::Path;

/// What an operator is told when the database is damaged: what to do, without SQLite's detail.
pub fn damaged(path: &Path) -> StoreError {
    let file = path.display();
    StoreError::Damaged(format!(
        "the database {file} is damaged (truncated or with corrupted pages); the relay will not \
         serve it. To recover, stop every relay using it, then either restore the latest backup \
         (made with `beseda-relay backup --to BACKUP`) by copying BACKUP over {file} (deleting \
         {file}-wal and {file}-shm) or starting with `--db BACKUP`, or save what is readable with `sqlite3 {file} \".recover\" | sqlite3 \
         recovered.db` and start with `--db recovered.db`"
    ))
}

/// Whether an error means the file is not a sound database.
pub fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Checks every page of the database; a damaged one is [`damaged`], with SQLite's findings in
/// the log.
pub fn quick_check(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    let findings: Result<Vec<String>, rusqlite::Error> = connection
        .prepare("PRAGMA quick_check(10)")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect()
        });
    match findings {
        Ok(findings) if findings == ["ok"] => {
            tracing::info!(
                milliseconds = started.elapsed().as_millis() as u64,
                "the database passed its check"
            );
            Ok(())
        }
        Ok(findings) => {
            tracing::error!(?findings, "the database's check found damage");
            Err(damaged(path))
        }
        Err(error) if is_damage(&error) => {
            tracing::error!(%error, "the database's check found damage");
            Err(damaged(path))
        }
        Err(error) => Err(error.into()),
    }
}

/// Caps the database at `max_bytes` (rounded down to whole pages), or lifts the cap: past it a
/// write fails as if the disk were full. SQLite keeps a cap below the database's size at that
/// size, so a lowered cap stops growth without making anything unreadable.
pub fn cap(connection: &Connection, max_bytes: Option<u64>) -> Result<u64, StoreError> {
    let page_size: i64 = connection.pragma_query_value(None, "page_size", |row| row.get(0))?;
    let page_size = u64::try_from(page_size).unwrap_or(4096).max(1);
    // SQLite's own largest page count, when there is no cap.
    let pages = max_bytes.map_or(4_294_967_294, |bytes| (bytes / page_size).max(1));
    let pages: i64 =
        connection.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| {
            row.get(0)
        })?;
    Ok(u64::try_from(pages).unwrap_or(0) * page_size)
}
