//! Times, numbers and durations as the console shows them, in the language on screen: clock
//! times and dates in the operator's time zone, how long a visitor has been waiting, prices.
//! The browser's `Intl` formats them, so every language writes them its own way ("14:05" and
//! "2:05 PM", "1 500" and "1,500", "2 h 5 min" and "2 Std., 5 Min."); only which units a duration
//! shows is decided here, and that part is plain Rust, tested natively.

use crate::i18n::Language;
use wasm_bindgen::JsCast;

/// Milliseconds since the epoch of an ISO 8601 time, if it is one.
pub fn parse(iso: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(iso);
    (!ms.is_nan()).then_some(ms)
}

/// An `Intl` options object from string pairs.
fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (name, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object
}

fn locales(language: Language) -> js_sys::Array {
    js_sys::Array::of1(&language.code().into())
}

/// A date formatted with `Intl.DateTimeFormat` and `pairs` as its options; empty when `iso`
/// is not a time.
fn format_date(language: Language, iso: &str, pairs: &[(&str, &str)]) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return String::new();
    }
    let format = js_sys::Intl::DateTimeFormat::new(&locales(language), &options(pairs));
    format
        .format()
        .call1(&format, &date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// A number formatted with `Intl.NumberFormat` and `pairs` as its options.
fn format_number(language: Language, value: f64, pairs: &[(&str, &str)]) -> String {
    let format = js_sys::Intl::NumberFormat::new(&locales(language), &options(pairs));
    format
        .format()
        .call1(&format, &value.into())
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| value.to_string())
}

/// The local clock time of an ISO 8601 time: "14:05", "2:05 PM".
pub fn clock(language: Language, iso: &str) -> String {
    format_date(language, iso, &[("hour", "numeric"), ("minute", "2-digit")])
}

/// The local date and time of an ISO 8601 time: "31. 1. 2026 14:05", "Jan 31, 2026, 2:05 PM".
pub fn date_time(language: Language, iso: &str) -> String {
    format_date(
        language,
        iso,
        &[("dateStyle", "medium"), ("timeStyle", "short")],
    )
}

/// A weekday's short name, Monday 0: "po", "Mon", "Mo".
pub fn weekday(language: Language, index: usize) -> String {
    // 5 January 2026 was a Monday; noon keeps every zone on the same day.
    let iso = format!("2026-01-{:02}T12:00:00", 5 + index % 7);
    format_date(language, &iso, &[("weekday", "short")])
}

/// A calendar date (`YYYY-MM-DD`) short, without the year: "6. 12.", "12/6".
pub fn day_month(language: Language, date: &str) -> String {
    let shown = format_date(
        language,
        &format!("{date}T12:00:00"),
        &[("day", "numeric"), ("month", "numeric")],
    );
    if shown.is_empty() {
        date.to_owned()
    } else {
        shown
    }
}

/// A calendar date (`YYYY-MM-DD`) in full: "6. 12. 2026", "Dec 6, 2026".
pub fn date(language: Language, date: &str) -> String {
    let shown = format_date(
        language,
        &format!("{date}T12:00:00"),
        &[("dateStyle", "medium")],
    );
    if shown.is_empty() {
        date.to_owned()
    } else {
        shown
    }
}

/// A share (0 to 1) as a percentage: "42 %", "42%".
pub fn percent(language: Language, share: f64) -> String {
    format_number(
        language,
        share,
        &[("style", "percent"), ("maximumFractionDigits", "1")],
    )
}

/// A number as the language writes it: "1 500,5", "1,500.5", "1.500,5".
pub fn number(language: Language, value: f64) -> String {
    format_number(language, value, &[])
}

/// A file's size the language's way, in powers of 1000 as the relay counts them: "870 bytes",
/// "12,3 kB", "4.2 MB". Bytes are written out, as a short "byte" reads wrong in English and
/// the word counts in the Slavic languages.
pub fn file_size(language: Language, bytes: u64) -> String {
    let (value, unit, display) = match bytes {
        bytes if bytes < 1_000 => (bytes as f64, "byte", "long"),
        bytes if bytes < 1_000_000 => (bytes as f64 / 1e3, "kilobyte", "short"),
        bytes => (bytes as f64 / 1e6, "megabyte", "short"),
    };
    format_number(
        language,
        value,
        &[
            ("style", "unit"),
            ("unit", unit),
            ("unitDisplay", display),
            ("maximumFractionDigits", "1"),
        ],
    )
}

/// A price with the shop's currency code after it, as the shop gave it: two decimals unless
/// whole, the decimal sign and grouping the language's (grouped from five digits, as Czech
/// writes them, so "2490 CZK" but "12 490,50 CZK" in Czech and "12,490.50 CZK" in English).
pub fn money(language: Language, amount: f64, currency: &str) -> String {
    let digits = if amount.fract() == 0.0 { "0" } else { "2" };
    let amount = format_number(
        language,
        amount,
        &[
            ("minimumFractionDigits", digits),
            ("maximumFractionDigits", "2"),
            ("useGrouping", "min2"),
        ],
    );
    format!("{amount} {}", currency.trim()).trim().to_owned()
}

/// A unit a duration is shown in, by its `Intl` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Second,
    Minute,
    Hour,
    Day,
}

impl Unit {
    fn intl_name(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
        }
    }
}

/// Which units a duration in milliseconds is shown in: the largest sensible one, and below
/// an hour only one: `45 s`, `12 min`, `2 h 5 min`, `3 d 4 h`.
pub fn duration_parts(ms: f64) -> Vec<(u64, Unit)> {
    let seconds = (ms.max(0.0) / 1000.0).floor() as u64;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    if seconds < 60 {
        vec![(seconds, Unit::Second)]
    } else if minutes < 60 {
        vec![(minutes, Unit::Minute)]
    } else if hours < 24 {
        vec![(hours, Unit::Hour), (minutes % 60, Unit::Minute)]
    } else {
        vec![(days, Unit::Day), (hours % 24, Unit::Hour)]
    }
}

/// A duration in milliseconds, short, each unit as the language abbreviates it.
pub fn duration(language: Language, ms: f64) -> String {
    duration_parts(ms)
        .into_iter()
        .map(|(amount, unit)| {
            format_number(
                language,
                amount as f64,
                &[
                    ("style", "unit"),
                    ("unit", unit.intl_name()),
                    ("unitDisplay", "short"),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A calendar date without a zone: what "today" is somewhere, and the days counted from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
}

impl CivilDate {
    pub fn new(year: i32, month: u32, day: u32) -> CivilDate {
        CivilDate { year, month, day }
    }

    /// Days since 1 January 1970 (negative before it), in the proleptic Gregorian calendar.
    fn epoch_days(self) -> i64 {
        // Counted in eras of 400 years that start on 1 March, so that a leap day is the last
        // day of its year.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    fn from_epoch_days(days: i64) -> CivilDate {
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        CivilDate {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: month as u32,
            day: day as u32,
        }
    }

    /// The date `days` days before this one.
    pub fn days_before(self, days: u32) -> CivilDate {
        CivilDate::from_epoch_days(self.epoch_days() - i64::from(days))
    }

    /// Its ISO 8601 week as a week input and the relay write it: `2026-W49`. A week starts on
    /// Monday and belongs to the year its Thursday is in.
    pub fn iso_week(self) -> String {
        let days = self.epoch_days();
        // 1 January 1970 was a Thursday: Monday is 0.
        let weekday = (days + 3).rem_euclid(7);
        let thursday = CivilDate::from_epoch_days(days - weekday + 3);
        let first = CivilDate::new(thursday.year, 1, 1).epoch_days();
        let week = (days - weekday + 3 - first) / 7 + 1;
        format!("{:04}-W{week:02}", thursday.year)
    }
}

impl std::fmt::Display for CivilDate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

/// Today's date in an IANA time zone (`Europe/Prague`), as `Intl` knows the zone's rules; in
/// the browser's own zone without one, or when the browser does not know the zone.
pub fn today_in(zone: Option<&str>) -> CivilDate {
    zone.and_then(date_in_zone).unwrap_or_else(|| {
        let now = js_sys::Date::new_0();
        CivilDate::new(
            now.get_full_year() as i32,
            now.get_month() + 1,
            now.get_date(),
        )
    })
}

/// Today in `zone` from `Intl.DateTimeFormat`'s parts; none for a zone it refuses (the
/// constructor throws a RangeError, caught here).
fn date_in_zone(zone: &str) -> Option<CivilDate> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let arguments = js_sys::Array::of2(
        &"en-US".into(),
        &options(&[
            ("timeZone", zone),
            ("year", "numeric"),
            ("month", "numeric"),
            ("day", "numeric"),
        ])
        .into(),
    );
    let format: js_sys::Intl::DateTimeFormat = js_sys::Reflect::construct(&constructor, &arguments)
        .ok()?
        .unchecked_into();
    let parts = format.format_to_parts(&js_sys::Date::new_0());
    let part = |kind: &str| {
        parts.iter().find_map(|part| {
            let found = js_sys::Reflect::get(&part, &"type".into())
                .ok()?
                .as_string()?;
            (found == kind)
                .then(|| {
                    js_sys::Reflect::get(&part, &"value".into())
                        .ok()?
                        .as_string()
                })
                .flatten()
        })
    };
    Some(CivilDate::new(
        part("year")?.parse().ok()?,
        part("month")?.parse().ok()?,
        part("day")?.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::{CivilDate, Unit, duration_parts};

    #[test]
    fn durations_use_the_largest_sensible_unit() {
        assert_eq!(duration_parts(-5.0), [(0, Unit::Second)]);
        assert_eq!(duration_parts(45_900.0), [(45, Unit::Second)]);
        assert_eq!(duration_parts(60_000.0), [(1, Unit::Minute)]);
        assert_eq!(
            duration_parts(59.0 * 60_000.0 + 59_000.0),
            [(59, Unit::Minute)]
        );
        assert_eq!(
            duration_parts(125.0 * 60_000.0),
            [(2, Unit::Hour), (5, Unit::Minute)]
        );
        assert_eq!(
            duration_parts(76.0 * 3_600_000.0),
            [(3, Unit::Day), (4, Unit::Hour)]
        );
    }

    #[test]
    fn days_are_counted_back_across_months_years_and_leap_days() {
        let date = CivilDate::new;
        assert_eq!(date(2026, 12, 6).days_before(0), date(2026, 12, 6));
        assert_eq!(date(2026, 12, 6).days_before(6), date(2026, 11, 30));
        assert_eq!(date(2026, 1, 3).days_before(29), date(2025, 12, 5));
        assert_eq!(date(2024, 3, 1).days_before(1), date(2024, 2, 29));
        assert_eq!(date(2026, 3, 1).days_before(1), date(2026, 2, 28));
        assert_eq!(date(2000, 3, 1).days_before(1), date(2000, 2, 29));
        assert_eq!(date(2100, 3, 1).days_before(1), date(2100, 2, 28));
        assert_eq!(date(1970, 1, 1).days_before(1), date(1969, 12, 31));
        assert_eq!(date(2026, 12, 31).days_before(365), date(2025, 12, 31));
        assert_eq!(date(2026, 7, 4).to_string(), "2026-07-04");
    }

    #[test]
    fn iso_weeks_start_on_monday_and_belong_to_their_thursdays_year() {
        let date = CivilDate::new;
        // 2026 began on a Thursday: 29 December 2025 opened its first week, and it has 53.
        assert_eq!(date(2025, 12, 28).iso_week(), "2025-W52");
        assert_eq!(date(2025, 12, 29).iso_week(), "2026-W01");
        assert_eq!(date(2026, 1, 4).iso_week(), "2026-W01");
        assert_eq!(date(2026, 1, 5).iso_week(), "2026-W02");
        assert_eq!(date(2026, 11, 30).iso_week(), "2026-W49");
        assert_eq!(date(2026, 12, 6).iso_week(), "2026-W49");
        assert_eq!(date(2026, 12, 7).iso_week(), "2026-W50");
        assert_eq!(date(2026, 12, 31).iso_week(), "2026-W53");
        assert_eq!(date(2027, 1, 3).iso_week(), "2026-W53");
        assert_eq!(date(2027, 1, 4).iso_week(), "2027-W01");
        // 1 January 2021 was a Friday: in the last week of 2020.
        assert_eq!(date(2021, 1, 1).iso_week(), "2020-W53");
    }
}
