//! What a prompt asks for and what the browser remembers, and whether a prompt may show now:
//! plain Rust, tested natively.

/// A visit (session) ends after this long without a page view or a tick, in milliseconds.
const SESSION_GAP_MS: f64 = 30.0 * 60.0 * 1000.0;
const DAY_MS: f64 = 86_400_000.0;
/// A conversation counts for the prompt last shown within this time…
const TALK_WINDOW_MS: f64 = DAY_MS;
/// …and an order within this one.
const ORDER_WINDOW_MS: f64 = 7.0 * DAY_MS;

/// One prompt as the widget needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pub id: i64,
    /// `(text, weight)` of each variant.
    pub variants: Vec<(String, f64)>,
    pub url_pattern: Option<String>,
    pub seconds_on_page: Option<f64>,
    pub min_pages: Option<f64>,
    pub min_dwell: Option<f64>,
    pub exit_intent: bool,
    pub cart_min_total: Option<f64>,
    pub returning: Option<bool>,
    pub dismiss_days: f64,
    pub per_session: f64,
    /// Per variant, the signed view id the relay gave to report its events with.
    pub views: Vec<String>,
}

/// The last prompt shown: `(id, variant, when, whether a conversation was counted for it)`.
pub type LastShown = (i64, u32, f64, bool);

/// What this browser remembers about prompts, for one site.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Memory {
    /// The first page view ever, and this visit's first and latest activity (ms).
    pub first: f64,
    pub start: f64,
    pub seen: f64,
    /// Pages viewed this visit.
    pub pages: f64,
    /// Seconds on pages matching each prompt's pattern, this visit.
    pub dwell: Vec<(i64, f64)>,
    /// Times each prompt showed, this visit.
    pub shown: Vec<(i64, f64)>,
    /// Each prompt's variant for this visitor, kept for good.
    pub variants: Vec<(i64, f64)>,
    /// Until when each dismissed prompt stays away (ms).
    pub dismissed: Vec<(i64, f64)>,
    pub last: Option<LastShown>,
    /// The signed view id of the last prompt shown, which its conversation and order are
    /// reported with (kept after the numbers, as text).
    pub view: String,
}

fn get(pairs: &[(i64, f64)], id: i64) -> Option<f64> {
    pairs
        .iter()
        .find(|(key, _)| *key == id)
        .map(|(_, value)| *value)
}

fn put(pairs: &mut Vec<(i64, f64)>, id: i64, value: f64) {
    match pairs.iter_mut().find(|(key, _)| *key == id) {
        Some(pair) => pair.1 = value,
        None => pairs.push((id, value)),
    }
}

impl Memory {
    /// A page view at `now`: a new visit after a long pause.
    pub fn visit(&mut self, now: f64) {
        if self.first == 0.0 {
            self.first = now;
        }
        if self.start == 0.0 || now - self.seen > SESSION_GAP_MS {
            self.start = now;
            self.pages = 0.0;
            self.dwell.clear();
            self.shown.clear();
        }
        self.pages += 1.0;
        self.seen = now;
    }

    /// Whether this visitor came before, in an earlier visit.
    pub fn returning(&self) -> bool {
        self.first < self.start
    }

    pub fn dismiss(&mut self, id: i64, days: f64, now: f64) {
        put(&mut self.dismissed, id, now + days * DAY_MS);
    }

    pub fn dismissed(&self, id: i64, now: f64) -> bool {
        get(&self.dismissed, id).is_some_and(|until| now < until)
    }

    pub fn add_dwell(&mut self, id: i64, seconds: f64) {
        let before = get(&self.dwell, id).unwrap_or(0.0);
        put(&mut self.dwell, id, before + seconds);
    }

    /// The visitor's variant of `rule`: the kept one, or a new one drawn by weight from
    /// `random` (0 ≤ random < 1) and kept.
    pub fn variant(&mut self, rule: &Rule, random: f64) -> u32 {
        if let Some(kept) = get(&self.variants, rule.id)
            && (kept as usize) < rule.variants.len()
        {
            return kept as u32;
        }
        let total: f64 = rule.variants.iter().map(|(_, weight)| weight).sum();
        let mut left = random * total;
        let mut chosen = rule.variants.len().saturating_sub(1);
        for (index, (_, weight)) in rule.variants.iter().enumerate() {
            if left < *weight {
                chosen = index;
                break;
            }
            left -= weight;
        }
        put(&mut self.variants, rule.id, chosen as f64);
        chosen as u32
    }

    /// Counts a prompt shown now, with the view id its events are reported with.
    pub fn shown(&mut self, id: i64, variant: u32, view: &str, now: f64) {
        let before = get(&self.shown, id).unwrap_or(0.0);
        put(&mut self.shown, id, before + 1.0);
        self.last = Some((id, variant, now, false));
        self.view = view.to_owned();
    }

    /// The prompt a conversation started now counts for (once).
    pub fn talked(&mut self, now: f64) -> Option<(i64, u32)> {
        match &mut self.last {
            Some((id, variant, at, talked)) if !*talked && now - *at <= TALK_WINDOW_MS => {
                *talked = true;
                Some((*id, *variant))
            }
            _ => None,
        }
    }

    /// The memory as a flat list of numbers, for `localStorage`.
    pub fn to_numbers(&self) -> Vec<f64> {
        let (id, variant, at, talked) = self.last.unwrap_or((0, 0, 0.0, false));
        let mut numbers = vec![
            self.first,
            self.start,
            self.seen,
            self.pages,
            id as f64,
            f64::from(variant),
            at,
            f64::from(u8::from(talked)),
        ];
        for pairs in [&self.dwell, &self.shown, &self.variants, &self.dismissed] {
            numbers.push(pairs.len() as f64);
            for (id, value) in pairs {
                numbers.push(*id as f64);
                numbers.push(*value);
            }
        }
        numbers
    }

    /// The memory read back; anything malformed reads as what it can, the rest as new.
    pub fn from_numbers(numbers: &[f64]) -> Memory {
        let mut read = numbers.iter().copied();
        let mut next = move || read.next().unwrap_or(0.0);
        let mut memory = Memory {
            first: next(),
            start: next(),
            seen: next(),
            pages: next(),
            ..Memory::default()
        };
        let (id, variant, at, talked) = (next() as i64, next() as u32, next(), next() != 0.0);
        memory.last = (id != 0).then_some((id, variant, at, talked));
        for pairs in [
            &mut memory.dwell,
            &mut memory.shown,
            &mut memory.variants,
            &mut memory.dismissed,
        ] {
            let count = next().clamp(0.0, 1000.0) as usize;
            for _ in 0..count {
                pairs.push((next() as i64, next()));
            }
        }
        memory
    }

    /// The prompt an order placed now counts for.
    pub fn ordered(&self, now: f64) -> Option<(i64, u32)> {
        self.last
            .filter(|(_, _, at, _)| now - at <= ORDER_WINDOW_MS)
            .map(|(id, variant, _, _)| (id, variant))
    }
}

/// `*` matches any characters (none included); everything else itself.
pub fn url_matches(pattern: &str, url: &str) -> bool {
    // Byte by byte, with backtracking to the last star: small code, no panicking slices.
    let (pattern, url) = (pattern.as_bytes(), url.as_bytes());
    let (mut p, mut u) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while u < url.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, u));
            p += 1;
        } else if p < pattern.len() && pattern[p] == url[u] {
            p += 1;
            u += 1;
        } else if let Some((star_p, star_u)) = star {
            p = star_p + 1;
            u = star_u + 1;
            star = Some((star_p, star_u + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

/// The page as the triggers see it.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Path and query, e.g. `/products/jacket?colour=red`.
    pub path: String,
    pub href: String,
    /// Seconds spent on this page (visible).
    pub seconds: f64,
    pub cart_total: f64,
    /// The pointer is leaving the top of the window (desktop) right now.
    pub exit: bool,
}

impl Page {
    pub fn matches(&self, pattern: &str) -> bool {
        if pattern.starts_with("http") {
            url_matches(pattern, &self.href)
        } else {
            url_matches(pattern, &self.path)
        }
    }
}

/// Whether every trigger `rule` gives holds, and the visitor has not closed it nor seen it
/// often enough this visit.
pub fn eligible(rule: &Rule, memory: &Memory, page: &Page, now: f64) -> bool {
    let at_least = |wanted: Option<f64>, have: f64| wanted.is_none_or(|wanted| have >= wanted);
    !memory.dismissed(rule.id, now)
        && get(&memory.shown, rule.id).unwrap_or(0.0) < rule.per_session
        && rule
            .url_pattern
            .as_deref()
            .is_none_or(|pattern| page.matches(pattern))
        && at_least(rule.seconds_on_page, page.seconds)
        && at_least(rule.min_pages, memory.pages)
        && at_least(rule.min_dwell, get(&memory.dwell, rule.id).unwrap_or(0.0))
        && (!rule.exit_intent || page.exit)
        && at_least(rule.cart_min_total, page.cart_total)
        && rule
            .returning
            .is_none_or(|returning| memory.returning() == returning)
}

// ----- In the browser -----

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule {
            id: 1,
            variants: vec![("A".into(), 1.0), ("B".into(), 3.0)],
            dismiss_days: 7.0,
            per_session: 1.0,
            ..Rule::default()
        }
    }

    const T0: f64 = 1_800_000_000_000.0;

    #[test]
    fn patterns_match_with_stars_only() {
        assert!(url_matches("/products/*", "/products/jacket?c=red"));
        assert!(!url_matches("/products/*", "/cart"));
        assert!(url_matches("/cart", "/cart"));
        assert!(!url_matches("/cart", "/cart/checkout"));
        assert!(url_matches("*jacket*", "/products/winter-jacket-2"));
        assert!(url_matches("/*/checkout", "/eshop/checkout"));
        assert!(!url_matches("/*/checkout", "/eshop/checkout/done"));
        assert!(url_matches("*", "/anything"));
        assert!(url_matches("*", ""));
        assert!(!url_matches("/a", ""));
        assert!(url_matches("/a*b*c", "/aXbYbZc"));
        assert!(!url_matches("/a*b*c", "/aXbYbZ"));
        assert!(url_matches("/ž*", "/žluťoučký"));
    }

    #[test]
    fn every_given_trigger_must_hold() {
        let mut memory = Memory::default();
        memory.visit(T0);
        let page = Page {
            path: "/products/jacket".into(),
            seconds: 30.0,
            cart_total: 1200.0,
            ..Page::default()
        };
        assert!(
            eligible(&rule(), &memory, &page, T0),
            "no triggers: at once"
        );
        let timed = Rule {
            url_pattern: Some("/products/*".into()),
            seconds_on_page: Some(20.0),
            cart_min_total: Some(1000.0),
            ..rule()
        };
        assert!(eligible(&timed, &memory, &page, T0));
        let early = Page {
            seconds: 19.0,
            ..page.clone()
        };
        assert!(!eligible(&timed, &memory, &early, T0));
        let small_cart = Page {
            cart_total: 999.0,
            ..page.clone()
        };
        assert!(!eligible(&timed, &memory, &small_cart, T0));
        let elsewhere = Page {
            path: "/cart".into(),
            ..page.clone()
        };
        assert!(!eligible(&timed, &memory, &elsewhere, T0));
        let leaving = Rule {
            exit_intent: true,
            ..rule()
        };
        assert!(!eligible(&leaving, &memory, &page, T0));
        let exit = Page {
            exit: true,
            ..page.clone()
        };
        assert!(eligible(&leaving, &memory, &exit, T0));
        let browsing = Rule {
            min_pages: Some(3.0),
            ..rule()
        };
        assert!(!eligible(&browsing, &memory, &page, T0));
        memory.visit(T0 + 1000.0);
        memory.visit(T0 + 2000.0);
        assert!(eligible(&browsing, &memory, &page, T0));
    }

    #[test]
    fn visits_dwell_and_returning_visitors() {
        let mut memory = Memory::default();
        memory.visit(T0);
        let returning = Rule {
            returning: Some(true),
            ..rule()
        };
        let new_only = Rule {
            returning: Some(false),
            ..rule()
        };
        let page = Page::default();
        assert!(!eligible(&returning, &memory, &page, T0));
        assert!(eligible(&new_only, &memory, &page, T0));
        let dwell = Rule {
            url_pattern: Some("*".into()),
            min_dwell: Some(60.0),
            ..rule()
        };
        memory.add_dwell(1, 59.0);
        assert!(!eligible(&dwell, &memory, &page, T0));
        memory.add_dwell(1, 1.0);
        assert!(eligible(&dwell, &memory, &page, T0));
        // Half an hour later a new visit starts: pages and dwell start again, and the visitor
        // is a returning one.
        memory.visit(T0 + SESSION_GAP_MS + 1.0);
        assert_eq!(memory.pages, 1.0);
        assert!(!eligible(&dwell, &memory, &page, T0));
        assert!(eligible(&returning, &memory, &page, T0));
        assert!(!eligible(&new_only, &memory, &page, T0));
    }

    #[test]
    fn dismissal_lasts_its_days_and_shows_are_capped_per_visit() {
        let mut memory = Memory::default();
        memory.visit(T0);
        let page = Page::default();
        memory.dismiss(1, 7.0, T0);
        assert!(!eligible(&rule(), &memory, &page, T0 + 6.9 * DAY_MS));
        assert!(eligible(&rule(), &memory, &page, T0 + 7.0 * DAY_MS));
        let mut memory = Memory::default();
        memory.visit(T0);
        memory.shown(1, 0, "p1.1.0", T0);
        assert!(!eligible(&rule(), &memory, &page, T0));
        let twice = Rule {
            per_session: 2.0,
            ..rule()
        };
        assert!(eligible(&twice, &memory, &page, T0));
        memory.visit(T0 + SESSION_GAP_MS + 1.0);
        assert!(eligible(&rule(), &memory, &page, T0));
    }

    #[test]
    fn the_memory_reads_back_as_it_was_written() {
        let mut memory = Memory::default();
        memory.visit(T0);
        memory.add_dwell(3, 12.0);
        memory.shown(3, 1, "p1.3.1", T0 + 5.0);
        memory.dismiss(4, 7.0, T0);
        memory.variant(&rule(), 0.9);
        let mut read = Memory::from_numbers(&memory.to_numbers());
        assert_eq!(read.view, "", "the view id is kept apart, as text");
        read.view = memory.view.clone();
        assert_eq!(read, memory);
        assert_eq!(Memory::from_numbers(&[]), Memory::default());
        // A cut-off record gives what it holds and nothing made up.
        let cut = Memory::from_numbers(&memory.to_numbers()[..10]);
        assert_eq!((cut.first, cut.pages, cut.dwell.len()), (T0, 1.0, 1));
    }

    #[test]
    fn variants_are_drawn_by_weight_and_kept() {
        let mut memory = Memory::default();
        assert_eq!(
            memory.variant(&rule(), 0.2),
            0,
            "A covers the first quarter"
        );
        assert_eq!(memory.variant(&rule(), 0.9), 0, "kept");
        let mut memory = Memory::default();
        assert_eq!(memory.variant(&rule(), 0.25), 1);
        assert_eq!(memory.variant(&rule(), 0.0), 1, "kept");
    }

    #[test]
    fn a_conversation_counts_once_and_orders_within_a_week() {
        let mut memory = Memory::default();
        assert_eq!(memory.talked(T0), None);
        memory.shown(1, 1, "p1.1.1", T0);
        assert_eq!(memory.view, "p1.1.1");
        assert_eq!(memory.talked(T0 + 1000.0), Some((1, 1)));
        assert_eq!(memory.talked(T0 + 2000.0), None, "once");
        assert_eq!(memory.ordered(T0 + 6.0 * DAY_MS), Some((1, 1)));
        assert_eq!(memory.ordered(T0 + 8.0 * DAY_MS), None);
        let mut late = Memory::default();
        late.shown(2, 0, "p1.2.0", T0);
        assert_eq!(late.talked(T0 + 2.0 * DAY_MS), None);
    }
}
