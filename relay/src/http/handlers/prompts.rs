//! The proactive prompts: managed by admins (everyone signed in may read them and their
//! figures); read and reported on by widgets, from the shop origins allowed to embed the widget,
//! each report with the signed view id the widget was given (see `prompt_views.rs`).

use crate::App;
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::net::{ClientAddr, Endpoint, origin_allowed};
use beseda_protocol::ErrorCode;
use beseda_protocol::prompts::{
    MAX_ORDER_TOTAL, Prompt, PromptEvent, PromptEventInput, PromptInput, PromptStats, PromptsView,
};
use std::net::IpAddr;

const MAX_VARIANTS: usize = 4;
const MAX_NAME_CHARS: usize = 80;
const MAX_PROMPT_TEXT_CHARS: usize = 200;
const MAX_PATTERN_CHARS: usize = 300;
const MAX_SECONDS: u32 = 24 * 3600;
const MAX_PAGES: u32 = 1000;
const MAX_DISMISS_DAYS: u32 = 365;
const MAX_PER_SESSION: u32 = 20;

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

/// Every prompt, or the site's.
pub async fn list(app: &App, site: Option<String>) -> Result<Vec<Prompt>, ApiError> {
    Ok(app.store.prompts(site, false).await?)
}

/// Adds a prompt.
pub async fn create(app: &App, body: PromptInput) -> Result<Prompt, ApiError> {
    let input = checked(app, body).await?;
    app.store
        .create_prompt(input)
        .await
        .map_err(ApiError::store("prompt"))
}

/// Changes a prompt; figures stay with the variant at the same place.
pub async fn change(app: &App, id: i64, body: PromptInput) -> Result<Prompt, ApiError> {
    app.store
        .prompt(id)
        .await
        .map_err(ApiError::store("prompt"))?;
    let input = checked(app, body).await?;
    app.store
        .replace_prompt(id, input)
        .await
        .map_err(ApiError::store("prompt"))
}

/// Deletes a prompt, its figures with it.
pub async fn delete(app: &App, id: i64) -> Result<(), ApiError> {
    app.store
        .delete_prompt(id)
        .await
        .map_err(ApiError::store("prompt"))
}

/// Per variant: shown, dismissed, opened, conversations, orders, conversion and its
/// significance against the first variant.
pub async fn stats(app: &App, id: i64) -> Result<PromptStats, ApiError> {
    app.store
        .prompt_stats(id)
        .await
        .map_err(ApiError::store("prompt"))
}

/// Whether a request's `Origin` may embed the widget: `Ok(())` for requests without one (same
/// origin, or not a browser).
pub fn check_shop_origin(
    app: &App,
    origin: Option<&str>,
    host: Option<&str>,
) -> Result<(), ApiError> {
    match origin {
        Some(origin)
            if !origin_allowed(
                &app.config.allow_origins,
                Endpoint::Visitor,
                origin,
                host.unwrap_or_default(),
            ) =>
        {
            Err(ApiError::Forbidden("this origin may not embed the widget"))
        }
        _ => Ok(()),
    }
}

/// The site's enabled prompts for a widget, each with signed view ids, and whether anyone is
/// there to chat.
pub async fn for_widget(app: &App, site: Option<String>) -> Result<PromptsView, ApiError> {
    let site = site.unwrap_or_default();
    if app.store.site_title(&site).await?.is_none() {
        return Err(ApiError::NotFound("site"));
    }
    let mut prompts = app.store.prompts(Some(site.clone()), true).await?;
    let now = now_millis().div_euclid(1000);
    for prompt in &mut prompts {
        prompt.views = app
            .prompt_views
            .issue(prompt.id, prompt.variants.len(), now);
    }
    let (online, back_at) = app.hub.site_availability(&site);
    Ok(PromptsView {
        online,
        back_at,
        prompts,
    })
}

/// Counts a widget's report on a prompt, and answers the origin that may read the answer.
///
/// Taken only from an allowed shop origin (an `Origin` is required: browsers send one with every
/// POST), with a view id `GET /visitor/prompts` signed for this prompt and variant and not yet
/// expired (403 otherwise), at most `--prompt-events-per-minute` per client address (429), and
/// with an order's total from 0 to below [`MAX_ORDER_TOTAL`] (400). Each event kind counts once
/// per page view: the same view's event again is answered 409 and counts nothing.
pub async fn record_event(
    app: &App,
    id: i64,
    client: Option<ClientAddr>,
    origin: Option<String>,
    host: Option<&str>,
    body: &[u8],
) -> Result<String, ApiError> {
    let address = client.map_or(IpAddr::from([0, 0, 0, 0]), |client| client.0);
    if !app.prompt_views.events.try_acquire(&address) {
        return Err(ApiError::RetryLater {
            seconds: 60,
            message: "too many prompt events from your address",
        });
    }
    let Some(origin) = origin else {
        return Err(ApiError::Forbidden(
            "prompt events are taken only from the shop's pages: send an Origin",
        ));
    };
    if !origin_allowed(
        &app.config.allow_origins,
        Endpoint::Visitor,
        &origin,
        host.unwrap_or_default(),
    ) {
        return Err(ApiError::Forbidden("this origin may not embed the widget"));
    }
    // An object only: serde would read the event's fields from an array too.
    let input: PromptEventInput = serde_json::from_slice::<serde_json::Value>(body)
        .and_then(|value| match value {
            serde_json::Value::Object(_) => serde_json::from_value(value),
            _ => Err(serde::de::Error::custom("an event is a JSON object")),
        })
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
        .count_prompt_event(id, input.site, input.variant, view.view, input.event, total)
        .await
        .map_err(ApiError::store("prompt"))?;
    Ok(origin)
}
