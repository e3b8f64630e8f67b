//! Times, numbers and durations as the console shows them, in the language on screen: clock
//! times and dates in the operator's time zone, how long a visitor has been waiting, prices.
//! The browser's `Intl` formats them, so every language writes them its own way ("14:05" and
//! "2:05 PM", "1 500" and "1,500", "2 h 5 min" and "2 Std., 5 Min."); only which units a duration
//! shows is decided here, and that part is plain Rust, tested natively.

use crate::i18n::Language;

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

/// A file's size the language's way, in powers of 1000 as the relay counts them: "870 B",
/// "12,3 kB", "4.2 MB".
pub fn file_size(language: Language, bytes: u64) -> String {
    let (value, unit) = match bytes {
        bytes if bytes < 1_000 => (bytes as f64, "byte"),
        bytes if bytes < 1_000_000 => (bytes as f64 / 1e3, "kilobyte"),
        bytes => (bytes as f64 / 1e6, "megabyte"),
    };
    format_number(
        language,
        value,
        &[
            ("style", "unit"),
            ("unit", unit),
            ("unitDisplay", "short"),
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

#[cfg(test)]
mod tests {
    use super::{Unit, duration_parts};

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
}
