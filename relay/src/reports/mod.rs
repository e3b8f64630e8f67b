//! The manager's reports (`GET /api/reports/{name}`): pure functions from the facts a store
//! keeps (`store::reports`) to the figures, the same for both stores, and each report's table
//! as CSV.
//!
//! Dates are the sites' own: a day is a calendar day in the site's time zone (its opening
//! hours' zone, UTC without hours), and with all sites asked for, each conversation counts in
//! its own site's zone. Figures that are not about one site (the operators' availability) are
//! drawn in the report's zone: the site's, or for all sites the zone they share (UTC when they
//! differ). Each report holds the period asked for and the previous period of the same length.
//!
//! Definitions, chosen after the issue and the peers' (Chatwoot, LiveChat, Crisp):
//! - An *episode* is a conversation from its start or reopening to its resolution.
//! - *First response time*: from the episode's first visitor message to the first operator
//!   message after it (automatic and system messages do not count).
//! - *Resolution time*: from the episode's first visitor message (or its start) to its resolve.
//! - *Missed*: a visitor wrote and no operator answered within the site's automatic-message
//!   delay (45 s when that is off). A visitor who leaves is not known to the relay apart from
//!   their conversation (a closed widget reconnects on the next page), so "before they left" is
//!   covered by the delay: an episode resolved or still waiting past it without an answer is
//!   missed, and so is one answered only after it.
//! - Median and 90th percentile are nearest-rank: the smallest value with at least half (90 %)
//!   of the values at or below it.
//! - Business time counts only the site's opening hours (exceptions included); a site without
//!   hours is always open.
//! - Prompts count per UTC day (as their counters always have); answers per event.

mod calendar;
pub mod csv;
mod figures;
pub mod tallies;
#[cfg(test)]
mod tests;

use crate::hours::Schedule;
use crate::store::reports::{Episode, ReportFacts, Tallies, Tally, TimedWait, WAIT_FIRST_RESPONSE};
use beseda_protocol::prompts::Prompt;
use calendar::{Calendar, Calendars};
pub use calendar::{Period, date_in, days_begin_on_hours};
use figures::{
    available_intervals, count, hours, rating_figures, response, satisfaction, tallies_in, volume,
    weekday_index,
};
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The reports, by the name in their path.
pub const NAMES: [&str; 7] = [
    "hours",
    "volume",
    "response",
    "satisfaction",
    "operators",
    "prompts",
    "answers",
];

/// The longest range a report covers, in days.
pub const MAX_DAYS: i64 = 366;

/// Conversations avoided: no visitor message within this long after an answer was opened.
pub const AVOIDED_WITHIN_MILLIS: i64 = 10 * 60 * 1000;

/// The buckets of the response and resolution distributions: upper bounds in seconds (the
/// last is open-ended).
pub const BUCKETS: [(&str, i64); 8] = [
    ("under 30 s", 30),
    ("30 s to 1 min", 60),
    ("1 to 2 min", 120),
    ("2 to 5 min", 300),
    ("5 to 15 min", 900),
    ("15 to 60 min", 3600),
    ("1 to 4 h", 14_400),
    ("4 h and more", i64::MAX),
];

/// A site as the reports need it: its zone and its opening hours.
#[derive(Clone, Debug)]
pub struct SiteTime {
    pub zone: TimeZone,
    pub schedule: Option<Schedule>,
}

impl SiteTime {
    /// From a site's stored settings; hours that no longer parse count as none.
    pub fn of(hours: Option<&beseda_protocol::api::BusinessHours>) -> SiteTime {
        let schedule = hours.and_then(|hours| Schedule::parse(hours).ok());
        SiteTime {
            zone: schedule
                .as_ref()
                .map_or(TimeZone::UTC, |schedule| schedule.zone().clone()),
            schedule,
        }
    }
}

/// What a report is computed with besides the facts.
pub struct Context {
    pub sites: HashMap<String, SiteTime>,
    /// The zone of figures that belong to no site (see the module's documentation).
    pub zone: TimeZone,
    /// Every operator: id and name.
    pub operators: Vec<(i64, String)>,
    pub prompts: Vec<Prompt>,
    /// Answers: id and question.
    pub answers: Vec<(i64, String)>,
    /// Now (Unix milliseconds): an episode still waiting is missed once its delay has passed.
    pub now: i64,
}

impl Context {
    fn operator_name(&self, id: i64) -> String {
        self.operators
            .iter()
            .find(|(operator, _)| *operator == id)
            .map_or_else(|| format!("#{id}"), |(_, name)| name.clone())
    }
}

/// The facts with the calendars of their sites, for every figure of both periods.
struct Dated<'a> {
    facts: &'a ReportFacts,
    calendars: Calendars,
    /// The report's own zone's calendar (availability).
    zone: Calendar,
    /// The tallies as read, or worked out from the episodes.
    tallies: Cow<'a, Tallies>,
    /// The waits as read, or worked out from the episodes.
    waits: Cow<'a, [TimedWait]>,
}

/// The nearest-rank percentile `p` (0 to 100) of values sorted ascending.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Whether an episode is missed as of `now` (see the module's documentation).
pub fn missed(episode: &Episode, now: i64) -> bool {
    let (Some(_), Some(due)) = (episode.first_visitor_at, episode.response_due_at) else {
        return false;
    };
    match episode.first_response_at {
        Some(answered) => answered > due,
        None => episode.resolved_at.is_some() || now >= due,
    }
}

/// Computes a report of `period` and of the period before it. `None` for an unknown name.
pub fn report(name: &str, facts: &ReportFacts, context: &Context, period: Period) -> Option<Value> {
    if !NAMES.contains(&name) {
        return None;
    }
    let earliest = period.previous().unwrap_or(period).widest_millis().0 - 2 * 86_400_000;
    let latest = period.widest_millis().1 + 2 * 86_400_000;
    let calendars = Calendars::new(context, earliest, latest);
    let tallies = match &facts.tallies {
        Some(tallies) => Cow::Borrowed(tallies),
        None if matches!(name, "hours" | "volume" | "satisfaction" | "operators") => {
            Cow::Owned(tallies::from_episodes(&facts.episodes))
        }
        None => Cow::Owned(Tallies::default()),
    };
    let waits = match &facts.waits {
        Some(waits) => Cow::Borrowed(waits.as_slice()),
        None if name == "response" => Cow::Owned(TimedWait::of_episodes(&facts.episodes)),
        None => Cow::Owned(Vec::new()),
    };
    let dated = Dated {
        facts,
        calendars,
        zone: Calendar::new(context.zone.clone(), None, earliest, latest),
        tallies,
        waits,
    };
    let dated = &dated;
    let compute = |period: Period| -> Value {
        let mut figures = match name {
            "hours" => hours(dated, context, period),
            "volume" => volume(dated, context, period),
            "response" => response(dated, context, period),
            "satisfaction" => satisfaction(dated, context, period),
            "operators" => operators(dated, context, period),
            "prompts" => prompts(facts, context, period),
            "answers" => answers(dated, context, period),
            _ => Value::Null,
        };
        if let Value::Object(map) = &mut figures {
            map.insert("from".into(), json!(period.from.to_string()));
            map.insert("to".into(), json!(period.to.to_string()));
        }
        figures
    };
    let previous = period.previous().map_or(Value::Null, compute);
    Some(json!({
        "report": name,
        "current": compute(period),
        "previous": previous,
    }))
}

fn operators(dated: &Dated, context: &Context, period: Period) -> Value {
    let facts = dated.facts;
    let tallies: Vec<&Tally> = tallies_in(dated, period).collect();
    let (from, to) = period.millis_in(&context.zone);
    let mut rows = Vec::new();
    for (operator, name) in &context.operators {
        let handled: u64 = tallies
            .iter()
            .filter(|tally| tally.operator_id == *operator)
            .map(|tally| count(tally.started_new + tally.started_reopened))
            .sum();
        let messages: i64 = facts
            .hours
            .iter()
            .filter(|count| count.operator_id == *operator)
            .filter(|count| {
                period.contains(dated.calendars.date(&count.site, count.hour * 3_600_000))
            })
            .map(|count| count.messages)
            .sum();
        let mut waits: BTreeMap<i64, u64> = BTreeMap::new();
        for wait in dated.tallies.waits.iter().filter(|wait| {
            wait.operator_id == *operator
                && wait.measure == WAIT_FIRST_RESPONSE
                && period.contains(dated.calendars.date(&wait.site, wait.hour * 3_600_000))
        }) {
            *waits.entry(wait.seconds).or_default() += count(wait.count);
        }
        let available: i64 = available_intervals(&facts.availability, Some(*operator), from, to)
            .iter()
            .map(|(start, end)| end - start)
            .sum();
        let ratings = rating_figures(
            tallies
                .iter()
                .copied()
                .filter(|tally| tally.operator_id == *operator),
        );
        rows.push(json!({
            "operatorId": operator,
            "name": name,
            "conversations": handled,
            "messages": messages,
            "medianFirstResponseSeconds": tallies::percentile_of_counts(&waits, 50),
            "ratings": ratings,
            "availableSeconds": available / 1000,
        }));
    }
    json!({ "operators": rows })
}

fn prompts(facts: &ReportFacts, context: &Context, period: Period) -> Value {
    let day = crate::store::prompts::DAY_MILLIS;
    let (from, to) = period.millis_in(&TimeZone::UTC);
    let (first_day, end_day) = (from.div_euclid(day), to.div_euclid(day));
    let rows: Vec<Value> = context
        .prompts
        .iter()
        .map(|prompt| {
            let counters = facts
                .prompt_days
                .iter()
                .filter(|count| {
                    count.prompt_id == prompt.id && count.day >= first_day && count.day < end_day
                })
                .map(|count| crate::store::prompts::DayCounter {
                    variant: usize::try_from(count.variant).ok(),
                    event: Some(count.event.clone()),
                    count: u64::try_from(count.count).unwrap_or(0),
                    total: count.total,
                });
            let stats = crate::store::prompts::tally(prompt, counters);
            json!({
                "promptId": prompt.id,
                "site": prompt.site,
                "name": prompt.name,
                "variants": stats.variants,
            })
        })
        .collect();
    json!({ "prompts": rows })
}

fn answers(dated: &Dated, context: &Context, period: Period) -> Value {
    let facts = dated.facts;
    let mut opened: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    let (mut searches_without_result, mut total_opened, mut avoided) = (0u64, 0u64, 0u64);
    for event in &facts.answer_events {
        if !period.contains(dated.calendars.date(&event.site, event.at)) {
            continue;
        }
        match event.answer_id {
            None => searches_without_result += 1,
            Some(answer) => {
                let counts = opened.entry(answer).or_default();
                counts.0 += 1;
                total_opened += 1;
                // An opening counts as avoided once its ten minutes have passed without a message.
                if !event.followed_by_message && event.at + AVOIDED_WITHIN_MILLIS <= context.now {
                    counts.1 += 1;
                    avoided += 1;
                }
            }
        }
    }
    json!({
        "opened": total_opened,
        "searchesWithoutResult": searches_without_result,
        "conversationsAvoided": avoided,
        "answers": opened.into_iter().map(|(answer, (opened, avoided))| json!({
            "answerId": answer,
            "question": context.answers.iter().find(|(id, _)| *id == answer).map(|(_, question)| question.clone()),
            "opened": opened,
            "conversationsAvoided": avoided,
        })).collect::<Vec<_>>(),
    })
}
