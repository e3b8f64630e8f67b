//! [`SqliteStore`]: one writer thread that commits in groups, and a few reader connections.
//!
//! SQLite allows one writer at a time, so every write goes to a dedicated thread over a bounded
//! channel (which also pushes back on producers when the disk falls behind). The thread takes
//! every job waiting, runs each inside its own savepoint of one `BEGIN IMMEDIATE` transaction,
//! commits once (`synchronous=FULL`: durable on return), hands the resulting events to the commit
//! listener in commit order, and only then answers the callers. Reads run on separate WAL
//! connections through `spawn_blocking`, so they never wait for the writer.

mod accounts;
mod answers;
mod check;
mod conversations;
mod files;
pub(crate) mod history;
mod keys;
mod keywords;
mod methods;
/// Shared with the PostgreSQL store for the stored names of recipients.
pub(super) mod outbox;
mod privacy;
mod prompts;
pub(crate) mod queue;
mod reports;
/// Shared with the PostgreSQL store for its pure helpers (stored names of authors and statuses).
pub(super) mod rows;
pub(crate) mod schema;
mod tallies;
mod team;
#[cfg(test)]
mod tests;
mod visits;
mod webhooks;
mod workflow;

use crate::store::{Event, Finish, Outage, StoreError, StoreFuture, StoreOptions, StoreStats};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// Where the database lives.
#[derive(Clone, Debug)]
pub enum Location {
    File(PathBuf),
    /// A private in-memory database, for tests.
    Memory,
}

impl Location {
    /// The database a `--db` path names: SQLite's own `:memory:` is the in-memory one, anything
    /// else a file.
    pub fn of(path: &Path) -> Location {
        if path.as_os_str() == ":memory:" {
            Location::Memory
        } else {
            Location::File(path.to_path_buf())
        }
    }
}

/// Called on the writer thread after each commit with the events of that commit, in order.
/// It must not block: it hands the events on and returns.
pub type CommitListener = Box<dyn Fn(Vec<Event>) + Send>;

/// The most jobs folded into one transaction. Kept well below the consoles' outbox
/// (`hub::OPERATOR_OUTBOX`), since one commit's events are handed to every console at once.
pub const MAX_BATCH: usize = 256;
/// How many writes may wait for the writer before producers wait too.
const QUEUE_DEPTH: usize = 8192;

/// A write: run on the transaction (or, given `None`, report that it could not run), then
/// finish once the commit's outcome is known.
type Job = Box<dyn FnOnce(Option<&Connection>, &mut Vec<Event>) -> (bool, Finish) + Send>;

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Vec<Arc<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    /// One permit per reader connection: a read waits here, on the async side, instead of
    /// occupying a blocking-pool thread while the connections are busy.
    reader_permits: Arc<tokio::sync::Semaphore>,
    stats: Arc<StoreStats>,
}

fn open_connection(location: &Location) -> rusqlite::Result<Connection> {
    let connection = match location {
        Location::File(path) => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?,
        Location::Memory => Connection::open_in_memory()?,
    };
    connection.busy_timeout(std::time::Duration::from_secs(10))?;
    // Every statement the relay runs is cached once prepared; there are a few dozen of them.
    connection.set_prepared_statement_cache_capacity(64);
    // One plan per statement whatever its parameters. Without this, SQLite (built with STAT4)
    // prepares a statement again whenever a parameter compared to an indexed column changes
    // (`max(id) … WHERE conversation_id = ?1`), and a statement on a table with triggers
    // compiles the triggers again too: 0.2 ms per message on the episodes' update instead of
    // 0.01 ms. The relay keeps no statistics (no ANALYZE) that a parameter could make use of.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    // What is deleted is overwritten, not left in free pages for anyone reading the file: an
    // erased conversation must be gone for good (`store/privacy.rs`).
    connection.pragma_update(None, "secure_delete", true)?;
    if matches!(location, Location::File(_)) {
        connection.pragma_update(None, "journal_mode", "wal")?;
        connection.pragma_update(None, "synchronous", "full")?;
    }
    Ok(connection)
}

impl SqliteStore {
    /// Opens (or creates) the database, migrates it and starts the writer thread.
    pub fn open(location: Location, on_commit: CommitListener) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(location, &StoreOptions::default(), on_commit)
    }

    /// [`SqliteStore::open`], checking an existing file first (`options.db_check`) and capping
    /// the database's size (`options.db_max_bytes`). A file that is not a sound database is
    /// refused with the steps to recover it.
    pub fn open_with(
        location: Location,
        options: &StoreOptions,
        on_commit: CommitListener,
    ) -> Result<SqliteStore, StoreError> {
        let refuse_damage = |error: rusqlite::Error| match &location {
            Location::File(path) if check::is_damage(&error) => {
                tracing::error!(%error, "the database cannot be read");
                check::damaged(path)
            }
            _ => error.into(),
        };
        let existed = matches!(&location, Location::File(path) if path.exists());
        let mut writer_connection = open_connection(&location).map_err(refuse_damage)?;
        if let (true, true, Location::File(path)) = (options.db_check, existed, &location) {
            check::quick_check(&writer_connection, path)?;
        }
        let version: i64 = writer_connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(refuse_damage)?;
        let version = usize::try_from(version).unwrap_or(0);
        if version > schema::latest_version() {
            return Err(StoreError::Database(format!(
                "the database has schema version {version}, newer than this relay ({}); upgrade the relay",
                schema::latest_version()
            )));
        }
        schema::migrate(&mut writer_connection)?;
        if options.db_max_bytes.is_some() {
            let capped = check::cap(&writer_connection, options.db_max_bytes)?;
            tracing::info!(bytes = capped, "the database is capped");
        }
        let writer_connection = Arc::new(Mutex::new(writer_connection));
        // An in-memory database exists once per connection, so readers share the writer's.
        let readers = match &location {
            Location::Memory => vec![writer_connection.clone()],
            Location::File(_) => (0..2)
                .map(|_| {
                    open_connection(&location).map(|connection| Arc::new(Mutex::new(connection)))
                })
                .collect::<Result<_, _>>()?,
        };
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        let stats = Arc::new(StoreStats::default());
        let writer_stats = stats.clone();
        let writer = std::thread::Builder::new()
            .name("beseda-store-writer".into())
            .spawn(move || run_writer(writer_connection, receiver, on_commit, &writer_stats))
            .map_err(|error| {
                StoreError::Database(format!("cannot start the writer thread: {error}"))
            })?;
        Ok(SqliteStore {
            jobs: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            reader_permits: Arc::new(tokio::sync::Semaphore::new(readers.len())),
            readers,
            next_reader: AtomicUsize::new(0),
            stats,
        })
    }

    pub fn stats(&self) -> Arc<StoreStats> {
        self.stats.clone()
    }

    /// Stops taking writes, commits what is queued and waits for the writer thread to finish.
    pub fn close(&self) {
        let sender = self
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        drop(sender);
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }

    /// Runs `work` inside the next write transaction and resolves after it was committed.
    pub(super) fn write<T, F>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<Event>) -> Result<T, StoreError> + Send + 'static,
    {
        let sender = self
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let stats = self.stats.clone();
        Box::pin(async move {
            let sender = sender.ok_or(StoreError::Closed)?;
            let (reply, answer) = oneshot::channel();
            stats.pending_writes.fetch_add(1, Ordering::Relaxed);
            let job_stats = stats.clone();
            let job: Job = Box::new(move |connection, events| {
                let result = connection.map(|connection| work(connection, events));
                crate::store::finish_job(result, job_stats, reply)
            });
            if sender.send(job).await.is_err() {
                // The job never reached the writer (which is gone), so it will never finish.
                stats.pending_writes.fetch_sub(1, Ordering::Relaxed);
                return Err(StoreError::Closed);
            }
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Runs `work` on a reader connection on the blocking pool.
    pub(super) fn read<T, F>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let permits = self.reader_permits.clone();
        Box::pin(async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|_| StoreError::Closed)?;
            tokio::task::spawn_blocking(move || {
                // With a permit, at least one reader is free; try them from a rotating start.
                let count = readers.len();
                let free =
                    (0..count).find_map(|offset| readers[(start + offset) % count].try_lock().ok());
                let connection = match free {
                    Some(connection) => connection,
                    None => readers[start % count]
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner()),
                };
                let result = work(&connection);
                drop(connection);
                drop(permit);
                result
            })
            .await
            .map_err(|error| StoreError::Database(format!("reader task failed: {error}")))?
        })
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn run_writer(
    connection: Arc<Mutex<Connection>>,
    mut receiver: mpsc::Receiver<Job>,
    on_commit: CommitListener,
    stats: &StoreStats,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut connection = connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (outcome, events, finishers) = commit_batch(&mut connection, &mut batch);
        drop(connection);
        if outcome.is_ok() {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats
                .committed_jobs
                .fetch_add(finishers.len() as u64, Ordering::Relaxed);
            if !events.is_empty() {
                on_commit(events);
            }
        }
        for finish in finishers {
            finish(outcome.clone());
        }
    }
}

/// Opens, releases or rolls back a job's savepoint (`sql`) through the statement cache: a
/// savepoint opened by the driver's own helper parses its text anew each time, once per message
/// under load.
fn savepoint(connection: &Connection, sql: &str) -> rusqlite::Result<()> {
    connection.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Runs every job of the batch in one transaction, each inside a savepoint so that a failing
/// job is rolled back alone, and commits. When a job's savepoint cannot be released, whether its
/// writes are still in the transaction is unknown: the whole batch is rolled back and every
/// caller told it failed, rather than one of them told `Ok` for writes that may be gone. SQLite
/// may roll the whole transaction back by itself after a full disk or an I/O error; then the
/// jobs left are not run at all (each would otherwise commit on its own, outside the batch) and
/// every caller is told the batch failed.
fn commit_batch(
    connection: &mut Connection,
    batch: &mut Vec<Job>,
) -> (Result<(), StoreError>, Vec<Event>, Vec<Finish>) {
    let mut finishers = Vec::with_capacity(batch.len());
    let mut events = Vec::new();
    let transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(transaction) => transaction,
        Err(error) => {
            tracing::debug!(%error, "cannot begin a write transaction");
            for job in batch.drain(..) {
                let (_, finish) = job(None, &mut Vec::new());
                finishers.push(finish);
            }
            return (Err(error.into()), events, finishers);
        }
    };
    let mut failure: Option<StoreError> = None;
    for job in batch.drain(..) {
        if failure.is_some() {
            let (_, finish) = job(None, &mut Vec::new());
            finishers.push(finish);
            continue;
        }
        let mut job_events = Vec::new();
        let finish = match savepoint(&transaction, "SAVEPOINT job") {
            Ok(()) => {
                let (ok, finish) = job(Some(&transaction), &mut job_events);
                let kept = if transaction.is_autocommit() {
                    // The transaction is gone with the job's failure.
                    failure = Some(StoreError::Unavailable(
                        Outage::Io,
                        "the write transaction was rolled back".into(),
                    ));
                    false
                } else {
                    // A failed job's savepoint is rolled back: it leaves nothing.
                    let closed = if ok {
                        savepoint(&transaction, "RELEASE job")
                    } else {
                        savepoint(&transaction, "ROLLBACK TO job")
                            .and_then(|()| savepoint(&transaction, "RELEASE job"))
                    };
                    match closed {
                        Ok(()) => ok,
                        Err(error) => {
                            tracing::error!(%error, "cannot close a savepoint");
                            failure = Some(error.into());
                            false
                        }
                    }
                };
                if !kept {
                    job_events.clear();
                }
                finish
            }
            Err(error) => {
                tracing::error!(%error, "cannot open a savepoint");
                failure = Some(error.into());
                let (_, finish) = job(None, &mut Vec::new());
                finish
            }
        };
        events.append(&mut job_events);
        finishers.push(finish);
    }
    if failure.is_none()
        && let Err(error) = reports::count_hours(&transaction, &events)
    {
        tracing::error!(%error, "cannot count the batch's messages for the reports");
        failure = Some(error);
    }
    if failure.is_none()
        && let Err(error) = webhooks::record(&transaction, &events)
    {
        tracing::error!(%error, "cannot record the batch's webhook deliveries");
        failure = Some(error);
    }
    if let Some(failure) = failure {
        if !transaction.is_autocommit()
            && let Err(error) = transaction.rollback()
        {
            tracing::error!(%error, "cannot roll back a batch");
        }
        return (Err(failure), Vec::new(), finishers);
    }
    match transaction.commit() {
        Ok(()) => (Ok(()), events, finishers),
        Err(error) => {
            tracing::debug!(%error, "commit failed");
            (Err(error.into()), Vec::new(), finishers)
        }
    }
}
