//! Routes of the shortcuts (canned replies, 000 rule 4): personal ones belong to their owner
//! alone (someone else's does not exist for you: 404), the team's are changed by admins (403).

use super::team::{Route, created, respond};
use super::{json_body, operator, with_app};
use crate::App;
use crate::error::ApiError;
use crate::validation::check_shortcut;
use beseda_protocol::api::{ShortcutInput, ShortcutScope};
use beseda_protocol::{OperatorId, OperatorProfile, ShortcutId};
use std::sync::Arc;
use warp::{Filter, Reply};

pub fn routes(app: Arc<App>) -> Route {
    list_shortcuts(app.clone())
        .or(create_shortcut(app.clone()))
        .unify()
        .or(change_shortcut(app.clone()))
        .unify()
        .or(delete_shortcut(app))
        .unify()
        .boxed()
}

/// `GET /api/shortcuts` → your personal shortcuts and the team's
fn list_shortcuts(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|me: OperatorProfile, app: Arc<App>| async move {
            respond(app.store.shortcuts(me.id).await.map_err(ApiError::from))
        })
        .boxed()
}

/// Who may write a shortcut of this scope: team shortcuts are the admins'.
fn owner_for(me: &OperatorProfile, scope: ShortcutScope) -> Result<Option<OperatorId>, ApiError> {
    match scope {
        ShortcutScope::Personal => Ok(Some(me.id)),
        ShortcutScope::Team if me.admin => Ok(None),
        ShortcutScope::Team => Err(ApiError::Forbidden(
            "only an admin may change the team's shortcuts",
        )),
    }
}

fn check_input(app: &App, input: ShortcutInput) -> Result<ShortcutInput, ApiError> {
    let input = ShortcutInput {
        name: input.name.trim().to_owned(),
        ..input
    };
    check_shortcut(&input, app.config.max_text_chars).map_err(ApiError::invalid)?;
    Ok(input)
}

/// The shortcut as the caller may change it: someone else's personal one does not exist for
/// them (404), the team's need an admin (403).
async fn writable_shortcut(
    app: &App,
    me: &OperatorProfile,
    id: ShortcutId,
) -> Result<(), ApiError> {
    let shortcut = app
        .store
        .shortcut(id)
        .await
        .map_err(ApiError::store("shortcut"))?;
    match shortcut.owner_id {
        Some(owner) if owner == me.id => Ok(()),
        Some(_) => Err(ApiError::NotFound("shortcut")),
        None => owner_for(me, ShortcutScope::Team).map(|_| ()),
    }
}

/// `POST /api/shortcuts` `{ name, text, scope }` → 201 the shortcut
fn create_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<ShortcutInput>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, body: ShortcutInput, app: Arc<App>| async move {
                let result = async {
                    let owner = owner_for(&me, body.scope)?;
                    let input = check_input(&app, body)?;
                    Ok(app.store.create_shortcut(owner, input).await?)
                };
                created(result.await)
            },
        )
        .boxed()
}

/// `PUT /api/shortcuts/{id}` `{ name, text, scope }` → the shortcut
fn change_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts" / i64)
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<ShortcutInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, me: OperatorProfile, body: ShortcutInput, app: Arc<App>| async move {
                let id = ShortcutId(id);
                let result = async {
                    writable_shortcut(&app, &me, id).await?;
                    let owner = owner_for(&me, body.scope)?;
                    let input = check_input(&app, body)?;
                    app.store
                        .replace_shortcut(id, owner, input)
                        .await
                        .map_err(ApiError::store("shortcut"))
                };
                respond(result.await)
            },
        )
        .boxed()
}

/// `DELETE /api/shortcuts/{id}` → 204
fn delete_shortcut(app: Arc<App>) -> Route {
    warp::path!("api" / "shortcuts" / i64)
        .and(warp::delete())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, me: OperatorProfile, app: Arc<App>| async move {
            let id = ShortcutId(id);
            let result = async {
                writable_shortcut(&app, &me, id).await?;
                app.store
                    .delete_shortcut(id)
                    .await
                    .map_err(ApiError::store("shortcut"))
            };
            result
                .await
                .map(|()| http::StatusCode::NO_CONTENT.into_response())
                .map_err(warp::reject::custom)
        })
        .boxed()
}
