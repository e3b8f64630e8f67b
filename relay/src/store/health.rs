//! [`StoreHealth`]: whether the storage takes writes now, and how often it did not.
//!
//! A full disk or a restarting database fails every write for a while; the log should say so
//! once when it starts and once when it ends, not once per message, and `/healthz` should tell a
//! balancer to steer away meanwhile. Every write's outcome passes through [`StoreHealth::failed`]
//! or [`StoreHealth::succeeded`]; an episode lasts from the first temporary failure to the next
//! write that succeeds.

use crate::store::Outage;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The storage's failures so far, and the episode under way, if any.
#[derive(Debug, Default)]
pub struct StoreHealth {
    /// Temporary failures by kind, in [`Outage::ALL`]'s order.
    failures: [AtomicU64; Outage::ALL.len()],
    /// The episode under way. A mutex, not atomics: an episode's start and end are rare, and its
    /// fields change together.
    episode: Mutex<Option<Episode>>,
}

/// A run of failed writes with no success between them.
#[derive(Clone, Copy, Debug)]
struct Episode {
    outage: Outage,
    failed_writes: u64,
    since: Instant,
}

impl StoreHealth {
    /// A write failed for a reason that passes; `detail` is for the log only.
    pub fn failed(&self, outage: Outage, detail: &str) {
        let index = Outage::ALL
            .iter()
            .position(|kind| *kind == outage)
            .unwrap_or(0);
        self.failures[index].fetch_add(1, Ordering::Relaxed);
        let mut episode = self.lock();
        match episode.as_mut() {
            Some(episode) => {
                episode.failed_writes += 1;
                episode.outage = outage;
            }
            None => {
                tracing::error!(
                    %outage,
                    detail,
                    "storage unavailable: writes are answered `unavailable` until one succeeds"
                );
                *episode = Some(Episode {
                    outage,
                    failed_writes: 1,
                    since: Instant::now(),
                });
            }
        }
    }

    /// A write succeeded: the episode under way, if any, is over.
    pub fn succeeded(&self) {
        let mut episode = self.lock();
        if let Some(ended) = episode.take() {
            tracing::warn!(
                outage = %ended.outage,
                failed_writes = ended.failed_writes,
                seconds = ended.since.elapsed().as_secs(),
                "storage available again"
            );
        }
    }

    /// Why writes fail now, if they do: the last failure's kind.
    pub fn outage(&self) -> Option<Outage> {
        self.lock().map(|episode| episode.outage)
    }

    /// The failures of each kind so far.
    pub fn failures(&self) -> impl Iterator<Item = (Outage, u64)> + '_ {
        Outage::ALL
            .iter()
            .zip(&self.failures)
            .map(|(outage, count)| (*outage, count.load(Ordering::Relaxed)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Episode>> {
        self.episode
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Logs a failed background store call as a warning, unless it failed of an outage: the store's
/// health tells of an outage once, and a task that tries every second would repeat it.
pub fn warn_unless_outage(error: &crate::store::StoreError, what: &str) {
    if error.kind() == crate::store::ErrorKind::Unavailable {
        tracing::debug!(%error, "{what}");
    } else {
        tracing::warn!(%error, "{what}");
    }
}

/// [`warn_unless_outage`], for a failure that is an error when it is not an outage.
pub fn error_unless_outage(error: &crate::store::StoreError, what: &str) {
    if error.kind() == crate::store::ErrorKind::Unavailable {
        tracing::debug!(%error, "{what}");
    } else {
        tracing::error!(%error, "{what}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_episode_lasts_from_the_first_failure_to_the_next_success() {
        let health = StoreHealth::default();
        assert_eq!(health.outage(), None);
        health.failed(Outage::DiskFull, "database or disk is full");
        health.failed(Outage::DiskFull, "database or disk is full");
        assert_eq!(health.outage(), Some(Outage::DiskFull));
        health.succeeded();
        assert_eq!(health.outage(), None);
        let counted: Vec<(Outage, u64)> = health.failures().filter(|(_, n)| *n > 0).collect();
        assert_eq!(counted, [(Outage::DiskFull, 2)]);
    }
}
