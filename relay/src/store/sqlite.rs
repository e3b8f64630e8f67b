//! [`SqliteStore`]: one writer thread that commits in groups, and a few reader connections.
//!
//! SQLite allows one writer at a time, so every write goes to a dedicated thread over a bounded
//! channel (which also pushes back on producers when the disk falls behind). The thread takes
//! every job waiting, runs each inside its own savepoint of one `BEGIN IMMEDIATE` transaction,
//! commits once (`synchronous=FULL`: durable on return), hands the resulting events to the commit
//! listener in commit order, and only then answers the callers. Reads run on separate WAL
//! connections through `spawn_blocking`, so they never wait for the writer.

use super::{
    Appended, Event, NewMessage, OperatorCredentials, Store, StoreError, StoreFuture,
    WelcomeExtras, accounts, assignment, conversations, schema, team,
};
use beseda_protocol::api::{
    ConversationDetail, ConversationSummary, OperatorInfo, OperatorUpdate, PageView, PriorityRule,
    RuleInput, Shortcut, ShortcutInput, SiteSettings, TeamSettings,
};
use beseda_protocol::{
    ConversationId, ConversationStatus, Message, MessageId, OperatorId, OperatorProfile, Rating,
    RuleId, Seq, ShortcutId, VisitorId,
};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::PathBuf;
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

/// Called on the writer thread after each commit with the events of that commit, in order.
/// It must not block: it hands the events on and returns.
pub type CommitListener = Box<dyn Fn(Vec<Event>) + Send>;

/// The most jobs folded into one transaction. Kept well below the consoles' outbox
/// (`hub::OPERATOR_OUTBOX`), since one commit's events are handed to every console at once.
pub const MAX_BATCH: usize = 256;
/// How many writes may wait for the writer before producers wait too.
const QUEUE_DEPTH: usize = 8192;

type Finish = Box<dyn FnOnce(bool) + Send>;
/// A write: run on the transaction (or, given `None`, report that it could not run), then
/// finish once the commit's outcome is known.
type Job = Box<dyn FnOnce(Option<&Connection>, &mut Vec<Event>) -> (bool, Finish) + Send>;

/// Metrics the store keeps about itself.
#[derive(Debug, Default)]
pub struct StoreStats {
    pub commits: std::sync::atomic::AtomicU64,
    pub committed_jobs: std::sync::atomic::AtomicU64,
    /// Writes asked for and not yet answered: queued, or in the transaction being committed.
    pub pending_writes: AtomicUsize,
}

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
    connection.pragma_update(None, "foreign_keys", true)?;
    if matches!(location, Location::File(_)) {
        connection.pragma_update(None, "journal_mode", "wal")?;
        connection.pragma_update(None, "synchronous", "full")?;
    }
    Ok(connection)
}

impl SqliteStore {
    /// Opens (or creates) the database, migrates it and starts the writer thread.
    pub fn open(location: Location, on_commit: CommitListener) -> Result<SqliteStore, StoreError> {
        let mut writer_connection = open_connection(&location)?;
        let version: i64 =
            writer_connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let version = usize::try_from(version).unwrap_or(0);
        if version > schema::latest_version() {
            return Err(StoreError::Database(format!(
                "the database has schema version {version}, newer than this relay ({}); upgrade the relay",
                schema::latest_version()
            )));
        }
        schema::migrate(&mut writer_connection)?;
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
    fn write<T, F>(&self, work: F) -> StoreFuture<'_, T>
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
                let result = match connection {
                    Some(connection) => work(connection, events),
                    None => Err(StoreError::Database(
                        "the write transaction could not start".into(),
                    )),
                };
                let ok = result.is_ok();
                let finish: Finish = Box::new(move |committed| {
                    let outcome = match result {
                        Ok(_) if !committed => {
                            Err(StoreError::Database("the commit failed".into()))
                        }
                        other => other,
                    };
                    job_stats.pending_writes.fetch_sub(1, Ordering::Relaxed);
                    let _ = reply.send(outcome);
                });
                (ok, finish)
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
    fn read<T, F>(&self, work: F) -> StoreFuture<'_, T>
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
        let (committed, events, finishers) = commit_batch(&mut connection, &mut batch);
        drop(connection);
        if committed {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats
                .committed_jobs
                .fetch_add(finishers.len() as u64, Ordering::Relaxed);
            if !events.is_empty() {
                on_commit(events);
            }
        }
        for finish in finishers {
            finish(committed);
        }
    }
}

/// Runs every job of the batch in one transaction, each inside a savepoint so that a failing
/// job is rolled back alone, and commits.
fn commit_batch(
    connection: &mut Connection,
    batch: &mut Vec<Job>,
) -> (bool, Vec<Event>, Vec<Finish>) {
    let mut finishers = Vec::with_capacity(batch.len());
    let mut events = Vec::new();
    let mut transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate)
    {
        Ok(transaction) => transaction,
        Err(error) => {
            tracing::error!(%error, "cannot begin a write transaction");
            for job in batch.drain(..) {
                let (_, finish) = job(None, &mut Vec::new());
                finishers.push(finish);
            }
            return (false, events, finishers);
        }
    };
    for job in batch.drain(..) {
        let mut job_events = Vec::new();
        let outcome = match transaction.savepoint() {
            Ok(savepoint) => {
                let (ok, finish) = job(Some(&savepoint), &mut job_events);
                // A savepoint that is dropped without a commit rolls back: a failed job leaves nothing.
                let kept = ok && savepoint.commit().is_ok();
                if !kept {
                    job_events.clear();
                }
                finish
            }
            Err(error) => {
                tracing::error!(%error, "cannot open a savepoint");
                let (_, finish) = job(None, &mut Vec::new());
                finish
            }
        };
        events.append(&mut job_events);
        finishers.push(outcome);
    }
    match transaction.commit() {
        Ok(()) => (true, events, finishers),
        Err(error) => {
            tracing::error!(%error, "commit failed");
            (false, Vec::new(), finishers)
        }
    }
}

impl Store for SqliteStore {
    fn append_message(&self, new_message: NewMessage) -> StoreFuture<'_, Appended> {
        self.write(move |connection, events| {
            conversations::append_message(connection, &new_message, events)
        })
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| {
            conversations::messages_after_seq(connection, conversation_id, after)
        })
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| conversations::messages_after_id(connection, after, limit))
    }

    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| {
            conversations::visitor_conversation(connection, &site, &visitor_id)
        })
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        self.read(move |connection| conversations::conversations(connection, status, reader))
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        self.read(move |connection| conversations::conversation(connection, conversation_id))
    }

    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: super::VisitorDetails,
    ) -> StoreFuture<'_, bool> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, _| {
            conversations::update_visitor(connection, &site, &visitor_id, &details)
        })
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.read(move |connection| {
            conversations::conversation_summary(connection, conversation_id)
        })
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            conversations::set_status(connection, conversation_id, status, events)
        })
    }

    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>> {
        let name = name.to_owned();
        self.read(move |connection| accounts::site_title(connection, &name))
    }

    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool> {
        let (name, title) = (name.to_owned(), title.to_owned());
        self.write(move |connection, _| accounts::ensure_site(connection, &name, &title))
    }

    fn operator_count(&self) -> StoreFuture<'_, u64> {
        self.read(accounts::operator_count)
    }

    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile> {
        let (email, name, password_hash) =
            (email.to_owned(), name.to_owned(), password_hash.to_owned());
        self.write(move |connection, _| {
            accounts::add_operator(connection, &email, &name, &password_hash, admin)
        })
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        let email = email.to_owned();
        self.read(move |connection| accounts::operator_credentials(connection, &email))
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            accounts::create_session(connection, token_hash, operator_id, expires_at_millis)
        })
    }

    fn session_operator(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<OperatorProfile>> {
        self.read(move |connection| accounts::session_operator(connection, token_hash))
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        self.write(move |connection, events| {
            accounts::set_operator_online(connection, operator_id, online, events)
        })
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        self.read(accounts::online_operators)
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |connection, _| accounts::setting_or_insert(connection, &key, &create))
    }

    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            assignment::join(connection, conversation_id, operator_id, events)
        })
    }

    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            assignment::assign(connection, conversation_id, operator_id, events)
        })
    }

    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            assignment::set_tags(connection, conversation_id, &tags, events)
        })
    }

    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            assignment::mark_read(connection, conversation_id, operator_id, seq)
        })
    }

    fn rate(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        rating: Rating,
        comment: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            assignment::rate(
                connection,
                &site,
                &visitor_id,
                rating,
                comment.as_deref(),
                events,
            )
        })
    }

    fn visit(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        page: Option<PageView>,
        locale: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            assignment::visit(
                connection,
                &site,
                &visitor_id,
                page.as_ref(),
                locale.as_deref(),
                events,
            )
        })
    }

    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| assignment::welcome_extras(connection, &site, &visitor_id))
    }

    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64)>> {
        self.read(assignment::auto_messages_due)
    }

    fn auto_message(
        &self,
        conversation_id: ConversationId,
        post: bool,
    ) -> StoreFuture<'_, Option<Message>> {
        self.write(move |connection, events| {
            assignment::auto_message(connection, conversation_id, post, events)
        })
    }

    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>> {
        self.read(team::operators)
    }

    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile> {
        self.write(move |connection, _| team::update_operator(connection, operator_id, &update))
    }

    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>> {
        self.read(move |connection| team::shortcuts(connection, operator_id))
    }

    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut> {
        self.read(move |connection| team::shortcut(connection, id))
    }

    fn save_shortcut(
        &self,
        id: Option<ShortcutId>,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        self.write(move |connection, _| team::save_shortcut(connection, id, owner, &input))
    }

    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| team::delete_shortcut(connection, id))
    }

    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>> {
        self.read(team::rules)
    }

    fn save_rule(&self, id: Option<RuleId>, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        self.write(move |connection, _| team::save_rule(connection, id, &input))
    }

    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| team::delete_rule(connection, id))
    }

    fn team_settings(&self) -> StoreFuture<'_, TeamSettings> {
        self.read(team::team_settings)
    }

    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings> {
        self.write(move |connection, events| team::set_team_settings(connection, &settings, events))
    }

    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>> {
        self.read(team::sites)
    }

    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings> {
        let name = name.to_owned();
        self.write(move |connection, _| team::update_site(connection, &name, &settings))
    }
}
