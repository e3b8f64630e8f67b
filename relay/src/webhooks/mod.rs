//! Webhooks: events delivered to the shop's other systems, signed, never lost.
//!
//! Deliveries are recorded by the store in the transaction of their cause
//! (`store/webhooks.rs`); after the commit the [`WebhookBell`] wakes [`run`], the one task that
//! delivers what is due (on the cluster's leader only, like the mail). Each of an endpoint's
//! conversations is delivered in order: a later event waits while an earlier one is pending.
//! Passing failures (timeouts, connection errors, 5xx, 429) are retried with exponential
//! backoff and jitter for up to three days; other answers fail for good. An endpoint whose
//! deliveries have all failed for a day is disabled. At least once: a relay that dies between
//! the receiver's answer and its record sends the event again, with the same id.

pub mod client;
pub mod policy;
pub mod sign;

use crate::App;
use crate::clock::now_millis;
use crate::store::webhooks::{DeliveryOutcome, DueDelivery};
use crate::store::{Event, StoreError};
use std::sync::Arc;
use tokio::sync::Notify;

/// Deliveries read from the store at a time (each to a different endpoint or conversation,
/// sent together).
const BATCH: u32 = 32;

/// Wakes the delivery task when a commit may have recorded deliveries.
#[derive(Default)]
pub struct WebhookBell(Notify);

impl WebhookBell {
    /// Rings when `events` hold any that webhooks tell of.
    pub fn ring_for(&self, events: &[Event]) {
        let relevant = events.iter().any(crate::store::webhooks::may_cause);
        if relevant {
            self.ring();
        }
    }

    /// Rings: something may be due.
    pub fn ring(&self) {
        self.0.notify_one();
    }

    async fn rung(&self) {
        self.0.notified().await;
    }
}

/// The delivery task: delivers what is due, then sleeps until the next delivery falls due, the
/// bell rings, or the relay shuts down.
pub(crate) async fn run(app: Arc<App>) {
    crate::cluster::when_due(
        &app,
        "the webhook deliveries",
        || deliver_due(&app),
        || app.webhook_bell.rung(),
    )
    .await;
}

/// Delivers everything due; answers when the next delivery will be due.
async fn deliver_due(app: &App) -> Result<Option<i64>, StoreError> {
    loop {
        let due = app.store.webhook_due(now_millis(), BATCH).await?;
        if due.is_empty() {
            return app.store.next_webhook_due().await;
        }
        let attempts = due.iter().map(|delivery| deliver(app, delivery));
        let outcomes = futures_util::future::join_all(attempts).await;
        for (delivery, outcome) in due.iter().zip(outcomes) {
            let disabled = app
                .store
                .webhook_attempted(delivery.id, outcome, now_millis())
                .await?;
            if let Some(disabled) = disabled {
                tracing::warn!(
                    webhook = disabled.id,
                    url = %disabled.url,
                    "a webhook endpoint failed for a day and was disabled"
                );
                let body = format!(
                    "Every delivery to the webhook endpoint {} has failed for 24 hours, so the \
                     chat relay has stopped sending to it. Its deliveries wait; enable the \
                     endpoint again in Settings > Webhooks once it answers.\n",
                    disabled.url
                );
                crate::mail::tell_admins(app, "A webhook endpoint was disabled", &body).await;
            }
        }
        if *app.shutdown.borrow() {
            return Ok(None);
        }
    }
}

/// One attempt of one delivery.
async fn deliver(app: &App, delivery: &DueDelivery) -> DeliveryOutcome {
    let t = now_millis().div_euclid(1000);
    let signature = sign::header(
        &delivery.secret,
        delivery.previous_secret.as_deref(),
        t,
        &delivery.body,
    );
    let attempt = client::send(
        client::Request {
            url: &delivery.url,
            body: &delivery.body,
            signature: &signature,
            event_id: &delivery.event_id,
        },
        app.config.webhook_allow_private,
    )
    .await;
    let jitter = f64::from(crate::auth::random_bytes::<1>()[0]) / 255.0;
    let outcome = policy::judge(
        attempt,
        delivery.attempts,
        delivery.created_at,
        now_millis(),
        jitter,
    );
    tracing::debug!(
        webhook = delivery.webhook_id,
        event = %delivery.event_id,
        ?outcome,
        "webhook delivery attempted"
    );
    outcome
}
