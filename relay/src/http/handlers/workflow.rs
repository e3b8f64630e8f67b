//! The operators' workflow on a conversation: joining it, assigning it, read marks and tags.

use crate::App;
use crate::chat::validation::check_tags;
use crate::error::ApiError;
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::{ConversationId, OperatorId, Seq};

/// The operator joins the conversation: the visitor is told who is there for them (once per
/// operator); a conversation nobody had becomes theirs. 409 once resolved.
pub async fn join(
    app: &App,
    conversation_id: ConversationId,
    operator_id: OperatorId,
) -> Result<ConversationSummary, ApiError> {
    app.store
        .join(conversation_id, operator_id)
        .await
        .map_err(ApiError::store("conversation"))
}

/// Gives the conversation to an operator: a transfer, or a take-over with one's own id. The
/// operator's maximum does not apply: people decided.
pub async fn assign(
    app: &App,
    conversation_id: ConversationId,
    operator_id: OperatorId,
) -> Result<ConversationSummary, ApiError> {
    app.store
        .assign(conversation_id, operator_id)
        .await
        .map_err(ApiError::store("conversation"))
}

/// The operator has read the conversation up to `seq`.
pub async fn mark_read(
    app: &App,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    seq: Seq,
) -> Result<(), ApiError> {
    app.store
        .conversation_summary(conversation_id)
        .await
        .map_err(ApiError::store("conversation"))?;
    app.store
        .mark_read(conversation_id, operator_id, seq)
        .await
        .map_err(ApiError::store("conversation"))
}

/// Sets the conversation's tags: trimmed, and each tag once (in the order first given).
pub async fn set_tags(
    app: &App,
    conversation_id: ConversationId,
    given: Vec<String>,
) -> Result<ConversationSummary, ApiError> {
    let mut tags: Vec<String> = Vec::with_capacity(given.len());
    for tag in given.iter().map(|tag| tag.trim()) {
        if !tags.iter().any(|kept| kept == tag) {
            tags.push(tag.to_owned());
        }
    }
    check_tags(&tags).map_err(ApiError::invalid)?;
    app.store
        .set_tags(conversation_id, tags)
        .await
        .map_err(ApiError::store("conversation"))
}
