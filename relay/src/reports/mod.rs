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

pub mod csv;
pub mod tallies;
#[cfg(test)]
mod tests;

use crate::hours::Schedule;
use crate::store::reports::{
    AvailabilityChange, Episode, ReportFacts, Tallies, Tally, TimedWait, WAIT_FIRST_RESPONSE,
};
use beseda_protocol::prompts::Prompt;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
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

/// The days of one zone over the span a report reads, for answering "which day, which hour,
/// how much business time" with a binary search instead of a time-zone conversion per fact.
/// Moments outside the span fall back to the conversions.
struct Calendar {
    zone: TimeZone,
    schedule: Option<Schedule>,
    first: Date,
    /// Each day's midnight, and the end of the last day.
    midnights: Vec<i64>,
    /// Each day's opening spans as moments (empty without a schedule).
    open: Vec<Vec<(i64, i64)>>,
}

impl Calendar {
    fn new(zone: TimeZone, schedule: Option<Schedule>, from: i64, to: i64) -> Calendar {
        let first = date_in(&zone, from).unwrap_or_default();
        let mut midnights = Vec::new();
        let mut open = Vec::new();
        let mut date = first;
        while let Some(start) = midnight(&zone, date) {
            midnights.push(start);
            if start > to {
                break;
            }
            open.push(
                schedule
                    .as_ref()
                    .map(|schedule| schedule.open_moments_on(date))
                    .unwrap_or_default(),
            );
            match date.checked_add(jiff::Span::new().days(1)) {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        Calendar {
            zone,
            schedule,
            first,
            midnights,
            open,
        }
    }

    /// The index of the day a moment falls in, if within the span.
    fn day_index(&self, at: i64) -> Option<usize> {
        if self.midnights.len() < 2 || at < self.midnights[0] || at >= *self.midnights.last()? {
            return None;
        }
        Some(self.midnights.partition_point(|midnight| *midnight <= at) - 1)
    }

    fn date(&self, at: i64) -> Option<Date> {
        match self.day_index(at) {
            Some(index) => self
                .first
                .checked_add(jiff::Span::new().days(i64::try_from(index).ok()?))
                .ok(),
            None => date_in(&self.zone, at),
        }
    }

    /// The day, the weekday (Monday 0) and the hour of a moment.
    fn cell(&self, at: i64) -> Option<(Date, usize, usize)> {
        if let Some(index) = self.day_index(at) {
            let start = self.midnights[index];
            // A day of 24 hours: the hour is arithmetic; a day of a clock change is not.
            if self.midnights[index + 1] - start == 86_400_000 {
                let date = self.date(at)?;
                let hour = usize::try_from((at - start) / 3_600_000).ok()?;
                return Some((date, weekday_index(date), hour));
            }
        }
        let zoned = Timestamp::from_millisecond(at)
            .ok()?
            .to_zoned(self.zone.clone());
        Some((
            zoned.date(),
            weekday_index(zoned.date()),
            usize::try_from(zoned.hour()).ok()?,
        ))
    }

    /// Business time between two moments: the opening hours' overlap with them.
    fn business(&self, start: i64, end: i64) -> i64 {
        let Some(schedule) = &self.schedule else {
            return (end - start).max(0);
        };
        match (self.day_index(start), self.day_index(end)) {
            (Some(first), Some(last)) if end > start => self.open[first..=last]
                .iter()
                .flatten()
                .map(|(from, to)| ((*to).min(end) - (*from).max(start)).max(0))
                .sum(),
            _ => schedule.open_millis_between(start, end),
        }
    }
}

/// The calendars of the sites, and of the report's own zone for anything else.
struct Calendars {
    sites: HashMap<String, Calendar>,
    fallback: Calendar,
}

impl Calendars {
    fn new(context: &Context, from: i64, to: i64) -> Calendars {
        Calendars {
            sites: context
                .sites
                .iter()
                .map(|(name, site)| {
                    (
                        name.clone(),
                        Calendar::new(site.zone.clone(), site.schedule.clone(), from, to),
                    )
                })
                .collect(),
            fallback: Calendar::new(context.zone.clone(), None, from, to),
        }
    }

    fn of(&self, site: &str) -> &Calendar {
        self.sites.get(site).unwrap_or(&self.fallback)
    }

    fn date(&self, site: &str, at: i64) -> Option<Date> {
        self.of(site).date(at)
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

/// A calendar day of a moment in a zone.
pub fn date_in(zone: &TimeZone, at: i64) -> Option<Date> {
    Timestamp::from_millisecond(at)
        .ok()
        .map(|instant| instant.to_zoned(zone.clone()).date())
}

/// The moment a day begins in a zone (Unix milliseconds).
pub fn midnight(zone: &TimeZone, date: Date) -> Option<i64> {
    zone.to_ambiguous_zoned(date.to_datetime(Time::midnight()))
        .compatible()
        .ok()
        .map(|zoned| zoned.timestamp().as_millisecond())
}

/// Whether every day from `from` to `to` (and two days on either side) begins on an hour of UTC
/// in each of the zones: then the hourly tallies fall into whole days of each zone, and the
/// reports can read them instead of the episodes.
pub fn days_begin_on_hours(zones: &[&TimeZone], from: Date, to: Date) -> bool {
    let margin = jiff::Span::new().days(2);
    let (Ok(first), Ok(last)) = (from.checked_sub(margin), to.checked_add(margin)) else {
        return false;
    };
    let mut seen: Vec<Option<&str>> = Vec::new();
    for zone in zones {
        if seen.contains(&zone.iana_name()) && zone.iana_name().is_some() {
            continue;
        }
        seen.push(zone.iana_name());
        let days = Period {
            from: first,
            to: last,
        }
        .dates();
        if !days
            .into_iter()
            .all(|date| midnight(zone, date).is_some_and(|at| at % 3_600_000 == 0))
        {
            return false;
        }
    }
    true
}

/// A range of days, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The period of the same length just before this one.
    pub fn previous(&self) -> Option<Period> {
        let days = self.days();
        Some(Period {
            from: self.from.checked_sub(jiff::Span::new().days(days)).ok()?,
            to: self.from.checked_sub(jiff::Span::new().days(1)).ok()?,
        })
    }

    /// How many days it has.
    pub fn days(&self) -> i64 {
        i64::from((self.to - self.from).get_days()) + 1
    }

    fn contains(&self, date: Option<Date>) -> bool {
        date.is_some_and(|date| self.from <= date && date <= self.to)
    }

    /// Every day of it, in order.
    pub fn dates(&self) -> Vec<Date> {
        let mut dates = Vec::new();
        let mut date = self.from;
        while date <= self.to {
            dates.push(date);
            match date.checked_add(jiff::Span::new().days(1)) {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        dates
    }

    /// The moments (Unix milliseconds) that can fall in it in some zone: a day's margin on
    /// either side, which covers every zone's offset.
    pub fn widest_millis(&self) -> (i64, i64) {
        let start = midnight(&TimeZone::UTC, self.from).unwrap_or(0) - 86_400_000;
        let end = midnight(&TimeZone::UTC, self.to).unwrap_or(0) + 2 * 86_400_000;
        (start, end)
    }

    /// The moments it spans in one zone, `[start, end)`.
    pub fn millis_in(&self, zone: &TimeZone) -> (i64, i64) {
        let start = midnight(zone, self.from).unwrap_or(0);
        let end = self
            .to
            .checked_add(jiff::Span::new().days(1))
            .ok()
            .and_then(|next| midnight(zone, next))
            .unwrap_or(start);
        (start, end)
    }
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

/// Intervals `[start, end)` within `[from, to)` when the operators of `only` (all when `None`)
/// were available: at least one of them.
fn available_intervals(
    changes: &[AvailabilityChange],
    only: Option<i64>,
    from: i64,
    to: i64,
) -> Vec<(i64, i64)> {
    let mut online: HashMap<i64, bool> = HashMap::new();
    let mut intervals = Vec::new();
    let mut since: Option<i64> = None;
    for change in changes
        .iter()
        .filter(|change| only.is_none_or(|id| id == change.operator_id))
    {
        let at = change.at.clamp(from, to);
        online.insert(change.operator_id, change.online);
        let any = online.values().any(|online| *online);
        match (since, any) {
            (None, true) => since = Some(at),
            (Some(start), false) => {
                if at > start {
                    intervals.push((start, at));
                }
                since = None;
            }
            _ => {}
        }
    }
    if let Some(start) = since
        && to > start
    {
        intervals.push((start, to));
    }
    intervals
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday_index(date: Date) -> usize {
    usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0)
}

fn hours(dated: &Dated, context: &Context, period: Period) -> Value {
    let facts = dated.facts;
    let mut conversations = [[0u64; 24]; 7];
    let mut messages = [[0u64; 24]; 7];
    let mut covered = [[0u64; 24]; 7];
    let mut occurrences = [[0u64; 24]; 7];
    for tally in &dated.tallies.counts {
        let started = count(tally.started_new + tally.started_reopened);
        if started > 0
            && let Some((date, day, hour)) =
                dated.calendars.of(&tally.site).cell(tally.hour * 3_600_000)
            && period.contains(Some(date))
        {
            conversations[day][hour] += started;
        }
    }
    for count in facts.hours.iter().filter(|count| count.operator_id == 0) {
        if let Some((date, day, hour)) =
            dated.calendars.of(&count.site).cell(count.hour * 3_600_000)
            && period.contains(Some(date))
        {
            messages[day][hour] += u64::try_from(count.messages).unwrap_or(0);
        }
    }
    let (from, to) = period.millis_in(&context.zone);
    let intervals = available_intervals(&facts.availability, None, from, to);
    let mut hour_start = from;
    let mut next_interval = 0;
    while hour_start < to {
        let hour_end = hour_start + 3_600_000;
        if let Some((_, day, hour)) = dated.zone.cell(hour_start) {
            occurrences[day][hour] += 1;
            while next_interval < intervals.len() && intervals[next_interval].1 <= hour_start {
                next_interval += 1;
            }
            if intervals
                .get(next_interval)
                .is_some_and(|(start, _)| *start < hour_end)
            {
                covered[day][hour] += 1;
            }
        }
        hour_start = hour_end;
    }
    let cells: Vec<Value> = (0..7)
        .flat_map(|day| (0..24).map(move |hour| (day, hour)))
        .map(|(day, hour)| {
            json!({
                "weekday": WEEKDAYS[day],
                "hour": hour,
                "conversations": conversations[day][hour],
                "visitorMessages": messages[day][hour],
                "hoursAvailable": covered[day][hour],
                "hoursInRange": occurrences[day][hour],
            })
        })
        .collect();
    json!({ "zone": context.zone.iana_name().unwrap_or("UTC"), "cells": cells })
}

fn volume(dated: &Dated, context: &Context, period: Period) -> Value {
    let mut days: BTreeMap<Date, [u64; 5]> = period
        .dates()
        .into_iter()
        .map(|date| (date, [0; 5]))
        .collect();
    for tally in &dated.tallies.counts {
        if let Some(date) = dated.calendars.date(&tally.site, tally.hour * 3_600_000)
            && let Some(counts) = days.get_mut(&date)
        {
            counts[0] += count(tally.started_new);
            counts[1] += count(tally.started_reopened);
            counts[2] += count(tally.resolved);
            counts[3] += count(tally.missed);
            counts[4] += count(tally.contacts);
        }
    }
    // Those still waiting for an answer are missed once their delay has passed.
    for episode in &dated.tallies.waiting {
        if missed(episode, context.now)
            && let Some(date) = dated.calendars.date(&episode.site, episode.started_at)
            && let Some(counts) = days.get_mut(&date)
        {
            counts[3] += 1;
        }
    }
    let mut totals = [0u64; 5];
    let rows: Vec<Value> = days
        .iter()
        .map(|(date, counts)| {
            for (total, count) in totals.iter_mut().zip(counts) {
                *total += count;
            }
            json!({
                "date": date.to_string(),
                "new": counts[0],
                "reopened": counts[1],
                "resolved": counts[2],
                "missed": counts[3],
                "contactForms": counts[4],
            })
        })
        .collect();
    json!({
        "days": rows,
        "totals": {
            "new": totals[0],
            "reopened": totals[1],
            "resolved": totals[2],
            "missed": totals[3],
            "contactForms": totals[4],
        },
    })
}

/// Median, 90th percentile and distribution of durations (milliseconds).
fn summary(mut values: Vec<i64>) -> Value {
    values.sort_unstable();
    let mut buckets = [0u64; BUCKETS.len()];
    for value in &values {
        let seconds = value / 1000;
        let index = BUCKETS
            .iter()
            .position(|(_, below)| seconds < *below)
            .unwrap_or(BUCKETS.len() - 1);
        buckets[index] += 1;
    }
    json!({
        "count": values.len(),
        "medianSeconds": percentile(&values, 50).map(|value| value / 1000),
        "p90Seconds": percentile(&values, 90).map(|value| value / 1000),
        "buckets": BUCKETS.iter().zip(buckets).map(|((label, _), count)| json!({
            "bucket": label, "count": count,
        })).collect::<Vec<_>>(),
    })
}

fn response(dated: &Dated, context: &Context, period: Period) -> Value {
    // First responses (operator, wall clock, business time) of the episodes started in the
    // period; resolutions (wall clock, business time) of those resolved in it.
    let mut responses: Vec<(Option<i64>, i64, i64)> = Vec::new();
    let mut resolutions: Vec<(i64, i64)> = Vec::new();
    // Each site's period as moments, so that placing a wait is two comparisons.
    let mut spans: HashMap<&str, (&Calendar, i64, i64)> = HashMap::new();
    for wait in dated.waits.iter() {
        let (calendar, start, end) = *spans.entry(wait.site.as_str()).or_insert_with(|| {
            let calendar = dated.calendars.of(&wait.site);
            let (start, end) = period.millis_in(&calendar.zone);
            (calendar, start, end)
        });
        if wait.at < start || wait.at >= end {
            continue;
        }
        let times = (wait.to - wait.from, calendar.business(wait.from, wait.to));
        if wait.measure == WAIT_FIRST_RESPONSE {
            responses.push((wait.operator_id, times.0, times.1));
        } else {
            resolutions.push(times);
        }
    }
    let mut per_operator: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for (operator, wall, business) in &responses {
        if let Some(operator) = operator {
            per_operator
                .entry(*operator)
                .or_default()
                .push((*wall, *business));
        }
    }
    json!({
        "firstResponse": {
            "wallClock": summary(responses.iter().map(|(_, wall, _)| *wall).collect()),
            "businessTime": summary(responses.iter().map(|(_, _, business)| *business).collect()),
        },
        "resolution": {
            "wallClock": summary(resolutions.iter().map(|(wall, _)| *wall).collect()),
            "businessTime": summary(resolutions.iter().map(|(_, business)| *business).collect()),
        },
        "operators": per_operator.into_iter().map(|(operator, times)| {
            let mut wall: Vec<i64> = times.iter().map(|(wall, _)| *wall).collect();
            let mut business: Vec<i64> = times.iter().map(|(_, business)| *business).collect();
            wall.sort_unstable();
            business.sort_unstable();
            json!({
                "operatorId": operator,
                "name": context.operator_name(operator),
                "count": times.len(),
                "medianSeconds": percentile(&wall, 50).map(|value| value / 1000),
                "p90Seconds": percentile(&wall, 90).map(|value| value / 1000),
                "businessMedianSeconds": percentile(&business, 50).map(|value| value / 1000),
                "businessP90Seconds": percentile(&business, 90).map(|value| value / 1000),
            })
        }).collect::<Vec<_>>(),
    })
}

/// A counter as the reports give it (a tally's counters never end below zero).
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The tallies of the hours whose day falls in the period, each in its site's zone.
fn tallies_in<'a>(dated: &'a Dated<'a>, period: Period) -> impl Iterator<Item = &'a Tally> + 'a {
    dated.tallies.counts.iter().filter(move |tally| {
        period.contains(dated.calendars.date(&tally.site, tally.hour * 3_600_000))
    })
}

/// Ratings of the episodes resolved in a set of tallies: resolved, rated, per level, score and
/// response rate.
fn rating_figures<'a>(tallies: impl Iterator<Item = &'a Tally>) -> Value {
    let (mut resolved, mut satisfied, mut neutral, mut dissatisfied) = (0u64, 0u64, 0u64, 0u64);
    for tally in tallies {
        resolved += count(tally.resolved);
        satisfied += count(tally.satisfied);
        neutral += count(tally.neutral);
        dissatisfied += count(tally.dissatisfied);
    }
    let rated = satisfied + neutral + dissatisfied;
    let ratio = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
    json!({
        "resolved": resolved,
        "rated": rated,
        "satisfied": satisfied,
        "neutral": neutral,
        "dissatisfied": dissatisfied,
        "score": ratio(satisfied, rated),
        "responseRate": ratio(rated, resolved),
    })
}

fn satisfaction(dated: &Dated, context: &Context, period: Period) -> Value {
    let tallies: Vec<&Tally> = tallies_in(dated, period).collect();
    let mut per_operator: BTreeMap<i64, Vec<&Tally>> = BTreeMap::new();
    for tally in &tallies {
        if tally.operator_id != 0 && tally.resolved != 0 {
            per_operator
                .entry(tally.operator_id)
                .or_default()
                .push(tally);
        }
    }
    let comments: Vec<Value> = dated
        .tallies
        .commented
        .iter()
        .filter(|episode| {
            let calendar = dated.calendars.of(&episode.site);
            period.contains(episode.resolved_at.and_then(|at| calendar.date(at)))
        })
        .filter_map(|episode| {
            let comment = episode.rating_comment.as_deref()?;
            Some(json!({
                "conversationId": episode.conversation_id,
                "rating": episode.rating,
                "comment": comment,
                "operatorId": episode.operator_id,
            }))
        })
        .collect();
    let mut figures = rating_figures(tallies.iter().copied());
    if let Value::Object(map) = &mut figures {
        map.insert(
            "operators".into(),
            per_operator
                .into_iter()
                .map(|(operator, tallies)| {
                    let mut row = rating_figures(tallies.into_iter());
                    if let Value::Object(row) = &mut row {
                        row.insert("operatorId".into(), json!(operator));
                        row.insert("name".into(), json!(context.operator_name(operator)));
                    }
                    row
                })
                .collect(),
        );
        map.insert("comments".into(), Value::Array(comments));
    }
    figures
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
