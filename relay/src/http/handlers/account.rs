//! An operator's own account: signing in and out, availability, changing one's password (which
//! signs out everywhere else). Every ended session's console sockets are closed at once, not
//! only its REST calls refused.

use crate::App;
use crate::auth::{hash_password, new_session_token, session_token_hash, verify_password};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::net::ClientAddr;
use beseda_protocol::api::{Availability, LoginRequest, LoginResponse, PasswordChange};
use beseda_protocol::{ErrorCode, OperatorId, OperatorProfile};
use std::net::IpAddr;
use std::sync::OnceLock;

/// How long an operator stays signed in.
const SESSION_MILLIS: i64 = 30 * 24 * 60 * 60 * 1000;
/// The longest email address there can be (the SMTP path limit).
const MAX_EMAIL_CHARS: usize = 254;
/// The longest password a sign-in may send, in bytes.
const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a console socket closes when its session was ended by signing out.
const SIGNED_OUT: &str = "signed out: sign in again";
/// … when the operator changed their password in another console.
const PASSWORD_CHANGED: &str = "the password was changed: sign in again";

/// The operator whose session the token opens (and the token's hash); 401 when none does.
pub async fn authenticate(app: &App, token: &str) -> Result<(OperatorProfile, [u8; 32]), ApiError> {
    let token_hash = session_token_hash(token);
    crate::sessions::active_operator(app, token_hash)
        .await?
        .map(|operator| (operator, token_hash))
        .ok_or(ApiError::Unauthorized)
}

/// A hash to check unknown emails against, so that a wrong email takes as long as a wrong password.
/// Made on first use, on the blocking pool (it is an argon2 hash like any other).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password nobody has").unwrap_or_default())
}

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
    app.cluster
        .signin_begin(&app.signin, &attempt)
        .await
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
    app.cluster.signin_succeeded(&app.signin, &attempt).await;
    app.signin.succeeded(attempt);
    let (token, token_hash) = new_session_token();
    app.store
        .create_session(token_hash, operator.id, now_millis() + SESSION_MILLIS)
        .await?;
    Ok(LoginResponse { token, operator })
}

/// Ends the session: its token no longer opens anything, its console sockets close.
pub async fn logout(app: &App, token_hash: [u8; 32]) -> Result<(), ApiError> {
    app.store.end_session(token_hash).await?;
    app.console_sockets.end(&[token_hash], SIGNED_OUT);
    Ok(())
}

/// Sets whether the operator takes chats.
pub async fn set_availability(
    app: &App,
    operator: &OperatorProfile,
    body: Availability,
) -> Result<Availability, ApiError> {
    crate::presence::set_availability(app, operator.id, body.online).await?;
    Ok(body)
}

/// Changes the operator's password: every other session of theirs ends, this one stays (403
/// for a wrong current password, 429 after too many).
pub async fn change_password(
    app: &App,
    operator_id: OperatorId,
    token_hash: [u8; 32],
    body: PasswordChange,
) -> Result<(), ApiError> {
    crate::chat::validation::check_password(&body.new_password).map_err(ApiError::invalid)?;
    // A stolen token must not become a stolen account by guessing the password here, where no
    // sign-in limit applies.
    // Counted before the check, so that parallel guesses cannot all get through.
    if !app.password_failures.try_acquire(&operator_id) {
        return Err(ApiError::RetryLater {
            seconds: 15 * 60,
            message: "too many wrong current passwords",
        });
    }
    let stored_hash = app
        .store
        .operator_password_hash(operator_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let current = body.current_password;
    let new_password = body.new_password;
    let busy = |_| ApiError::RetryLater {
        seconds: 1,
        message: "too many password checks at once",
    };
    let matches = app
        .password_checks
        .run(move || verify_password(&current, &stored_hash))
        .await
        .map_err(busy)?;
    if !matches {
        return Err(ApiError::Forbidden("the current password is not right"));
    }
    app.password_failures.reset(&operator_id);
    let new_hash = app
        .password_checks
        .run(move || hash_password(&new_password))
        .await
        .map_err(busy)?
        .map_err(ApiError::Internal)?;
    let ended = app
        .store
        .change_password(operator_id, new_hash, token_hash)
        .await
        .map_err(ApiError::store("operator"))?;
    app.console_sockets.end(&ended, PASSWORD_CHANGED);
    Ok(())
}
