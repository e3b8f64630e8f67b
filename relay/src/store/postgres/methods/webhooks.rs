//! [`WebhookStore`](crate::store::WebhookStore) for [`PgStore`].

use super::super::{PgStore, webhooks};
use crate::store::StoreFuture;
use crate::store::webhooks::{DeliveryOutcome, DisabledWebhook, DueDelivery, WebhookInput};
use beseda_protocol::webhooks::{Webhook, WebhookDelivery};

impl crate::store::WebhookStore for PgStore {
    fn create_webhook(&self, input: WebhookInput, secret: String) -> StoreFuture<'_, Webhook> {
        self.write(move |tx| async move { webhooks::create(&tx, &input, &secret).await })
    }

    fn webhooks(&self) -> StoreFuture<'_, Vec<Webhook>> {
        self.read(|client| async move { webhooks::list(&client).await })
    }

    fn update_webhook(&self, id: i64, input: WebhookInput) -> StoreFuture<'_, Webhook> {
        self.write(move |tx| async move { webhooks::update(&tx, id, &input).await })
    }

    fn delete_webhook(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { webhooks::delete(&tx, id).await })
    }

    fn rotate_webhook_secret(&self, id: i64, secret: String, now: i64) -> StoreFuture<'_, Webhook> {
        self.write(move |tx| async move { webhooks::rotate(&tx, id, &secret, now).await })
    }

    fn webhook_deliveries(&self, id: i64, limit: u32) -> StoreFuture<'_, Vec<WebhookDelivery>> {
        self.read(move |client| async move { webhooks::deliveries(&client, id, limit).await })
    }

    fn queue_webhook_event(
        &self,
        id: i64,
        event_id: String,
        kind: String,
        body: String,
    ) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move {
            webhooks::queue_event(&tx, id, &event_id, &kind, &body).await
        })
    }

    fn redeliver_webhook(&self, id: i64, delivery_id: i64) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { webhooks::redeliver(&tx, id, delivery_id).await })
    }

    fn webhook_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<DueDelivery>> {
        self.read(move |client| async move { webhooks::due(&client, now, limit).await })
    }

    fn next_webhook_due(&self) -> StoreFuture<'_, Option<i64>> {
        self.read(|client| async move { webhooks::next_due(&client).await })
    }

    fn webhook_attempted(
        &self,
        id: i64,
        outcome: DeliveryOutcome,
        now: i64,
    ) -> StoreFuture<'_, Option<DisabledWebhook>> {
        self.write(move |tx| async move { webhooks::attempted(&tx, id, &outcome, now).await })
    }
}
