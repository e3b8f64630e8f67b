//! Rate limits and connection caps, kept in memory.
//!
//! Each limiter is a plain map behind a `std::sync::Mutex`: the critical sections are a hash
//! lookup and an increment, never an `.await`, so a blocking mutex is cheaper than an async one.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most keys a limiter keeps. Past it, entries whose window or delay has passed are dropped,
/// and if that is not enough the oldest half goes: an attacker who makes up keys (addresses,
/// emails) can make the relay forget, never make it grow without bound.
const MAX_KEYS: usize = 100_000;

/// The address limits count by: an IPv4 address, or an IPv6 address's /64 network — one
/// household or server gets a whole /64, so counting single IPv6 addresses would count nothing.
pub fn address_bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let segments = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(
                    segments[0],
                    segments[1],
                    segments[2],
                    segments[3],
                    0,
                    0,
                    0,
                    0,
                ))
            }
        },
    }
}

/// Drops the older half of `map` by the instant `age` gives each entry.
fn drop_oldest_half<K: Hash + Eq + Clone, V>(map: &mut HashMap<K, V>, age: impl Fn(&V) -> Instant) {
    let mut instants: Vec<Instant> = map.values().map(&age).collect();
    let middle = instants.len() / 2;
    let (_, cutoff, _) = instants.select_nth_unstable(middle);
    let cutoff = *cutoff;
    map.retain(|_, value| age(value) > cutoff);
}

/// Counts events per key in fixed windows and says when a key has had too many.
#[derive(Debug)]
pub struct WindowCounter<K> {
    window: Duration,
    limit: u32,
    counts: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq + Clone> WindowCounter<K> {
    pub fn new(limit: u32, window: Duration) -> WindowCounter<K> {
        WindowCounter {
            window,
            limit,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; false when the key is over its limit in the current window
    /// (the event is then not counted).
    pub fn try_acquire(&self, key: &K) -> bool {
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= MAX_KEYS && !counts.contains_key(key) {
            // Windows that ended hold no information; drop them so the map cannot grow forever.
            counts.retain(|_, (started, _)| now.duration_since(*started) < self.window);
            if counts.len() >= MAX_KEYS {
                drop_oldest_half(&mut counts, |(started, _)| *started);
            }
        }
        let entry = counts.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Forgets a key, e.g. after a right password.
    pub fn reset(&self, key: &K) {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(key);
    }

    /// How many keys the counter holds now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

/// The first delay after the free failures, unless configured; each further failure doubles it.
#[cfg(test)]
const FIRST_SIGNIN_DELAY: Duration = Duration::from_secs(1);
/// The longest delay between two sign-in attempts.
const MAX_SIGNIN_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten this long after the last one.
const FORGET_SIGNIN_FAILURES: Duration = Duration::from_secs(60 * 60);

/// Who a failed sign-in counts against: the client's address, and the pair of the account (its
/// email, hashed, so a made-up email of any length costs 16 bytes) and the address.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum SigninKey {
    Address(IpAddr),
    Account([u8; 16], IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failed sign-ins with growing delays, per address and per (email, address). There is no limit
/// per email alone: an attacker elsewhere cannot lock the real operator out, only themselves.
///
/// An attempt is counted as a failure *before* its password is checked and forgiven when it
/// turns out right; so a burst of parallel attempts is refused past the free ones instead of all
/// being checked.
#[derive(Debug)]
pub struct SigninLimiter {
    free_per_account: u32,
    free_per_address: u32,
    first_delay: Duration,
    entries: Mutex<HashMap<SigninKey, Failures>>,
}

/// An attempt let through; tell the limiter if it succeeded.
#[derive(Debug)]
pub struct SigninAttempt {
    keys: [SigninKey; 2],
}

impl SigninLimiter {
    /// `free_per_account` failures for one email from one address, and `free_per_address` from
    /// one address over every email, before delays start at `first_delay`.
    pub fn new(
        free_per_account: u32,
        free_per_address: u32,
        first_delay: Duration,
    ) -> SigninLimiter {
        SigninLimiter {
            free_per_account,
            free_per_address,
            first_delay,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn free(&self, key: &SigninKey) -> u32 {
        match key {
            SigninKey::Address(_) => self.free_per_address,
            SigninKey::Account(..) => self.free_per_account,
        }
    }

    /// The delay a key must keep after its last failure, given how many it had.
    fn delay(&self, count: u32, free: u32) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(20);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(MAX_SIGNIN_DELAY)
    }

    /// Lets an attempt for `email` from `ip` through and counts it as a failure, or says how long
    /// the client must wait first (nothing is counted or remembered then).
    pub fn begin(&self, email: &str, ip: IpAddr) -> Result<SigninAttempt, Duration> {
        use sha2::{Digest, Sha256};
        let ip = address_bucket(ip);
        let digest = Sha256::digest(email.as_bytes());
        let mut account = [0u8; 16];
        account.copy_from_slice(&digest[..16]);
        let keys = [SigninKey::Address(ip), SigninKey::Account(account, ip)];
        let now = Instant::now();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(failures) = entries.get(key) {
                let since = now.duration_since(failures.last);
                if since < FORGET_SIGNIN_FAILURES {
                    let delay = self.delay(failures.count, self.free(key));
                    wait = wait.max(delay.saturating_sub(since));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if entries.len() + keys.len() > MAX_KEYS {
            entries
                .retain(|_, failures| now.duration_since(failures.last) < FORGET_SIGNIN_FAILURES);
            if entries.len() + keys.len() > MAX_KEYS {
                drop_oldest_half(&mut entries, |failures| failures.last);
            }
        }
        for key in keys {
            let failures = entries.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(failures.last) >= FORGET_SIGNIN_FAILURES {
                failures.count = 0;
            }
            failures.count += 1;
            failures.last = now;
        }
        Ok(SigninAttempt { keys })
    }

    /// The attempt was right: the pair forgets its failures, and the address this attempt.
    pub fn succeeded(&self, attempt: SigninAttempt) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for key in attempt.keys {
            match key {
                SigninKey::Account(..) => {
                    entries.remove(&key);
                }
                SigninKey::Address(_) => {
                    if let Some(failures) = entries.get_mut(&key) {
                        failures.count = failures.count.saturating_sub(1);
                        if failures.count == 0 {
                            entries.remove(&key);
                        }
                    }
                }
            }
        }
    }

    /// How many keys the limiter holds now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

/// Bounds how many password hashes are checked at once. Each argon2id check takes ~19 MiB and a
/// core for tens of milliseconds; unbounded, a burst of sign-ins takes gigabytes. At most
/// `permits` run at once (about the number of cores); a few more wait their turn; the rest are
/// refused at once.
#[derive(Debug)]
pub struct PasswordChecks {
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Checks done, for `/metrics`.
    pub checked: std::sync::atomic::AtomicU64,
}

/// The relay has enough password checks in hand; try again in a moment.
#[derive(Debug)]
pub struct Busy;

/// How long a check waits for its turn before it is refused.
const PASSWORD_CHECK_WAIT: Duration = Duration::from_secs(10);

impl PasswordChecks {
    pub fn new(permits: usize) -> PasswordChecks {
        let permits = permits.max(1);
        PasswordChecks {
            permits: tokio::sync::Semaphore::new(permits),
            waiting: AtomicUsize::new(0),
            max_waiting: permits * 4,
            checked: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// About one check per core.
    pub fn per_core() -> PasswordChecks {
        PasswordChecks::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Runs `check` on the blocking pool when a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = tokio::time::timeout(PASSWORD_CHECK_WAIT, self.permits.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let Ok(Ok(_permit)) = permit else {
            return Err(Busy);
        };
        self.checked.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(check).await.map_err(|_| Busy)
    }
}

/// Caps the number of open connections (HTTP and WebSocket) per address.
#[derive(Debug, Clone)]
pub struct ConnectionCap {
    limit: u32,
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// One admitted connection; dropping it frees the slot.
#[derive(Debug)]
pub struct ConnectionSlot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

impl ConnectionCap {
    /// `limit` 0 means no limit.
    pub fn new(limit: u32) -> ConnectionCap {
        ConnectionCap {
            limit,
            open: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn try_admit(&self, ip: IpAddr) -> Option<ConnectionSlot> {
        let ip = address_bucket(ip);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(ip).or_insert(0);
        if self.limit != 0 && *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            ip,
            open: self.open.clone(),
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Caps the relay's open connections as a whole, below its open-file limit: past the cap a new
/// connection is answered 503 and closed, instead of `accept` failing for everyone.
#[derive(Debug, Clone)]
pub struct OpenConnections {
    limit: usize,
    open: Arc<AtomicUsize>,
}

/// One connection counted against the relay's whole cap; dropping it frees the place.
#[derive(Debug)]
pub struct OpenConnection {
    open: Arc<AtomicUsize>,
}

impl OpenConnections {
    pub fn new(limit: usize) -> OpenConnections {
        OpenConnections {
            limit,
            open: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn try_open(&self) -> Option<OpenConnection> {
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.limit).then_some(open + 1)
            })
            .ok()
            .map(|_| OpenConnection {
                open: self.open.clone(),
            })
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counter_refuses_past_its_limit() {
        let counter = WindowCounter::new(2, Duration::from_secs(60));
        assert!(counter.try_acquire(&"a"));
        assert!(counter.try_acquire(&"a"));
        assert!(!counter.try_acquire(&"a"));
        assert!(counter.try_acquire(&"b"), "keys are counted apart");
    }

    #[test]
    fn a_window_counter_starts_over_after_its_window() {
        let counter = WindowCounter::new(1, Duration::ZERO);
        assert!(counter.try_acquire(&1));
        assert!(counter.try_acquire(&1));
    }

    #[test]
    fn connection_slots_are_freed_on_drop() {
        let cap = ConnectionCap::new(1);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let slot = cap.try_admit(ip).unwrap();
        assert!(cap.try_admit(ip).is_none());
        drop(slot);
        assert!(cap.try_admit(ip).is_some());
    }

    #[test]
    fn a_reset_forgets_and_the_keys_stay_bounded() {
        let counter = WindowCounter::new(1, Duration::from_secs(60));
        assert!(counter.try_acquire(&1));
        assert!(!counter.try_acquire(&1));
        counter.reset(&1);
        assert!(counter.try_acquire(&1));
        for key in 0..(MAX_KEYS + 10) {
            counter.try_acquire(&key);
        }
        assert!(counter.len() <= MAX_KEYS);
    }

    #[test]
    fn signin_failures_delay_the_pair_and_not_other_addresses() {
        let limiter = SigninLimiter::new(3, 10, FIRST_SIGNIN_DELAY);
        let attacker: IpAddr = [203, 0, 113, 9].into();
        let owner: IpAddr = [198, 51, 100, 7].into();
        for _ in 0..3 {
            assert!(limiter.begin("jana@shop.example", attacker).is_ok());
        }
        let wait = limiter.begin("jana@shop.example", attacker).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= FIRST_SIGNIN_DELAY);
        let attempt = limiter
            .begin("jana@shop.example", owner)
            .expect("another address is not locked out");
        limiter.succeeded(attempt);
        assert!(limiter.begin("petr@shop.example", attacker).is_ok());
    }

    #[test]
    fn signin_delays_grow_per_address_and_memory_stays_bounded() {
        let limiter = SigninLimiter::new(3, 4, FIRST_SIGNIN_DELAY);
        let attacker: IpAddr = [203, 0, 113, 9].into();
        for index in 0..4 {
            assert!(limiter.begin(&format!("{index}@x"), attacker).is_ok());
        }
        assert!(limiter.begin("other@x", attacker).is_err());
        assert_eq!(limiter.delay(4, 4), FIRST_SIGNIN_DELAY);
        assert_eq!(limiter.delay(5, 4), FIRST_SIGNIN_DELAY * 2);
        assert_eq!(limiter.delay(400, 4), MAX_SIGNIN_DELAY);
        let limiter = SigninLimiter::new(3, 3, FIRST_SIGNIN_DELAY);
        for index in 0..(MAX_KEYS as u32) {
            let ip: IpAddr = std::net::Ipv4Addr::from(index).into();
            let _ = limiter.begin("someone@x", ip);
        }
        assert!(limiter.len() <= MAX_KEYS);
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(address_bucket(one), address_bucket(two));
        assert_eq!(
            address_bucket(mapped),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn the_whole_cap_refuses_past_its_limit() {
        let cap = OpenConnections::new(1);
        let first = cap.try_open().unwrap();
        assert!(cap.try_open().is_none());
        drop(first);
        assert!(cap.try_open().is_some());
    }

    #[tokio::test]
    async fn password_checks_run_a_few_at_once_and_refuse_the_rest() {
        let checks = Arc::new(PasswordChecks::new(1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let first = tokio::spawn({
            let checks = checks.clone();
            let hold = hold.clone();
            async move {
                checks
                    .run(move || hold.lock().unwrap().recv().is_ok())
                    .await
            }
        });
        // Fill the waiting line (four per permit), then one more is refused at once.
        while checks.checked.load(Ordering::Relaxed) == 0 {
            tokio::task::yield_now().await;
        }
        let mut waiting = Vec::new();
        for _ in 0..4 {
            let checks = checks.clone();
            waiting.push(tokio::spawn(async move { checks.run(|| true).await }));
        }
        while checks.waiting.load(Ordering::Acquire) < 4 {
            tokio::task::yield_now().await;
        }
        assert!(
            checks.run(|| true).await.is_err(),
            "the fifth waiter is refused"
        );
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        for waiter in waiting {
            assert!(waiter.await.unwrap().unwrap());
        }
    }
}
