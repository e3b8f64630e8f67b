//! [`PgStore`]: PostgreSQL for several relays on one database.
//!
//! Writes keep SQLite's group commit: every write goes to one writer task per relay over a
//! bounded channel; the task takes every job waiting, runs each inside its own savepoint of one
//! transaction on its own connection, and commits once. Every write transaction of the cluster
//! first takes one transaction-scoped advisory lock ([`WRITE_LOCK`]), so the relays' batches
//! commit one after another: sequence numbers stay gap-free per conversation, the queue's plan
//! never sees a half-written batch of another relay (no operator gets more than their maximum),
//! no two batches can lock rows in opposite orders (no deadlocks), and the position each batch
//! gives its events follows commit order without gaps.
//!
//! Fan-out goes through the database: a batch appends its events to `event_log` under the next
//! positions of `event_stream` and sends `NOTIFY beseda` with its last position (ids only). Every
//! relay reads the log after the last position it published — when notified, after its
//! listening connection reconnects, on a timer, and before it publishes a batch of its own — and
//! hands the events to its commit listener in position order. The doorbell may lose rings; the
//! log does not. Reads use a pool of connections and never wait for the writer.

mod accounts;
mod answers;
mod conversations;
mod files;
pub(crate) mod history;
mod keys;
mod keywords;
mod methods;
mod outbox;
mod privacy;
mod prompts;
mod queue;
mod reports;
#[allow(dead_code, unused_imports)] // Shared readers; each aggregate uses some.
mod rows;
pub(crate) mod schema;
mod sql;
mod tail;
mod tallies;
mod team;
mod tls;
mod visits;
mod webhooks;
mod workflow;

pub use tail::Position;

use sql::Sql;

use crate::store::{Event, Finish, Outage, StoreError, StoreFuture, StoreStats};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A connection's stream, with TLS when the database asks for it.
pub type TlsStream =
    <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>>::Stream;

/// The advisory lock every write transaction of every relay takes first (`"beseda"` in ASCII,
/// then 1). The cluster's advisory locks are all declared here, so that no two share a key.
pub const WRITE_LOCK: i64 = 0x0062_6573_6564_6101;
/// The lock a relay holds while it migrates the schema.
pub const MIGRATION_LOCK: i64 = 0x0062_6573_6564_6102;
/// The session lock the leading relay holds while it leads.
pub const LEADER_LOCK: i64 = 0x0062_6573_6564_6103;
/// The most jobs folded into one transaction, as on SQLite.
pub const MAX_BATCH: usize = super::sqlite::MAX_BATCH;
/// How many writes may wait for the writer before producers wait too.
const QUEUE_DEPTH: usize = 8192;
/// Connections for reads.
const READERS: usize = 8;
/// How long closing waits for the writer to finish what is queued: with the database away,
/// each batch waits for a connection that does not come, and a stop must not hang on them.
const CLOSE_WAIT: Duration = Duration::from_secs(10);
/// How long the writer waits before connecting again after its connection failed.
const RECONNECT_DELAY: Duration = Duration::from_millis(250);

/// Whether a `--db` value names a PostgreSQL database.
pub fn is_postgres_url(value: &str) -> bool {
    value.starts_with("postgres://") || value.starts_with("postgresql://")
}

/// Called with the events of the cluster's commits, in position order, never twice for one
/// position. It must not block.
pub type CommitListener = Box<dyn Fn(Vec<Event>) + Send + Sync>;

type JobFuture = Pin<Box<dyn Future<Output = (bool, Finish)> + Send>>;
/// A write: run on the transaction (or, given `None`, report that it could not run), then
/// finish once the commit's outcome is known.
type Job = Box<dyn FnOnce(Option<Tx>) -> JobFuture + Send>;

/// The writer's transaction as a job sees it: the connection (with its cache of prepared
/// statements, through [`Sql`]; inside the job's savepoint) and what the job leaves for the end
/// of the batch.
#[derive(Clone)]
pub struct Tx {
    connection: Arc<WriterConnection>,
    output: Arc<Mutex<JobOutput>>,
}

/// What a job leaves for the end of its batch, kept only if the job succeeds: its events, and
/// the search index's rows for the messages it stored (written for the whole batch in one
/// statement, sent with the batch's events).
#[derive(Default)]
struct JobOutput {
    events: Vec<Event>,
    indexed: history::Indexed,
}

impl Tx {
    fn output(&self) -> std::sync::MutexGuard<'_, JobOutput> {
        self.output
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an event of this job, published after the commit (dropped if the job fails).
    pub fn emit(&self, event: Event) {
        self.output().events.push(event);
    }

    /// Records a stored message's words for the search index, written with the batch.
    fn index(&self, message: &beseda_protocol::Message) {
        self.output().indexed.add(message);
    }
}

impl Sql for Tx {
    fn client(&self) -> &Client {
        &self.connection.client
    }

    fn statement(
        &self,
        sql: &str,
    ) -> impl Future<Output = Result<tokio_postgres::Statement, tokio_postgres::Error>> + Send {
        self.connection.statement(sql)
    }
}

impl Sql for WriterConnection {
    fn client(&self) -> &Client {
        &self.client
    }

    fn statement(
        &self,
        sql: &str,
    ) -> impl Future<Output = Result<tokio_postgres::Statement, tokio_postgres::Error>> + Send {
        self.statements.prepare(&self.client, sql)
    }
}

/// The writer's connection and the statements prepared on it (a new connection starts with
/// none).
struct WriterConnection {
    client: Client,
    statements: sql::Statements,
}

/// The PostgreSQL implementation of [`Store`](crate::store::Store).
pub struct PgStore {
    pool: Pool,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    /// Told when the writer task has finished (after the last queued job).
    writer_done: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    stats: Arc<StoreStats>,
    tail: Arc<tail::Tail>,
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
}

/// The TLS connector for a database URL: rustls with the web's root certificates, or with the
/// CA certificates of the URL's `sslrootcert=FILE` (see the `tls` module); used when the URL
/// asks for TLS (`sslmode=require`, implied by `sslrootcert`) or prefers it and the server
/// offers it.
pub(crate) fn tls(url: &str) -> Result<MakeRustlsConnect, StoreError> {
    tls::connector(&tls::split(url)?)
}

/// The connection settings of a URL (without the TLS options only [`tls()`] reads), with the
/// relay's name and keepalives (so that a machine that vanished is noticed, and its advisory
/// locks freed).
pub(crate) fn connection_config(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config = tls::split(url)?
        .url
        .parse()
        .map_err(|error| StoreError::Database(format!("the database URL is invalid: {error}")))?;
    if config.get_application_name().is_none() {
        config.application_name("beseda-relay");
    }
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(10));
    config.connect_timeout(Duration::from_secs(10));
    Ok(config)
}

/// Opens a connection whose driver runs on its own task; returns the client and that task.
pub(crate) async fn connect(
    config: &tokio_postgres::Config,
    tls: &MakeRustlsConnect,
) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(tls.clone()).await.map_err(tls::explain)?;
    tokio::spawn(async move {
        // A lost connection is told once per outage by the store's health, not here.
        if let Err(error) = connection.await {
            tracing::debug!(%error, "a database connection ended");
        }
    });
    Ok(client)
}

impl PgStore {
    /// Connects, migrates the database and starts the writer and the log's tail. `relay` names
    /// this relay in the log (so that its own peers, by tag, hear only its own events as theirs).
    pub async fn open(
        url: &str,
        relay: String,
        on_commit: CommitListener,
    ) -> Result<PgStore, StoreError> {
        let config = connection_config(url)?;
        let tls = tls(url)?;
        let mut migrator = connect(&config, &tls).await?;
        schema::migrate(&mut migrator).await?;
        drop(migrator);
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(READERS)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|error| StoreError::Database(format!("cannot build the pool: {error}")))?;
        let writer_client = connect(&config, &tls).await?;
        let start = tail::current(&writer_client).await?;
        let tail = Arc::new(tail::Tail::new(relay, start, on_commit));
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        let (done_sender, done_receiver) = std::sync::mpsc::channel();
        let stats = Arc::new(StoreStats::default());
        let writer = Writer {
            connection: Some(Arc::new(WriterConnection::new(writer_client))),
            config: config.clone(),
            tls: tls.clone(),
            stats: stats.clone(),
            tail: tail.clone(),
        };
        tokio::spawn(async move {
            writer.run(receiver).await;
            let _ = done_sender.send(());
        });
        tail::spawn_listener(config.clone(), tls.clone(), pool.clone(), tail.clone());
        Ok(PgStore {
            pool,
            jobs: Mutex::new(Some(sender)),
            writer_done: Mutex::new(Some(done_receiver)),
            stats,
            tail,
            config,
            tls,
        })
    }

    pub fn stats(&self) -> Arc<StoreStats> {
        self.stats.clone()
    }

    /// A new connection of its own (for a session-scoped advisory lock).
    pub async fn dedicated_connection(&self) -> Result<Client, StoreError> {
        connect(&self.config, &self.tls).await
    }

    /// A new connection and its driver, for a `LISTEN` (the caller polls the driver for
    /// notifications).
    pub async fn dedicated_connection_parts(
        &self,
    ) -> Result<
        (
            Client,
            tokio_postgres::Connection<tokio_postgres::Socket, TlsStream>,
        ),
        StoreError,
    > {
        self.config
            .connect(self.tls.clone())
            .await
            .map_err(tls::explain)
    }

    /// Runs `work` on a pooled connection: for the cluster's own tables (relays, consoles,
    /// limits), outside the write transactions.
    pub fn with_connection<T, F, Fut>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        self.read(work)
    }

    /// The position of the last event this relay has published.
    pub fn published(&self) -> Position {
        self.tail.published()
    }

    /// Stops taking writes, commits what is queued and waits for the writer to finish (blocks;
    /// call it off the runtime's worker threads).
    pub fn close(&self) {
        let sender = self
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        drop(sender);
        let done = self
            .writer_done
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(done) = done
            && done.recv_timeout(CLOSE_WAIT).is_err()
        {
            tracing::warn!(
                "the database did not take the last writes in time; stopping with what is committed"
            );
        }
        self.tail.stop();
    }

    /// Runs `work` inside the next write transaction and resolves after it was committed and
    /// its events were published.
    pub(super) fn write<T, F, Fut>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(Tx) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
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
            let job: Job = Box::new(move |tx| {
                Box::pin(async move {
                    let result = match tx {
                        Some(tx) => Some(work(tx).await),
                        None => None,
                    };
                    crate::store::finish_job(result, job_stats, reply)
                })
            });
            if sender.send(job).await.is_err() {
                stats.pending_writes.fetch_sub(1, Ordering::Relaxed);
                return Err(StoreError::Closed);
            }
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Runs `work` on a pooled connection.
    pub(super) fn read<T, F, Fut>(&self, work: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let pool = self.pool.clone();
        Box::pin(async move {
            let connection = pool.get().await.map_err(sql::pool_error)?;
            work(connection).await
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Without a sender the writer finishes what is queued and ends.
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        self.tail.stop();
    }
}

/// The writer task's state: its connection (opened again after it fails).
struct Writer {
    connection: Option<Arc<WriterConnection>>,
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    stats: Arc<StoreStats>,
    tail: Arc<tail::Tail>,
}

impl Writer {
    async fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = receiver.recv().await {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let connection = self.connection().await;
            let (committed, events, finishers) =
                commit_batch(connection.clone(), &self.tail, &mut batch).await;
            if committed.is_ok() {
                self.stats.commits.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .committed_jobs
                    .fetch_add(finishers.len() as u64, Ordering::Relaxed);
            }
            if let (Ok(logged), Some(connection)) = (&committed, &connection) {
                self.tail
                    .publish_own(&connection.client, *logged, events)
                    .await;
            }
            let outcome = committed.map(|_| ());
            for finish in finishers {
                finish(outcome.clone());
            }
        }
    }

    /// The writer's connection, opened again when it was lost (`None` while the database
    /// cannot be reached: the batch fails and the next one tries again).
    async fn connection(&mut self) -> Option<Arc<WriterConnection>> {
        if let Some(connection) = &self.connection {
            if !connection.client.is_closed() {
                return Some(connection.clone());
            }
            self.connection = None;
        }
        match connect(&self.config, &self.tls).await {
            Ok(client) => {
                let connection = Arc::new(WriterConnection::new(client));
                self.connection = Some(connection.clone());
                Some(connection)
            }
            Err(error) => {
                tracing::debug!(%error, "the writer cannot connect to the database");
                tokio::time::sleep(RECONNECT_DELAY).await;
                None
            }
        }
    }
}

impl WriterConnection {
    fn new(client: Client) -> WriterConnection {
        WriterConnection {
            client,
            statements: sql::Statements::default(),
        }
    }
}

/// What ends the savepoint of a job that kept its work, and of one whose work is undone.
const KEEP_JOB: &str = "RELEASE SAVEPOINT job";
const UNDO_JOB: &str = "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job";

/// Runs every job of the batch in one transaction, each inside a savepoint, appends the
/// events to the log and commits. Answers the logged range (or why nothing was committed), the
/// events in order, and the finishers.
///
/// The statements that end one job's savepoint and open the next one's travel in one message,
/// sent before the job's first statement and answered while the job runs (a pipeline), so a job
/// costs the round trips of its own statements and no more. Should that message fail, the
/// transaction is aborted, the job's statements fail with it, and the batch is rolled back.
async fn commit_batch(
    connection: Option<Arc<WriterConnection>>,
    tail: &tail::Tail,
    batch: &mut Vec<Job>,
) -> (Result<tail::Logged, StoreError>, Vec<Event>, Vec<Finish>) {
    let mut finishers = Vec::with_capacity(batch.len());
    let begun = match &connection {
        Some(connection) => connection
            .client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            ))
            .await
            .map_err(StoreError::from),
        None => Err(StoreError::Unavailable(
            Outage::Connection,
            "the writer has no database connection".into(),
        )),
    };
    let connection = match (connection, begun) {
        (Some(connection), Ok(())) => connection,
        (_, outcome) => {
            let failure = outcome.err().unwrap_or(StoreError::Closed);
            for job in batch.drain(..) {
                let (_, finish) = job(None).await;
                finishers.push(finish);
            }
            return (Err(failure), Vec::new(), finishers);
        }
    };
    let mut events = Vec::new();
    let mut indexed = history::Indexed::default();
    let mut failure: Option<StoreError> = None;
    // How the previous job's savepoint ends, sent with the next one's opening.
    let mut previous: Option<&str> = None;
    for job in batch.drain(..) {
        let output = Arc::new(Mutex::new(JobOutput::default()));
        let tx = Tx {
            connection: connection.clone(),
            output: output.clone(),
        };
        let opening = match previous {
            Some(end) => format!("{end}; SAVEPOINT job"),
            None => "SAVEPOINT job".to_owned(),
        };
        let (opened, (ok, finish)) =
            pipelined(connection.client.batch_execute(&opening), job(Some(tx))).await;
        if let Err(error) = opened {
            tracing::debug!(%error, "cannot end a savepoint or open the next");
            failure.get_or_insert(error.into());
        }
        if ok {
            let mut output = output
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            events.append(&mut output.events);
            indexed.append(&mut output.indexed);
        }
        previous = Some(if ok { KEEP_JOB } else { UNDO_JOB });
        finishers.push(finish);
    }
    let rollback = || async {
        if let Err(error) = connection.client.batch_execute("ROLLBACK").await {
            tracing::error!(%error, "cannot roll back a batch");
        }
    };
    if let Some(failure) = failure {
        rollback().await;
        return (Err(failure), Vec::new(), finishers);
    }
    let (ended, (logged, index)) = pipelined(
        connection
            .client
            .batch_execute(previous.unwrap_or("SELECT 1")),
        pipelined(
            tail.append(&*connection, &events),
            history::write_index(&*connection, &indexed),
        ),
    )
    .await;
    let logged = match (ended, logged, index) {
        (Ok(()), Ok(logged), Ok(())) => logged,
        (ended, logged, index) => {
            let failure = ended
                .map_err(StoreError::from)
                .and(logged.map(|_| ()))
                .and(index)
                .err()
                .unwrap_or(StoreError::Closed);
            tracing::debug!(
                %failure,
                "cannot end the last savepoint, append the batch's events to the log or index its messages"
            );
            rollback().await;
            return (Err(failure), Vec::new(), finishers);
        }
    };
    if let Err(failure) = webhooks::record(&*connection, &events).await {
        tracing::debug!(%failure, "cannot record the batch's webhook deliveries");
        rollback().await;
        return (Err(failure), Vec::new(), finishers);
    }
    // Should the connection be lost while the commit is under way, whether it committed is
    // unknown: the callers are told it failed, and their resends (with the same client ids)
    // find what did commit.
    match connection.client.batch_execute("COMMIT").await {
        Ok(()) => (Ok(logged), events, finishers),
        Err(error) => {
            tracing::debug!(%error, "commit failed");
            (Err(error.into()), Vec::new(), finishers)
        }
    }
}

/// Runs `first` and `then` together, `first`'s request sent before any of `then`'s: `first` is
/// polled once (which puts its request on the connection) before `then` starts, and both are
/// then polled until both are done (a connection delivers each answer only to a caller that
/// polls for it, so neither may wait for the other).
async fn pipelined<A: Future, B: Future>(first: A, then: B) -> (A::Output, B::Output) {
    let mut first = std::pin::pin!(first);
    let early =
        std::future::poll_fn(|context| std::task::Poll::Ready(first.as_mut().poll(context))).await;
    match early {
        std::task::Poll::Ready(output) => (output, then.await),
        std::task::Poll::Pending => futures_util::future::join(first, then).await,
    }
}
