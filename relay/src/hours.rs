//! Opening hours (005): a site may say when it answers chats, in its own time zone, with days
//! that differ from the week (holidays). Outside them the widget is offline and says when the
//! shop is back; with nobody online inside them it is offline without a time.
//!
//! One task knows every site's state: it reads the hours, tells the hub which sites are closed
//! and until when, and sleeps until the next opening or closing anywhere (or until a site's
//! settings change).

use crate::App;
use crate::clock::{iso8601, now_millis};
use beseda_protocol::api::BusinessHours;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The most spans a week and the most exceptions a site may list.
const MAX_SPANS: usize = 50;
const MAX_EXCEPTIONS: usize = 200;
/// How far ahead the next opening is looked for.
const HORIZON_DAYS: i64 = 60;
const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// A span of one day in minutes after midnight: `open < close ≤ 1440`.
type Span = (u16, u16);

/// Opening hours, checked and ready to ask.
#[derive(Clone, Debug)]
pub struct Schedule {
    zone: TimeZone,
    weekly: [Vec<Span>; 7],
    exceptions: HashMap<Date, Vec<Span>>,
}

/// A site's state at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub open: bool,
    /// When closed: the next opening (Unix milliseconds), if there is one within the horizon.
    pub back_at: Option<i64>,
    /// The next opening or closing (Unix milliseconds).
    pub next_change: Option<i64>,
}

fn minutes(text: &str, what: &str) -> Result<u16, String> {
    let refuse = || format!("{what} is a time of day as HH:MM, e.g. 09:00 (got {text:?})");
    let (hours, mins) = text.split_once(':').ok_or_else(refuse)?;
    if hours.len() != 2 || mins.len() != 2 {
        return Err(refuse());
    }
    let hours: u16 = hours.parse().map_err(|_| refuse())?;
    let mins: u16 = mins.parse().map_err(|_| refuse())?;
    if mins > 59 || hours > 24 || (hours == 24 && mins != 0) {
        return Err(refuse());
    }
    Ok(hours * 60 + mins)
}

fn span(open: &str, close: &str) -> Result<Span, String> {
    let span = (minutes(open, "open")?, minutes(close, "close")?);
    if span.0 >= span.1 {
        return Err(format!(
            "a span closes after it opens, on the same day ({open}–{close}); use 24:00 for midnight"
        ));
    }
    Ok(span)
}

impl Schedule {
    /// Checks hours as an admin gave them; the error says what is wrong, for people.
    pub fn parse(hours: &BusinessHours) -> Result<Schedule, String> {
        let zone = TimeZone::get(hours.time_zone.trim())
            .map_err(|_| format!("unknown time zone {:?}", hours.time_zone))?;
        if hours.weekly.len() > MAX_SPANS {
            return Err(format!("at most {MAX_SPANS} opening spans a week"));
        }
        if hours.exceptions.len() > MAX_EXCEPTIONS {
            return Err(format!("at most {MAX_EXCEPTIONS} exceptions"));
        }
        let mut weekly: [Vec<Span>; 7] = Default::default();
        for entry in &hours.weekly {
            let day = DAYS
                .iter()
                .position(|(name, _)| *name == entry.day)
                .ok_or_else(|| {
                    format!(
                        "a day is one of mon, tue, wed, thu, fri, sat, sun (got {:?})",
                        entry.day
                    )
                })?;
            weekly[day].push(span(&entry.open, &entry.close)?);
        }
        let mut exceptions: HashMap<Date, Vec<Span>> = HashMap::new();
        for entry in &hours.exceptions {
            let date: Date = entry
                .date
                .parse()
                .map_err(|_| format!("a date is YYYY-MM-DD (got {:?})", entry.date))?;
            let spans = exceptions.entry(date).or_default();
            match (&entry.open, &entry.close) {
                (None, None) => {}
                (Some(open), Some(close)) => spans.push(span(open, close)?),
                _ => return Err("an exception gives both open and close, or neither".to_owned()),
            }
        }
        for spans in weekly.iter_mut().chain(exceptions.values_mut()) {
            spans.sort_unstable();
            if spans.windows(2).any(|pair| pair[0].1 > pair[1].0) {
                return Err("the spans of one day overlap".to_owned());
            }
        }
        Ok(Schedule {
            zone,
            weekly,
            exceptions,
        })
    }

    fn spans_on(&self, date: Date) -> &[Span] {
        match self.exceptions.get(&date) {
            Some(spans) => spans,
            None => {
                let day = DAYS
                    .iter()
                    .position(|(_, weekday)| *weekday == date.weekday())
                    .unwrap_or(0);
                &self.weekly[day]
            }
        }
    }

    /// The moment (Unix milliseconds) a day's minute happens in the shop's zone; a minute that a
    /// clock change skips counts as the first minute after it.
    fn moment(&self, date: Date, minute: u16) -> Option<i64> {
        let midnight = date.to_datetime(jiff::civil::Time::midnight());
        let datetime = midnight
            .checked_add(jiff::Span::new().minutes(i64::from(minute)))
            .ok()?;
        let zoned = self.zone.to_ambiguous_zoned(datetime).compatible().ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    /// The shop's time zone.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// How long the shop is open between two moments (Unix milliseconds): business time, with
    /// the exceptions (holidays) counted as they are given.
    pub fn open_millis_between(&self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        let date_of = |at: i64| {
            Timestamp::from_millisecond(at)
                .ok()
                .map(|instant| instant.to_zoned(self.zone.clone()).date())
        };
        let (Some(mut date), Some(last)) = (date_of(start), date_of(end)) else {
            return 0;
        };
        let mut open = 0;
        // A day's spans may end on the next day's moment (24:00), so the day before counts too.
        if let Ok(before) = date.checked_sub(jiff::Span::new().days(1)) {
            date = before;
        }
        while date <= last {
            for &(from, to) in self.spans_on(date) {
                if let (Some(from), Some(to)) = (self.moment(date, from), self.moment(date, to)) {
                    open += (to.min(end) - from.max(start)).max(0);
                }
            }
            let Ok(next) = date.checked_add(jiff::Span::new().days(1)) else {
                break;
            };
            date = next;
        }
        open
    }

    /// A day's opening spans as moments (Unix milliseconds), `[open, close)`, exceptions
    /// included.
    pub fn open_moments_on(&self, date: Date) -> Vec<(i64, i64)> {
        self.spans_on(date)
            .iter()
            .filter_map(|&(from, to)| Some((self.moment(date, from)?, self.moment(date, to)?)))
            .collect()
    }

    /// Whether the shop is open at `now` (Unix milliseconds), and what changes next.
    pub fn status(&self, now: i64) -> Status {
        let Ok(instant) = Timestamp::from_millisecond(now) else {
            return Status {
                open: true,
                back_at: None,
                next_change: None,
            };
        };
        let today = instant.to_zoned(self.zone.clone()).date();
        let mut open = false;
        let mut next_opening = None;
        let mut next_change = None::<i64>;
        for offset in -1..=HORIZON_DAYS {
            let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else {
                continue;
            };
            for &(start, end) in self.spans_on(date) {
                let (Some(start), Some(end)) = (self.moment(date, start), self.moment(date, end))
                else {
                    continue;
                };
                open |= start <= now && now < end;
                if start > now && next_opening.is_none_or(|next| start < next) {
                    next_opening = Some(start);
                }
                for edge in [start, end] {
                    if edge > now && next_change.is_none_or(|next| edge < next) {
                        next_change = Some(edge);
                    }
                }
            }
        }
        Status {
            open,
            back_at: if open { None } else { next_opening },
            next_change,
        }
    }
}

/// Wakes the task when a site's hours change.
#[derive(Default)]
pub struct Hours {
    wake: Notify,
}

impl Hours {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Tells the hub every site's state now; returns when the next change is due.
async fn apply(app: &App) -> Option<i64> {
    let sites = match app.store.sites().await {
        Ok(sites) => sites,
        Err(error) => {
            crate::store::health::error_unless_outage(
                &error,
                "the opening hours could not be read",
            );
            return Some(now_millis() + 1000);
        }
    };
    let now = now_millis();
    let mut next = None::<i64>;
    for site in sites {
        let status = site
            .hours
            .as_ref()
            .and_then(|hours| Schedule::parse(hours).ok())
            .map(|schedule| schedule.status(now));
        let closed = match status {
            Some(ref status) if !status.open => Some(status.back_at.map(iso8601)),
            _ => None,
        };
        app.hub.set_closed(&site.name, closed);
        if let Some(change) = status.and_then(|status| status.next_change) {
            next = Some(next.map_or(change, |next: i64| next.min(change)));
        }
    }
    next
}

pub async fn run(app: Arc<App>, hours: Arc<Hours>) {
    let mut shutdown = app.shutdown.clone();
    loop {
        let next = apply(&app).await;
        let sleep_for = next.map_or(Duration::from_secs(60 * 60), |due| {
            // A little after the edge, so that the moment counts as the new state.
            Duration::from_millis(u64::try_from(due - now_millis()).unwrap_or(0) + 5)
        });
        tokio::select! {
            () = hours.wake.notified() => {}
            () = tokio::time::sleep(app.cluster.cap_sleep(sleep_for)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::api::{HoursException, OpeningSpan};

    fn weekdays(open: &str, close: &str) -> Vec<OpeningSpan> {
        ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(|day| OpeningSpan {
                day: day.into(),
                open: open.into(),
                close: close.into(),
            })
            .collect()
    }

    fn prague(weekly: Vec<OpeningSpan>, exceptions: Vec<HoursException>) -> Schedule {
        Schedule::parse(&BusinessHours {
            time_zone: "Europe/Prague".into(),
            weekly,
            exceptions,
        })
        .expect("valid hours")
    }

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>()
            .expect("a timestamp")
            .as_millisecond()
    }

    #[test]
    fn open_on_weekdays_in_the_shops_zone() {
        let schedule = prague(weekdays("09:00", "17:00"), Vec::new());
        // Monday 23 November 2026, 08:30 UTC = 09:30 in Prague (CET, +1).
        let status = schedule.status(at("2026-11-23T08:30:00Z"));
        assert!(status.open);
        assert_eq!(status.back_at, None);
        assert_eq!(status.next_change, Some(at("2026-11-23T16:00:00Z")));
        // 07:59 UTC = 08:59 in Prague: closed, back at 09:00 local.
        let status = schedule.status(at("2026-11-23T07:59:00Z"));
        assert!(!status.open);
        assert_eq!(status.back_at, Some(at("2026-11-23T08:00:00Z")));
        // Friday evening: back on Monday.
        let status = schedule.status(at("2026-11-27T17:00:00Z"));
        assert!(!status.open);
        assert_eq!(status.back_at, Some(at("2026-11-30T08:00:00Z")));
    }

    #[test]
    fn the_zone_follows_summer_time() {
        let schedule = prague(weekdays("09:00", "17:00"), Vec::new());
        // Monday 29 June 2026: Prague is CEST (+2), so 09:00 local is 07:00 UTC.
        assert!(schedule.status(at("2026-06-29T07:00:00Z")).open);
        assert!(!schedule.status(at("2026-06-29T06:59:59Z")).open);
        // The change itself: Friday 27 March 2026 closes at 16:00 UTC (CET), and Monday
        // 30 March opens at 07:00 UTC (CEST).
        let status = schedule.status(at("2026-03-27T16:00:00Z"));
        assert_eq!(status.back_at, Some(at("2026-03-30T07:00:00Z")));
    }

    #[test]
    fn exceptions_close_a_day_or_shorten_it() {
        let schedule = prague(
            weekdays("09:00", "17:00"),
            vec![
                HoursException {
                    date: "2026-12-24".into(),
                    open: None,
                    close: None,
                },
                HoursException {
                    date: "2026-12-31".into(),
                    open: Some("09:00".into()),
                    close: Some("12:00".into()),
                },
                HoursException {
                    date: "2026-12-26".into(),
                    open: Some("10:00".into()),
                    close: Some("14:00".into()),
                },
            ],
        );
        // Thursday 24 December: closed all day, back on the 25th (a Friday) at 09:00.
        let status = schedule.status(at("2026-12-24T10:00:00Z"));
        assert!(!status.open);
        assert_eq!(status.back_at, Some(at("2026-12-25T08:00:00Z")));
        // Saturday 26 December is open by exception.
        assert!(schedule.status(at("2026-12-26T10:00:00Z")).open);
        // 31 December: open until noon only.
        assert!(schedule.status(at("2026-12-31T10:59:00Z")).open);
        assert!(!schedule.status(at("2026-12-31T11:00:00Z")).open);
    }

    #[test]
    fn several_spans_a_day_and_midnight() {
        let mut weekly = vec![
            OpeningSpan {
                day: "sat".into(),
                open: "08:00".into(),
                close: "12:00".into(),
            },
            OpeningSpan {
                day: "sat".into(),
                open: "13:00".into(),
                close: "24:00".into(),
            },
        ];
        weekly.extend(weekdays("00:00", "24:00"));
        let schedule = prague(weekly, Vec::new());
        // Saturday 28 November 2026 at 12:30 local: the lunch break.
        let status = schedule.status(at("2026-11-28T11:30:00Z"));
        assert!(!status.open);
        assert_eq!(status.back_at, Some(at("2026-11-28T12:00:00Z")));
        assert!(schedule.status(at("2026-11-28T22:59:00Z")).open);
        // Sunday: closed all day, back on Monday at midnight.
        assert_eq!(
            schedule.status(at("2026-11-29T10:00:00Z")).back_at,
            Some(at("2026-11-29T23:00:00Z"))
        );
    }

    #[test]
    fn no_spans_at_all_is_always_closed_without_a_time() {
        let schedule = prague(Vec::new(), Vec::new());
        let status = schedule.status(at("2026-11-23T10:00:00Z"));
        assert!(!status.open);
        assert_eq!(status.back_at, None);
    }

    #[test]
    fn bad_hours_are_refused_with_a_reason() {
        let base = BusinessHours {
            time_zone: "Europe/Prague".into(),
            weekly: weekdays("09:00", "17:00"),
            exceptions: Vec::new(),
        };
        let refused = |change: &dyn Fn(&mut BusinessHours)| {
            let mut hours = base.clone();
            change(&mut hours);
            Schedule::parse(&hours).expect_err("refused")
        };
        assert!(refused(&|hours| hours.time_zone = "Mars/Olympus".into()).contains("time zone"));
        assert!(refused(&|hours| hours.weekly[0].day = "monday".into()).contains("mon, tue"));
        assert!(refused(&|hours| hours.weekly[0].open = "9:00".into()).contains("HH:MM"));
        assert!(refused(&|hours| hours.weekly[0].close = "24:30".into()).contains("HH:MM"));
        assert!(refused(&|hours| hours.weekly[0].close = "08:00".into()).contains("closes after"));
        assert!(
            refused(&|hours| hours.weekly.push(OpeningSpan {
                day: "mon".into(),
                open: "16:00".into(),
                close: "18:00".into()
            }))
            .contains("overlap")
        );
        assert!(
            refused(&|hours| hours.exceptions.push(HoursException {
                date: "24.12.2026".into(),
                open: None,
                close: None
            }))
            .contains("YYYY-MM-DD")
        );
        assert!(
            refused(&|hours| hours.exceptions.push(HoursException {
                date: "2026-12-24".into(),
                open: Some("09:00".into()),
                close: None
            }))
            .contains("both")
        );
    }
}
