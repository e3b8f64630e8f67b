//! Webhooks: the endpoints admins register, the deliveries recorded for them in the transaction
//! of their cause, and [`WebhookStore`], through which the delivery task reads what is due and
//! records outcomes.
//!
//! Deliveries are recorded by the store itself at the end of every write batch, from the
//! batch's committed events ([`hook_candidates`]), so every cause of an event — a socket, the
//! REST API, the contact form, a rating, an order, a workflow change — records it in its own
//! transaction without any of them knowing of webhooks. Internal notes (`Event::NoteAdded`)
//! never become one.

use super::{Event, StoreFuture};
use beseda_protocol::webhooks::{Webhook, WebhookDelivery};
use beseda_protocol::{ConversationId, ConversationStatus, OperatorId, VisitorId};
use serde_json::{Value, json};

/// How long a rotated-out secret still signs deliveries.
pub const PREVIOUS_SECRET_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// An endpoint whose deliveries have all failed for this long is disabled.
pub const DISABLE_AFTER_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// The reason recorded on an endpoint disabled for failing.
pub const DISABLED_FOR_FAILING: &str = "every delivery failed for 24 hours";
/// The most deliveries `GET /api/webhooks/{id}/deliveries` lists.
pub const DELIVERIES_LISTED: u32 = 50;

/// An endpoint to create or the new state of one.
#[derive(Clone, Debug)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// A delivery that is due, with what signs it.
#[derive(Clone, Debug)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    /// The secret rotated out less than a day ago, which signs too.
    pub previous_secret: Option<String>,
    pub event_id: String,
    /// The exact body to send (and sign).
    pub body: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was recorded (ms since the epoch).
    pub created_at: i64,
}

/// What the receiver answered, when it answered.
#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: Option<u16>,
    pub millis: Option<u32>,
    pub snippet: Option<String>,
}

/// What came of one attempt.
#[derive(Clone, Debug)]
pub enum DeliveryOutcome {
    Delivered(Response),
    /// A passing failure: try again at `at` (ms since the epoch).
    Retry {
        at: i64,
        response: Response,
    },
    /// Failed for good.
    Failed(Response),
}

/// An endpoint the relay disabled for failing, whose admins are to be told.
#[derive(Clone, Debug)]
pub struct DisabledWebhook {
    pub id: i64,
    pub url: String,
}

/// Persistence of webhooks.
pub trait WebhookStore: Send + Sync {
    /// Creates an endpoint with its secret.
    fn create_webhook(&self, input: WebhookInput, secret: String) -> StoreFuture<'_, Webhook>;
    /// Every endpoint, oldest first.
    fn webhooks(&self) -> StoreFuture<'_, Vec<Webhook>>;
    /// Replaces an endpoint's URL, events and switch; enabling clears `disabled_reason`.
    fn update_webhook(&self, id: i64, input: WebhookInput) -> StoreFuture<'_, Webhook>;
    /// Deletes an endpoint and its deliveries (`NotFound` when there is none).
    fn delete_webhook(&self, id: i64) -> StoreFuture<'_, ()>;
    /// A new secret; the old one signs too until `now` + [`PREVIOUS_SECRET_MILLIS`].
    fn rotate_webhook_secret(&self, id: i64, secret: String, now: i64) -> StoreFuture<'_, Webhook>;
    /// An endpoint's last deliveries, newest first.
    fn webhook_deliveries(&self, id: i64, limit: u32) -> StoreFuture<'_, Vec<WebhookDelivery>>;
    /// Queues one event for one endpoint, whatever it subscribes to (the test event).
    fn queue_webhook_event(
        &self,
        id: i64,
        event_id: String,
        kind: String,
        body: String,
    ) -> StoreFuture<'_, ()>;
    /// Queues a delivered or failed event again, with the same event id.
    fn redeliver_webhook(&self, id: i64, delivery_id: i64) -> StoreFuture<'_, ()>;
    /// Deliveries due at `now` whose endpoint has no earlier one pending about the same
    /// conversation, the longest waiting first, at most `limit`.
    fn webhook_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<DueDelivery>>;
    /// When the next pending delivery falls due, if any is pending.
    fn next_webhook_due(&self) -> StoreFuture<'_, Option<i64>>;
    /// Records an attempt's outcome at `now`; answers the endpoint if this failure disabled it.
    fn webhook_attempted(
        &self,
        id: i64,
        outcome: DeliveryOutcome,
        now: i64,
    ) -> StoreFuture<'_, Option<DisabledWebhook>>;
}

/// Which conversation (and so which site) an event is about, as far as the event tells.
#[derive(Clone, Debug)]
pub enum About {
    Conversation {
        site: String,
        id: ConversationId,
    },
    /// Only the conversation's id: the store looks its site up.
    ConversationId(ConversationId),
    /// Only the visitor: the store looks their conversation up.
    Visitor {
        site: String,
        visitor_id: VisitorId,
    },
    /// A site's event, of no conversation.
    Site(String),
}

/// An event a batch may cause, before the store resolves what it is about.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub kind: &'static str,
    pub about: About,
    pub data: Value,
    /// `conversation.assigned` candidates: sent only when the operator differs from the last
    /// one the webhooks told of.
    pub assignee: Option<OperatorId>,
}

/// Whether `event` may cause a webhook event (cheap: read before anything is built).
pub fn may_cause(event: &Event) -> bool {
    matches!(
        event,
        Event::MessageStored { .. }
            | Event::ConversationChanged { .. }
            | Event::Rated { .. }
            | Event::ContactSubmitted { .. }
            | Event::OrderTracked { .. }
    )
}

/// The events a batch's committed events may cause, in order.
pub fn hook_candidates(events: &[Event]) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for event in events {
        match event {
            Event::MessageStored {
                message,
                site,
                duplicate: false,
                ..
            } => candidates.push(Candidate {
                kind: "message.created",
                about: About::Conversation {
                    site: site.clone(),
                    id: message.conversation_id,
                },
                data: json!({
                    "id": message.id,
                    "conversationId": message.conversation_id,
                    "author": message.author.as_str(),
                    "operatorId": message.operator_id,
                    "operatorName": message.author_name,
                    "text": message.text,
                    "sentAt": message.sent_at,
                    "files": message.files,
                }),
                assignee: None,
            }),
            Event::ConversationChanged {
                conversation,
                created,
                status_changed,
                ..
            } => {
                let about = About::Conversation {
                    site: conversation.site.clone(),
                    id: conversation.id,
                };
                let data = json!({
                    "id": conversation.id,
                    "site": conversation.site,
                    "status": conversation.status,
                    "visitor": conversation.visitor,
                    "assignedTo": conversation.assigned_to,
                    "tags": conversation.tags,
                });
                let mut push = |kind, assignee| {
                    candidates.push(Candidate {
                        kind,
                        about: about.clone(),
                        data: data.clone(),
                        assignee,
                    });
                };
                if *created {
                    push("conversation.created", None);
                }
                if *status_changed && !*created {
                    match conversation.status {
                        ConversationStatus::Resolved => push("conversation.resolved", None),
                        ConversationStatus::Open => push("conversation.reopened", None),
                    }
                }
                if let Some(operator) = conversation.assigned_to {
                    push("conversation.assigned", Some(operator));
                }
            }
            Event::Rated {
                site,
                visitor_id,
                rating,
                comment,
            } => candidates.push(Candidate {
                kind: "conversation.rated",
                about: About::Visitor {
                    site: site.clone(),
                    visitor_id: visitor_id.clone(),
                },
                data: json!({ "visitorId": visitor_id, "rating": rating, "comment": comment }),
                assignee: None,
            }),
            Event::ContactSubmitted {
                conversation_id,
                name,
                email,
                text,
            } => candidates.push(Candidate {
                kind: "contact.submitted",
                about: About::ConversationId(*conversation_id),
                data: json!({
                    "conversationId": conversation_id,
                    "name": name,
                    "email": email,
                    "text": text,
                }),
                assignee: None,
            }),
            Event::OrderTracked {
                site,
                prompt_id,
                variant,
                total,
            } => candidates.push(Candidate {
                kind: "order.tracked",
                about: About::Site(site.clone()),
                data: json!({ "total": total, "promptId": prompt_id, "variant": variant }),
                assignee: None,
            }),
            _ => {}
        }
    }
    candidates
}

/// Whether an endpoint's stored event list (space-separated) names `kind`.
pub fn subscribes(events: &str, kind: &str) -> bool {
    events.split(' ').any(|event| event == kind)
}

/// The stored form of an endpoint's event list.
pub fn events_column(events: &[String]) -> String {
    events.join(" ")
}

/// An endpoint's event list from its stored form.
pub fn events_of(column: &str) -> Vec<String> {
    column
        .split(' ')
        .filter(|event| !event.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A new event id: 16 random bytes in hex, prefixed `evt_`.
pub fn new_event_id() -> String {
    let mut bytes = [0u8; 16];
    // The system's randomness failing is not something the relay can go on without.
    getrandom::fill(&mut bytes).expect("the system's random numbers are available");
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("evt_{hex}")
}

/// The body of a delivery: the event's envelope around its data.
pub fn envelope(
    event_id: &str,
    kind: &str,
    created_at: i64,
    site: &str,
    conversation_id: Option<i64>,
    mut data: Value,
) -> String {
    // Every event about a conversation names it as `conversationId` (a rating, found by its
    // visitor, would not otherwise).
    if let (Some(id), Value::Object(fields)) = (conversation_id, &mut data)
        && !fields.contains_key("conversationId")
    {
        fields.insert("conversationId".to_owned(), json!(id));
    }
    let event = beseda_protocol::webhooks::WebhookEvent {
        id: event_id.to_owned(),
        kind: kind.to_owned(),
        created_at: crate::clock::iso8601(created_at),
        site: site.to_owned(),
        data,
    };
    serde_json::to_string(&event).unwrap_or_default()
}
