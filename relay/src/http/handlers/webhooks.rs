//! Webhooks over REST (admins only): endpoints, their secrets, their recent deliveries, a test
//! event and redelivery. The events themselves are recorded by the store with their causes.

use crate::App;
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::store::webhooks::{DELIVERIES_LISTED, WebhookInput, envelope, new_event_id};
use crate::webhooks::client::{Refusal, addresses, check_url};
use crate::webhooks::sign::new_secret;
use beseda_protocol::ErrorCode;
use beseda_protocol::webhooks::{
    CreatedWebhook, EVENT_TYPES, NewWebhook, TEST_EVENT, TestEvent, Webhook, WebhookDelivery,
};

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message.into())
}

/// Checks an endpoint: an http(s) URL of at most 2,000 characters whose host is not a private
/// address (unless `--webhook-allow-private`), and only known event types, each once.
async fn checked(app: &App, input: NewWebhook) -> Result<WebhookInput, ApiError> {
    let url = input.url.trim().to_owned();
    check_url(&url).map_err(bad)?;
    // A name that does not resolve now may later; a private destination never may. Each
    // delivery checks again, against the address it connects to.
    if let Err(Refusal::ForGood(reason)) = addresses(&url, app.config.webhook_allow_private).await {
        return Err(bad(reason));
    }
    let mut events: Vec<String> = Vec::new();
    for event in input.events {
        if !EVENT_TYPES.contains(&event.as_str()) {
            return Err(bad(format!(
                "unknown event {event:?}; the events are {}",
                EVENT_TYPES.join(", ")
            )));
        }
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(WebhookInput {
        url,
        events,
        enabled: input.enabled,
    })
}

pub async fn list(app: &App) -> Result<Vec<Webhook>, ApiError> {
    app.store
        .webhooks()
        .await
        .map_err(ApiError::store("webhook"))
}

/// Creates an endpoint with a new secret, shown only in this answer.
pub async fn create(app: &App, input: NewWebhook) -> Result<CreatedWebhook, ApiError> {
    let input = checked(app, input).await?;
    let secret = new_secret();
    let webhook = app
        .store
        .create_webhook(input, secret.clone())
        .await
        .map_err(ApiError::store("webhook"))?;
    Ok(CreatedWebhook { webhook, secret })
}

pub async fn change(app: &App, id: i64, input: NewWebhook) -> Result<Webhook, ApiError> {
    let input = checked(app, input).await?;
    let webhook = app
        .store
        .update_webhook(id, input)
        .await
        .map_err(ApiError::store("webhook"))?;
    // Enabling an endpoint may make its waiting deliveries due.
    app.webhook_bell.ring();
    Ok(webhook)
}

pub async fn delete(app: &App, id: i64) -> Result<(), ApiError> {
    app.store
        .delete_webhook(id)
        .await
        .map_err(ApiError::store("webhook"))
}

/// A new secret; the old one keeps signing (as a second `v1`) for 24 hours.
pub async fn rotate(app: &App, id: i64) -> Result<CreatedWebhook, ApiError> {
    let secret = new_secret();
    let webhook = app
        .store
        .rotate_webhook_secret(id, secret.clone(), now_millis())
        .await
        .map_err(ApiError::store("webhook"))?;
    Ok(CreatedWebhook { webhook, secret })
}

pub async fn deliveries(app: &App, id: i64) -> Result<Vec<WebhookDelivery>, ApiError> {
    app.store
        .webhook_deliveries(id, DELIVERIES_LISTED)
        .await
        .map_err(ApiError::store("webhook"))
}

/// Queues a `webhook.test` event for the endpoint, delivered like any other.
pub async fn test(app: &App, id: i64) -> Result<TestEvent, ApiError> {
    let event_id = new_event_id();
    let body = envelope(
        &event_id,
        TEST_EVENT,
        now_millis(),
        "",
        None,
        serde_json::json!({ "webhookId": id }),
    );
    app.store
        .queue_webhook_event(id, event_id.clone(), TEST_EVENT.into(), body)
        .await
        .map_err(ApiError::store("webhook"))?;
    app.webhook_bell.ring();
    Ok(TestEvent { event_id })
}

/// Queues one of the endpoint's deliveries again: the same event, with the same id.
pub async fn redeliver(app: &App, id: i64, delivery_id: i64) -> Result<(), ApiError> {
    app.store
        .redeliver_webhook(id, delivery_id)
        .await
        .map_err(ApiError::store("delivery"))?;
    app.webhook_bell.ring();
    Ok(())
}
