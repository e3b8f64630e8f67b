//! What the HTTP routes do, as async functions taking exactly what they need.

use crate::App;
use crate::auth::{hash_password, new_session_token, session_token_hash, verify_password};
use crate::chat::{self, Post, Sender};
use crate::clock::now_millis;
use crate::connection::ClientAddr;
use crate::error::ApiError;
use beseda_protocol::ErrorCode;
use beseda_protocol::api::{
    Availability, ConversationDetail, LoginRequest, LoginResponse, NewMessage,
};
use beseda_protocol::{ConversationId, Message, OperatorProfile};
use std::net::IpAddr;
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
    let stats = app.store.stats();
    let mut text = app.metrics.render(
        stats.commits.load(Relaxed),
        stats.committed_jobs.load(Relaxed),
        stats.pending_writes.load(Relaxed),
    );
    let name = "beseda_password_checks_total";
    text.push_str(&format!(
        "# HELP {name} Passwords checked against their hash (sign-ins).\n# TYPE {name} counter\n{name} {}\n",
        app.password_checks.checked.load(Relaxed)
    ));
    text
}

/// A hash to check unknown emails against, so that a wrong email takes as long as a wrong password.
/// Made on first use, on the blocking pool (it is an argon2 hash like any other).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password nobody has").unwrap_or_default())
}

/// The longest email address there can be (the SMTP path limit).
const MAX_EMAIL_CHARS: usize = 254;
/// The longest password a sign-in may send, in bytes.
const MAX_PASSWORD_BYTES: usize = 1024;

/// Signs an operator in. Everything that costs the relay something comes after the cheap checks:
/// an over-long email or password is refused before anything is stored; the attempt is counted
/// (per address, and per email and address) before its password is checked, so a burst gets
/// only the free attempts checked; and the check waits for one of a few places, so a burst
/// cannot take the relay's memory.
pub async fn login(
    app: &App,
    request: LoginRequest,
    addr: Option<ClientAddr>,
) -> Result<LoginResponse, ApiError> {
    if request.email.len() > MAX_EMAIL_CHARS * 4
        || request.email.trim().chars().count() > MAX_EMAIL_CHARS
    {
        return Err(ApiError::Invalid(
            ErrorCode::InvalidEmail,
            format!("an email address has at most {MAX_EMAIL_CHARS} characters"),
        ));
    }
    if request.password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::Invalid(
            ErrorCode::BadRequest,
            format!("a password has at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    let email = request.email.trim().to_lowercase();
    let ip = addr.map_or(IpAddr::from([0, 0, 0, 0]), |addr| addr.0);
    let attempt = app
        .signin
        .begin(&email, ip)
        .map_err(|wait| ApiError::RetryLater {
            seconds: wait.as_secs().max(1),
            message: "too many failed sign-ins",
        })?;
    let credentials = app.store.operator_credentials(&email).await?;
    let stored_hash = credentials
        .as_ref()
        .map(|found| found.password_hash.clone());
    let password = request.password;
    let matches = app
        .password_checks
        .run(move || {
            let stored_hash = stored_hash.as_deref().unwrap_or_else(|| decoy_hash());
            verify_password(&password, stored_hash)
        })
        .await
        .map_err(|_busy| ApiError::RetryLater {
            seconds: 1,
            message: "too many sign-ins at once",
        })?;
    let operator = match credentials {
        Some(found) if matches => found.profile,
        _ => return Err(ApiError::WrongCredentials),
    };
    app.signin.succeeded(attempt);
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
    let post = Post {
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

pub async fn set_availability(
    app: &App,
    operator: &OperatorProfile,
    body: Availability,
) -> Result<Availability, ApiError> {
    crate::presence::set_availability(app, operator.id, body.online).await?;
    Ok(body)
}
