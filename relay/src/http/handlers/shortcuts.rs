//! The shortcuts (canned replies): personal ones belong to their owner alone (someone else's
//! does not exist for you: 404), the team's are changed by admins (403).

use crate::App;
use crate::chat::validation::check_shortcut;
use crate::error::ApiError;
use beseda_protocol::api::{Shortcut, ShortcutInput, ShortcutScope};
use beseda_protocol::{OperatorId, OperatorProfile, ShortcutId};

/// The caller's personal shortcuts and the team's.
pub async fn list(app: &App, me: &OperatorProfile) -> Result<Vec<Shortcut>, ApiError> {
    Ok(app.store.shortcuts(me.id).await?)
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

/// Adds a shortcut of the caller's or, for an admin, of the team's.
pub async fn create(
    app: &App,
    me: &OperatorProfile,
    body: ShortcutInput,
) -> Result<Shortcut, ApiError> {
    let owner = owner_for(me, body.scope)?;
    let input = check_input(app, body)?;
    Ok(app.store.create_shortcut(owner, input).await?)
}

/// Changes a shortcut the caller may write.
pub async fn change(
    app: &App,
    me: &OperatorProfile,
    id: ShortcutId,
    body: ShortcutInput,
) -> Result<Shortcut, ApiError> {
    writable_shortcut(app, me, id).await?;
    let owner = owner_for(me, body.scope)?;
    let input = check_input(app, body)?;
    app.store
        .replace_shortcut(id, owner, input)
        .await
        .map_err(ApiError::store("shortcut"))
}

/// Deletes a shortcut the caller may write.
pub async fn delete(app: &App, me: &OperatorProfile, id: ShortcutId) -> Result<(), ApiError> {
    writable_shortcut(app, me, id).await?;
    app.store
        .delete_shortcut(id)
        .await
        .map_err(ApiError::store("shortcut"))
}
