//! Routes of the shortcuts (canned replies): personal ones belong to their owner alone, the
//! team's are changed by admins.

use crate::App;
use crate::http::filters::{
    Route, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::shortcuts;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::api::ShortcutInput;
use beseda_protocol::{OperatorProfile, ShortcutId};
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_shortcuts(app.clone()),
        create_shortcut(app.clone()),
        change_shortcut(app.clone()),
        delete_shortcut(app),
    ]
}

/// `GET /api/shortcuts` → your personal shortcuts and the team's
#[utoipa::path(
    get,
    path = "/api/shortcuts",
    tag = "shortcuts",
    responses(
        (status = 200, description = "Your personal shortcuts and the team's", body = Vec<Shortcut>),
        Errors,
    ),
)]
fn list_shortcuts(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|me: OperatorProfile, app: Arc<App>| async move {
            respond(shortcuts::list(&app, &me).await)
        })
        .boxed()
}

/// `POST /api/shortcuts` `{ name, text, scope }` → 201 the shortcut
#[utoipa::path(
    post,
    path = "/api/shortcuts",
    tag = "shortcuts",
    request_body = ShortcutInput,
    responses(
        (status = 201, description = "The new shortcut", body = Shortcut),
        Errors,
    ),
)]
fn create_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<ShortcutInput>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, body: ShortcutInput, app: Arc<App>| async move {
                created(shortcuts::create(&app, &me, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/shortcuts/{id}` `{ name, text, scope }` → the shortcut (404 for someone else's
/// personal one, 403 for the team's unless an admin)
#[utoipa::path(
    put,
    path = "/api/shortcuts/{id}",
    tag = "shortcuts",
    params(
        ("id" = i64, Path, description = "The shortcut's id"),
    ),
    request_body = ShortcutInput,
    responses(
        (status = 200, description = "The shortcut, changed", body = Shortcut),
        Errors,
    ),
)]
fn change_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts" / i64)
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<ShortcutInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, me: OperatorProfile, body: ShortcutInput, app: Arc<App>| async move {
                respond(shortcuts::change(&app, &me, ShortcutId(id), body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/shortcuts/{id}` → 204 (404 for someone else's personal one, 403 for the team's
/// unless an admin)
#[utoipa::path(
    delete,
    path = "/api/shortcuts/{id}",
    tag = "shortcuts",
    params(
        ("id" = i64, Path, description = "The shortcut's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Errors,
    ),
)]
fn delete_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts" / i64)
        .and(warp::delete())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, me: OperatorProfile, app: Arc<App>| async move {
            no_content(shortcuts::delete(&app, &me, ShortcutId(id)).await)
        })
        .boxed()
}
