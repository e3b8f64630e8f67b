//! The bound on password hashes checked at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Bounds how many password hashes are checked at once. Each argon2id check takes ~19 MiB and a
/// core for tens of milliseconds; unbounded, a burst of sign-ins takes gigabytes. At most
/// `permits` run at once (about the number of cores); a few more wait their turn; the rest are
/// refused at once.
#[derive(Debug)]
pub struct PasswordChecks {
    permits: tokio::sync::Semaphore,
    pub(super) waiting: AtomicUsize,
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
