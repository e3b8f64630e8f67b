//! The sign-in limiter: failures counted per (account, address) and per address, with growing
//! delays once the free failures are used up.

use super::{MAX_KEYS, address_bucket, drop_oldest_half};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first delay after the free failures, unless configured; each further failure doubles it.
#[cfg(test)]
pub(super) const FIRST_SIGNIN_DELAY: Duration = Duration::from_secs(1);
/// The longest delay between two sign-in attempts.
pub(super) const MAX_SIGNIN_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten this long after the last one.
pub const FORGET_SIGNIN_FAILURES: Duration = Duration::from_secs(60 * 60);

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

    /// The attempt's keys as the cluster's shared table names them, each with its free failures.
    pub fn shared_keys(&self, attempt: &SigninAttempt) -> [(String, u32); 2] {
        attempt.keys.map(|key| {
            let name = match key {
                SigninKey::Address(ip) => format!("signin {ip}"),
                SigninKey::Account(account, ip) => {
                    format!("signin {} {ip}", crate::auth::to_hex(&account))
                }
            };
            (name, self.free(&key))
        })
    }

    /// The delay a key must keep after its last failure, given how many it had.
    pub(crate) fn delay(&self, count: u32, free: u32) -> Duration {
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
    pub(super) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}
