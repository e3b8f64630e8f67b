//! Webhooks: the REST bodies of `/api/webhooks` and the events the relay delivers.

use serde::{Deserialize, Serialize};

/// Every event type an endpoint may subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "conversation.created",
    "conversation.assigned",
    "conversation.resolved",
    "conversation.reopened",
    "conversation.rated",
    "message.created",
    "contact.submitted",
    "order.tracked",
];

/// The event sent by `POST /api/webhooks/{id}/test`; no endpoint subscribes to it.
pub const TEST_EVENT: &str = "webhook.test";

/// The longest endpoint URL accepted, in characters.
pub const MAX_URL_LEN: usize = 2_000;

/// The header carrying the signature: `t=UNIX_SECONDS,v1=HEX[,v1=HEX]`.
pub const SIGNATURE_HEADER: &str = "Beseda-Signature";

/// The header carrying the event's id, the same across retries.
pub const EVENT_ID_HEADER: &str = "Beseda-Event-Id";

/// `POST /api/webhooks` and `PUT /api/webhooks/{id}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// One endpoint, as `GET /api/webhooks` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: String,
    /// Why the relay disabled the endpoint (a day of failed deliveries); cleared by enabling it.
    pub disabled_reason: Option<String>,
}

/// The answer to `POST /api/webhooks` and `POST /api/webhooks/{id}/rotate`: the only time the
/// secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub secret: String,
}

/// The state of one delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// One row of `GET /api/webhooks/{id}/deliveries`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: i64,
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub response_status: Option<u16>,
    pub response_ms: Option<u32>,
    /// The start of the receiver's answer, at most 200 characters.
    pub response_snippet: Option<String>,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
}

/// The answer to `POST /api/webhooks/{id}/test`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestEvent {
    pub event_id: String,
}

/// The body of every delivery; `D` is the event's data (a JSON value in the relay).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent<D> {
    /// The same across retries and redeliveries: the receiver's key for de-duplicating.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    pub site: String,
    pub data: D,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_webhook_is_flat_camel_case() {
        let created = CreatedWebhook {
            webhook: Webhook {
                id: 3,
                url: "https://example.com/hook".into(),
                events: vec!["message.created".into()],
                enabled: true,
                created_at: "2026-01-01T00:00:00Z".into(),
                disabled_reason: None,
            },
            secret: "whsec_x".into(),
        };
        let json = serde_json::to_value(&created).unwrap();
        assert_eq!(json["id"], 3);
        assert_eq!(json["createdAt"], "2026-01-01T00:00:00Z");
        assert!(json["disabledReason"].is_null());
        assert_eq!(json["secret"], "whsec_x");
        let back: CreatedWebhook = serde_json::from_value(json).unwrap();
        assert_eq!(back, created);
    }

    #[test]
    fn delivery_type_and_status_names() {
        let delivery = WebhookDelivery {
            id: 1,
            event_id: "e".into(),
            kind: "message.created".into(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            response_status: None,
            response_ms: None,
            response_snippet: None,
            created_at: "t".into(),
            last_attempt_at: None,
        };
        let json = serde_json::to_value(&delivery).unwrap();
        assert_eq!(json["type"], "message.created");
        assert_eq!(json["status"], "pending");
        assert_eq!(json["eventId"], "e");
    }
}
