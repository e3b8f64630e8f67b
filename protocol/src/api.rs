//! Bodies of the operator REST API under `/api/`.

use crate::{
    ConversationId, ConversationStatus, ErrorCode, Message, OperatorId, OperatorProfile, Rating,
    RuleId, Seq, ShortcutId, VisitorId,
};
use serde::{Deserialize, Serialize};

/// `POST /api/login`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The answer to a successful `POST /api/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`, and in the operator socket's hello.
    pub token: String,
    pub operator: OperatorProfile,
}

/// What operators know of a visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VisitorInfo {
    pub id: VisitorId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One row of `GET /api/conversations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub site: String,
    pub status: ConversationStatus,
    pub visitor: VisitorInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Message>,
    pub message_count: u64,
    pub created_at: String,
    pub updated_at: String,
    /// The operator the conversation is assigned to; none while it waits in the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<OperatorId>,
    /// Higher comes first, in the queue and in the console's list (from the site's rules).
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Since when the visitor has been waiting for an answer: their oldest message after the
    /// last operator reply. None when nobody is waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Visitor messages the requesting operator has not read; only in `GET /api/conversations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<u64>,
}

/// `GET /api/conversations/{id}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetail {
    pub id: ConversationId,
    pub site: String,
    pub status: ConversationStatus,
    pub visitor: VisitorInfo,
    /// The visitor's cart, as last reported by the shop's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<Cart>,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<Message>,
    /// The shop's name (for `{shop.name}` in shortcuts).
    #[serde(default)]
    pub site_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<OperatorId>,
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_comment: Option<String>,
    /// Where the visitor is and has been.
    #[serde(default)]
    pub context: VisitorContext,
    /// Whether the visitor is blocked (`POST /api/conversations/{id}/block`).
    #[serde(default)]
    pub blocked: bool,
}

/// The most pages a visit's context holds; older ones are dropped first.
pub const MAX_PAGES_PER_VISIT: usize = 50;

/// A page the visitor viewed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PageView {
    pub url: String,
    #[serde(default)]
    pub title: String,
    /// When the page was opened (set by the relay), ISO 8601 in UTC.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub at: String,
}

/// What operators see of the visitor's visit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VisitorContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_page: Option<PageView>,
    /// Pages viewed this session (a gap of 30 minutes starts a new one), oldest first.
    #[serde(default)]
    pub pages: Vec<PageView>,
    /// The widget's language, e.g. `cs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// When the relay first saw this visitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
}

/// `POST /api/conversations/{id}/assign`: transfer to an operator (or take it: your own id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Assign {
    pub operator_id: OperatorId,
}

/// `PUT /api/conversations/{id}/tags`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tags {
    pub tags: Vec<String>,
}

/// `POST /api/conversations/{id}/read`: the operator has read up to `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadMark {
    pub seq: Seq,
}

/// An operator as the team sees them: `GET /api/operators`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OperatorInfo {
    #[serde(flatten)]
    pub profile: OperatorProfile,
    /// The availability switch.
    pub online: bool,
    /// Open conversations assigned to them.
    pub open_chats: u64,
    /// Disabled by an admin: cannot sign in, has no sessions and is given no conversations.
    /// Sent only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// `PUT /api/me/password`: the current password proves it is really the operator asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/operators` (admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOperator {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub admin: bool,
}

/// The languages the operator console speaks, as BCP 47 primary language subtags.
pub const CONSOLE_LANGUAGES: [&str; 6] = ["cs", "sk", "pl", "ru", "en", "de"];

/// `PUT /api/me` (yourself) and `PUT /api/operators/{id}` (admins; only they may change `admin`).
/// Fields left out stay as they are; an empty `photoUrl` removes the photo, an empty `language`
/// the choice of language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OperatorUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    /// The console's language, one of [`CONSOLE_LANGUAGES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Who may use a shortcut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ShortcutScope {
    /// Only the operator who made it.
    Personal,
    /// Everybody; only admins create, change or delete them.
    Team,
}

/// `GET /api/shortcuts` lists your personal and the team's shortcuts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Shortcut {
    pub id: ShortcutId,
    /// What follows "/" in the composer, e.g. `hello`.
    pub name: String,
    /// The template (CONTRACT.md, "Shortcut templates").
    pub text: String,
    pub scope: ShortcutScope,
    /// The owner of a personal shortcut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<OperatorId>,
}

/// `POST /api/shortcuts`, `PUT /api/shortcuts/{id}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShortcutInput {
    pub name: String,
    pub text: String,
    pub scope: ShortcutScope,
}

/// `GET /api/settings`, `PUT /api/settings` (admins): settings of the whole team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TeamSettings {
    /// How many open conversations are assigned to one operator at most.
    pub max_chats_per_operator: u32,
}

/// `GET /api/sites` lists them; `PUT /api/sites/{name}` (admins) changes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SiteSettings {
    /// The `data-site` name; fixed.
    #[serde(default)]
    pub name: String,
    /// The shop's name shown in the widget.
    pub title: String,
    /// Seconds without an operator reply before the automatic message; 0 switches it off.
    pub auto_message_delay_secs: u32,
    /// The automatic message; empty means the built-in text in the visitor's language.
    #[serde(default)]
    pub auto_message_text: String,
    /// Whether visitors may rate a resolved conversation.
    pub rating_enabled: bool,
    /// Questions offered as buttons in an empty chat; a click sends the question.
    #[serde(default)]
    pub suggested_questions: Vec<String>,
    /// Opening hours; without them the chat is open whenever an operator is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<BusinessHours>,
    /// Where emails about messages left while nobody answered go; empty (left out): to the
    /// admins.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notify_email: String,
    /// Conversations resolved more than this many days ago are erased for good (1–3650); none
    /// (left out): kept until erased by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Whether the widget offers the visitor a link to erase their own conversation.
    #[serde(default)]
    pub visitor_erase: bool,
}

/// When a shop answers chats, in its own time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BusinessHours {
    /// An IANA time zone, e.g. `Europe/Prague`.
    pub time_zone: String,
    /// Opening spans of the week; a day may have several, or none (closed).
    pub weekly: Vec<OpeningSpan>,
    /// Days that differ from the week (holidays): closed, or open only in the spans given.
    #[serde(default)]
    pub exceptions: Vec<HoursException>,
}

/// `{ "day": "mon", "open": "09:00", "close": "17:00" }`; `close` may be `24:00`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningSpan {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`.
    pub day: String,
    pub open: String,
    pub close: String,
}

/// `{ "date": "2026-12-24" }` (closed all day) or with `open`/`close` (open only then).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursException {
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<String>,
}

/// A rule that tags a conversation whose visitor writes `keyword`, and raises its priority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PriorityRule {
    pub id: RuleId,
    /// Matched in visitor messages ignoring case and diacritics ("chybi" matches "Chybí").
    pub keyword: String,
    pub tag: String,
    pub priority: i32,
    /// The site it applies to; every site when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// `POST /api/rules`, `PUT /api/rules/{id}` (admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInput {
    pub keyword: String,
    pub tag: String,
    #[serde(default)]
    pub priority: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// `POST /api/conversations/{id}/messages`. A `clientId` makes the call idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<crate::ClientMessageId>,
}

/// `PUT /api/me/availability`, and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Availability {
    pub online: bool,
}

/// Every error response: `{ "error": { "code": ..., "message": ... } }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// A visitor's cart as the shop reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    #[serde(default)]
    pub items: Vec<CartItem>,
    #[serde(default)]
    pub total: f64,
    #[serde(default)]
    pub currency: String,
}

/// One line of a cart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    pub name: String,
    #[serde(default)]
    pub qty: f64,
    #[serde(default)]
    pub price: f64,
}
