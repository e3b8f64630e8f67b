//! Caps on open connections: per address, and in all.

use super::address_bucket;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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
