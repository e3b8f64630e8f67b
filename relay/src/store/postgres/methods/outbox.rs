//! [`OutboxStore`](crate::store::OutboxStore) for [`PgStore`]: the mail outbox.

use super::super::{PgStore, outbox};
use crate::store::{MailId, MailOutcome, PendingMail, StoreFuture};

impl crate::store::OutboxStore for PgStore {
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>> {
        self.read(move |client| async move { outbox::mail_due(&client, now, limit).await })
    }

    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>> {
        self.read(|client| async move { outbox::next_mail_due(&client).await })
    }

    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { outbox::mail_attempted(&tx, id, &outcome).await })
    }
}
