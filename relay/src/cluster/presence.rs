//! Presence across relays: each relay heartbeats its row in `relays` every
//! [`HEARTBEAT`] and keeps its console count per operator in `consoles`. An operator has a
//! console while a relay seen in the last [`RELAY_TIMEOUT`](super::RELAY_TIMEOUT) holds one; a
//! relay that stops cleanly deletes its row at once, a dead one's consoles stop counting after
//! the timeout.

use super::{Cluster, HEARTBEAT, live_since, shared};
use crate::App;
use beseda_protocol::OperatorId;
use std::sync::Arc;
use tokio::sync::mpsc;

impl Cluster {
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
                crate::store::health::warn_unless_outage(
                    &error,
                    "the other relays' consoles could not be counted",
                );
                1
            }
        }
    }
}

/// Tells the cluster every [`HEARTBEAT`] that this relay is alive.
pub(super) async fn heartbeat(app: Arc<App>) {
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
            crate::store::health::warn_unless_outage(&error, "the heartbeat could not be written");
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
pub(super) async fn write_consoles(
    app: Arc<App>,
    mut changed: mpsc::UnboundedReceiver<OperatorId>,
) {
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
