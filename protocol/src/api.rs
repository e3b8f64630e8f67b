//! Bodies of the operator REST API under `/api/`.

use crate::{ConversationId, ConversationStatus, ErrorCode, Message, OperatorProfile, VisitorId};
use serde::{Deserialize, Serialize};

/// `POST /api/login`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The answer to a successful `POST /api/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`, and in the operator socket's hello.
    pub token: String,
    pub operator: OperatorProfile,
}

/// What operators know of a visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// `GET /api/conversations/{id}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetail {
    pub id: ConversationId,
    pub site: String,
    pub status: ConversationStatus,
    pub visitor: VisitorInfo,
    /// The visitor's cart, as last reported by the shop's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<crate::visitor::Cart>,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<Message>,
}

/// `POST /api/conversations/{id}/messages`. A `clientId` makes the call idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<crate::ClientMessageId>,
}

/// `PUT /api/me/availability`, and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub online: bool,
}

/// Every error response: `{ "error": { "code": ..., "message": ... } }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}
