//! [`OutboxStore`](crate::store::OutboxStore) for [`SqliteStore`]: the mail outbox.

use super::super::{SqliteStore, outbox};
use crate::store::{MailId, MailOutcome, PendingMail, StoreFuture};

impl crate::store::OutboxStore for SqliteStore {
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>> {
        self.read(move |connection| outbox::mail_due(connection, now, limit))
    }

    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>> {
        self.read(outbox::next_mail_due)
    }

    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| outbox::mail_attempted(connection, id, &outcome))
    }
}
