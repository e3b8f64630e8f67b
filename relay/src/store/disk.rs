//! The watch of the room left on the database's disk: a warning before writes start failing.
//!
//! A full disk is handled (writes are answered `unavailable` until space returns), but an
//! operator would rather hear of it before: the watch measures the database's filesystem every
//! `--disk-check-interval`, keeps the figure for `/metrics` and logs once each time the room
//! falls below `--disk-warn-bytes`, and once when it is back above.

use crate::store::StoreStats;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The bytes an unprivileged process may still write on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let stats = rustix::fs::statvfs(path)?;
    Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// The directory whose filesystem holds the database file (the file itself may not exist yet).
fn holder(db: &Path) -> PathBuf {
    match db.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Measures the database's disk now and then until the relay stops (the task is dropped with
/// the runtime); `warn_below` of 0 measures without warning.
pub fn spawn_watch(db: &Path, warn_below: u64, every: Duration, stats: Arc<StoreStats>) {
    let directory = holder(db);
    tokio::spawn(async move {
        let mut low = false;
        let mut ticks = tokio::time::interval(every.max(Duration::from_millis(100)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let measured = {
                let directory = directory.clone();
                tokio::task::spawn_blocking(move || free_bytes(&directory)).await
            };
            let free = match measured {
                Ok(Ok(free)) => free,
                Ok(Err(error)) => {
                    tracing::debug!(%error, "cannot measure the database's disk");
                    continue;
                }
                Err(_) => continue,
            };
            stats
                .disk_free_bytes
                .store(i64::try_from(free).unwrap_or(i64::MAX), Ordering::Relaxed);
            let now_low = warn_below > 0 && free < warn_below;
            if now_low && !low {
                tracing::warn!(
                    free_bytes = free,
                    threshold = warn_below,
                    "the database's disk is nearly full: free space, or writes will fail"
                );
            } else if low && !now_low {
                tracing::info!(free_bytes = free, "the database's disk has room again");
            }
            low = now_low;
        }
    });
}
