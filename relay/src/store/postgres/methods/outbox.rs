//! [`OutboxStore`](crate::store::OutboxStore) for [`PgStore`]: the mail outbox.

use super::super::PgStore;
use super::pending;

use crate::store::{MailId, MailOutcome, PendingMail, StoreFuture};

impl crate::store::OutboxStore for PgStore {
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>> {
        pending()
    }

    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>> {
        pending()
    }

    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()> {
        pending()
    }
}
