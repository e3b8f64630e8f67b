//! Wall-clock time as stored (Unix milliseconds) and as shown (ISO 8601 in UTC).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A moment every reading answers instead of the system clock; `i64::MIN` when unset.
static FIXED_NOW: AtomicI64 = AtomicI64::new(i64::MIN);

/// Makes every later reading of the clock answer `moment` (`None`: the system clock again).
/// For writing a history at chosen times through the store (the benchmark's `--history`); the
/// relay itself never sets it.
pub fn set_fixed_now(moment: Option<i64>) {
    FIXED_NOW.store(moment.unwrap_or(i64::MIN), Ordering::SeqCst);
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    let fixed = FIXED_NOW.load(Ordering::Relaxed);
    if fixed != i64::MIN {
        return fixed;
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// `2026-11-22T10:15:30.123Z` for a Unix millisecond timestamp.
pub fn iso8601(millis: i64) -> String {
    let moment = jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    moment.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_milliseconds_in_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
        assert_eq!(iso8601(1_795_000_000_000), "2026-11-18T11:06:40.000Z");
    }
}
