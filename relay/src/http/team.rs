//! Routes of what the team manages: operators and profiles, shortcuts, keyword rules, the team's
//! and the sites' settings. Reading is for every operator; changing the team's things is for
//! admins (403 otherwise); personal shortcuts belong to their owner alone.

use super::{admin, json, json_body, operator, with_app};
use crate::App;
use crate::auth::hash_password;
use crate::error::ApiError;
use crate::validation::{check_email, check_operator_name, check_operator_update, check_rule};
use beseda_protocol::api::{NewOperator, OperatorUpdate, RuleInput, SiteSettings, TeamSettings};
use beseda_protocol::{ErrorCode, OperatorId, OperatorProfile, RuleId};
use std::sync::Arc;
use warp::filters::BoxedFilter;
use warp::{Filter, Reply};

pub(super) type Route = BoxedFilter<(warp::reply::Response,)>;

/// The fewest characters of a password set through the API.
const MIN_PASSWORD_CHARS: usize = 8;
/// The most open conversations one operator may be given.
const MAX_CHATS_LIMIT: u32 = 50;
/// The longest automatic-message delay, in seconds.
const MAX_DELAY_SECS: u32 = 3600;

pub fn routes(app: Arc<App>) -> Route {
    [
        list_operators(app.clone()),
        add_operator(app.clone()),
        update_operator(app.clone()),
        update_me(app.clone()),
        super::shortcuts::routes(app.clone()),
        super::prompts::routes(app.clone()),
        get_settings(app.clone()),
        put_settings(app.clone()),
        list_sites(app.clone()),
        put_site(app.clone()),
        list_rules(app.clone()),
        create_rule(app.clone()),
        change_rule(app.clone()),
        delete_rule(app),
    ]
    .into_iter()
    .reduce(|all, route| all.or(route).unify().boxed())
    .expect("there are routes")
}

fn bad_request(message: String) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message)
}

/// The rule every password set through the API follows.
pub(super) fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(bad_request(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

pub(super) fn respond<T: serde::Serialize>(
    result: Result<T, ApiError>,
) -> Result<warp::reply::Response, warp::Rejection> {
    json(result).map(Reply::into_response)
}

pub(super) fn created<T: serde::Serialize>(
    result: Result<T, ApiError>,
) -> Result<warp::reply::Response, warp::Rejection> {
    json(result)
        .map(|reply| warp::reply::with_status(reply, http::StatusCode::CREATED).into_response())
}

/// `GET /api/operators` → every operator with availability and open conversations
fn list_operators(app: Arc<App>) -> Route {
    warp::path!("api" / "operators")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(app.store.operators().await.map_err(ApiError::from))
        })
        .boxed()
}

/// `POST /api/operators` `{ email, name, password, admin }` → 201 the new operator (admins)
fn add_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<NewOperator>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: NewOperator, app: Arc<App>| async move {
                created(add(&app, body).await)
            },
        )
        .boxed()
}

async fn add(app: &App, body: NewOperator) -> Result<OperatorProfile, ApiError> {
    let email = body.email.trim().to_lowercase();
    check_email(&email).map_err(ApiError::invalid)?;
    check_operator_name(&body.name).map_err(ApiError::invalid)?;
    check_password(&body.password)?;
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

/// `PUT /api/operators/{id}` `{ name?, photoUrl?, admin? }` → the operator (admins)
fn update_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<OperatorUpdate>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: OperatorUpdate, app: Arc<App>| async move {
                let result = match check_operator_update(&body, app.config.public_url.as_deref()) {
                    Err(refusal) => Err(ApiError::invalid(refusal)),
                    Ok(()) => app
                        .store
                        .update_operator(OperatorId(id), body)
                        .await
                        .map_err(ApiError::store("operator")),
                };
                respond(result)
            },
        )
        .boxed()
}

/// `PUT /api/me` `{ name?, photoUrl? }` → your profile (only an admin may change `admin`)
fn update_me(app: Arc<App>) -> Route {
    warp::path!("api" / "me")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<OperatorUpdate>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, body: OperatorUpdate, app: Arc<App>| async move {
                let result = if body.admin.is_some() && !me.admin {
                    Err(ApiError::Forbidden("only an admin may change roles"))
                } else {
                    match check_operator_update(&body, app.config.public_url.as_deref()) {
                        Err(refusal) => Err(ApiError::invalid(refusal)),
                        Ok(()) => app
                            .store
                            .update_operator(me.id, body)
                            .await
                            .map_err(ApiError::store("operator")),
                    }
                };
                respond(result)
            },
        )
        .boxed()
}

/// `GET /api/settings` → the team's settings
fn get_settings(app: Arc<App>) -> Route {
    warp::path!("api" / "settings")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(app.store.team_settings().await.map_err(ApiError::from))
        })
        .boxed()
}

/// `PUT /api/settings` `{ maxChatsPerOperator }` → the team's settings (admins)
fn put_settings(app: Arc<App>) -> Route {
    warp::path!("api" / "settings")
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<TeamSettings>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: TeamSettings, app: Arc<App>| async move {
                let result = if (1..=MAX_CHATS_LIMIT).contains(&body.max_chats_per_operator) {
                    app.store
                        .set_team_settings(body)
                        .await
                        .map_err(ApiError::from)
                } else {
                    Err(bad_request(format!(
                        "maxChatsPerOperator lies between 1 and {MAX_CHATS_LIMIT}"
                    )))
                };
                respond(result)
            },
        )
        .boxed()
}

/// `GET /api/sites` → every site's settings
fn list_sites(app: Arc<App>) -> Route {
    warp::path!("api" / "sites")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(app.store.sites().await.map_err(ApiError::from))
        })
        .boxed()
}

/// `PUT /api/sites/{name}` `{ title, autoMessageDelaySecs, autoMessageText, ratingEnabled,
/// suggestedQuestions, hours, notifyEmail }` →
/// the site's settings (admins)
fn put_site(app: Arc<App>) -> Route {
    warp::path!("api" / "sites" / String)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<SiteSettings>())
        .and(with_app(app))
        .and_then(
            |name: String, _: OperatorProfile, body: SiteSettings, app: Arc<App>| async move {
                respond(put_site_settings(&app, &name, body).await)
            },
        )
        .boxed()
}

async fn put_site_settings(
    app: &App,
    name: &str,
    body: SiteSettings,
) -> Result<SiteSettings, ApiError> {
    crate::validation::check_site_title(&body.title).map_err(ApiError::invalid)?;
    if body.auto_message_delay_secs > MAX_DELAY_SECS {
        return Err(bad_request(format!(
            "autoMessageDelaySecs lies between 0 (off) and {MAX_DELAY_SECS}"
        )));
    }
    crate::validation::check_questions(&body.suggested_questions).map_err(ApiError::invalid)?;
    if !body.notify_email.trim().is_empty() {
        crate::validation::check_email(body.notify_email.trim()).map_err(ApiError::invalid)?;
    }
    if let Some(hours) = &body.hours {
        crate::hours::Schedule::parse(hours).map_err(bad_request)?;
    }
    if !body.auto_message_text.trim().is_empty() {
        crate::validation::check_text(&body.auto_message_text, app.config.max_text_chars)
            .map_err(ApiError::invalid)?;
    }
    let saved = app
        .store
        .update_site(name, body)
        .await
        .map_err(ApiError::store("site"))?;
    // Widgets greet with the title: the cache must not keep the old one.
    app.known_sites
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(saved.name.clone(), saved.title.clone());
    // Waits already running fall due at another time now; the site may open or close now.
    app.auto_reply.wake();
    app.hours.wake();
    Ok(saved)
}

/// `GET /api/rules` → the keyword rules, highest priority first
fn list_rules(app: Arc<App>) -> Route {
    warp::path!("api" / "rules")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(app.store.rules().await.map_err(ApiError::from))
        })
        .boxed()
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

/// `POST /api/rules` `{ keyword, tag, priority, site? }` → 201 the rule (admins)
fn create_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<RuleInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: RuleInput, app: Arc<App>| async move {
                let result = match check_rule(&body) {
                    Err(refusal) => Err(ApiError::invalid(refusal)),
                    Ok(()) => app
                        .store
                        .create_rule(trimmed(body))
                        .await
                        .map_err(ApiError::store("rule")),
                };
                created(result)
            },
        )
        .boxed()
}

/// `PUT /api/rules/{id}` `{ keyword, tag, priority, site? }` → the rule (admins)
fn change_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<RuleInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: RuleInput, app: Arc<App>| async move {
                let result = match check_rule(&body) {
                    Err(refusal) => Err(ApiError::invalid(refusal)),
                    Ok(()) => app
                        .store
                        .replace_rule(RuleId(id), trimmed(body))
                        .await
                        .map_err(ApiError::store("rule")),
                };
                respond(result)
            },
        )
        .boxed()
}

/// `DELETE /api/rules/{id}` → 204 (admins)
fn delete_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            app.store
                .delete_rule(RuleId(id))
                .await
                .map_err(ApiError::store("rule"))
                .map(|()| http::StatusCode::NO_CONTENT.into_response())
                .map_err(warp::reject::custom)
        })
        .boxed()
}
