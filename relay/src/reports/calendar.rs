//! Days and hours in the sites' zones: [`Period`], and the [`Calendar`] of a zone over the span
//! a report reads, which places moments in days and measures business time without a time-zone
//! conversion per fact.

use super::{Context, weekday_index};
use crate::hours::Schedule;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// The days of one zone over the span a report reads, for answering "which day, which hour,
/// how much business time" with a binary search instead of a time-zone conversion per fact.
/// Moments outside the span fall back to the conversions.
pub(super) struct Calendar {
    pub(super) zone: TimeZone,
    schedule: Option<Schedule>,
    first: Date,
    /// Each day's midnight, and the end of the last day.
    midnights: Vec<i64>,
    /// Each day's opening spans as moments (empty without a schedule).
    open: Vec<Vec<(i64, i64)>>,
}

impl Calendar {
    pub(super) fn new(zone: TimeZone, schedule: Option<Schedule>, from: i64, to: i64) -> Calendar {
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
    pub(super) fn day_index(&self, at: i64) -> Option<usize> {
        if self.midnights.len() < 2 || at < self.midnights[0] || at >= *self.midnights.last()? {
            return None;
        }
        Some(self.midnights.partition_point(|midnight| *midnight <= at) - 1)
    }

    pub(super) fn date(&self, at: i64) -> Option<Date> {
        match self.day_index(at) {
            Some(index) => self
                .first
                .checked_add(jiff::Span::new().days(i64::try_from(index).ok()?))
                .ok(),
            None => date_in(&self.zone, at),
        }
    }

    /// The day, the weekday (Monday 0) and the hour of a moment.
    pub(super) fn cell(&self, at: i64) -> Option<(Date, usize, usize)> {
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
    pub(super) fn business(&self, start: i64, end: i64) -> i64 {
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
pub(super) struct Calendars {
    sites: HashMap<String, Calendar>,
    fallback: Calendar,
}

impl Calendars {
    pub(super) fn new(context: &Context, from: i64, to: i64) -> Calendars {
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

    pub(super) fn of(&self, site: &str) -> &Calendar {
        self.sites.get(site).unwrap_or(&self.fallback)
    }

    pub(super) fn date(&self, site: &str, at: i64) -> Option<Date> {
        self.of(site).date(at)
    }
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

    pub(super) fn contains(&self, date: Option<Date>) -> bool {
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
