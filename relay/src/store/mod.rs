//! Persistence: the [`Store`] the rest of the relay talks to, split by aggregate into one trait
//! each ([`ConversationStore`], [`WorkflowStore`], [`AccountStore`], [`TeamStore`],
//! [`PromptStore`], [`AnswerStore`], [`OutboxStore`]) declared beside its types, and the SQLite
//! implementation in `sqlite/`.
//!
//! The store is persistence only: the policy (the queue, keyword rules, the relay's texts) is in
//! `chat`, as pure functions a backend calls, so that another backend writes SQL and nothing
//! else. No rusqlite type crosses this module's boundary. Every write is committed before its
//! future resolves, and before the [`Event`]s it caused are handed to the commit listener, in
//! commit order, so that nobody is ever told about a message that a crash could still take back.

mod accounts;
mod answers;
pub mod backup;
mod conversations;
pub mod disk;
pub mod files;
pub mod health;
pub mod history;
pub(crate) mod keys;
pub(crate) mod migrate;
mod options;
mod outbox;
pub mod postgres;
pub(crate) mod privacy;
pub(crate) mod prompts;
pub mod reports;
pub mod sqlite;
mod team;
#[cfg(test)]
pub(crate) mod test_stores;
#[cfg(test)]
mod tests;
pub mod webhooks;
mod workflow;

pub use accounts::{AccountStore, ActiveSession, OperatorCredentials};
pub use answers::AnswerStore;
pub use conversations::{
    Appended, ConversationStore, Event, MessageTarget, NewMessage, PeerTag, VisitorDetails,
};
pub use files::{FilePart, FileStore, FileTotals, NewFile, StoredFile};
pub use history::{HistoryFilter, HistoryHit, HistoryStore};
pub use keys::{KeyGrant, KeyStore, NewKey, StoredKey};
pub use options::{StoreOptions, parse_bytes};
pub use outbox::{
    MailConversation, MailId, MailNotice, MailOutcome, MailTo, Notices, OutboxStore, PendingMail,
};
pub use privacy::{AddressBlock, AuditRecord, Expired, PrivacyStore};
pub use prompts::PromptStore;
pub use reports::ReportStore;
pub use sqlite::{Location, SqliteStore};
pub use team::TeamStore;
pub use webhooks::WebhookStore;
pub use workflow::{WelcomeExtras, WorkflowStore};

use beseda_protocol::OperatorId;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

/// An opened store; a PostgreSQL one also as itself, for what the cluster needs of it.
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub postgres: Option<Arc<postgres::PgStore>>,
}

/// Opens the database `--db` names: a `postgres://` URL or a SQLite file (`:memory:` for a
/// private one). `relay` names this relay in a cluster's event log; `on_commit` hears every
/// committed event in commit order.
pub async fn open(
    db: &Path,
    relay: &str,
    on_commit: Box<dyn Fn(Vec<Event>) + Send + Sync>,
) -> Result<Opened, StoreError> {
    open_with(db, relay, on_commit, &StoreOptions::default()).await
}

/// [`open`], with the relay's storage options: the size cap and the check at start (SQLite).
pub async fn open_with(
    db: &Path,
    relay: &str,
    on_commit: Box<dyn Fn(Vec<Event>) + Send + Sync>,
    options: &StoreOptions,
) -> Result<Opened, StoreError> {
    let text = db.to_string_lossy();
    if postgres::is_postgres_url(&text) {
        let store = Arc::new(postgres::PgStore::open(&text, relay.to_owned(), on_commit).await?);
        return Ok(Opened {
            store: store.clone(),
            postgres: Some(store),
        });
    }
    let store = SqliteStore::open_with(Location::of(db), options, on_commit)?;
    Ok(Opened {
        store: Arc::new(store),
        postgres: None,
    })
}

/// How a database is named in messages: a PostgreSQL URL without its password.
pub fn describe(db: &Path) -> String {
    let text = db.to_string_lossy();
    if !postgres::is_postgres_url(&text) {
        return db.display().to_string();
    }
    match text.split_once("://").and_then(|(scheme, rest)| {
        let (credentials, host) = rest.split_once('@')?;
        let user = credentials.split(':').next().unwrap_or("");
        Some(format!("{scheme}://{user}@{host}"))
    }) {
        Some(described) => described,
        None => text.into_owned(),
    }
}

/// The store's traits, for callers: `use crate::store::prelude::*;` brings every method of
/// [`Store`] into scope.
pub mod prelude {
    pub use super::{
        AccountStore, AnswerStore, ConversationStore, FileStore, HistoryStore, KeyStore,
        OutboxStore, PrivacyStore, PromptStore, ReportStore, Store, StoreLifecycle, TeamStore,
        WorkflowStore,
    };
}

/// What every store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store call failed. Each variant is one reason; [`StoreError::kind`] sorts them into the
/// few answers a client may get, and `error.rs` maps those kinds to HTTP statuses and socket
/// error codes in one place. The `Display` texts of the kinds other than
/// [`ErrorKind::Internal`] are meant for people and may be sent; internal ones never are.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// What was looked up does not exist.
    #[error("not found")]
    NotFound,
    /// The input names a site that does not exist.
    #[error("there is no site {0:?}")]
    NoSuchSite(String),
    /// The visitor is blocked and may not write.
    #[error("the chat is not available")]
    Blocked,
    /// The input names an operator who does not exist.
    #[error("there is no operator {0}")]
    NoSuchOperator(OperatorId),
    /// Another operator has this email.
    #[error("an operator with the email {0} exists")]
    EmailTaken(String),
    /// The operator (or the team) has a shortcut of this name.
    #[error("a shortcut named {0:?} exists already")]
    ShortcutTaken(String),
    /// The site answers this question in this language already.
    #[error("the site has an answer to {0:?} in this language already")]
    QuestionAnswered(String),
    /// This page view's event of a prompt was counted before.
    #[error("this page view's {0} event was counted already")]
    EventCounted(&'static str),
    /// Only an open conversation can be joined.
    #[error("a resolved conversation cannot be joined; reopen it first")]
    NotOpen,
    /// Only a resolved conversation can be rated.
    #[error("a conversation can be rated once it is resolved")]
    NotResolved,
    /// The site does not ask for ratings.
    #[error("this shop does not ask for ratings")]
    RatingOff,
    /// The database failed; the text is for the log only.
    #[error("database error: {0}")]
    Database(String),
    /// The storage failed in a way that passes (a full disk, a lost connection): the same
    /// write may succeed when tried again. The text is for the log only.
    #[error("storage unavailable: {0}")]
    Unavailable(Outage, String),
    /// The store's writer has stopped.
    #[error("the store is closed")]
    Closed,
    /// The database file is damaged; the text says how to recover and names nothing of
    /// SQLite's findings (those are logged).
    #[error("{0}")]
    Damaged(String),
}

/// What a [`StoreError`] means to the client that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing asked for does not exist (404).
    NotFound,
    /// The request names something that does not exist (400).
    Invalid,
    /// The request clashes with what is stored (409).
    Conflict,
    /// The storage failed for a moment: the client should try again, with the same client id
    /// (503 with `Retry-After`).
    Unavailable,
    /// Nothing the client did: logged, and answered with a generic text (500).
    Internal,
    /// The visitor is blocked (403, `blocked`).
    Blocked,
}

/// Why the storage cannot take writes for a while, as counted in `/metrics` and told by
/// `/healthz`. Each passes without the relay doing anything: space is freed, the database
/// comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outage {
    /// The disk (or the database's size cap, `--db-max-bytes`) is full.
    DiskFull,
    /// Reading or writing the database file failed.
    Io,
    /// Another process held the database locked for too long.
    Busy,
    /// The connection to the database server was lost or refused.
    Connection,
    /// The database server is shutting down, starting or in recovery.
    Restarting,
    /// A transaction clashed with another (serialization failure or deadlock).
    Conflict,
    /// No pooled connection became free in time.
    PoolTimeout,
}

impl Outage {
    /// Every kind, in the order `/metrics` lists them.
    pub const ALL: [Outage; 7] = [
        Outage::DiskFull,
        Outage::Io,
        Outage::Busy,
        Outage::Connection,
        Outage::Restarting,
        Outage::Conflict,
        Outage::PoolTimeout,
    ];

    /// The kind's label in `/metrics`.
    pub fn label(self) -> &'static str {
        match self {
            Outage::DiskFull => "disk_full",
            Outage::Io => "io",
            Outage::Busy => "busy",
            Outage::Connection => "connection",
            Outage::Restarting => "restarting",
            Outage::Conflict => "conflict",
            Outage::PoolTimeout => "pool_timeout",
        }
    }
}

impl std::fmt::Display for Outage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Outage::DiskFull => "disk full",
            Outage::Io => "I/O error",
            Outage::Busy => "database locked",
            Outage::Connection => "database connection lost",
            Outage::Restarting => "database restarting",
            Outage::Conflict => "transaction conflict",
            Outage::PoolTimeout => "no database connection free",
        })
    }
}

impl StoreError {
    /// What this error means to the client that caused it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound => ErrorKind::NotFound,
            StoreError::NoSuchSite(_) | StoreError::NoSuchOperator(_) => ErrorKind::Invalid,
            StoreError::EmailTaken(_)
            | StoreError::ShortcutTaken(_)
            | StoreError::QuestionAnswered(_)
            | StoreError::EventCounted(_)
            | StoreError::NotOpen
            | StoreError::NotResolved
            | StoreError::RatingOff => ErrorKind::Conflict,
            StoreError::Unavailable(..) => ErrorKind::Unavailable,
            StoreError::Blocked => ErrorKind::Blocked,
            StoreError::Database(_) | StoreError::Closed | StoreError::Damaged(_) => {
                ErrorKind::Internal
            }
        }
    }
}

/// Figures a store keeps about its writer, for `/metrics`.
#[derive(Debug)]
pub struct StoreStats {
    pub commits: std::sync::atomic::AtomicU64,
    pub committed_jobs: std::sync::atomic::AtomicU64,
    /// Writes asked for and not yet answered: queued, or in the transaction being committed.
    pub pending_writes: std::sync::atomic::AtomicUsize,
    /// Whether writes succeed now, and the temporary failures so far.
    pub health: health::StoreHealth,
    /// The bytes left on the database's disk when last measured; -1 before the first
    /// measurement, and on a database that is not a local file.
    pub disk_free_bytes: std::sync::atomic::AtomicI64,
}

impl Default for StoreStats {
    fn default() -> StoreStats {
        StoreStats {
            commits: Default::default(),
            committed_jobs: Default::default(),
            pending_writes: Default::default(),
            health: Default::default(),
            disk_free_bytes: std::sync::atomic::AtomicI64::new(-1),
        }
    }
}

/// What a group-committing writer does once a batch's outcome is known: answers one caller.
/// The outcome is `Err` with the reason when the batch did not commit.
pub(crate) type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// How a write job ends, on either store: whether it succeeded (so that its savepoint is kept),
/// and what answers its caller once the commit's outcome is known — its result, or the batch's
/// failure if the batch did not commit. A job that could not run at all (`None`) fails with the
/// batch. Every outcome is told to the store's health, so that an outage is noticed, and its end.
pub(crate) fn finish_job<T: Send + 'static>(
    result: Option<Result<T, StoreError>>,
    stats: std::sync::Arc<StoreStats>,
    reply: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
) -> (bool, Finish) {
    let ok = matches!(result, Some(Ok(_)));
    let finish: Finish = Box::new(move |committed| {
        let outcome = match (result, committed) {
            // A job that failed inside a batch that met an outage failed of the outage.
            (Some(Err(StoreError::Database(_) | StoreError::Closed)), Err(error))
                if error.kind() == ErrorKind::Unavailable =>
            {
                Err(error)
            }
            (Some(Err(error)), _) => Err(error),
            (_, Err(error)) => Err(error),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (None, Ok(())) => Err(StoreError::Database(
                "the write transaction could not start".into(),
            )),
        };
        match &outcome {
            Ok(_) => stats.health.succeeded(),
            Err(StoreError::Unavailable(outage, detail)) => stats.health.failed(*outage, detail),
            Err(_) => {}
        }
        stats
            .pending_writes
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        let _ = reply.send(outcome);
    });
    (ok, finish)
}

/// The store as a whole: its writer's figures and closing.
pub trait StoreLifecycle: Send + Sync {
    /// The writer's figures, for `/metrics`.
    fn stats(&self) -> std::sync::Arc<StoreStats>;
    /// Stops taking writes, commits what is queued and waits for the writer to finish (blocks).
    fn close(&self);
    /// A write that keeps nothing, through the writer like any other: while writes fail, it
    /// tells whether they would succeed again (with room for a message), so that `/healthz`
    /// recovers even when nobody writes (a balancer sends nobody to a relay it thinks down).
    fn probe(&self) -> StoreFuture<'_, ()>;
    /// The last position of the cluster's event log this relay has published, if the store
    /// keeps such a log (PostgreSQL).
    fn published_position(&self) -> Option<u64> {
        None
    }
}

/// Persistence for conversations, operators and relay settings: every aggregate's trait. Any
/// type that implements them all is a `Store`, so `Arc<dyn Store>` serves every caller.
pub trait Store:
    StoreLifecycle
    + ConversationStore
    + WorkflowStore
    + AccountStore
    + TeamStore
    + PromptStore
    + AnswerStore
    + OutboxStore
    + HistoryStore
    + KeyStore
    + ReportStore
    + FileStore
    + WebhookStore
    + PrivacyStore
    + 'static
{
}

impl<T> Store for T where
    T: StoreLifecycle
        + ConversationStore
        + WorkflowStore
        + AccountStore
        + TeamStore
        + PromptStore
        + AnswerStore
        + OutboxStore
        + HistoryStore
        + KeyStore
        + ReportStore
        + FileStore
        + WebhookStore
        + PrivacyStore
        + 'static
{
}
