//! When a search that found nothing is counted: once per typing burst, for the burst's final
//! search — not for every pause on the way to it.
//!
//! The widget searches at each pause in typing, so one question arrives as a run of searches
//! ("reklam", "reklamace bot", "reklamace bot velikost"). A run is one burst while each search
//! comes within [`BURST_GAP`] of the one before and begins like it (the visitor types on, or
//! corrects the end). The burst ends when a search begins differently, after a pause longer than
//! the gap, when the visitor sends their message, or when they leave. Only then is its final
//! search counted, and only if that one found nothing; opening an offered answer means the
//! visitor found what they looked for, so nothing is counted.

use std::time::{Duration, Instant};

/// The longest pause between two searches of one burst.
pub const BURST_GAP: Duration = Duration::from_secs(20);
/// Two searches of one burst begin with the same characters, this many of them.
const SAME_START_CHARS: usize = 3;

/// A search that found nothing, ready to be counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The normalised search, by which it is counted.
    pub query: String,
    /// The search as the visitor typed it.
    pub text: String,
}

/// What a search found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Found,
    Nothing,
    /// The search had no word worth looking for ("how do I"): neither found nor missed.
    NoWords,
}

/// One visitor socket's current burst.
#[derive(Debug, Default)]
pub struct Burst {
    /// The burst's latest search (normalised) and when it came.
    last: Option<(String, Instant)>,
    /// The latest search, when it found nothing.
    missed: Option<Miss>,
}

fn same_start(earlier: &str, later: &str) -> bool {
    let start = |text: &str| text.chars().take(SAME_START_CHARS).collect::<String>();
    earlier.starts_with(later) || later.starts_with(earlier) || start(earlier) == start(later)
}

impl Burst {
    /// Takes a search's outcome; returns the miss of the burst it ended, if any.
    pub fn searched(&mut self, miss: Miss, outcome: Outcome, now: Instant) -> Option<Miss> {
        let continues = self.last.as_ref().is_some_and(|(query, at)| {
            now.duration_since(*at) <= BURST_GAP && same_start(query, &miss.query)
        });
        let ended = if continues { None } else { self.missed.take() };
        self.last = Some((miss.query.clone(), now));
        self.missed = (outcome == Outcome::Nothing).then_some(miss);
        ended
    }

    /// The visitor opened an answer: this burst found something.
    pub fn opened(&mut self) {
        self.missed = None;
    }

    /// The visitor sent their message or left: the burst is over; returns its miss, if any.
    pub fn end(&mut self) -> Option<Miss> {
        self.last = None;
        self.missed.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miss(query: &str) -> Miss {
        Miss {
            query: query.to_owned(),
            text: query.to_uppercase(),
        }
    }

    #[test]
    fn only_the_final_search_of_a_burst_is_counted() {
        let mut burst = Burst::default();
        let start = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(burst.searched(miss("zel"), Outcome::Nothing, start), None);
        assert_eq!(
            burst.searched(miss("zelena"), Outcome::Nothing, start + second),
            None
        );
        assert_eq!(
            burst.searched(miss("zelena bunda"), Outcome::Nothing, start + 2 * second),
            None
        );
        assert_eq!(burst.end(), Some(miss("zelena bunda")));
        assert_eq!(burst.end(), None, "counted once");
    }

    #[test]
    fn a_burst_that_ends_on_a_find_counts_nothing() {
        let mut burst = Burst::default();
        let now = Instant::now();
        burst.searched(miss("dopravx"), Outcome::Nothing, now);
        burst.searched(miss("doprava"), Outcome::Found, now);
        assert_eq!(burst.end(), None);
        burst.searched(miss("xyz"), Outcome::Nothing, now);
        burst.opened();
        assert_eq!(
            burst.end(),
            None,
            "an opened answer was what they looked for"
        );
        burst.searched(miss("jak"), Outcome::NoWords, now);
        assert_eq!(burst.end(), None, "no words, nothing missed");
    }

    #[test]
    fn a_different_start_or_a_long_pause_begins_a_new_burst() {
        let mut burst = Burst::default();
        let now = Instant::now();
        burst.searched(miss("zelena bunda"), Outcome::Nothing, now);
        assert_eq!(
            burst.searched(miss("cervena cepice"), Outcome::Nothing, now),
            Some(miss("zelena bunda"))
        );
        let later = now + BURST_GAP + Duration::from_secs(1);
        assert_eq!(
            burst.searched(miss("cervena cepice velka"), Outcome::Found, later),
            Some(miss("cervena cepice"))
        );
        assert_eq!(burst.end(), None);
    }

    #[test]
    fn deleting_back_continues_the_burst() {
        let mut burst = Burst::default();
        let now = Instant::now();
        burst.searched(miss("reklamace botx"), Outcome::Nothing, now);
        assert_eq!(
            burst.searched(miss("re"), Outcome::Nothing, now),
            None,
            "a shorter start of the same search"
        );
        assert_eq!(burst.end(), Some(miss("re")));
    }
}
