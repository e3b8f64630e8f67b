//! Routes of the proactive prompts: managed by admins under `/api/prompts` (everyone signed in
//! may read them and their figures); read and reported on by widgets under `/visitor/prompts`,
//! from the shop origins allowed to embed the widget.

use crate::App;
use crate::http::filters::{
    Route, admin, client_addr, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::prompts;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use crate::net::ClientAddr;
use beseda_protocol::OperatorProfile;
use beseda_protocol::prompts::PromptInput;
use serde::Deserialize;
use std::sync::Arc;
use warp::{Filter, Reply};

/// The largest body a widget's report may have.
const MAX_EVENT_BYTES: u64 = 1024;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_prompts(app.clone()),
        create_prompt(app.clone()),
        change_prompt(app.clone()),
        delete_prompt(app.clone()),
        prompt_stats(app.clone()),
        visitor_prompts(app.clone()),
        visitor_event(app),
    ]
}

#[derive(Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

/// `GET /api/prompts[?site=S]` → every prompt (of the site)
#[utoipa::path(
    get,
    path = "/api/prompts",
    tag = "prompts",
    params(
        ("site" = Option<String>, Query, description = "The prompts of this site only"),
    ),
    responses(
        (status = 200, description = "Every prompt", body = Vec<Prompt>),
        Errors,
    ),
)]
fn list_prompts(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                respond(prompts::list(&app, query.site).await)
            },
        )
        .boxed()
}

/// `POST /api/prompts` `{ site?, name, variants, trigger, dismissForDays, maxPerSession, enabled }`
/// → 201 the prompt (admins)
#[utoipa::path(
    post,
    path = "/api/prompts",
    tag = "prompts",
    request_body = PromptInput,
    responses(
        (status = 201, description = "The new prompt (admins)", body = Prompt),
        Errors,
    ),
)]
fn create_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<PromptInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: PromptInput, app: Arc<App>| async move {
                created(prompts::create(&app, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/prompts/{id}` (the same body) → the prompt (admins). Figures stay with the
/// variant at the same place.
#[utoipa::path(
    put,
    path = "/api/prompts/{id}",
    tag = "prompts",
    params(
        ("id" = i64, Path, description = "The prompt's id"),
    ),
    request_body = PromptInput,
    responses(
        (status = 200, description = "The prompt, changed (admins)", body = Prompt),
        Errors,
    ),
)]
fn change_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<PromptInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: PromptInput, app: Arc<App>| async move {
                respond(prompts::change(&app, id, body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/prompts/{id}` → 204 (admins), its figures with it
#[utoipa::path(
    delete,
    path = "/api/prompts/{id}",
    tag = "prompts",
    params(
        ("id" = i64, Path, description = "The prompt's id"),
    ),
    responses(
        (status = 204, description = "Deleted with its figures (admins)"),
        Errors,
    ),
)]
fn delete_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(prompts::delete(&app, id).await)
        })
        .boxed()
}

/// `GET /api/prompts/{id}/stats` → per variant: shown, dismissed, opened, conversations,
/// orders, conversion and its significance against the first variant
#[utoipa::path(
    get,
    path = "/api/prompts/{id}/stats",
    tag = "prompts",
    params(
        ("id" = i64, Path, description = "The prompt's id"),
    ),
    responses(
        (status = 200, description = "Per variant: shown, dismissed, opened, conversations, orders, conversion and its significance", body = PromptStats),
        Errors,
    ),
)]
fn prompt_stats(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64 / "stats")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            respond(prompts::stats(&app, id).await)
        })
        .boxed()
}

/// The shop origin a widget's request comes from, if it may embed the widget (403 otherwise):
/// `None` for requests without an `Origin` (same origin, or not a browser).
pub(super) fn shop_origin(
    app: Arc<App>,
) -> impl Filter<Extract = (Option<String>,), Error = warp::Rejection> + Clone {
    warp::header::optional::<String>("origin")
        .and(warp::header::optional::<String>("host"))
        .and(with_app(app))
        .and_then(
            |origin: Option<String>, host: Option<String>, app: Arc<App>| async move {
                prompts::check_shop_origin(&app, origin.as_deref(), host.as_deref())
                    .map(|()| origin)
                    .map_err(warp::reject::custom)
            },
        )
}

/// Lets the allowed shop origin read the answer.
pub(super) fn for_origin(
    reply: warp::reply::Response,
    origin: Option<String>,
) -> warp::reply::Response {
    match origin {
        Some(origin) => {
            warp::reply::with_header(reply, "access-control-allow-origin", origin).into_response()
        }
        None => reply,
    }
}

/// `GET /visitor/prompts?site=S` → `{ online, backAt?, prompts }`: the site's enabled prompts,
/// for widgets (no sign-in; from allowed shop origins)
#[utoipa::path(
    get,
    path = "/visitor/prompts",
    tag = "widget",
    security(()),
    params(
        ("site" = Option<String>, Query, description = "The site"),
    ),
    responses(
        (status = 200, description = "The site's enabled prompts, for widgets on allowed shop origins", body = PromptsView),
        Errors,
    ),
)]
fn visitor_prompts(app: Arc<App>) -> Route {
    warp::path!("visitor" / "prompts")
        .and(warp::get())
        .and(shop_origin(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |origin: Option<String>, query: SiteQuery, app: Arc<App>| async move {
                let reply = respond(prompts::for_widget(&app, query.site).await)?;
                let reply =
                    warp::reply::with_header(reply, "cache-control", "no-store").into_response();
                Ok::<_, warp::Rejection>(for_origin(reply, origin))
            },
        )
        .boxed()
}

/// `POST /visitor/prompts/{id}/events` `{ site, variant, event, view, total? }` → 204: a widget's
/// report (shown, dismissed, opened, conversation, order), from an allowed shop origin with a
/// view id `GET /visitor/prompts` signed (see `handlers::prompts::record_event` for every
/// refusal). Read whatever its content type, since `navigator.sendBeacon` sends text.
#[utoipa::path(
    post,
    path = "/visitor/prompts/{id}/events",
    tag = "widget",
    security(()),
    params(
        ("id" = i64, Path, description = "The prompt's id"),
    ),
    request_body = PromptEventInput,
    responses(
        (status = 204, description = "Recorded"),
        Errors,
    ),
)]
fn visitor_event(app: Arc<App>) -> Route {
    warp::path!("visitor" / "prompts" / i64 / "events")
        .and(warp::post())
        .and(client_addr())
        .and(warp::header::optional::<String>("origin"))
        .and(warp::header::optional::<String>("host"))
        .and(warp::body::content_length_limit(MAX_EVENT_BYTES))
        .and(warp::body::bytes())
        .and(with_app(app))
        .and_then(
            |id: i64,
             client: Option<ClientAddr>,
             origin: Option<String>,
             host: Option<String>,
             body: bytes::Bytes,
             app: Arc<App>| async move {
                let origin =
                    prompts::record_event(&app, id, client, origin, host.as_deref(), &body)
                        .await
                        .map_err(warp::reject::custom)?;
                let reply = http::StatusCode::NO_CONTENT.into_response();
                Ok::<_, warp::Rejection>(for_origin(reply, Some(origin)))
            },
        )
        .boxed()
}
