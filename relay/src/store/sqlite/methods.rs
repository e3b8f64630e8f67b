//! The store's traits for [`SqliteStore`], one `impl` per aggregate in the files of this
//! module: each method runs its SQL (in the modules beside this one) on the writer's
//! transaction or on a reader connection.

mod accounts;
mod answers;
mod conversations;
mod files;
mod history;
mod keys;
mod outbox;
mod privacy;
mod prompts;
mod reports;
mod team;
mod webhooks;
mod workflow;

use super::SqliteStore;
use crate::store::StoreStats;

impl crate::store::StoreLifecycle for SqliteStore {
    fn stats(&self) -> std::sync::Arc<StoreStats> {
        SqliteStore::stats(self)
    }

    fn close(&self) {
        SqliteStore::close(self)
    }

    fn probe(&self) -> crate::store::StoreFuture<'_, ()> {
        // As much room as a long message takes, allocated and given back in one savepoint.
        self.write(|connection, _| {
            connection.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('health_probe', zeroblob(16384))",
                [],
            )?;
            connection.execute("DELETE FROM settings WHERE key = 'health_probe'", [])?;
            Ok(())
        })
    }
}
