//! Routes of the API keys: admins in person create, list and revoke them.

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, respond, with_app,
};
use crate::http::handlers::keys;
use crate::http::openapi::schemas::*;
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_keys(app.clone()),
        create_key(app.clone()),
        revoke_key(app)
    ]
}

/// `GET /api/keys` → `[ApiKeyInfo]`, oldest first (admins)
#[utoipa::path(
    get,
    path = "/api/keys",
    tag = "keys",
    security(("session" = [])),
    responses(
        (status = 200, description = "Every API key, oldest first, without the keys themselves (admins, signed in)", body = Vec<ApiKeyInfo>),
        Errors,
    ),
)]
fn list_keys(app: Arc<App>) -> Route {
    warp::path!("api" / "keys")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, app: Arc<App>| async move { respond(keys::list(&app).await) },
        )
        .boxed()
}

/// `POST /api/keys` `{ name, scope: "read" | "read-write", site? }` → 201 `{ id, name, scope,
/// key, … }`, the key shown this once (admins)
#[utoipa::path(
    post,
    path = "/api/keys",
    tag = "keys",
    security(("session" = [])),
    request_body = NewApiKey,
    responses(
        (status = 201, description = "The new key, with `key` shown this once (admins, signed in)", body = CreatedApiKey),
        Errors,
    ),
)]
fn create_key(app: Arc<App>) -> Route {
    warp::path!("api" / "keys")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<NewApiKey>())
        .and(with_app(app))
        .and_then(
            |admin: OperatorProfile, request: NewApiKey, app: Arc<App>| async move {
                created(keys::create(&app, &admin, request).await)
            },
        )
        .boxed()
}

/// `DELETE /api/keys/{id}` → 204: the key stops working at once (admins)
#[utoipa::path(
    delete,
    path = "/api/keys/{id}",
    tag = "keys",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The key's id"),
    ),
    responses(
        (status = 204, description = "Revoked: refused from the next request on (admins, signed in)"),
        Errors,
    ),
)]
fn revoke_key(app: Arc<App>) -> Route {
    warp::path!("api" / "keys" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(keys::revoke(&app, id).await)
        })
        .boxed()
}
