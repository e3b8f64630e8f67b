//! What the team manages: operators and profiles, keyword rules, the team's and the sites'
//! settings. The routes decide who may call each (admins, or every operator).

use crate::App;
use crate::auth::hash_password;
use crate::chat::validation::{
    check_email, check_operator_name, check_operator_update, check_password, check_rule,
};
use crate::error::ApiError;
use beseda_protocol::api::{
    NewOperator, OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, SiteSettings, TeamSettings,
};
use beseda_protocol::{ErrorCode, OperatorId, OperatorProfile, RuleId};

/// The most open conversations one operator may be given.
const MAX_CHATS_LIMIT: u32 = 50;
/// The longest automatic-message delay, in seconds.
const MAX_DELAY_SECS: u32 = 3600;
/// Why a console socket closes when an admin disabled its operator.
const DISABLED: &str = "this operator was disabled by an admin";

fn bad_request(message: String) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message)
}

/// Every operator, with availability and open conversations.
pub async fn operators(app: &App) -> Result<Vec<OperatorInfo>, ApiError> {
    Ok(app.store.operators().await?)
}

/// Adds an operator.
pub async fn add_operator(app: &App, body: NewOperator) -> Result<OperatorProfile, ApiError> {
    let email = body.email.trim().to_lowercase();
    check_email(&email).map_err(ApiError::invalid)?;
    check_operator_name(&body.name).map_err(ApiError::invalid)?;
    check_password(&body.password).map_err(ApiError::invalid)?;
    let password = body.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?
        .map_err(ApiError::Internal)?;
    Ok(app
        .store
        .add_operator(&email, body.name.trim(), &hash, body.admin)
        .await?)
}

/// Changes an operator's profile (or role).
pub async fn update_operator(
    app: &App,
    operator_id: OperatorId,
    body: OperatorUpdate,
) -> Result<OperatorProfile, ApiError> {
    check_operator_update(&body, app.config.public_url.as_deref()).map_err(ApiError::invalid)?;
    if body.admin == Some(false) {
        keep_an_admin(app, operator_id).await?;
    }
    app.store
        .update_operator(operator_id, body)
        .await
        .map_err(ApiError::store("operator"))
}

/// 409 when the operator is the team's last admin who can sign in: without one, nobody could
/// manage the team any more.
async fn keep_an_admin(app: &App, operator_id: OperatorId) -> Result<(), ApiError> {
    let operators = app.store.operators().await?;
    let is_admin = |info: &&OperatorInfo| info.profile.admin && !info.disabled;
    let admins: Vec<&OperatorInfo> = operators.iter().filter(is_admin).collect();
    if admins.len() == 1 && admins[0].profile.id == operator_id {
        return Err(ApiError::Conflict(
            "the last admin must stay an admin: make someone else an admin first".to_owned(),
        ));
    }
    Ok(())
}

/// Changes the caller's own profile; only an admin may change `admin`.
pub async fn update_me(
    app: &App,
    me: &OperatorProfile,
    body: OperatorUpdate,
) -> Result<OperatorProfile, ApiError> {
    if body.admin.is_some() && !me.admin {
        return Err(ApiError::Forbidden("only an admin may change roles"));
    }
    update_operator(app, me.id, body).await
}

/// Disables an operator (signed out everywhere, offline, their open conversations back in the
/// queue, and no sign-in; not oneself) or lets them sign in again.
pub async fn set_disabled(
    app: &App,
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

/// The team's settings.
pub async fn settings(app: &App) -> Result<TeamSettings, ApiError> {
    Ok(app.store.team_settings().await?)
}

/// Changes the team's settings.
pub async fn set_settings(app: &App, body: TeamSettings) -> Result<TeamSettings, ApiError> {
    if !(1..=MAX_CHATS_LIMIT).contains(&body.max_chats_per_operator) {
        return Err(bad_request(format!(
            "maxChatsPerOperator lies between 1 and {MAX_CHATS_LIMIT}"
        )));
    }
    Ok(app.store.set_team_settings(body).await?)
}

/// The longest a site may keep resolved conversations before they are erased, in days.
const MAX_RETENTION_DAYS: u32 = 3650;

/// Every site's settings.
pub async fn sites(app: &App) -> Result<Vec<SiteSettings>, ApiError> {
    Ok(app.store.sites().await?)
}

/// Changes a site's settings; widgets and the timers see them at once.
pub async fn update_site(
    app: &App,
    by: &OperatorProfile,
    name: &str,
    body: SiteSettings,
) -> Result<SiteSettings, ApiError> {
    if body
        .retention_days
        .is_some_and(|days| !(1..=MAX_RETENTION_DAYS).contains(&days))
    {
        return Err(bad_request(format!(
            "retentionDays lies between 1 and {MAX_RETENTION_DAYS}, or is left out to keep \
             conversations until erased"
        )));
    }
    crate::chat::validation::check_site_title(&body.title).map_err(ApiError::invalid)?;
    if body.auto_message_delay_secs > MAX_DELAY_SECS {
        return Err(bad_request(format!(
            "autoMessageDelaySecs lies between 0 (off) and {MAX_DELAY_SECS}"
        )));
    }
    crate::chat::validation::check_questions(&body.suggested_questions)
        .map_err(ApiError::invalid)?;
    if !body.notify_email.trim().is_empty() {
        crate::chat::validation::check_email(body.notify_email.trim())
            .map_err(ApiError::invalid)?;
    }
    if let Some(hours) = &body.hours {
        crate::hours::Schedule::parse(hours).map_err(bad_request)?;
    }
    if !body.auto_message_text.trim().is_empty() {
        crate::chat::validation::check_text(&body.auto_message_text, app.config.max_text_chars)
            .map_err(ApiError::invalid)?;
    }
    let before = app
        .store
        .sites()
        .await?
        .into_iter()
        .find(|site| site.name == name)
        .ok_or(ApiError::NotFound("site"))?;
    let saved = app
        .store
        .update_site(name, body)
        .await
        .map_err(ApiError::store("site"))?;
    super::privacy::site_changed(
        app,
        by,
        name,
        (before.retention_days, before.visitor_erase),
        (saved.retention_days, saved.visitor_erase),
    )
    .await?;
    // Widgets greet with the title; waits fall due at other times; the site may open or close.
    app.cluster.site_changed(app, &saved.name, &saved.title);
    Ok(saved)
}

/// The keyword rules, highest priority first.
pub async fn rules(app: &App) -> Result<Vec<PriorityRule>, ApiError> {
    Ok(app.store.rules().await?)
}

/// A rule as it is kept: the tag it gives must equal the same tag set by hand (`PUT …/tags`
/// trims), and the keyword is matched trimmed anyway.
fn trimmed(rule: RuleInput) -> RuleInput {
    RuleInput {
        keyword: rule.keyword.trim().to_owned(),
        tag: rule.tag.trim().to_owned(),
        ..rule
    }
}

/// Adds a keyword rule.
pub async fn create_rule(app: &App, body: RuleInput) -> Result<PriorityRule, ApiError> {
    check_rule(&body).map_err(ApiError::invalid)?;
    app.store
        .create_rule(trimmed(body))
        .await
        .map_err(ApiError::store("rule"))
}

/// Changes a keyword rule.
pub async fn change_rule(
    app: &App,
    rule_id: RuleId,
    body: RuleInput,
) -> Result<PriorityRule, ApiError> {
    check_rule(&body).map_err(ApiError::invalid)?;
    app.store
        .replace_rule(rule_id, trimmed(body))
        .await
        .map_err(ApiError::store("rule"))
}

/// Deletes a keyword rule.
pub async fn delete_rule(app: &App, rule_id: RuleId) -> Result<(), ApiError> {
    app.store
        .delete_rule(rule_id)
        .await
        .map_err(ApiError::store("rule"))
}
