//! Leadership: the relay holding the session advisory lock [`LEADER_LOCK`] runs the singletons
//! (automatic messages, the mail outbox, pruning, the presence sweep), which wait for
//! [`Cluster::lead`](super::Cluster::lead). The others try to take the lock every second; the
//! leader checks its lock's connection every second and steps down when it fails, so that two
//! relays never both believe they lead for longer than that.
//!
//! Besides the singletons the leader sweeps every heartbeat: it forgets relays long dead, prunes
//! the event log and the limits' old windows, and starts the grace period of operators left
//! online without a console on any live relay.

use super::{HEARTBEAT, live_since, shared};
use crate::App;
use crate::clock::now_millis;
use crate::store::StoreError;
use crate::store::postgres::LEADER_LOCK;
use beseda_protocol::OperatorId;
use std::sync::Arc;
use std::time::Duration;

/// How long the event log keeps what was published (a relay further behind loses the rest).
const LOG_KEEPS: Duration = Duration::from_secs(10 * 60);

/// Takes the leader's lock whenever it is free and holds it while its connection lives.
pub(super) async fn lead_when_possible(app: Arc<App>) {
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
                crate::store::health::warn_unless_outage(
                    &error,
                    "cannot connect to try the leader's lock",
                );
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

/// What the leader does besides the singleton tasks (which wait for [`Cluster::lead`](super::Cluster::lead)):
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

/// Runs an outbox's task on the leader (alone, on SQLite): `work` carries out what is due and
/// tells when the next item falls due; the task then sleeps until then, until `rung` (something
/// was recorded), or until the relay shuts down. A store that cannot be read is tried again in
/// five seconds; a closed one ends the task. `what` names the outbox in the log.
pub async fn when_due<Work, Done, Bell, Rung>(app: &App, what: &str, mut work: Work, rung: Bell)
where
    Work: FnMut() -> Done,
    Done: Future<Output = Result<Option<i64>, StoreError>>,
    Bell: Fn() -> Rung,
    Rung: Future<Output = ()>,
{
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            () = app.cluster.lead() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        let next_due = match work().await {
            Ok(next_due) => next_due,
            Err(StoreError::Closed) => return,
            Err(error) => {
                tracing::error!(%error, "{what} could not be read");
                Some(now_millis() + 5_000)
            }
        };
        if *shutdown.borrow() {
            return;
        }
        let until_due = next_due
            .map(|due| Duration::from_millis(u64::try_from(due - now_millis()).unwrap_or(0)));
        let sleep_for = until_due.unwrap_or(Duration::from_secs(24 * 60 * 60));
        tokio::select! {
            () = rung() => {}
            () = tokio::time::sleep(app.cluster.cap_sleep(sleep_for)) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
    }
}
