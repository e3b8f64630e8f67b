//! Per-socket rates of the visitor frames that store or broadcast something without being a
//! message: page views, typing, profile and cart updates, searches.
//!
//! Each socket has a token bucket per kind of frame, owned by the socket's task alone (no lock):
//! a short burst passes, a steady stream past the rate is refused. Refusals have a bucket of
//! their own; a socket that runs it dry is flooding far past every rate and is closed.

use std::time::Instant;

/// A token bucket: holds at most `burst` tokens and gains `per_minute` tokens a minute.
#[derive(Debug)]
pub struct Bucket {
    burst: f64,
    per_second: f64,
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(burst: u32, per_minute: u32, now: Instant) -> Bucket {
        Bucket {
            burst: f64::from(burst),
            per_second: f64::from(per_minute) / 60.0,
            tokens: f64::from(burst),
            updated: now,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The kinds of frames a visitor socket may send only so often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    Page,
    Typing,
    Profile,
    Cart,
    Search,
}

impl FrameKind {
    const ALL: [FrameKind; 5] = [
        FrameKind::Page,
        FrameKind::Typing,
        FrameKind::Profile,
        FrameKind::Cart,
        FrameKind::Search,
    ];

    /// (burst, per minute). A widget sends a page per navigation, typing only when the composer
    /// turns empty or not, a search when typing pauses (300 ms), profile and cart when the
    /// shop's page calls `setVisitor` or `setCart`: people stay well within these. Searches
    /// that run also count per visitor (60 a minute, in `answers`); this rate, twice that,
    /// never refuses what that limit allows, and bounds the search frames it does not count
    /// (too long, or empty once normalised), which still cost a parse and an answer.
    fn rate(self) -> (u32, u32) {
        match self {
            FrameKind::Page => (10, 30),
            FrameKind::Typing => (5, 120),
            FrameKind::Profile | FrameKind::Cart => (5, 10),
            FrameKind::Search => (120, 120),
        }
    }

    fn name(self) -> &'static str {
        match self {
            FrameKind::Page => "page views",
            FrameKind::Typing => "typing updates",
            FrameKind::Profile => "profile updates",
            FrameKind::Cart => "cart updates",
            FrameKind::Search => "searches",
        }
    }

    /// The message of the error frame that refuses a frame of this kind.
    pub fn refusal(self) -> String {
        let (_, per_minute) = self.rate();
        format!(
            "at most {per_minute} {} a minute on one connection; wait a moment",
            self.name()
        )
    }
}

/// Refusals a socket may run up at once before it is closed...
const REFUSALS_BURST: u32 = 50;
/// ...and how many more it may have each minute.
const REFUSALS_PER_MINUTE: u32 = 60;

/// What to do with a frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Past its rate: refuse this frame, keep the socket.
    Refused,
    /// Far past every rate: close the socket.
    Flooding,
}

/// One socket's buckets.
#[derive(Debug)]
pub struct FrameRates {
    buckets: [Bucket; 5],
    refusals: Bucket,
}

impl FrameRates {
    pub fn new() -> FrameRates {
        let now = Instant::now();
        FrameRates {
            buckets: FrameKind::ALL.map(|kind| {
                let (burst, per_minute) = kind.rate();
                Bucket::new(burst, per_minute, now)
            }),
            refusals: Bucket::new(REFUSALS_BURST, REFUSALS_PER_MINUTE, now),
        }
    }

    /// Counts a frame of `kind` and says whether it may pass.
    pub fn check(&mut self, kind: FrameKind) -> Verdict {
        self.check_at(kind, Instant::now())
    }

    fn check_at(&mut self, kind: FrameKind, now: Instant) -> Verdict {
        let index = FrameKind::ALL
            .iter()
            .position(|other| *other == kind)
            .unwrap_or_default();
        if self.buckets[index].try_take(now) {
            Verdict::Allowed
        } else if self.refusals.try_take(now) {
            Verdict::Refused
        } else {
            Verdict::Flooding
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_lets_a_burst_pass_then_refills_at_its_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::new(3, 60, start);
        assert!((0..3).all(|_| bucket.try_take(start)));
        assert!(!bucket.try_take(start));
        assert!(!bucket.try_take(start + Duration::from_millis(900)));
        assert!(bucket.try_take(start + Duration::from_millis(1000)));
        // Never more than the burst, however long it rested.
        let later = start + Duration::from_secs(3600);
        assert!((0..3).all(|_| bucket.try_take(later)));
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn each_kind_has_its_own_bucket_and_floods_close() {
        let start = Instant::now();
        let mut rates = FrameRates::new();
        for _ in 0..10 {
            assert_eq!(rates.check_at(FrameKind::Page, start), Verdict::Allowed);
        }
        assert_eq!(rates.check_at(FrameKind::Page, start), Verdict::Refused);
        assert_eq!(rates.check_at(FrameKind::Cart, start), Verdict::Allowed);
        for _ in 1..REFUSALS_BURST {
            assert_eq!(rates.check_at(FrameKind::Page, start), Verdict::Refused);
        }
        assert_eq!(rates.check_at(FrameKind::Page, start), Verdict::Flooding);
    }

    #[test]
    fn refusals_say_which_rate() {
        assert_eq!(
            FrameKind::Page.refusal(),
            "at most 30 page views a minute on one connection; wait a moment"
        );
    }
}
