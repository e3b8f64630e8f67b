//! The SQLite side: the database held exclusively for the whole run, brought to the newest
//! schema if it is older, then only read, each table in key order, one row at a time.

use super::tables::{TABLES, Table};
use super::values::{TableDigest, Value};
use crate::store::sqlite::schema;
use anyhow::{Context, anyhow, bail};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How many rows travel from the SQLite reader to the PostgreSQL writer at once. With two
/// chunks in flight, memory stays the same whatever the size of the database.
pub const CHUNK_ROWS: usize = 1000;

/// The SQLite database, locked for this process alone.
///
/// A relay running on the file would go on acknowledging messages that the copy never sees,
/// and they would be lost the moment the shop switches to PostgreSQL. So the file is opened in
/// SQLite's exclusive locking mode: taking the lock fails at once while any other process
/// (a relay) has the database open, and holding it keeps a relay from starting on the file
/// until this run ends. Reads happen in one transaction, so every table comes from the same
/// moment.
#[derive(Clone)]
pub struct Source {
    connection: Arc<Mutex<Connection>>,
}

impl Source {
    /// Opens the database at `path`. With `upgrade`, an older schema is first brought up to
    /// date exactly as `serve` would (the only write this command ever makes to the file);
    /// without it an older schema is refused.
    pub fn open(path: &Path, upgrade: bool) -> anyhow::Result<Source> {
        if path.as_os_str() == ":memory:" || !path.is_file() {
            bail!("there is no SQLite database at {}", path.display());
        }
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
        // Fail at once rather than wait for a relay that is not going to let go.
        connection.busy_timeout(Duration::ZERO)?;
        connection.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        match connection.execute_batch("BEGIN EXCLUSIVE; COMMIT") {
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == ErrorCode::DatabaseBusy =>
            {
                bail!(
                    "{} is in use by another process (is a relay running on it?); stop it \
                     first, so that nothing it acknowledges during the copy is left behind",
                    path.display()
                )
            }
            other => other
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?,
        }
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let latest = schema::latest_version();
        let version = usize::try_from(version).unwrap_or(0);
        if version > latest {
            bail!(
                "{} has schema version {version}, newer than this relay ({latest}); use a newer relay",
                path.display()
            );
        }
        if version < latest {
            if !upgrade {
                bail!(
                    "{} has schema version {version}, older than this relay's ({latest}); run \
                     migrate without --verify-only, which upgrades it first",
                    path.display()
                );
            }
            schema::migrate(&mut connection).context("cannot upgrade the SQLite schema")?;
        }
        connection.pragma_update(None, "query_only", true)?;
        connection.execute_batch("BEGIN")?;
        check_tables(&connection)?;
        Ok(Source {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Sends the rows of `table` in chunks of [`CHUNK_ROWS`], from a blocking thread; the
    /// bounded channel makes the reader wait for the writer.
    pub fn stream(
        &self,
        table: &'static Table,
        sender: mpsc::Sender<Vec<Vec<Value>>>,
    ) -> JoinHandle<anyhow::Result<()>> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            let send = |chunk: Vec<Vec<Value>>| {
                sender
                    .blocking_send(chunk)
                    .map_err(|_| anyhow!("the copy of table {} stopped", table.name))
            };
            read_table(&connection, table, |row| {
                chunk.push(row);
                if chunk.len() == CHUNK_ROWS {
                    send(std::mem::replace(
                        &mut chunk,
                        Vec::with_capacity(CHUNK_ROWS),
                    ))?;
                }
                Ok(())
            })?;
            if !chunk.is_empty() {
                send(chunk)?;
            }
            Ok(())
        })
    }

    /// The row count and digest of `table`, computed on a blocking thread.
    pub fn digest(&self, table: &'static Table) -> JoinHandle<anyhow::Result<(u64, String)>> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut digest = TableDigest::new();
            read_table(&connection, table, |row| {
                digest.add(&row);
                Ok(())
            })?;
            Ok(digest.finish())
        })
    }
}

/// Calls `each` with every row of `table` in key order, converted to the columns' kinds.
fn read_table(
    connection: &Connection,
    table: &Table,
    mut each: impl FnMut(Vec<Value>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let sql = format!(
        "SELECT {} FROM \"{}\" ORDER BY {}",
        table.column_list(),
        table.name,
        table.order_by("BINARY")
    );
    let mut statement = connection.prepare(&sql)?;
    let kinds = table.kinds();
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(kinds.len());
        for (index, kind) in kinds.iter().enumerate() {
            let value = Value::from_sqlite(row.get_ref(index)?, *kind).map_err(|problem| {
                let key = table
                    .key
                    .iter()
                    .filter_map(|key| {
                        let index = table.columns.iter().position(|(name, _)| name == key)?;
                        Some(format!("{key} {:?}", row.get_ref(index).ok()?))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                anyhow!(
                    "table {}, row with {key}: column {} holds {problem}",
                    table.name,
                    table.columns[index].0
                )
            })?;
            values.push(value);
        }
        each(values)?;
    }
    Ok(())
}

/// Refuses a database whose tables or columns are not exactly the ones copied: a table this
/// command did not know would be left behind without a word.
fn check_tables(connection: &Connection) -> anyhow::Result<()> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let present: BTreeSet<String> = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .filter(|name| {
            !name.as_ref().is_ok_and(|name| {
                name.starts_with(super::tables::DERIVED_PREFIX)
                    || super::tables::DERIVED_TALLIES.contains(&name.as_str())
            })
        })
        .collect::<Result<_, _>>()?;
    let known: BTreeSet<String> = TABLES.iter().map(|table| table.name.to_owned()).collect();
    if present != known {
        bail!(
            "the SQLite database's tables are not the ones this relay copies: unknown {:?}, missing {:?}",
            present.difference(&known).collect::<Vec<_>>(),
            known.difference(&present).collect::<Vec<_>>()
        );
    }
    for table in TABLES {
        let mut statement = connection.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let present: BTreeSet<String> = statement
            .query_map([table.name], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let known: BTreeSet<String> = table
            .columns
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
        if present != known {
            bail!(
                "the SQLite table {} has other columns than this relay copies: unknown {:?}, missing {:?}",
                table.name,
                present.difference(&known).collect::<Vec<_>>(),
                known.difference(&present).collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration that adds a table or a column must add it to [`TABLES`] too.
    #[test]
    fn every_table_and_column_of_the_sqlite_schema_is_copied() {
        let mut connection = Connection::open_in_memory().unwrap();
        schema::migrate(&mut connection).unwrap();
        check_tables(&connection).unwrap();
        connection
            .execute_batch("ALTER TABLE messages ADD COLUMN edited_at INTEGER")
            .unwrap();
        let error = check_tables(&connection).unwrap_err().to_string();
        assert!(
            error.contains("messages") && error.contains("edited_at"),
            "{error}"
        );
    }
}
