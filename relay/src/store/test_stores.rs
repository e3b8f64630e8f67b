//! Stores for the store's own tests: the same test body runs on SQLite (in memory) and on
//! PostgreSQL (a fresh database on a throwaway server), through [`on_both_stores!`].

use crate::store::postgres::PgStore;
use crate::store::{Event, Location, SqliteStore, Store};
use std::sync::Arc;
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

/// A new empty database on the test process's throwaway PostgreSQL server.
pub async fn fresh_database() -> String {
    tokio::task::spawn_blocking(|| beseda_throwaway::Postgres::shared().fresh_database())
        .await
        .expect("create a test database")
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
