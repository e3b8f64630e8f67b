//! [`SqliteStore`]: one writer thread that commits in groups, and a few reader connections.
//!
//! SQLite allows one writer at a time, so every write goes to a dedicated thread over a bounded
//! channel (which also pushes back on producers when the disk falls behind). The thread takes
//! every job waiting, runs each inside its own savepoint of one `BEGIN IMMEDIATE` transaction,
//! commits once (`synchronous=FULL`: durable on return), hands the resulting events to the commit
//! listener in commit order, and only then answers the callers. Reads run on separate WAL
//! connections through `spawn_blocking`, so they never wait for the writer.

use super::{
    Appended, Event, NewMessage, OperatorCredentials, Store, StoreError, StoreFuture, queries,
    schema,
};
use beseda_protocol::api::{ConversationDetail, ConversationSummary};
use beseda_protocol::{
    ConversationId, ConversationStatus, Message, MessageId, OperatorId, OperatorProfile, Seq,
    VisitorId,
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

/// The most jobs folded into one transaction.
const MAX_BATCH: usize = 512;
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
}

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Vec<Arc<Mutex<Connection>>>,
    next_reader: AtomicUsize,
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
        Box::pin(async move {
            let sender = sender.ok_or(StoreError::Closed)?;
            let (reply, answer) = oneshot::channel();
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
                    let _ = reply.send(outcome);
                });
                (ok, finish)
            });
            sender.send(job).await.map_err(|_| StoreError::Closed)?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Runs `work` on a reader connection on the blocking pool.
    fn read<T, F>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let reader = self.readers[index].clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let connection = reader
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                work(&connection)
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
            queries::append_message(connection, &new_message, events)
        })
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| queries::messages_after_seq(connection, conversation_id, after))
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| queries::messages_after_id(connection, after, limit))
    }

    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| queries::visitor_conversation(connection, &site, &visitor_id))
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        self.read(move |connection| queries::conversations(connection, status))
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        self.read(move |connection| queries::conversation(connection, conversation_id))
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.read(move |connection| queries::conversation_summary(connection, conversation_id))
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            queries::set_status(connection, conversation_id, status, events)
        })
    }

    fn site_exists(&self, name: &str) -> StoreFuture<'_, bool> {
        let name = name.to_owned();
        self.read(move |connection| queries::site_exists(connection, &name))
    }

    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool> {
        let (name, title) = (name.to_owned(), title.to_owned());
        self.write(move |connection, _| queries::ensure_site(connection, &name, &title))
    }

    fn operator_count(&self) -> StoreFuture<'_, u64> {
        self.read(queries::operator_count)
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
            queries::add_operator(connection, &email, &name, &password_hash, admin)
        })
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        let email = email.to_owned();
        self.read(move |connection| queries::operator_credentials(connection, &email))
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            queries::create_session(connection, token_hash, operator_id, expires_at_millis)
        })
    }

    fn session_operator(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<OperatorProfile>> {
        self.read(move |connection| queries::session_operator(connection, token_hash))
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            queries::set_operator_online(connection, operator_id, online)
        })
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        self.read(queries::online_operators)
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |connection, _| queries::setting_or_insert(connection, &key, &create))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MessageTarget;
    use beseda_protocol::{Author, ClientMessageId};
    use std::sync::mpsc as std_mpsc;

    fn memory_store() -> (SqliteStore, std_mpsc::Receiver<Vec<Event>>) {
        let (events_sender, events) = std_mpsc::channel();
        let store = SqliteStore::open(
            Location::Memory,
            Box::new(move |batch| {
                let _ = events_sender.send(batch);
            }),
        )
        .unwrap();
        (store, events)
    }

    fn visitor_message(visitor: &str, client_id: &str, text: &str) -> NewMessage {
        NewMessage {
            target: MessageTarget::Visitor {
                site: "default".into(),
                visitor_id: VisitorId(visitor.into()),
            },
            author: Author::Visitor,
            operator_id: None,
            client_id: Some(ClientMessageId(client_id.into())),
            text: text.into(),
            origin: Some(1),
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn first_visitor_message_creates_the_conversation_and_numbers_from_one() {
        runtime().block_on(async {
            let (store, events) = memory_store();
            let first = store
                .append_message(visitor_message("v1", "a", "Dobrý den"))
                .await
                .unwrap();
            let second = store
                .append_message(visitor_message("v1", "b", "Máte XL?"))
                .await
                .unwrap();
            assert_eq!((first.message.seq, second.message.seq), (Seq(1), Seq(2)));
            assert_eq!(
                first.message.conversation_id,
                second.message.conversation_id
            );
            let first_batch = events.recv().unwrap();
            assert!(matches!(first_batch[0], Event::ConversationChanged { .. }));
            assert!(matches!(
                first_batch[1],
                Event::MessageStored {
                    duplicate: false,
                    ..
                }
            ));
        });
    }

    #[test]
    fn resending_a_client_id_stores_nothing_new() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let first = store
                .append_message(visitor_message("v1", "same", "one"))
                .await
                .unwrap();
            let again = store
                .append_message(visitor_message("v1", "same", "one"))
                .await
                .unwrap();
            assert!(again.duplicate);
            assert_eq!(first.message, again.message);
            let all = store
                .messages_after_seq(first.message.conversation_id, Seq(0))
                .await
                .unwrap();
            assert_eq!(all.len(), 1);
        });
    }

    #[test]
    fn visitors_get_separate_conversations() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let alice = store
                .append_message(visitor_message("alice", "a", "hi"))
                .await
                .unwrap();
            let bob = store
                .append_message(visitor_message("bob", "a", "hi"))
                .await
                .unwrap();
            assert_ne!(alice.message.conversation_id, bob.message.conversation_id);
            assert!(
                !bob.duplicate,
                "the same client id from another visitor is a new message"
            );
        });
    }

    #[test]
    fn a_visitor_message_reopens_a_resolved_conversation() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let first = store
                .append_message(visitor_message("v1", "a", "hi"))
                .await
                .unwrap();
            let conversation_id = first.message.conversation_id;
            let resolved = store
                .set_status(conversation_id, ConversationStatus::Resolved)
                .await
                .unwrap();
            assert_eq!(resolved.status, ConversationStatus::Resolved);
            store
                .append_message(visitor_message("v1", "b", "one more thing"))
                .await
                .unwrap();
            let detail = store.conversation(conversation_id).await.unwrap();
            assert_eq!(detail.status, ConversationStatus::Open);
            assert_eq!(detail.messages.len(), 2);
        });
    }

    #[test]
    fn messages_after_seq_returns_only_the_missed_ones_in_order() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let mut conversation_id = None;
            for index in 0..5 {
                let appended = store
                    .append_message(visitor_message("v1", &format!("m{index}"), "x"))
                    .await
                    .unwrap();
                conversation_id = Some(appended.message.conversation_id);
            }
            let missed = store
                .messages_after_seq(conversation_id.unwrap(), Seq(2))
                .await
                .unwrap();
            let seqs: Vec<u64> = missed.iter().map(|message| message.seq.0).collect();
            assert_eq!(seqs, vec![3, 4, 5]);
        });
    }

    #[test]
    fn a_failing_write_leaves_the_rest_of_its_batch_committed() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let profile = store
                .add_operator("jana@shop.example", "Jana", "hash", false)
                .await
                .unwrap();
            let duplicate = store.add_operator("JANA@shop.example", "Jana", "hash", false);
            let other = store.add_operator("petr@shop.example", "Petr", "hash", true);
            let (duplicate, other) = tokio::join!(duplicate, other);
            assert!(matches!(duplicate, Err(StoreError::Conflict(_))));
            assert!(other.unwrap().admin);
            assert_eq!(store.operator_count().await.unwrap(), 2);
            assert_eq!(profile.name, "Jana");
        });
    }

    #[test]
    fn an_operator_message_to_a_missing_conversation_is_not_found() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let result = store
                .append_message(NewMessage {
                    target: MessageTarget::Conversation(ConversationId(404)),
                    author: Author::Operator,
                    operator_id: None,
                    client_id: None,
                    text: "hello".into(),
                    origin: None,
                })
                .await;
            assert!(matches!(result, Err(StoreError::NotFound)));
        });
    }

    #[test]
    fn sessions_expire() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let profile = store
                .add_operator("a@b.c", "A", "hash", false)
                .await
                .unwrap();
            store
                .create_session([1; 32], profile.id, crate::clock::now_millis() + 60_000)
                .await
                .unwrap();
            store
                .create_session([2; 32], profile.id, crate::clock::now_millis() - 1)
                .await
                .unwrap();
            assert_eq!(
                store.session_operator([1; 32]).await.unwrap(),
                Some(profile)
            );
            assert_eq!(store.session_operator([2; 32]).await.unwrap(), None);
            assert_eq!(store.session_operator([3; 32]).await.unwrap(), None);
        });
    }

    #[test]
    fn a_setting_is_created_once() {
        runtime().block_on(async {
            let (store, _events) = memory_store();
            let first = store
                .setting_or_insert("secret", vec![1, 2, 3])
                .await
                .unwrap();
            let second = store.setting_or_insert("secret", vec![9]).await.unwrap();
            assert_eq!(first, vec![1, 2, 3]);
            assert_eq!(second, first);
        });
    }

    #[test]
    fn reopening_a_file_keeps_committed_messages() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("beseda.db");
        runtime().block_on(async {
            let store = SqliteStore::open(Location::File(path.clone()), Box::new(|_| {})).unwrap();
            store
                .append_message(visitor_message("v1", "a", "kept"))
                .await
                .unwrap();
            store.close();
            let store = SqliteStore::open(Location::File(path.clone()), Box::new(|_| {})).unwrap();
            let conversation = store
                .visitor_conversation("default", &VisitorId("v1".into()))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(conversation.last_message.unwrap().text, "kept");
        });
    }
}
