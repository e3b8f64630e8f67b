//! The OpenAPI 3.1 document of the HTTP API, served at `GET /api/openapi.json`: generated from
//! the `#[utoipa::path]` of every route function and the protocol's types (their `openapi`
//! feature), so it changes with the code. The same document names the methods a path takes,
//! for the `Allow` header of a 405.

use super::routes::{
    account, answers, conversations, files, history, keys, privacy, prompts, reports, shortcuts,
    system, team, webhooks, workflow,
};
use beseda_protocol::api::ErrorBody;
use std::sync::LazyLock;
use utoipa::openapi::path::PathItem;
use utoipa::openapi::schema::{AnyOfBuilder, OneOfBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};

/// The types the route annotations name, in one place for the route modules to import (each
/// imports some of them itself already).
#[allow(unused_imports)]
pub mod schemas {
    pub use super::{Errors, FileUpload, ListedConversation};
    pub use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};
    pub use beseda_protocol::api::ConversationSummary;
    pub use beseda_protocol::api::{
        Assign, Availability, ErrorBody, LoginRequest, LoginResponse, NewMessage, NewOperator,
        OperatorInfo, OperatorUpdate, PasswordChange, PriorityRule, ReadMark, RuleInput, Shortcut,
        ShortcutInput, SiteSettings, Tags, TeamSettings,
    };
    pub use beseda_protocol::history::{
        ConversationWithNotes, NewNote, Note, Review, ReviewInput, ReviewSample,
    };
    pub use beseda_protocol::keys::{ApiKeyInfo, CreatedApiKey, KeyScope, NewApiKey};
    pub use beseda_protocol::privacy::{
        AuditEntry, Block, BlockRequest, EraseRequest, Erased, PrivacyExport,
    };
    pub use beseda_protocol::prompts::{
        Prompt, PromptEventInput, PromptInput, PromptStats, PromptsView,
    };
    pub use beseda_protocol::webhooks::{
        CreatedWebhook, DeliveryStatus, NewWebhook, TestEvent, Webhook, WebhookDelivery,
    };
    pub use beseda_protocol::{ConversationStatus, Message, OperatorProfile, Rating};
}

/// What every operation may answer besides its own answers, in the error shape.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Refused: `{ "error": { "code", "message" } }`; 429 with `Retry-After`.
    #[response(status = "4XX")]
    Refused(ErrorBody),
    /// Failed inside the relay (nothing of it is sent), or its storage for a moment (503 with
    /// `Retry-After`).
    #[response(status = "5XX")]
    Failed(ErrorBody),
}

/// A multipart/form-data upload: `file` (one or more), `clientId`, `text`, and for widgets `site`.
/// Only its schema is used; the body is read as a stream.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FileUpload {
    /// The file's bytes; the part may be repeated for several files.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Makes the upload idempotent, like a message's `clientId` (required from widgets).
    #[schema(rename = "clientId")]
    client_id: Option<String>,
    /// A message to go with the files.
    text: Option<String>,
    /// The widget's site.
    site: Option<String>,
}

/// The body of every webhook delivery: a `POST` to the endpoint with `Content-Type:
/// application/json`, `Beseda-Event-Id` and `Beseda-Signature: t=UNIX_SECONDS,v1=HEX` (HEX the
/// HMAC-SHA256 of `t.raw_body` under the endpoint's secret; a second `v1` for a day after a new
/// secret). `data` by `type`: `message.created` → `MessageCreatedData`;
/// `conversation.created | assigned | resolved | reopened` → `ConversationEventData`;
/// `conversation.rated` → `RatedData`; `contact.submitted` → `ContactData`; `order.tracked` →
/// `OrderData`; `webhook.test` → `TestData`. Internal notes never go out.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookPayload {
    /// The same across retries and redeliveries: the receiver's key for de-duplicating.
    id: String,
    /// One of the event types an endpoint subscribes to, or `webhook.test`.
    #[schema(rename = "type")]
    kind: String,
    /// RFC 3339.
    #[schema(rename = "createdAt")]
    created_at: String,
    /// The site the event happened on (empty for `webhook.test`).
    site: String,
    data: WebhookData,
}

/// The `data` of a webhook delivery, one of these by its `type`.
pub struct WebhookData;

impl PartialSchema for WebhookData {
    fn schema() -> RefOr<Schema> {
        [
            "MessageCreatedData",
            "ConversationEventData",
            "RatedData",
            "ContactData",
            "OrderData",
            "TestData",
        ]
        .into_iter()
        .fold(OneOfBuilder::new(), |one_of, name| {
            one_of.item(Ref::from_schema_name(name))
        })
        .description(Some("The event's data, by its `type`."))
        .into()
    }
}

impl ToSchema for WebhookData {}

/// `message.created`: a visitor's, an operator's or the relay's own message.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct MessageCreatedData {
    id: i64,
    conversation_id: i64,
    /// `visitor`, `operator` or `system`.
    author: String,
    operator_id: Option<i64>,
    operator_name: Option<String>,
    text: String,
    /// RFC 3339.
    sent_at: String,
    /// Each file with its `url`, a path on the relay (answered with an operator's bearer token).
    files: Vec<beseda_protocol::FileRef>,
}

/// `conversation.created`, `.assigned`, `.resolved`, `.reopened`: the conversation as it is now.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ConversationEventData {
    id: i64,
    /// The same as `id`, as in every event about a conversation.
    conversation_id: i64,
    site: String,
    status: beseda_protocol::ConversationStatus,
    visitor: beseda_protocol::api::VisitorInfo,
    assigned_to: Option<i64>,
    tags: Vec<String>,
}

/// `conversation.rated`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RatedData {
    conversation_id: i64,
    visitor_id: String,
    rating: beseda_protocol::Rating,
    comment: Option<String>,
}

/// `contact.submitted`: the offline contact form.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ContactData {
    conversation_id: i64,
    name: Option<String>,
    email: Option<String>,
    text: String,
}

/// `order.tracked`: `Beseda.track("order")` after a prompt, with the variant that led to it.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct OrderData {
    total: f64,
    prompt_id: i64,
    variant: u32,
}

/// `webhook.test`: sent by `POST /api/webhooks/{id}/test`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct TestData {
    webhook_id: i64,
}

/// A row of `GET /api/conversations`: a `ConversationSummary` in the queue, a `HistoryItem`
/// (the summary with `cursor`, `reviewed`, `snippet`, `review`) in the history.
pub struct ListedConversation;

impl PartialSchema for ListedConversation {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name("ConversationSummary"))
            .item(Ref::from_schema_name("HistoryItem"))
            .into()
    }
}

impl ToSchema for ListedConversation {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use beseda_protocol::api::ConversationSummary;
        use beseda_protocol::history::HistoryItem;
        schemas.push((
            ConversationSummary::name().into(),
            ConversationSummary::schema(),
        ));
        <ConversationSummary as ToSchema>::schemas(schemas);
        schemas.push((HistoryItem::name().into(), HistoryItem::schema()));
        <HistoryItem as ToSchema>::schemas(schemas);
    }
}

/// The ways to sign a request.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |format: &str, description: &str| {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.bearer_format = Some(format.to_owned());
            http.description = Some(description.to_owned());
            SecurityScheme::Http(http)
        };
        components.add_security_scheme(
            "session",
            bearer(
                "session token",
                "An operator's session, as the console holds it: the `token` of `POST /api/login`.",
            ),
        );
        components.add_security_scheme(
            "apiKey",
            bearer(
                "bsk_…",
                "An API key an admin created (`bsk_…`), within its scope.",
            ),
        );
        components.add_security_scheme(
            "visitor",
            bearer(
                "visitor token",
                "The visitor token the relay signed for a widget's socket.",
            ),
        );
        components.add_security_scheme(
            "metrics",
            bearer("metrics token", "The relay's `--metrics-token`."),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Beseda relay",
        description = "The REST API of a Beseda relay: the operator console's, for shops' own \
            systems too. Errors are `{ \"error\": { \"code\", \"message\" } }` with the status."
    ),
    paths(
        account::login,
        account::me,
        account::put_availability,
        account::logout,
        account::change_password,
        answers::list_answers,
        answers::answer_stats,
        answers::create_answer,
        answers::change_answer,
        answers::delete_answer,
        conversations::list_conversations,
        conversations::get_conversation,
        conversations::post_message,
        conversations::resolve,
        conversations::reopen,
        files::visitor_upload,
        files::visitor_upload_preflight,
        files::operator_upload,
        files::file,
        files::thumbnail,
        files::file_preflight,
        files::thumbnail_preflight,
        history::add_note,
        history::set_review,
        history::clear_review,
        history::sample,
        history::transcript,
        keys::list_keys,
        keys::create_key,
        keys::revoke_key,
        prompts::list_prompts,
        prompts::create_prompt,
        prompts::change_prompt,
        prompts::delete_prompt,
        prompts::prompt_stats,
        prompts::visitor_prompts,
        prompts::visitor_event,
        reports::report,
        shortcuts::list_shortcuts,
        shortcuts::create_shortcut,
        shortcuts::change_shortcut,
        shortcuts::delete_shortcut,
        system::healthz,
        system::metrics,
        system::openapi,
        team::list_operators,
        team::add_operator,
        team::update_operator,
        team::update_me,
        team::disable_operator,
        team::enable_operator,
        team::get_settings,
        team::put_settings,
        team::list_sites,
        team::put_site,
        team::list_rules,
        team::create_rule,
        team::change_rule,
        team::delete_rule,
        workflow::join,
        workflow::assign,
        workflow::read,
        workflow::tags,
        webhooks::list,
        webhooks::create,
        webhooks::change,
        webhooks::delete,
        webhooks::rotate,
        webhooks::deliveries,
        webhooks::test,
        webhooks::redeliver,
        privacy::export_conversation,
        privacy::export_email,
        privacy::erase_conversation,
        privacy::erase_email,
        privacy::block,
        privacy::unblock,
        privacy::list_blocks,
        privacy::audit_log,
    ),
    components(schemas(
        ErrorBody,
        WebhookPayload,
        WebhookData,
        MessageCreatedData,
        ConversationEventData,
        RatedData,
        ContactData,
        OrderData,
        TestData
    )),
    security(("session" = []), ("apiKey" = [])),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// The document, built once.
static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// The document as JSON, built once.
static JSON: LazyLock<String> =
    LazyLock::new(|| DOCUMENT.to_json().expect("the document always serialises"));

/// The OpenAPI document as JSON.
pub fn json() -> &'static str {
    &JSON
}

/// The methods the document gives the path a request named, for `Allow`: none when no
/// documented path has its shape (`{name}` stands for one segment).
pub fn allowed_methods(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    DOCUMENT
        .paths
        .paths
        .iter()
        .find(|(template, _)| {
            let template: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(part, segment)| {
                    *part == *segment || (part.starts_with('{') && !segment.is_empty())
                })
        })
        .map(|(_, item)| methods(item).join(", "))
}

/// The methods a documented path takes, in the usual order.
fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        (&item.get, "GET"),
        (&item.head, "HEAD"),
        (&item.post, "POST"),
        (&item.put, "PUT"),
        (&item.patch, "PATCH"),
        (&item.delete, "DELETE"),
        (&item.options, "OPTIONS"),
    ]
    .into_iter()
    .filter(|(operation, _)| operation.is_some())
    .map(|(_, name)| name)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_methods_of_the_path_s_template() {
        assert_eq!(
            allowed_methods("/api/shortcuts/12").as_deref(),
            Some("PUT, DELETE")
        );
        assert_eq!(
            allowed_methods("/api/conversations/3/review").as_deref(),
            Some("PUT, DELETE")
        );
        assert_eq!(allowed_methods("/api/me").as_deref(), Some("GET, PUT"));
        assert_eq!(allowed_methods("/api/nonexistent"), None);
    }

    #[test]
    fn the_document_is_openapi_3_1_with_the_error_shape_and_both_credentials() {
        let document: serde_json::Value = serde_json::from_str(json()).unwrap();
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
        assert!(document["components"]["schemas"]["ErrorBody"].is_object());
        let schemes = &document["components"]["securitySchemes"];
        assert_eq!(schemes["session"]["scheme"], "bearer");
        assert_eq!(schemes["apiKey"]["bearerFormat"], "bsk_…");
        let login = &document["paths"]["/api/login"]["post"];
        assert_eq!(login["security"], serde_json::json!([{}]));
        assert!(login["responses"]["4XX"]["content"]["application/json"].is_object());
        let schemas = &document["components"]["schemas"];
        for name in [
            "WebhookPayload",
            "MessageCreatedData",
            "ConversationEventData",
            "RatedData",
            "ContactData",
            "OrderData",
            "TestData",
        ] {
            assert!(schemas[name].is_object(), "{name} is described");
        }
        assert_eq!(
            schemas["RatedData"]["properties"]["conversationId"]["type"],
            "integer"
        );
    }
}
