//! Routes of the proactive prompts: managed by admins under `/api/prompts` (everyone signed in
//! may read them and their figures); read and reported on by widgets under `/visitor/prompts`,
//! from the shop origins allowed to embed the widget, each report with the signed view id the
//! widget was given (see `prompt_views.rs`).

use super::team::{Route, created, respond};
use super::{admin, json_body, operator, with_app};
use crate::App;
use crate::clock::now_millis;
use crate::connection::{ClientAddr, Endpoint, origin_allowed};
use crate::error::ApiError;
use beseda_protocol::ErrorCode;
use beseda_protocol::OperatorProfile;
use beseda_protocol::prompts::{
    MAX_ORDER_TOTAL, PromptEvent, PromptEventInput, PromptInput, PromptsView,
};
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::Arc;
use warp::{Filter, Reply};

const MAX_VARIANTS: usize = 4;
const MAX_NAME_CHARS: usize = 80;
const MAX_PROMPT_TEXT_CHARS: usize = 200;
const MAX_PATTERN_CHARS: usize = 300;
const MAX_SECONDS: u32 = 24 * 3600;
const MAX_PAGES: u32 = 1000;
const MAX_DISMISS_DAYS: u32 = 365;
const MAX_PER_SESSION: u32 = 20;
/// The largest body a widget's report may have.
const MAX_EVENT_BYTES: u64 = 1024;

pub fn routes(app: Arc<App>) -> Route {
    [
        list_prompts(app.clone()),
        create_prompt(app.clone()),
        change_prompt(app.clone()),
        delete_prompt(app.clone()),
        prompt_stats(app.clone()),
        visitor_prompts(app.clone()),
        visitor_event(app),
    ]
    .into_iter()
    .reduce(|all, route| all.or(route).unify().boxed())
    .expect("there are routes")
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message.into())
}

fn one_line(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// Checks a prompt and fills in its site (the only one, when left out).
async fn checked(app: &App, input: PromptInput) -> Result<PromptInput, ApiError> {
    let name = input.name.trim().to_owned();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || !one_line(&name) {
        return Err(bad(format!(
            "a prompt's name has 1 to {MAX_NAME_CHARS} characters on one line"
        )));
    }
    if input.variants.is_empty() || input.variants.len() > MAX_VARIANTS {
        return Err(bad(format!("a prompt has 1 to {MAX_VARIANTS} variants")));
    }
    let mut variants = Vec::with_capacity(input.variants.len());
    for variant in input.variants {
        let text = variant.text.trim().to_owned();
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_PROMPT_TEXT_CHARS || !one_line(&text) {
            return Err(bad(format!(
                "a variant's text has 1 to {MAX_PROMPT_TEXT_CHARS} characters on one line"
            )));
        }
        if !(variant.weight > 0.0 && variant.weight <= 1000.0) {
            return Err(bad("a variant's weight lies above 0 and at most 1000"));
        }
        variants.push(beseda_protocol::prompts::PromptVariant {
            text,
            weight: variant.weight,
        });
    }
    let mut trigger = input.trigger;
    trigger.url_pattern = trigger
        .url_pattern
        .map(|pattern| pattern.trim().to_owned())
        .filter(|pattern| !pattern.is_empty());
    if let Some(pattern) = &trigger.url_pattern
        && (pattern.chars().count() > MAX_PATTERN_CHARS || pattern.contains(char::is_whitespace))
    {
        return Err(bad(format!(
            "urlPattern has at most {MAX_PATTERN_CHARS} characters and no spaces"
        )));
    }
    if [trigger.seconds_on_page, trigger.min_dwell_seconds]
        .into_iter()
        .flatten()
        .any(|seconds| seconds > MAX_SECONDS)
    {
        return Err(bad(format!(
            "secondsOnPage and minDwellSeconds lie between 0 and {MAX_SECONDS}"
        )));
    }
    if trigger
        .min_pages_viewed
        .is_some_and(|pages| pages > MAX_PAGES)
    {
        return Err(bad(format!(
            "minPagesViewed lies between 0 and {MAX_PAGES}"
        )));
    }
    if trigger.min_dwell_seconds.is_some() && trigger.url_pattern.is_none() {
        return Err(bad(
            "minDwellSeconds counts time on the pages matching urlPattern: give urlPattern too",
        ));
    }
    if let Some(total) = trigger.cart_min_total
        && !(total.is_finite() && total >= 0.0)
    {
        return Err(bad("cartMinTotal is a number of at least 0"));
    }
    if input.dismiss_for_days > MAX_DISMISS_DAYS {
        return Err(bad(format!(
            "dismissForDays lies between 0 and {MAX_DISMISS_DAYS}"
        )));
    }
    if input.max_per_session == 0 || input.max_per_session > MAX_PER_SESSION {
        return Err(bad(format!(
            "maxPerSession lies between 1 and {MAX_PER_SESSION}"
        )));
    }
    let site = match input.site.map(|site| site.trim().to_owned()) {
        Some(site) if !site.is_empty() => site,
        _ => {
            let sites = app.store.sites().await?;
            match sites.as_slice() {
                [only] => only.name.clone(),
                _ => return Err(bad("site is required when the relay serves several sites")),
            }
        }
    };
    Ok(PromptInput {
        site: Some(site),
        name,
        variants,
        trigger,
        ..input
    })
}

#[derive(Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

/// `GET /api/prompts[?site=S]` → every prompt (of the site)
fn list_prompts(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                respond(
                    app.store
                        .prompts(query.site, false)
                        .await
                        .map_err(ApiError::from),
                )
            },
        )
        .boxed()
}

/// `POST /api/prompts` `{ site?, name, variants, trigger, dismissForDays, maxPerSession, enabled }`
/// → 201 the prompt (admins)
fn create_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<PromptInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: PromptInput, app: Arc<App>| async move {
                let result = async {
                    let input = checked(&app, body).await?;
                    app.store
                        .create_prompt(input)
                        .await
                        .map_err(ApiError::store("prompt"))
                };
                created(result.await)
            },
        )
        .boxed()
}

/// `PUT /api/prompts/{id}` (the same body) → the prompt (admins). Figures stay with the
/// variant at the same place.
fn change_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<PromptInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: PromptInput, app: Arc<App>| async move {
                let result = async {
                    app.store
                        .prompt(id)
                        .await
                        .map_err(ApiError::store("prompt"))?;
                    let input = checked(&app, body).await?;
                    app.store
                        .replace_prompt(id, input)
                        .await
                        .map_err(ApiError::store("prompt"))
                };
                respond(result.await)
            },
        )
        .boxed()
}

/// `DELETE /api/prompts/{id}` → 204 (admins), its figures with it
fn delete_prompt(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            app.store
                .delete_prompt(id)
                .await
                .map(|()| http::StatusCode::NO_CONTENT.into_response())
                .map_err(|error| warp::reject::custom(ApiError::store("prompt")(error)))
        })
        .boxed()
}

/// `GET /api/prompts/{id}/stats` → per variant: shown, dismissed, opened, conversations,
/// orders, conversion and its significance against the first variant
fn prompt_stats(app: Arc<App>) -> Route {
    warp::path!("api" / "prompts" / i64 / "stats")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            respond(
                app.store
                    .prompt_stats(id)
                    .await
                    .map_err(ApiError::store("prompt")),
            )
        })
        .boxed()
}

/// The shop origin a widget's request comes from, if it may embed the widget: `Ok(None)` for
/// requests without an `Origin` (same origin, or not a browser).
fn shop_origin(
    app: Arc<App>,
) -> impl Filter<Extract = (Option<String>,), Error = warp::Rejection> + Clone {
    warp::header::optional::<String>("origin")
        .and(warp::header::optional::<String>("host"))
        .and(with_app(app))
        .and_then(
            |origin: Option<String>, host: Option<String>, app: Arc<App>| async move {
                match origin {
                    Some(origin)
                        if !origin_allowed(
                            &app.config.allow_origins,
                            Endpoint::Visitor,
                            &origin,
                            host.as_deref().unwrap_or_default(),
                        ) =>
                    {
                        Err(warp::reject::custom(ApiError::Forbidden(
                            "this origin may not embed the widget",
                        )))
                    }
                    origin => Ok(origin),
                }
            },
        )
}

/// Lets the allowed shop origin read the answer.
fn for_origin(reply: warp::reply::Response, origin: Option<String>) -> warp::reply::Response {
    match origin {
        Some(origin) => {
            warp::reply::with_header(reply, "access-control-allow-origin", origin).into_response()
        }
        None => reply,
    }
}

/// `GET /visitor/prompts?site=S` → `{ online, backAt?, prompts }`: the site's enabled prompts,
/// for widgets (no sign-in; from allowed shop origins)
fn visitor_prompts(app: Arc<App>) -> Route {
    warp::path!("visitor" / "prompts")
        .and(warp::get())
        .and(shop_origin(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |origin: Option<String>, query: SiteQuery, app: Arc<App>| async move {
                let site = query.site.unwrap_or_default();
                let result = async {
                    if app.store.site_title(&site).await?.is_none() {
                        return Err(ApiError::NotFound("site"));
                    }
                    let mut prompts = app.store.prompts(Some(site.clone()), true).await?;
                    let now = now_millis().div_euclid(1000);
                    for prompt in &mut prompts {
                        prompt.views =
                            app.prompt_views
                                .issue(prompt.id, prompt.variants.len(), now);
                    }
                    let (online, back_at) = app.hub.site_availability(&site);
                    Ok(PromptsView {
                        online,
                        back_at,
                        prompts,
                    })
                };
                let reply = respond(result.await)?;
                let reply =
                    warp::reply::with_header(reply, "cache-control", "no-store").into_response();
                Ok::<_, warp::Rejection>(for_origin(reply, origin))
            },
        )
        .boxed()
}

/// `POST /visitor/prompts/{id}/events` `{ site, variant, event, view, total? }` → 204: a widget's
/// report (shown, dismissed, opened, conversation, order). Read whatever its content type, since
/// `navigator.sendBeacon` sends text.
///
/// Taken only from an allowed shop origin (an `Origin` is required: browsers send one with every
/// POST), with a view id `GET /visitor/prompts` signed for this prompt and variant and not yet
/// expired (403 otherwise), at most `--prompt-events-per-minute` per client address (429), and
/// with an order's total from 0 to below [`MAX_ORDER_TOTAL`] (400). Each event kind counts once
/// per page view: the same view's event again is answered 409 and counts nothing.
fn visitor_event(app: Arc<App>) -> Route {
    warp::path!("visitor" / "prompts" / i64 / "events")
        .and(warp::post())
        .and(warp::ext::optional::<ClientAddr>())
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
                let address = client.map_or(IpAddr::from([0, 0, 0, 0]), |client| client.0);
                if !app.prompt_views.events.try_acquire(&address) {
                    return Err(warp::reject::custom(ApiError::RetryLater {
                        seconds: 60,
                        message: "too many prompt events from your address",
                    }));
                }
                let Some(origin) = origin else {
                    return Err(warp::reject::custom(ApiError::Forbidden(
                        "prompt events are taken only from the shop's pages: send an Origin",
                    )));
                };
                if !origin_allowed(
                    &app.config.allow_origins,
                    Endpoint::Visitor,
                    &origin,
                    host.as_deref().unwrap_or_default(),
                ) {
                    return Err(warp::reject::custom(ApiError::Forbidden(
                        "this origin may not embed the widget",
                    )));
                }
                let result = async {
                    let input: PromptEventInput = serde_json::from_slice(&body)
                        .map_err(|error| bad(format!("not a valid prompt event: {error}")))?;
                    let total = match (input.event, input.total) {
                        (PromptEvent::Order, Some(total))
                            if !(total.is_finite() && (0.0..MAX_ORDER_TOTAL).contains(&total)) =>
                        {
                            return Err(bad(format!(
                                "an order's total is a number from 0 to below {MAX_ORDER_TOTAL}"
                            )));
                        }
                        (PromptEvent::Order, total) => total.unwrap_or(0.0),
                        (_, None) => 0.0,
                        (_, Some(_)) => return Err(bad("only an order has a total")),
                    };
                    let view = app
                        .prompt_views
                        .verify(
                            input.view.as_deref().unwrap_or_default(),
                            id,
                            input.variant,
                            now_millis().div_euclid(1000),
                        )
                        .map_err(|refused| ApiError::Forbidden(refused.message()))?;
                    app.store
                        .count_prompt_event(
                            id,
                            input.site,
                            input.variant,
                            view.view,
                            input.event,
                            total,
                        )
                        .await
                        .map_err(ApiError::store("prompt"))
                };
                result.await.map_err(warp::reject::custom)?;
                let reply = http::StatusCode::NO_CONTENT.into_response();
                Ok::<_, warp::Rejection>(for_origin(reply, Some(origin)))
            },
        )
        .boxed()
}
