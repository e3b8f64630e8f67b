//! Times as the console shows them: clock times in the operator's time zone and how long a
//! visitor has been waiting.

/// Milliseconds since the epoch of an ISO 8601 time, if it is one.
pub fn parse(iso: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(iso);
    (!ms.is_nan()).then_some(ms)
}

/// The local clock time of an ISO 8601 time, as HH:MM.
pub fn clock(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The local date and time of an ISO 8601 time, e.g. `2026-01-31 14:05`.
pub fn date_time(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A duration in milliseconds, short: `45 s`, `12 min`, `2 h 05 min`, `3 d 4 h`.
pub fn duration(ms: f64) -> String {
    let seconds = (ms.max(0.0) / 1000.0).floor() as u64;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    if seconds < 60 {
        format!("{seconds} s")
    } else if minutes < 60 {
        format!("{minutes} min")
    } else if hours < 24 {
        format!("{hours} h {:02} min", minutes % 60)
    } else {
        format!("{days} d {} h", hours % 24)
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_use_the_largest_sensible_unit() {
        assert_eq!(duration(-5.0), "0 s");
        assert_eq!(duration(45_900.0), "45 s");
        assert_eq!(duration(60_000.0), "1 min");
        assert_eq!(duration(59.0 * 60_000.0 + 59_000.0), "59 min");
        assert_eq!(duration(125.0 * 60_000.0), "2 h 05 min");
        assert_eq!(duration(76.0 * 3_600_000.0), "3 d 4 h");
    }
}
