//! Rate limits and connection caps, kept in memory.
//!
//! Each limiter is a plain map behind a `std::sync::Mutex`: the critical sections are a hash
//! lookup and an increment, never an `.await`, so a blocking mutex is cheaper than an async one.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
        self.update(key, true)
    }

    /// Whether `key` is already at its limit, without counting anything.
    pub fn is_exhausted(&self, key: &K) -> bool {
        !self.update(key, false)
    }

    /// Forgets a key, e.g. after a successful sign-in.
    pub fn reset(&self, key: &K) {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(key);
    }

    fn update(&self, key: &K, count: bool) -> bool {
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() > 10_000 {
            // Windows that ended hold no information; drop them so the map cannot grow forever.
            counts.retain(|_, (started, _)| now.duration_since(*started) < self.window);
        }
        let entry = counts.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        if count {
            entry.1 += 1;
        }
        true
    }
}

/// Caps the number of open WebSocket connections per IP address.
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
        counter.reset(&"a");
        assert!(!counter.is_exhausted(&"a"));
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
}
