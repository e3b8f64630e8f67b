//! The manager's reports: `GET /api/reports/{name}?from=&to=&site=[&format=csv]`, for everyone
//! signed in. The figures are computed in `crate::reports` from the facts the store keeps.

use crate::App;
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::reports::{self, Context, MAX_DAYS, Period, SiteTime};
use crate::store::StoreError;
use crate::store::reports::FactKinds;
use beseda_protocol::ErrorCode;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// What a report request asks for, as given.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub site: Option<String>,
    pub format: Option<String>,
}

/// A report's answer: its JSON, or its table as CSV.
pub enum ReportBody {
    Json(serde_json::Value),
    Csv(String),
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message.into())
}

fn date(text: Option<&str>, what: &str) -> Result<Option<Date>, ApiError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<Date>()
            .ok()
            .filter(|_| text.len() == 10)
            .map(Some)
            .ok_or_else(|| bad(format!("{what} is a date as YYYY-MM-DD (got {text:?})"))),
    }
}

/// Computes the report `name` for the query.
pub async fn report(app: &App, name: &str, query: ReportQuery) -> Result<ReportBody, ApiError> {
    if !reports::NAMES.contains(&name) {
        return Err(ApiError::NotFound("report"));
    }
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(bad(format!("format is json or csv (got {other:?})"))),
    };
    let site = query
        .site
        .as_deref()
        .map(str::trim)
        .filter(|site| !site.is_empty() && *site != "all")
        .map(str::to_owned);
    let settings = app.store.sites().await?;
    if let Some(site) = &site
        && !settings.iter().any(|settings| &settings.name == site)
    {
        return Err(ApiError::from(StoreError::NoSuchSite(site.clone())));
    }
    let sites: HashMap<String, SiteTime> = settings
        .iter()
        .map(|settings| (settings.name.clone(), SiteTime::of(settings.hours.as_ref())))
        .collect();
    // The report's zone: the site's, or the one all sites share (UTC when they differ).
    let zone = match &site {
        Some(site) => sites
            .get(site)
            .map_or(TimeZone::UTC, |time| time.zone.clone()),
        None => {
            let mut zones = sites.values().map(|time| time.zone.iana_name());
            match zones.next() {
                Some(first) if zones.all(|zone| zone == first) => sites
                    .values()
                    .next()
                    .map_or(TimeZone::UTC, |time| time.zone.clone()),
                _ => TimeZone::UTC,
            }
        }
    };
    let now = now_millis();
    let today = reports::date_in(&zone, now).unwrap_or_default();
    let to = date(query.to.as_deref(), "to")?.unwrap_or(today);
    let from = date(query.from.as_deref(), "from")?
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(6)).unwrap_or(to));
    if from > to {
        return Err(bad("from is on or before to"));
    }
    let period = Period { from, to };
    if period.days() > MAX_DAYS {
        return Err(bad(format!("a report covers at most {MAX_DAYS} days")));
    }
    let previous = period
        .previous()
        .ok_or_else(|| bad("the dates are out of range"))?;
    let (start, _) = previous.widest_millis();
    let (_, end) = period.widest_millis();
    let mut kinds = FactKinds::of_report(name);
    let zones: Vec<&TimeZone> = sites
        .values()
        .map(|time| &time.zone)
        .chain([&zone])
        .collect();
    if kinds.tallies && !reports::days_begin_on_hours(&zones, previous.from, period.to) {
        kinds = kinds.without_tallies();
    }
    let facts = app
        .store
        .report_facts(start, end, site.clone(), kinds)
        .await?;
    let operators = app
        .store
        .operators()
        .await?
        .into_iter()
        .map(|info| (info.profile.id.0, info.profile.name))
        .collect();
    let prompts = if name == "prompts" {
        app.store.prompts(site.clone(), false).await?
    } else {
        Vec::new()
    };
    let mut answers = Vec::new();
    if name == "answers" {
        for settings in settings
            .iter()
            .filter(|settings| site.as_ref().is_none_or(|site| *site == settings.name))
        {
            answers.extend(
                app.store
                    .answers(&settings.name, None)
                    .await?
                    .into_iter()
                    .map(|answer| (answer.id.0, answer.question)),
            );
        }
    }
    let context = Context {
        sites,
        zone,
        operators,
        prompts,
        answers,
        now,
    };
    let mut value =
        reports::report(name, &facts, &context, period).ok_or(ApiError::NotFound("report"))?;
    value["site"] = serde_json::json!(site);
    Ok(if csv {
        ReportBody::Csv(reports::csv::report_csv(name, &value))
    } else {
        ReportBody::Json(value)
    })
}
