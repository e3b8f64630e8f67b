//! Operator sessions after sign-in: whether a token still opens one (not expired, not idle for
//! too long, its operator not disabled), recording its use cheaply, and the open console sockets
//! of each session, so that a session that ends (sign out, a password change, a disabled
//! operator) closes its sockets at once: a socket is authenticated only by its hello, so without
//! this it would stay open, and keep receiving every message, until it dropped by itself.

use crate::App;
use crate::clock::now_millis;
use crate::store::StoreError;
use beseda_protocol::OperatorProfile;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The longest time between two records of a session's use. A session used all along thus
/// costs at most one write a minute, not one per request.
const TOUCH_INTERVAL_MILLIS: i64 = 60 * 1000;

/// The operator whose session this token hash opens, if it is still good; records the use.
pub async fn active_operator(
    app: &App,
    token_hash: [u8; 32],
) -> Result<Option<OperatorProfile>, StoreError> {
    let now = now_millis();
    let idle = i64::try_from(app.config.session_idle.as_millis()).unwrap_or(i64::MAX);
    let Some(session) = app
        .store
        .session_operator(token_hash, now.saturating_sub(idle))
        .await?
    else {
        return Ok(None);
    };
    if now - session.last_used_at >= touch_interval_millis(app) {
        record_use(app, token_hash, now).await;
    }
    Ok(Some(session.operator))
}

/// How often a session's use is recorded. A short idle period (seconds, in tests) needs records
/// more often than once a minute, or a session in use would still count as idle.
pub fn touch_interval_millis(app: &App) -> i64 {
    let idle = i64::try_from(app.config.session_idle.as_millis()).unwrap_or(i64::MAX);
    TOUCH_INTERVAL_MILLIS.min(idle / 4)
}

/// Records that a session was used at `now`.
pub async fn record_use(app: &App, token_hash: [u8; 32], now: i64) {
    if let Err(error) = app.store.touch_session(token_hash, now).await {
        // The session stays good; it may merely end a little early.
        tracing::warn!(%error, "recording a session's use failed");
    }
}

type Open = HashMap<u64, ([u8; 32], oneshot::Sender<&'static str>)>;

/// The open console sockets, each under the hash of the session token its hello carried.
#[derive(Default)]
pub struct ConsoleSockets {
    next: AtomicU64,
    open: Arc<Mutex<Open>>,
}

/// One registered socket; dropping it forgets the socket.
pub struct Registration {
    id: u64,
    open: Arc<Mutex<Open>>,
}

fn lock(open: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ConsoleSockets {
    /// Registers a socket of the session with this token hash. The receiver gets the reason
    /// once the session ends. Register before checking the session in the store, so that a
    /// session ended in between is noticed either by the check or by the receiver.
    pub fn register(
        &self,
        token_hash: [u8; 32],
    ) -> (Registration, oneshot::Receiver<&'static str>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        lock(&self.open).insert(id, (token_hash, sender));
        let registration = Registration {
            id,
            open: self.open.clone(),
        };
        (registration, receiver)
    }

    /// Tells every socket of these sessions that its session has ended, and why.
    pub fn end(&self, token_hashes: &[[u8; 32]], reason: &'static str) {
        if token_hashes.is_empty() {
            return;
        }
        let mut open = lock(&self.open);
        let ended: Vec<u64> = open
            .iter()
            .filter(|(_, (hash, _))| token_hashes.contains(hash))
            .map(|(id, _)| *id)
            .collect();
        for id in ended {
            if let Some((_, sender)) = open.remove(&id) {
                // The socket may be closing by itself already: nobody to tell then.
                let _ = sender.send(reason);
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.open).remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ending_a_session_tells_its_sockets_only() {
        let sockets = ConsoleSockets::default();
        let (_first, mut first_ended) = sockets.register([1; 32]);
        let (_second, mut second_ended) = sockets.register([1; 32]);
        let (_other, mut other_ended) = sockets.register([2; 32]);
        sockets.end(&[[1; 32]], "signed out");
        assert_eq!(first_ended.try_recv(), Ok("signed out"));
        assert_eq!(second_ended.try_recv(), Ok("signed out"));
        assert!(other_ended.try_recv().is_err());
    }

    #[test]
    fn a_dropped_registration_is_forgotten() {
        let sockets = ConsoleSockets::default();
        let (registration, _ended) = sockets.register([1; 32]);
        drop(registration);
        assert!(lock(&sockets.open).is_empty());
    }
}
