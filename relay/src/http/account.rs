//! Routes that end sessions: signing out, changing one's password (which signs out everywhere
//! else) and disabling an operator (admins). Every ended session's console sockets are closed at
//! once, not only its REST calls refused.

use super::team::{Route, check_password, respond};
use super::{admin, json_body, signed_in, with_app};
use crate::App;
use crate::auth::{hash_password, verify_password};
use crate::error::ApiError;
use beseda_protocol::api::{OperatorInfo, PasswordChange};
use beseda_protocol::{OperatorId, OperatorProfile};
use std::sync::Arc;
use warp::{Filter, Reply};

/// Why a console socket closes when its session was ended by signing out.
const SIGNED_OUT: &str = "signed out: sign in again";
/// … when the operator changed their password in another console.
const PASSWORD_CHANGED: &str = "the password was changed: sign in again";
/// … when an admin disabled the operator.
const DISABLED: &str = "this operator was disabled by an admin";

pub fn routes(app: Arc<App>) -> Route {
    [
        logout(app.clone()),
        change_password(app.clone()),
        disable(app.clone(), "disable", true),
        disable(app, "enable", false),
    ]
    .into_iter()
    .reduce(|all, route| all.or(route).unify().boxed())
    .expect("there are routes")
}

fn no_content(result: Result<(), ApiError>) -> Result<warp::reply::Response, warp::Rejection> {
    result
        .map(|()| http::StatusCode::NO_CONTENT.into_response())
        .map_err(warp::reject::custom)
}

/// `POST /api/logout` → 204; the token no longer opens anything, its console sockets close
fn logout(app: Arc<App>) -> Route {
    warp::path!("api" / "logout")
        .and(warp::post())
        .and(signed_in(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, token_hash: [u8; 32], app: Arc<App>| async move {
                let result = app
                    .store
                    .end_session(token_hash)
                    .await
                    .map(|_| app.console_sockets.end(&[token_hash], SIGNED_OUT))
                    .map_err(ApiError::from);
                no_content(result)
            },
        )
        .boxed()
}

/// `PUT /api/me/password` `{ currentPassword, newPassword }` → 204; every other session of the
/// operator ends, this one stays (403 for a wrong current password, 429 after too many)
fn change_password(app: Arc<App>) -> Route {
    warp::path!("api" / "me" / "password")
        .and(warp::put())
        .and(signed_in(app.clone()))
        .and(json_body::<PasswordChange>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, token_hash: [u8; 32], body: PasswordChange, app: Arc<App>| async move {
                no_content(set_password(&app, me.id, token_hash, body).await)
            },
        )
        .boxed()
}

async fn set_password(
    app: &App,
    operator_id: OperatorId,
    token_hash: [u8; 32],
    body: PasswordChange,
) -> Result<(), ApiError> {
    check_password(&body.new_password)?;
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

/// `POST /api/operators/{id}/disable` → the operator, disabled: signed out everywhere, offline,
/// their open conversations back in the queue, and no sign-in (admins; not oneself);
/// `POST /api/operators/{id}/enable` → the operator, who may sign in again (admins)
fn disable(app: Arc<App>, action: &'static str, disabled: bool) -> Route {
    warp::path("api")
        .and(warp::path("operators"))
        .and(warp::path::param::<i64>())
        .and(warp::path(action))
        .and(warp::path::end())
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            move |id: i64, me: OperatorProfile, app: Arc<App>| async move {
                respond(set_disabled(&app, &me, OperatorId(id), disabled).await)
            },
        )
        .boxed()
}

async fn set_disabled(
    app: &Arc<App>,
    me: &OperatorProfile,
    operator_id: OperatorId,
    disabled: bool,
) -> Result<OperatorInfo, ApiError> {
    if disabled && operator_id == me.id {
        return Err(ApiError::Forbidden("an admin cannot disable themselves"));
    }
    let (info, ended) = app
        .store
        .set_operator_disabled(operator_id, disabled)
        .await
        .map_err(ApiError::store("operator"))?;
    if disabled {
        app.console_sockets.end(&ended, DISABLED);
        if app.hub.is_online(operator_id) {
            // The store set them offline; consoles and widgets hear of it now.
            app.hub.set_online(operator_id, false);
        }
    }
    Ok(info)
}
