//! Rate limits and connection caps, kept in memory.
//!
//! Each limiter is a plain map behind a `std::sync::Mutex`: the critical sections are a hash
//! lookup and an increment, never an `.await`, so a blocking mutex is cheaper than an async one.

mod connections;
mod password_checks;
mod signin;
#[cfg(test)]
mod tests;

pub use connections::{ConnectionCap, ConnectionSlot, OpenConnection, OpenConnections};
pub use password_checks::PasswordChecks;
pub use signin::{FORGET_SIGNIN_FAILURES, SigninAttempt, SigninLimiter};

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
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
