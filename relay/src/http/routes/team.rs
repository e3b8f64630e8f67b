//! Routes of what the team manages: operators and profiles, keyword rules, the team's and the
//! sites' settings. Reading is for every operator; changing the team's things is for admins
//! (403 otherwise).

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::team;
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
/// suggestedQuestions, hours, notifyEmail }` → the site's settings (admins)
fn put_site(app: Arc<App>) -> Route {
    warp::path!("api" / "sites" / String)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<SiteSettings>())
        .and(with_app(app))
        .and_then(
            |name: String, _: OperatorProfile, body: SiteSettings, app: Arc<App>| async move {
                respond(team::update_site(&app, &name, body).await)
            },
        )
        .boxed()
}

/// `GET /api/rules` → the keyword rules, highest priority first
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
