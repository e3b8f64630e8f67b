//! The privacy calls (admins, except blocking): export and erase what is held about a visitor,
//! block and unblock them, and read the audit log of those acts.

use super::{ApiError, call, json};
use beseda_protocol::ConversationId;
use beseda_protocol::privacy::{AuditEntry, Block, BlockRequest, EraseRequest, Erased};
use serde::de::IgnoredAny;

/// Downloads everything held about the conversation's visitor as a JSON file.
pub async fn export_conversation(id: ConversationId) -> Result<(), ApiError> {
    super::download(
        &format!("/api/conversations/{id}/export"),
        &format!("beseda-conversation-{id}.json"),
    )
    .await
}

/// Downloads everything held about the visitor who gave `email`, in every conversation.
pub async fn export_email(email: &str) -> Result<(), ApiError> {
    let query = String::from(js_sys::encode_uri_component(email));
    super::download(
        &format!("/api/privacy/export?email={query}"),
        "beseda-visitor-export.json",
    )
    .await
}

/// Erases the conversation for good.
pub async fn erase_conversation(id: ConversationId) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/conversations/{id}"), None)
        .await
        .map(drop)
}

/// Erases every conversation `email` was given in; answers how many went.
pub async fn erase_email(email: &str) -> Result<Erased, ApiError> {
    let request = EraseRequest {
        email: email.to_owned(),
    };
    call("POST", "/api/privacy/erase", json(&request)).await
}

/// Blocks the conversation's visitor, and with `days` their address for that long.
pub async fn block(id: ConversationId, days: Option<u32>) -> Result<Block, ApiError> {
    let request = BlockRequest { days };
    call(
        "POST",
        &format!("/api/conversations/{id}/block"),
        json(&request),
    )
    .await
}

pub async fn unblock(id: ConversationId) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/conversations/{id}/block"), None)
        .await
        .map(drop)
}

pub async fn blocks() -> Result<Vec<Block>, ApiError> {
    call("GET", "/api/blocks", None).await
}

/// A page of the audit log, newest first: the newest entries, or those before entry `before`.
pub async fn audit(before: Option<i64>) -> Result<Vec<AuditEntry>, ApiError> {
    let path = match before {
        Some(before) => format!("/api/audit?before={before}"),
        None => "/api/audit".to_owned(),
    };
    call("GET", &path, None).await
}
