//! Routes of what the team manages: operators and profiles, keyword rules, the team's and the
//! sites' settings. Reading is for every operator; changing the team's things is for admins
//! (403 otherwise).

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::team;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::api::{NewOperator, OperatorUpdate, RuleInput, SiteSettings, TeamSettings};
use beseda_protocol::{OperatorId, OperatorProfile, RuleId};
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_operators(app.clone()),
        add_operator(app.clone()),
        update_operator(app.clone()),
        update_me(app.clone()),
        disable_operator(app.clone()),
        enable_operator(app.clone()),
        get_settings(app.clone()),
        put_settings(app.clone()),
        list_sites(app.clone()),
        put_site(app.clone()),
        list_rules(app.clone()),
        create_rule(app.clone()),
        change_rule(app.clone()),
        delete_rule(app),
    ]
}

/// `GET /api/operators` → every operator with availability and open conversations
#[utoipa::path(
    get,
    path = "/api/operators",
    tag = "team",
    responses(
        (status = 200, description = "Every operator with availability and open conversations", body = Vec<OperatorInfo>),
        Errors,
    ),
)]
fn list_operators(app: Arc<App>) -> Route {
    warp::path!("api" / "operators")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(team::operators(&app).await)
        })
        .boxed()
}

/// `POST /api/operators` `{ email, name, password, admin }` → 201 the new operator (admins)
#[utoipa::path(
    post,
    path = "/api/operators",
    tag = "team",
    request_body = NewOperator,
    responses(
        (status = 201, description = "The new operator (admins)", body = OperatorProfile),
        Errors,
    ),
)]
fn add_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<NewOperator>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: NewOperator, app: Arc<App>| async move {
                created(team::add_operator(&app, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/operators/{id}` `{ name?, photoUrl?, admin? }` → the operator (admins)
#[utoipa::path(
    put,
    path = "/api/operators/{id}",
    tag = "team",
    params(
        ("id" = i64, Path, description = "The operator's id"),
    ),
    request_body = OperatorUpdate,
    responses(
        (status = 200, description = "The operator (admins)", body = OperatorProfile),
        Errors,
    ),
)]
fn update_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<OperatorUpdate>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: OperatorUpdate, app: Arc<App>| async move {
                respond(team::update_operator(&app, OperatorId(id), body).await)
            },
        )
        .boxed()
}

/// `PUT /api/me` `{ name?, photoUrl? }` → your profile (only an admin may change `admin`)
#[utoipa::path(
    put,
    path = "/api/me",
    tag = "account",
    request_body = OperatorUpdate,
    responses(
        (status = 200, description = "Your profile", body = OperatorProfile),
        Errors,
    ),
)]
fn update_me(app: Arc<App>) -> Route {
    warp::path!("api" / "me")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<OperatorUpdate>())
        .and(with_app(app))
        .and_then(
            |me: OperatorProfile, body: OperatorUpdate, app: Arc<App>| async move {
                respond(team::update_me(&app, &me, body).await)
            },
        )
        .boxed()
}

/// `POST /api/operators/{id}/disable` → the operator, disabled: signed out everywhere, offline,
/// their open conversations back in the queue, and no sign-in (admins; not oneself)
#[utoipa::path(
    post,
    path = "/api/operators/{id}/disable",
    tag = "team",
    params(
        ("id" = i64, Path, description = "The operator's id"),
    ),
    responses(
        (status = 200, description = "The operator, disabled and signed out everywhere (admins; not oneself)", body = OperatorInfo),
        Errors,
    ),
)]
fn disable_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators" / i64 / "disable")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, me: OperatorProfile, app: Arc<App>| async move {
            respond(team::set_disabled(&app, &me, OperatorId(id), true).await)
        })
        .boxed()
}

/// `POST /api/operators/{id}/enable` → the operator, who may sign in again (admins)
#[utoipa::path(
    post,
    path = "/api/operators/{id}/enable",
    tag = "team",
    params(
        ("id" = i64, Path, description = "The operator's id"),
    ),
    responses(
        (status = 200, description = "The operator, who may sign in again (admins)", body = OperatorInfo),
        Errors,
    ),
)]
fn enable_operator(app: Arc<App>) -> Route {
    warp::path!("api" / "operators" / i64 / "enable")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, me: OperatorProfile, app: Arc<App>| async move {
            respond(team::set_disabled(&app, &me, OperatorId(id), false).await)
        })
        .boxed()
}

/// `GET /api/settings` → the team's settings
#[utoipa::path(
    get,
    path = "/api/settings",
    tag = "team",
    responses(
        (status = 200, description = "The team's settings", body = TeamSettings),
        Errors,
    ),
)]
fn get_settings(app: Arc<App>) -> Route {
    warp::path!("api" / "settings")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, app: Arc<App>| async move { respond(team::settings(&app).await) },
        )
        .boxed()
}

/// `PUT /api/settings` `{ maxChatsPerOperator }` → the team's settings (admins)
#[utoipa::path(
    put,
    path = "/api/settings",
    tag = "team",
    request_body = TeamSettings,
    responses(
        (status = 200, description = "The team's settings (admins)", body = TeamSettings),
        Errors,
    ),
)]
fn put_settings(app: Arc<App>) -> Route {
    warp::path!("api" / "settings")
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<TeamSettings>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: TeamSettings, app: Arc<App>| async move {
                respond(team::set_settings(&app, body).await)
            },
        )
        .boxed()
}

/// `GET /api/sites` → every site's settings
#[utoipa::path(
    get,
    path = "/api/sites",
    tag = "team",
    responses(
        (status = 200, description = "Every site's settings", body = Vec<SiteSettings>),
        Errors,
    ),
)]
fn list_sites(app: Arc<App>) -> Route {
    warp::path!("api" / "sites")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, app: Arc<App>| async move { respond(team::sites(&app).await) },
        )
        .boxed()
}

/// `PUT /api/sites/{name}` `{ title, autoMessageDelaySecs, autoMessageText, ratingEnabled,
/// suggestedQuestions, hours, notifyEmail, retentionDays, visitorErase }` → the site's settings
/// (admins)
#[utoipa::path(
    put,
    path = "/api/sites/{name}",
    tag = "team",
    params(
        ("name" = String, Path, description = "The site's `data-site` name"),
    ),
    request_body = SiteSettings,
    responses(
        (status = 200, description = "The site's settings (admins)", body = SiteSettings),
        Errors,
    ),
)]
fn put_site(app: Arc<App>) -> Route {
    warp::path!("api" / "sites" / String)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<SiteSettings>())
        .and(with_app(app))
        .and_then(
            |name: String, admin: OperatorProfile, body: SiteSettings, app: Arc<App>| async move {
                respond(team::update_site(&app, &admin, &name, body).await)
            },
        )
        .boxed()
}

/// `GET /api/rules` → the keyword rules, highest priority first
#[utoipa::path(
    get,
    path = "/api/rules",
    tag = "team",
    responses(
        (status = 200, description = "The keyword rules, highest priority first", body = Vec<PriorityRule>),
        Errors,
    ),
)]
fn list_rules(app: Arc<App>) -> Route {
    warp::path!("api" / "rules")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, app: Arc<App>| async move { respond(team::rules(&app).await) },
        )
        .boxed()
}

/// `POST /api/rules` `{ keyword, tag, priority, site? }` → 201 the rule (admins)
#[utoipa::path(
    post,
    path = "/api/rules",
    tag = "team",
    request_body = RuleInput,
    responses(
        (status = 201, description = "The new rule (admins)", body = PriorityRule),
        Errors,
    ),
)]
fn create_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<RuleInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: RuleInput, app: Arc<App>| async move {
                created(team::create_rule(&app, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/rules/{id}` `{ keyword, tag, priority, site? }` → the rule (admins)
#[utoipa::path(
    put,
    path = "/api/rules/{id}",
    tag = "team",
    params(
        ("id" = i64, Path, description = "The rule's id"),
    ),
    request_body = RuleInput,
    responses(
        (status = 200, description = "The rule, changed (admins)", body = PriorityRule),
        Errors,
    ),
)]
fn change_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<RuleInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: RuleInput, app: Arc<App>| async move {
                respond(team::change_rule(&app, RuleId(id), body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/rules/{id}` → 204 (admins)
#[utoipa::path(
    delete,
    path = "/api/rules/{id}",
    tag = "team",
    params(
        ("id" = i64, Path, description = "The rule's id"),
    ),
    responses(
        (status = 204, description = "Deleted (admins)"),
        Errors,
    ),
)]
fn delete_rule(app: Arc<App>) -> Route {
    warp::path!("api" / "rules" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(team::delete_rule(&app, RuleId(id)).await)
        })
        .boxed()
}
