//! The limits every relay counts together: visitor messages a minute, new conversations an hour
//! and sign-in failures (with the same growing delays) are also counted in the UNLOGGED
//! `rate_windows` table, so that a client spreading over the relays gains nothing. Each relay's
//! own in-memory limiter is asked first; the shared count only adds to it, and a failed shared
//! count never refuses (the database being slow is no reason to lock people out).

use super::Cluster;
use crate::limits::{FORGET_SIGNIN_FAILURES, SigninAttempt, SigninLimiter};
use std::time::Duration;

impl Cluster {
    /// Counts one event for `key` in the cluster's shared window; false when the key has had
    /// `limit` in the current window (then nothing is counted). Always true on SQLite, where the
    /// relay's own counters are the whole count.
    pub async fn allow(&self, key: String, limit: u32, window: Duration) -> bool {
        let Some(shared) = &self.shared else {
            return true;
        };
        let window = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let limit = i64::from(limit);
        let counted = shared
            .store
            .with_connection(move |client| async move {
                // A new window, or one more in the current one if it has room.
                let row = client
                    .query_opt(
                        "INSERT INTO rate_windows AS w (key, window_start, count) VALUES ($1, $2, 1) \
                         ON CONFLICT (key) DO UPDATE SET \
                           window_start = CASE WHEN w.window_start <= $2 - $3 THEN $2 ELSE w.window_start END, \
                           count = CASE WHEN w.window_start <= $2 - $3 THEN 1 ELSE w.count + 1 END \
                         WHERE w.window_start <= $2 - $3 OR w.count < $4 \
                         RETURNING count",
                        &[&key, &crate::clock::now_millis(), &window, &limit],
                    )
                    .await?;
                Ok(row.is_some())
            })
            .await;
        counted.unwrap_or_else(|error| {
            // The relay's own counter has let it through; a failed shared count does not refuse.
            crate::store::health::warn_unless_outage(
                &error,
                "the shared limit could not be counted",
            );
            true
        })
    }

    /// Counts a sign-in attempt (let through by this relay's limiter) against the failures all
    /// relays have seen for its keys, with the same growing delays; `Err` with the wait when
    /// they are too many (nothing is counted then). Always `Ok` on SQLite.
    pub async fn signin_begin(
        &self,
        limiter: &SigninLimiter,
        attempt: &SigninAttempt,
    ) -> Result<(), Duration> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let keys = limiter.shared_keys(attempt);
        let names: Vec<String> = keys.iter().map(|(name, _)| name.clone()).collect();
        let forget = i64::try_from(FORGET_SIGNIN_FAILURES.as_millis()).unwrap_or(i64::MAX);
        let now = crate::clock::now_millis();
        let read_names = names.clone();
        let stored = shared
            .store
            .with_connection(move |client| async move {
                let rows = client
                    .query(
                        "SELECT key, count, window_start FROM rate_windows WHERE key = ANY($1)",
                        &[&read_names],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|row| {
                        (
                            row.get::<_, String>(0),
                            row.get::<_, i64>(1),
                            row.get::<_, i64>(2),
                        )
                    })
                    .collect::<Vec<_>>())
            })
            .await;
        let stored = match stored {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(%error, "the shared sign-in failures could not be read");
                return Ok(());
            }
        };
        let mut wait = Duration::ZERO;
        for (name, count, last) in stored {
            let since = u64::try_from(now - last).unwrap_or(0);
            if i64::try_from(since).unwrap_or(i64::MAX) >= forget {
                continue;
            }
            let free = keys
                .iter()
                .find(|(key, _)| *key == name)
                .map_or(0, |(_, free)| *free);
            let delay = limiter.delay(u32::try_from(count).unwrap_or(u32::MAX), free);
            wait = wait.max(delay.saturating_sub(Duration::from_millis(since)));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        let counted = shared
            .store
            .with_connection(move |client| async move {
                client
                    .execute(
                        "INSERT INTO rate_windows AS w (key, window_start, count)                          SELECT key, $2, 1 FROM UNNEST($1::text[]) AS keys(key)                          ON CONFLICT (key) DO UPDATE SET window_start = $2,                            count = CASE WHEN w.window_start <= $2 - $3 THEN 1 ELSE w.count + 1 END",
                        &[&names, &now, &forget],
                    )
                    .await?;
                Ok(())
            })
            .await;
        if let Err(error) = counted {
            crate::store::health::warn_unless_outage(
                &error,
                "a sign-in attempt could not be counted for the cluster",
            );
        }
        Ok(())
    }

    /// The attempt was right: its account key forgets its failures on every relay, and its
    /// address this attempt.
    pub async fn signin_succeeded(&self, limiter: &SigninLimiter, attempt: &SigninAttempt) {
        let Some(shared) = &self.shared else {
            return;
        };
        let [(address, _), (account, _)] = limiter.shared_keys(attempt);
        let forgotten = shared
            .store
            .with_connection(move |client| async move {
                client
                    .execute("DELETE FROM rate_windows WHERE key = $1", &[&account])
                    .await?;
                client
                    .execute(
                        "UPDATE rate_windows SET count = GREATEST(count - 1, 0) WHERE key = $1",
                        &[&address],
                    )
                    .await?;
                Ok(())
            })
            .await;
        if let Err(error) = forgotten {
            tracing::warn!(%error, "a right sign-in could not be forgiven for the cluster");
        }
    }
}
