//! The automatic message (000, rule 2): when a visitor has waited the site's delay without an
//! operator's reply, the relay posts a system message that apologises and asks them to wait.
//!
//! The wait is kept in the database (`waiting_since`, set by the visitor's message and cleared by
//! an operator's), so a restarted relay still keeps its promise. One task asks the store what is
//! due, posts it, and sleeps until the next due time or until a visitor writes.

use crate::App;
use crate::clock::now_millis;
use crate::store::Event;
use beseda_protocol::Author;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Under a flood of visitor messages the store is asked at most this often.
const MIN_INTERVAL: Duration = Duration::from_millis(200);

/// Wakes the task when a visitor writes (a new wait may have started).
#[derive(Default)]
pub struct AutoReply {
    wake: Notify,
}

impl AutoReply {
    /// Something other than a message changed when waits fall due (a site's delay): the task
    /// asks the store again instead of sleeping until a due time that no longer holds.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Called with each commit's events, on the store's writer thread: never blocks.
    pub fn observe(&self, events: &[Event]) {
        let visitor_wrote = events.iter().any(|event| {
            matches!(event, Event::MessageStored { message, duplicate: false, .. }
                if message.author == Author::Visitor)
        });
        if visitor_wrote {
            self.wake.notify_one();
        }
    }
}

pub async fn run(app: Arc<App>, auto_reply: Arc<AutoReply>) {
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            () = app.cluster.lead() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        let asked = tokio::time::Instant::now();
        let next_due = match post_due(&app).await {
            Ok(next_due) => next_due,
            Err(error) => {
                crate::store::health::error_unless_outage(
                    &error,
                    "the automatic messages could not be checked",
                );
                Some(now_millis() + 1000)
            }
        };
        let until_due = next_due
            .map(|due| Duration::from_millis(u64::try_from(due - now_millis()).unwrap_or(0)));
        let sleep_for = until_due.unwrap_or(Duration::from_secs(24 * 60 * 60));
        tokio::select! {
            () = auto_reply.wake.notified() => {}
            () = tokio::time::sleep(app.cluster.cap_sleep(sleep_for)) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        tokio::time::sleep_until(asked + MIN_INTERVAL).await;
    }
}

/// Posts every automatic message that is due; answers when the next one will be.
async fn post_due(app: &App) -> Result<Option<i64>, crate::store::StoreError> {
    loop {
        let due = app.store.auto_messages_due().await?;
        if due.is_empty() {
            return Ok(None);
        }
        let now = now_millis();
        for (conversation_id, at, site) in due {
            if at > now {
                return Ok(Some(at));
            }
            // With nobody online, or the shop closed, the widget offers the contact form: no
            // promise to make, the wait is only marked as handled.
            let (post, _) = app.hub.site_availability(&site);
            if post {
                app.store.post_auto_message(conversation_id).await?;
            } else {
                app.store.skip_auto_message(conversation_id).await?;
            }
        }
    }
}
