//! Routes of an operator's own account: signing in and out, their profile, availability and
//! password.

use crate::App;
use crate::http::filters::{
    Route, client_addr, json_body, no_content, one_of, operator, respond, signed_in, with_app,
};
use crate::http::handlers::account;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use crate::net::ClientAddr;
use beseda_protocol::OperatorProfile;
use beseda_protocol::api::{Availability, LoginRequest, PasswordChange};
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        login(app.clone()),
        me(app.clone()),
        put_availability(app.clone()),
        logout(app.clone()),
        change_password(app),
    ]
}

/// `POST /api/login` `{ email, password }` → `{ token, operator }`
#[utoipa::path(
    post,
    path = "/api/login",
    tag = "account",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session token and who it belongs to", body = LoginResponse),
        Errors,
    ),
)]
fn login(app: Arc<App>) -> Route {
    warp::path!("api" / "login")
        .and(warp::post())
        .and(json_body::<LoginRequest>())
        .and(client_addr())
        .and(with_app(app))
        .and_then(
            |request: LoginRequest, addr: Option<ClientAddr>, app: Arc<App>| async move {
                respond(account::login(&app, request, addr).await)
            },
        )
        .boxed()
}

/// `GET /api/me` → the signed-in operator
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "account",
    responses(
        (status = 200, description = "The signed-in operator", body = OperatorProfile),
        Errors,
    ),
)]
fn me(app: Arc<App>) -> Route {
    warp::path!("api" / "me")
        .and(warp::get())
        .and(operator(app))
        .map(|operator: OperatorProfile| warp::reply::json(&operator).into_response())
        .boxed()
}

/// `PUT /api/me/availability` `{ online }` → `{ online }`
#[utoipa::path(
    put,
    path = "/api/me/availability",
    tag = "account",
    request_body = Availability,
    responses(
        (status = 200, description = "The availability switch as it now is", body = Availability),
        Errors,
    ),
)]
fn put_availability(app: Arc<App>) -> Route {
    warp::path!("api" / "me" / "availability")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<Availability>())
        .and(with_app(app))
        .and_then(
            |operator: OperatorProfile, body: Availability, app: Arc<App>| async move {
                respond(account::set_availability(&app, &operator, body).await)
            },
        )
        .boxed()
}

/// `POST /api/logout` → 204; the token no longer opens anything, its console sockets close
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "account",
    responses(
        (status = 204, description = "Signed out: the token no longer opens anything"),
        Errors,
    ),
)]
fn logout(app: Arc<App>) -> Route {
    warp::path!("api" / "logout")
        .and(warp::post())
        .and(signed_in(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, token_hash: [u8; 32], app: Arc<App>| async move {
                no_content(account::logout(&app, token_hash).await)
            },
        )
        .boxed()
}

/// `PUT /api/me/password` `{ currentPassword, newPassword }` → 204; every other session of the
/// operator ends, this one stays (403 for a wrong current password, 429 after too many)
#[utoipa::path(
    put,
    path = "/api/me/password",
    tag = "account",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every other session of the operator ended"),
        Errors,
    ),
)]
fn change_password(app: Arc<App>) -> Route {
    warp::path!("api" / "me" / "password")
        .and(warp::put())
        .and(signed_in(app.clone()))
        .and(json_body::<PasswordChange>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, token_hash: [u8; 32], body: PasswordChange, app: Arc<App>| async move {
                no_content(account::change_password(&app, me.id, token_hash, body).await)
            },
        )
        .boxed()
}
