//! The store's traits for [`PgStore`], one `impl` per aggregate in the files of this module:
//! each method runs its SQL (in the modules beside this one) on the writer's transaction
//! ([`PgStore::write`]) or on a pooled connection ([`PgStore::read`]).

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

use super::PgStore;
use crate::store::StoreStats;

impl crate::store::StoreLifecycle for PgStore {
    fn stats(&self) -> std::sync::Arc<StoreStats> {
        PgStore::stats(self)
    }

    fn close(&self) {
        PgStore::close(self)
    }

    fn probe(&self) -> crate::store::StoreFuture<'_, ()> {
        self.write(|tx| async move {
            super::sql::Sql::execute(&tx, "DELETE FROM settings WHERE key = 'health_probe'", &[])
                .await?;
            Ok(())
        })
    }

    fn published_position(&self) -> Option<u64> {
        u64::try_from(self.published()).ok()
    }
}
