//! Stores for the store's own tests: the same test body runs on SQLite (in memory) and on
//! PostgreSQL (a fresh database on a throwaway server), through [`on_both_stores!`].

use crate::store::postgres::PgStore;
use crate::store::{Event, Location, SqliteStore, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty store of `backend` and the events it publishes.
pub async fn open(backend: Backend) -> (Arc<dyn Store>, mpsc::Receiver<Vec<Event>>) {
    let (events_sender, events) = mpsc::channel();
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(
            SqliteStore::open(
                Location::Memory,
                Box::new(move |batch| {
                    let _ = events_sender.send(batch);
                }),
            )
            .expect("open an in-memory SQLite store"),
        ),
        Backend::Postgres => {
            let url = fresh_database().await;
            let events_sender = std::sync::Mutex::new(events_sender);
            Arc::new(
                PgStore::open(
                    &url,
                    "test-relay".into(),
                    Box::new(move |batch| {
                        let _ = events_sender
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .send(batch);
                    }),
                )
                .await
                .expect("open a PostgreSQL store"),
            )
        }
    };
    (store, events)
}

/// The URL of the PostgreSQL server the tests use.
pub fn server_url() -> String {
    std::env::var("BESEDA_TEST_POSTGRES").expect("BESEDA_TEST_POSTGRES names the test server")
}

/// A new empty database on the test server, named uniquely for this process.
pub async fn fresh_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = server_url();
    let name = format!(
        "store_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let config: tokio_postgres::Config = server.parse().expect("a valid server URL");
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let mut config = config;
    config.dbname(&name);
    let host = "127.0.0.1";
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("beseda").to_owned();
    format!("postgres://{user}@{host}:{port}/{name}")
}

/// Runs each named `async fn(Backend)` once per backend, as two tests named after it.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(crate::store::test_stores::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(crate::store::test_stores::Backend::Postgres).await
                }
            }
        )*
    };
}
pub(crate) use on_both_stores;
