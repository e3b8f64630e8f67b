//! Reading conversations, replying in them and resolving or reopening them.

use crate::App;
use crate::error::ApiError;
use crate::store::{MessageTarget, NewMessage as StoreMessage};
use crate::validation::{check_client_id, check_text};
use beseda_protocol::api::{ConversationDetail, ConversationSummary, NewMessage};
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, Message, OperatorId, OperatorProfile,
};

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
    check_text(&body.text, app.config.max_text_chars)
        .map_err(|(code, message)| ApiError::Invalid(code, message))?;
    if let Some(client_id) = &body.client_id {
        check_client_id(client_id).map_err(|(code, message)| ApiError::Invalid(code, message))?;
    }
    let started = std::time::Instant::now();
    let new_message = StoreMessage {
        target: MessageTarget::Conversation(conversation_id),
        author: Author::Operator,
        operator_id: Some(operator.id),
        client_id: body.client_id,
        text: body.text,
        origin: None,
    };
    let notice = crate::mail::reply_notice(app, conversation_id).await;
    let appended = crate::mail::append(app, new_message, Default::default(), notice)
        .await
        .map_err(|error| match ApiError::from(error) {
            ApiError::NotFound(_) => ApiError::NotFound("conversation"),
            other => other,
        })?;
    app.metrics.observe_store_write(started.elapsed());
    if !appended.duplicate {
        app.metrics
            .messages_stored
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
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
