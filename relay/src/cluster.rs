//! Several relays on one PostgreSQL database: which relay runs the singletons, who has a console
//! open where, the limits every relay counts together, and typing between relays.
//!
//! On SQLite there is one relay: it leads, every console is its own, and its in-memory limits
//! are the only ones. On PostgreSQL:
//! - **Leadership**: the relay holding the session advisory lock [`LEADER_LOCK`] runs the
//!   singletons (automatic messages, the mail outbox, pruning, the presence sweep). The others
//!   try to take it every second, so a dead leader's place is taken within about a second of
//!   PostgreSQL ending its session (at once for a killed process; for a vanished machine,
//!   after TCP keepalives).
//! - **Presence**: each relay heartbeats its row in `relays` and keeps its console count per
//!   operator in `consoles`. An operator has a console while a relay seen in the last
//!   [`RELAY_TIMEOUT`] holds one; the leader starts the grace period for operators online
//!   without one anywhere (a dead relay's consoles stop counting after the timeout).
//! - **Limits**: visitor messages a minute and new conversations an hour are also counted in the
//!   shared `rate_windows` table, so that a client spreading over the relays gains nothing.
//! - **Hints** go over `NOTIFY beseda_hints` and may be lost: typing (a later state replaces
//!   it), and changes to what relays cache (a site's settings, the answers), which the caches'
//!   own expiry and the singletons' short sleeps bound when a hint is lost.

use crate::App;
use crate::limits::{FORGET_SIGNIN_FAILURES, SigninAttempt, SigninLimiter};
use crate::store::postgres::{LEADER_LOCK, PgStore};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_postgres::AsyncMessage;

/// How often a relay tells it is alive, and how often the leader sweeps.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A relay not heard from for this long is taken for dead: its consoles stop counting.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the event log keeps what was published (a relay further behind loses the rest).
const LOG_KEEPS: Duration = Duration::from_secs(10 * 60);
/// The channel hints go over.
const HINTS: &str = "beseda_hints";

/// What relays tell each other outside the event log: nothing that may not be lost.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "hint", rename_all = "snake_case")]
enum Hint {
    VisitorTyping {
        relay: String,
        conversation_id: ConversationId,
        typing: bool,
    },
    OperatorTyping {
        relay: String,
        site: String,
        visitor_id: VisitorId,
        typing: bool,
        name: String,
    },
    SiteChanged {
        relay: String,
        site: String,
        title: String,
    },
    AnswersChanged {
        relay: String,
    },
}

/// This relay's part in the cluster.
pub struct Cluster {
    relay: String,
    leader: watch::Sender<bool>,
    shared: Option<Shared>,
}

struct Shared {
    store: Arc<PgStore>,
    /// Operators whose console count on this relay changed and must be written.
    consoles_changed: mpsc::UnboundedSender<OperatorId>,
    consoles_receiver: Mutex<Option<mpsc::UnboundedReceiver<OperatorId>>>,
    /// Operators the leader's sweep started a grace period for, until it ends.
    in_grace: Arc<Mutex<HashSet<OperatorId>>>,
}

impl Cluster {
    /// The only relay, on SQLite: it leads, and it counts alone.
    pub fn single(relay: String) -> Cluster {
        Cluster {
            relay,
            leader: watch::Sender::new(true),
            shared: None,
        }
    }

    /// One relay of possibly several on a PostgreSQL store; [`Cluster::start`] begins its work.
    pub fn postgres(relay: String, store: Arc<PgStore>) -> Cluster {
        let (consoles_changed, receiver) = mpsc::unbounded_channel();
        Cluster {
            relay,
            leader: watch::Sender::new(false),
            shared: Some(Shared {
                store,
                consoles_changed,
                consoles_receiver: Mutex::new(Some(receiver)),
                in_grace: Arc::default(),
            }),
        }
    }

    /// Whether this relay runs the singletons now.
    pub fn is_leader(&self) -> bool {
        *self.leader.borrow()
    }

    /// Waits until this relay leads (at once on SQLite).
    pub async fn lead(&self) {
        let mut leader = self.leader.subscribe();
        let _ = leader.wait_for(|leading| *leading).await;
    }

    /// How long a singleton may sleep before it looks again: as long as it likes alone, at most
    /// [`HEARTBEAT`] in a cluster, where what wakes it may have happened on another relay.
    pub fn cap_sleep(&self, sleep_for: Duration) -> Duration {
        match self.shared {
            Some(_) => sleep_for.min(HEARTBEAT),
            None => sleep_for,
        }
    }

    /// Starts the relay's tasks in the cluster (nothing on SQLite).
    pub fn start(app: &Arc<App>) {
        let Some(shared) = &app.cluster.shared else {
            return;
        };
        let receiver = shared
            .consoles_receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        tokio::spawn(lead_when_possible(app.clone()));
        tokio::spawn(heartbeat(app.clone()));
        tokio::spawn(listen_for_hints(app.clone()));
        if let Some(receiver) = receiver {
            tokio::spawn(write_consoles(app.clone(), receiver));
        }
    }

    /// This relay's console count of an operator changed.
    pub fn console_changed(&self, operator_id: OperatorId) {
        if let Some(shared) = &self.shared {
            let _ = shared.consoles_changed.send(operator_id);
        }
    }

    /// Consoles of an operator open on other live relays.
    pub async fn consoles_elsewhere(&self, operator_id: OperatorId) -> u64 {
        let Some(shared) = &self.shared else {
            return 0;
        };
        let relay = self.relay.clone();
        let counted = shared
            .store
            .with_connection(move |client| async move {
                let row = client
                    .query_one(
                        "SELECT COALESCE(SUM(c.count), 0)::BIGINT FROM consoles c \
                         JOIN relays r ON r.id = c.relay \
                         WHERE c.operator_id = $1 AND c.relay <> $2 AND r.last_seen > $3",
                        &[&operator_id.0, &relay, &live_since()],
                    )
                    .await?;
                Ok(row.get::<_, i64>(0))
            })
            .await;
        match counted {
            Ok(count) => u64::try_from(count).unwrap_or(0),
            Err(error) => {
                // Unknown counts as present: nobody is set offline on a failed read.
                tracing::warn!(%error, "the other relays' consoles could not be counted");
                1
            }
        }
    }

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
            tracing::warn!(%error, "the shared limit could not be counted");
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
            tracing::warn!(%error, "a sign-in attempt could not be counted for the cluster");
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

    /// A visitor started or stopped typing: this relay's consoles hear it, and the others'.
    pub fn visitor_typing(&self, app: &App, conversation_id: ConversationId, typing: bool) {
        app.hub.visitor_typing(conversation_id, typing);
        self.ring(Hint::VisitorTyping {
            relay: self.relay.clone(),
            conversation_id,
            typing,
        });
    }

    /// An operator started or stopped typing: the visitor's tabs hear it, on every relay.
    pub fn operator_typing(
        &self,
        app: &App,
        site: &str,
        visitor_id: &VisitorId,
        typing: bool,
        name: &str,
    ) {
        app.hub.operator_typing(site, visitor_id, typing, name);
        self.ring(Hint::OperatorTyping {
            relay: self.relay.clone(),
            site: site.to_owned(),
            visitor_id: visitor_id.clone(),
            typing,
            name: name.to_owned(),
        });
    }

    /// A site's settings changed: this relay's caches and waits follow, and the others'.
    pub fn site_changed(&self, app: &App, site: &str, title: &str) {
        site_changed_here(app, site, title);
        self.ring(Hint::SiteChanged {
            relay: self.relay.clone(),
            site: site.to_owned(),
            title: title.to_owned(),
        });
    }

    /// Answers were added, changed or deleted: every relay searches afresh.
    pub fn answers_changed(&self, app: &App) {
        app.answers.changed();
        self.ring(Hint::AnswersChanged {
            relay: self.relay.clone(),
        });
    }

    fn ring(&self, hint: Hint) {
        let Some(shared) = &self.shared else {
            return;
        };
        let Ok(payload) = serde_json::to_string(&hint) else {
            return;
        };
        let store = shared.store.clone();
        tokio::spawn(async move {
            let sent = store
                .with_connection(move |client| async move {
                    client
                        .execute("SELECT pg_notify($1, $2)", &[&HINTS, &payload])
                        .await?;
                    Ok(())
                })
                .await;
            if let Err(error) = sent {
                tracing::debug!(%error, "a hint could not be sent to the other relays");
            }
        });
    }
}

/// What a change of a site's settings means to this relay: widgets greet with the new title,
/// waits fall due at other times, the site may open or close now.
fn site_changed_here(app: &App, site: &str, title: &str) {
    app.known_sites
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(site.to_owned(), title.to_owned());
    app.auto_reply.wake();
    app.hours.wake();
}

/// The earliest last heartbeat of a relay still taken for alive.
fn live_since() -> i64 {
    crate::clock::now_millis() - i64::try_from(RELAY_TIMEOUT.as_millis()).unwrap_or(0)
}

fn shared(app: &App) -> &Shared {
    app.cluster
        .shared
        .as_ref()
        .expect("cluster tasks run only on PostgreSQL")
}

/// Takes the leader's lock whenever it is free and holds it while its connection lives.
async fn lead_when_possible(app: Arc<App>) {
    let store = shared(&app).store.clone();
    let mut shutdown = app.shutdown.clone();
    let mut retry = tokio::time::interval(Duration::from_secs(1));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = retry.tick() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => break,
        }
        let client = match store.dedicated_connection().await {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(%error, "cannot connect to try the leader's lock");
                continue;
            }
        };
        let taken = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
            .await
            .map(|row| row.get::<_, bool>(0));
        match taken {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "cannot try the leader's lock");
                continue;
            }
        }
        tracing::info!(relay = %app.cluster.relay, "this relay leads the cluster now");
        app.cluster.leader.send_replace(true);
        let duties = tokio::spawn(lead(app.clone()));
        // Hold the lock while the connection answers.
        let mut check = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = check.tick() => {}
                _ = shutdown.wait_for(|stopping| *stopping) => break,
            }
            if let Err(error) = client.simple_query("SELECT 1").await {
                tracing::warn!(%error, "the leader's connection failed; stepping down");
                break;
            }
        }
        app.cluster.leader.send_replace(false);
        duties.abort();
        drop(client);
    }
    app.cluster.leader.send_replace(false);
}

/// What the leader does besides the singleton tasks (which wait for [`Cluster::lead`]):
/// forgets dead relays, starts the grace period of operators with no console anywhere, and
/// prunes the event log and the limits' old windows.
async fn lead(app: Arc<App>) {
    let mut sweep = tokio::time::interval(HEARTBEAT);
    loop {
        sweep.tick().await;
        let shared = shared(&app);
        let log_since =
            crate::clock::now_millis() - i64::try_from(LOG_KEEPS.as_millis()).unwrap_or(i64::MAX);
        let swept = shared
            .store
            .with_connection(move |client| async move {
                client
                    .execute(
                        "DELETE FROM relays WHERE last_seen <= $1",
                        &[&(live_since() - 60_000)],
                    )
                    .await?;
                client
                    .execute("DELETE FROM event_log WHERE created_at < $1", &[&log_since])
                    .await?;
                client
                    .execute(
                        "DELETE FROM rate_windows WHERE window_start < $1",
                        &[&(crate::clock::now_millis() - 24 * 60 * 60 * 1000)],
                    )
                    .await?;
                let rows = client
                    .query(
                        "SELECT o.id FROM operators o WHERE o.online AND NOT EXISTS ( \
                           SELECT 1 FROM consoles c JOIN relays r ON r.id = c.relay \
                           WHERE c.operator_id = o.id AND c.count > 0 AND r.last_seen > $1)",
                        &[&live_since()],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|row| OperatorId(row.get(0)))
                    .collect::<Vec<_>>())
            })
            .await;
        let without_console = match swept {
            Ok(operators) => operators,
            Err(error) => {
                tracing::warn!(%error, "the leader's sweep failed");
                continue;
            }
        };
        for operator_id in without_console {
            if app.hub.consoles(operator_id) > 0 {
                continue;
            }
            let fresh = shared
                .in_grace
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(operator_id);
            if fresh {
                let in_grace = shared.in_grace.clone();
                crate::presence::start_grace_then(&app, operator_id, move || {
                    in_grace
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .remove(&operator_id);
                });
            }
        }
    }
}

/// Tells the cluster every [`HEARTBEAT`] that this relay is alive.
async fn heartbeat(app: Arc<App>) {
    let store = shared(&app).store.clone();
    let started = crate::clock::now_millis();
    let mut beat = tokio::time::interval(HEARTBEAT);
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            _ = beat.tick() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => break,
        }
        let relay = app.cluster.relay.clone();
        let beaten = store
            .with_connection(move |client| async move {
                client
                    .execute(
                        "INSERT INTO relays (id, started_at, last_seen) VALUES ($1, $2, $3) \
                         ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen",
                        &[&relay, &started, &crate::clock::now_millis()],
                    )
                    .await?;
                Ok(())
            })
            .await;
        if let Err(error) = beaten {
            tracing::warn!(%error, "the heartbeat could not be written");
        }
    }
    // A relay that stops cleanly is forgotten at once: its consoles stop counting.
    let relay = app.cluster.relay.clone();
    let _ = store
        .with_connection(move |client| async move {
            client
                .execute("DELETE FROM relays WHERE id = $1", &[&relay])
                .await?;
            Ok(())
        })
        .await;
}

/// Writes this relay's console count of each operator whose count changed (the count as it
/// is when written, so that the last write is always the current count).
async fn write_consoles(app: Arc<App>, mut changed: mpsc::UnboundedReceiver<OperatorId>) {
    let store = shared(&app).store.clone();
    while let Some(operator_id) = changed.recv().await {
        let count = i64::try_from(app.hub.consoles(operator_id)).unwrap_or(i64::MAX);
        let relay = app.cluster.relay.clone();
        let written = store
            .with_connection(move |client| async move {
                client
                    .execute(
                        "INSERT INTO relays (id, started_at, last_seen) VALUES ($1, $2, $2) \
                         ON CONFLICT (id) DO NOTHING",
                        &[&relay, &crate::clock::now_millis()],
                    )
                    .await?;
                client
                    .execute(
                        "INSERT INTO consoles (relay, operator_id, count) VALUES ($1, $2, $3) \
                         ON CONFLICT (relay, operator_id) DO UPDATE SET count = EXCLUDED.count",
                        &[&relay, &operator_id.0, &count],
                    )
                    .await?;
                Ok(())
            })
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, "a console count could not be written");
        }
    }
}

/// Hears other relays' hints and acts on them.
async fn listen_for_hints(app: Arc<App>) {
    let store = shared(&app).store.clone();
    let mut shutdown = app.shutdown.clone();
    loop {
        let (client, mut connection) = match store.dedicated_connection_parts().await {
            Ok(parts) => parts,
            Err(error) => {
                tracing::warn!(%error, "cannot connect to hear the other relays' hints");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = shutdown.wait_for(|stopping| *stopping) => return,
                }
            }
        };
        let (notes, mut heard) = mpsc::unbounded_channel();
        let driver = tokio::spawn(async move {
            let mut messages =
                futures_util::stream::poll_fn(move |context| connection.poll_message(context));
            while let Some(Ok(message)) = messages.next().await {
                if let AsyncMessage::Notification(note) = message
                    && notes.send(note.payload().to_owned()).is_err()
                {
                    break;
                }
            }
        });
        if client
            .batch_execute(&format!("LISTEN {HINTS}"))
            .await
            .is_ok()
        {
            loop {
                tokio::select! {
                    payload = heard.recv() => match payload {
                        Some(payload) => act_on(&app, &payload),
                        None => break,
                    },
                    _ = shutdown.wait_for(|stopping| *stopping) => {
                        driver.abort();
                        return;
                    }
                }
            }
        }
        driver.abort();
    }
}

fn act_on(app: &App, payload: &str) {
    let hint = match serde_json::from_str::<Hint>(payload) {
        Ok(hint) => hint,
        Err(error) => {
            tracing::debug!(%error, "an unreadable hint from another relay");
            return;
        }
    };
    let from_here = |relay: &str| relay == app.cluster.relay;
    match hint {
        Hint::VisitorTyping {
            relay,
            conversation_id,
            typing,
        } if !from_here(&relay) => app.hub.visitor_typing(conversation_id, typing),
        Hint::OperatorTyping {
            relay,
            site,
            visitor_id,
            typing,
            name,
        } if !from_here(&relay) => app.hub.operator_typing(&site, &visitor_id, typing, &name),
        Hint::SiteChanged { relay, site, title } if !from_here(&relay) => {
            site_changed_here(app, &site, &title)
        }
        Hint::AnswersChanged { relay } if !from_here(&relay) => app.answers.changed(),
        _ => {}
    }
}
