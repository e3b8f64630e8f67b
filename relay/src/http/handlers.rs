//! What the HTTP routes do, as async functions taking exactly what they need.

use crate::App;
use crate::auth::{hash_password, new_session_token, session_token_hash, verify_password};
use crate::clock::now_millis;
use crate::connection::ClientAddr;
use crate::error::ApiError;
use crate::store::{MessageTarget, NewMessage as StoreMessage};
use crate::validation::{check_client_id, check_text};
use beseda_protocol::api::{
    Availability, ConversationDetail, LoginRequest, LoginResponse, NewMessage,
};
use beseda_protocol::{Author, ConversationId, Message, OperatorProfile};
use std::sync::OnceLock;

/// How long an operator stays signed in.
const SESSION_MILLIS: i64 = 30 * 24 * 60 * 60 * 1000;

/// The operator whose session the token opens (and the token's hash); 401 when none does.
pub async fn authenticate(app: &App, token: &str) -> Result<(OperatorProfile, [u8; 32]), ApiError> {
    let token_hash = session_token_hash(token);
    crate::sessions::active_operator(app, token_hash)
        .await?
        .map(|operator| (operator, token_hash))
        .ok_or(ApiError::Unauthorized)
}

pub fn metrics(app: &App) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let stats = app.sqlite.stats();
    app.metrics.render(
        stats.commits.load(Relaxed),
        stats.committed_jobs.load(Relaxed),
        stats.pending_writes.load(Relaxed),
    )
}

/// A hash to check unknown emails against, so that a wrong email takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password nobody has").unwrap_or_default())
}

pub async fn login(
    app: &App,
    request: LoginRequest,
    addr: Option<ClientAddr>,
) -> Result<LoginResponse, ApiError> {
    let email = request.email.trim().to_lowercase();
    let email_key = format!("email:{email}");
    let ip_key = addr.map(|addr| format!("ip:{}", addr.0));
    let exhausted = app.login_failures.is_exhausted(&email_key)
        || ip_key
            .as_ref()
            .is_some_and(|key| app.login_failures.is_exhausted(key));
    if exhausted {
        return Err(ApiError::RateLimited);
    }
    let credentials = app.store.operator_credentials(&email).await?;
    let stored_hash = credentials.as_ref().map_or_else(
        || decoy_hash().to_owned(),
        |found| found.password_hash.clone(),
    );
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash))
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let operator = match credentials {
        Some(found) if matches => found.profile,
        _ => {
            app.login_failures.try_acquire(&email_key);
            if let Some(key) = &ip_key {
                app.login_failures.try_acquire(key);
            }
            return Err(ApiError::WrongCredentials);
        }
    };
    app.login_failures.reset(&email_key);
    let (token, token_hash) = new_session_token();
    app.store
        .create_session(token_hash, operator.id, now_millis() + SESSION_MILLIS)
        .await?;
    Ok(LoginResponse { token, operator })
}

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

pub async fn set_availability(
    app: &App,
    operator: &OperatorProfile,
    body: Availability,
) -> Result<Availability, ApiError> {
    crate::presence::set_availability(app, operator.id, body.online).await?;
    Ok(body)
}
