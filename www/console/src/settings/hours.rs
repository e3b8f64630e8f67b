//! Opening hours as an admin writes them: a time zone, one line per opening span
//! (`mon 09:00-17:00`) and one line per exception (`2026-12-24 closed`,
//! `2026-12-31 09:00-12:00`). The relay checks the times and the zone; this only reads the lines.

use crate::i18n::{Text, t, tf};
use beseda_protocol::api::{BusinessHours, HoursException, OpeningSpan};

/// The lines for a site's hours: (time zone, week, exceptions).
pub fn to_text(hours: Option<&BusinessHours>) -> (String, String, String) {
    let Some(hours) = hours else {
        return (String::new(), String::new(), String::new());
    };
    let week = hours
        .weekly
        .iter()
        .map(|span| format!("{} {}-{}", span.day, span.open, span.close))
        .collect::<Vec<_>>()
        .join("\n");
    let exceptions = hours
        .exceptions
        .iter()
        .map(|exception| match (&exception.open, &exception.close) {
            (Some(open), Some(close)) => format!("{} {open}-{close}", exception.date),
            _ => format!("{} closed", exception.date),
        })
        .collect::<Vec<_>>()
        .join("\n");
    (hours.time_zone.clone(), week, exceptions)
}

fn times(text: &str, line: &str) -> Result<(String, String), String> {
    text.split_once('-')
        .map(|(open, close)| (open.trim().to_owned(), close.trim().to_owned()))
        .ok_or_else(|| tf(Text::HoursTimes, &[("line", line)]))
}

/// Reads the three fields back; no time zone means no opening hours (always open).
pub fn from_text(
    zone: &str,
    week: &str,
    exceptions: &str,
) -> Result<Option<BusinessHours>, String> {
    let zone = zone.trim();
    if zone.is_empty() {
        return if week.trim().is_empty() && exceptions.trim().is_empty() {
            Ok(None)
        } else {
            Err(t(Text::HoursZone).to_owned())
        };
    }
    let lines = |text: &str| {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let weekly = lines(week)
        .iter()
        .map(|line| {
            let (day, span) = line
                .split_once(' ')
                .ok_or_else(|| tf(Text::HoursDay, &[("line", line)]))?;
            let (open, close) = times(span, line)?;
            Ok(OpeningSpan {
                day: day.trim().to_lowercase(),
                open,
                close,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let exceptions = lines(exceptions)
        .iter()
        .map(|line| {
            let (date, rest) = line.split_once(' ').unwrap_or((line, "closed"));
            let rest = rest.trim();
            let (open, close) = if rest.eq_ignore_ascii_case("closed") {
                (None, None)
            } else {
                let (open, close) = times(rest, line)?;
                (Some(open), Some(close))
            };
            Ok(HoursException {
                date: date.trim().to_owned(),
                open,
                close,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(BusinessHours {
        time_zone: zone.to_owned(),
        weekly,
        exceptions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_hours_and_back() {
        let hours = from_text(
            " Europe/Prague ",
            "mon 09:00-17:00\n\nSat 10:00 - 12:00",
            "2026-12-24 closed\n2026-12-31 09:00-12:00\n2027-01-01",
        )
        .expect("readable")
        .expect("hours");
        assert_eq!(hours.time_zone, "Europe/Prague");
        assert_eq!(hours.weekly.len(), 2);
        assert_eq!(hours.weekly[1].day, "sat");
        assert_eq!(hours.weekly[1].open, "10:00");
        assert_eq!(hours.exceptions[0].open, None);
        assert_eq!(hours.exceptions[1].close.as_deref(), Some("12:00"));
        assert_eq!(hours.exceptions[2].date, "2027-01-01");
        let (zone, week, exceptions) = to_text(Some(&hours));
        assert_eq!(zone, "Europe/Prague");
        assert_eq!(week, "mon 09:00-17:00\nsat 10:00-12:00");
        assert_eq!(
            exceptions,
            "2026-12-24 closed\n2026-12-31 09:00-12:00\n2027-01-01 closed"
        );
    }

    #[test]
    fn no_zone_means_no_hours_and_lines_without_one_are_refused() {
        assert_eq!(from_text("", "", " "), Ok(None));
        assert!(from_text("", "mon 09:00-17:00", "").is_err());
        assert!(from_text("Europe/Prague", "mon", "").is_err());
        assert!(from_text("Europe/Prague", "mon 09:00", "").is_err());
    }
}
