//! [`WebhookStore`](crate::store::WebhookStore) for [`SqliteStore`].

use super::super::{SqliteStore, webhooks};
use crate::store::StoreFuture;
use crate::store::webhooks::{DeliveryOutcome, DisabledWebhook, DueDelivery, WebhookInput};
use beseda_protocol::webhooks::{Webhook, WebhookDelivery};

impl crate::store::WebhookStore for SqliteStore {
    fn create_webhook(&self, input: WebhookInput, secret: String) -> StoreFuture<'_, Webhook> {
        self.write(move |connection, _| webhooks::create(connection, &input, &secret))
    }

    fn webhooks(&self) -> StoreFuture<'_, Vec<Webhook>> {
        self.read(webhooks::list)
    }

    fn update_webhook(&self, id: i64, input: WebhookInput) -> StoreFuture<'_, Webhook> {
        self.write(move |connection, _| webhooks::update(connection, id, &input))
    }

    fn delete_webhook(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| webhooks::delete(connection, id))
    }

    fn rotate_webhook_secret(&self, id: i64, secret: String, now: i64) -> StoreFuture<'_, Webhook> {
        self.write(move |connection, _| webhooks::rotate(connection, id, &secret, now))
    }

    fn webhook_deliveries(&self, id: i64, limit: u32) -> StoreFuture<'_, Vec<WebhookDelivery>> {
        self.read(move |connection| webhooks::deliveries(connection, id, limit))
    }

    fn queue_webhook_event(
        &self,
        id: i64,
        event_id: String,
        kind: String,
        body: String,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            webhooks::queue_event(connection, id, &event_id, &kind, &body)
        })
    }

    fn redeliver_webhook(&self, id: i64, delivery_id: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| webhooks::redeliver(connection, id, delivery_id))
    }

    fn webhook_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<DueDelivery>> {
        self.read(move |connection| webhooks::due(connection, now, limit))
    }

    fn next_webhook_due(&self) -> StoreFuture<'_, Option<i64>> {
        self.read(webhooks::next_due)
    }

    fn webhook_attempted(
        &self,
        id: i64,
        outcome: DeliveryOutcome,
        now: i64,
    ) -> StoreFuture<'_, Option<DisabledWebhook>> {
        self.write(move |connection, _| webhooks::attempted(connection, id, &outcome, now))
    }
}
