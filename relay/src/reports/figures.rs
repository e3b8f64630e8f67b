//! The figures of the reports on conversations (hours, volume, response, satisfaction,
//! operators), from the tallies and waits of [`Dated`].

use super::calendar::Calendar;
use super::{BUCKETS, Context, Dated, Period, missed, percentile};
use crate::store::reports::{AvailabilityChange, Tally, WAIT_FIRST_RESPONSE};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// Intervals `[start, end)` within `[from, to)` when the operators of `only` (all when `None`)
/// were available: at least one of them.
pub(super) fn available_intervals(
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

pub(super) fn weekday_index(date: Date) -> usize {
    usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0)
}

pub(super) fn hours(dated: &Dated, context: &Context, period: Period) -> Value {
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

pub(super) fn volume(dated: &Dated, context: &Context, period: Period) -> Value {
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

pub(super) fn response(dated: &Dated, context: &Context, period: Period) -> Value {
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
pub(super) fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The tallies of the hours whose day falls in the period, each in its site's zone.
pub(super) fn tallies_in<'a>(
    dated: &'a Dated<'a>,
    period: Period,
) -> impl Iterator<Item = &'a Tally> + 'a {
    dated.tallies.counts.iter().filter(move |tally| {
        period.contains(dated.calendars.date(&tally.site, tally.hour * 3_600_000))
    })
}

/// Ratings of the episodes resolved in a set of tallies: resolved, rated, per level, score and
/// response rate.
pub(super) fn rating_figures<'a>(tallies: impl Iterator<Item = &'a Tally>) -> Value {
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

pub(super) fn satisfaction(dated: &Dated, context: &Context, period: Period) -> Value {
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
