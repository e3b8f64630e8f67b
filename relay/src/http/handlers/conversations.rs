//! Reading conversations, replying in them and resolving or reopening them.

use crate::App;
use crate::chat::{self, Post, Sender};
use crate::error::ApiError;
use beseda_protocol::api::{ConversationDetail, ConversationSummary, NewMessage};
use beseda_protocol::{ConversationId, ConversationStatus, Message, OperatorId, OperatorProfile};

/// The conversations with the given status (all without one), newest activity first, as the
/// operator sees them.
pub async fn list(
    app: &App,
    operator_id: OperatorId,
    status: Option<ConversationStatus>,
) -> Result<Vec<ConversationSummary>, ApiError> {
    Ok(app.store.conversations(status, Some(operator_id)).await?)
}

/// One conversation with every message.
pub async fn conversation(
    app: &App,
    conversation_id: ConversationId,
) -> Result<ConversationDetail, ApiError> {
    app.store
        .conversation(conversation_id)
        .await
        .map_err(|error| match ApiError::from(error) {
            ApiError::NotFound(_) => ApiError::NotFound("conversation"),
            other => other,
        })
}

/// Stores an operator's reply; the flag is false when the client id had been stored before.
pub async fn post_message(
    app: &App,
    operator: &OperatorProfile,
    conversation_id: ConversationId,
    body: NewMessage,
) -> Result<(Message, bool), ApiError> {
    let post = Post {
        files: Vec::new(),
        sender: Sender::Operator {
            operator_id: operator.id,
            conversation_id,
        },
        client_id: body.client_id,
        text: body.text,
        origin: None,
    };
    let appended = chat::post(app, post).await?;
    Ok((appended.message, !appended.duplicate))
}

/// Resolves a conversation or opens it again.
pub async fn set_status(
    app: &App,
    conversation_id: ConversationId,
    status: ConversationStatus,
) -> Result<ConversationSummary, ApiError> {
    Ok(app.store.set_status(conversation_id, status).await?)
}
