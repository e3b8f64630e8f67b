//! What a prompt asks for and what the browser remembers, and whether a prompt may show now:
//! plain Rust, tested natively.
//!
//! Two modes: without the visitor's consent the memory is this page view's alone (held in the
//! page, never stored), apart from the prompts the visitor closed; with consent it is kept in the
//! browser across pages and visits.

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

    /// The memory of a page view starting at `now` without consent: this page view alone, and
    /// the prompts the visitor closed (kept because they asked for it).
    pub fn page_view(now: f64, stored: Memory) -> Memory {
        let mut memory = stored.dismissals_only();
        memory.visit(now);
        memory
    }

    /// Only the closed prompts: what may be stored without consent.
    pub fn dismissals_only(self) -> Memory {
        Memory {
            dismissed: self.dismissed,
            ..Memory::default()
        }
    }

    /// Consent given: this page view's memory (`page`) joins what was kept, as one more page view
    /// of the visit. (Its dismissals are kept already: they are stored without consent too.)
    pub fn keep(&mut self, page: &Memory) {
        self.visit(page.start);
        for (id, seconds) in &page.dwell {
            self.add_dwell(*id, *seconds);
        }
        for (id, times) in &page.shown {
            let before = get(&self.shown, *id).unwrap_or(0.0);
            put(&mut self.shown, *id, before + times);
        }
        for (id, variant) in &page.variants {
            if get(&self.variants, *id).is_none() {
                put(&mut self.variants, *id, *variant);
            }
        }
        if page.last.is_some() {
            self.last = page.last;
            self.view = page.view.clone();
        }
        self.seen = self.seen.max(page.seen);
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
/// often enough this visit. Without consent (`kept` false) the memory is this page view's: more
/// than one page viewed never holds, and whether the visitor is returning is unknown, so a rule
/// that asks either way does not show.
pub fn eligible(rule: &Rule, memory: &Memory, page: &Page, now: f64, kept: bool) -> bool {
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
            .is_none_or(|returning| kept && memory.returning() == returning)
}

// ----- In the browser -----

#[cfg(test)]
mod tests;
