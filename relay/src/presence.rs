//! Availability that follows the consoles: the switch is the operator's, but an operator whose
//! consoles are all closed goes offline after `--availability-grace` (a reload or a short network
//! drop is not leaving), so that visitors never wait on someone who has gone.

use crate::App;
use crate::store::StoreError;
use beseda_protocol::OperatorId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Counts console openings per operator, so that a grace timer knows whether a console came
/// back (and went again) while it waited.
#[derive(Default)]
pub struct Presence {
    openings: Mutex<HashMap<OperatorId, u64>>,
}

impl Presence {
    fn openings(&self) -> std::sync::MutexGuard<'_, HashMap<OperatorId, u64>> {
        self.openings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn console_opened(&self, operator_id: OperatorId) {
        *self.openings().entry(operator_id).or_default() += 1;
    }

    fn generation(&self, operator_id: OperatorId) -> u64 {
        self.openings().get(&operator_id).copied().unwrap_or(0)
    }
}

/// Sets the availability switch: stored, then every console and widget (of every relay) hears
/// of it through the commit's event.
pub async fn set_availability(
    app: &App,
    operator_id: OperatorId,
    online: bool,
) -> Result<(), StoreError> {
    app.store.set_operator_online(operator_id, online).await
}

/// An operator has no console open (the last one closed, or the relay just started): unless one
/// opens within the grace period, on this relay or another, they go offline.
pub fn start_grace(app: &Arc<App>, operator_id: OperatorId) {
    start_grace_then(app, operator_id, || {});
}

/// [`start_grace`], calling `ended` when the grace period is over (whatever its outcome).
pub fn start_grace_then(
    app: &Arc<App>,
    operator_id: OperatorId,
    ended: impl FnOnce() + Send + 'static,
) {
    if app.hub.consoles(operator_id) > 0 || !app.hub.is_online(operator_id) {
        ended();
        return;
    }
    let generation = app.presence.generation(operator_id);
    let app = app.clone();
    tokio::spawn(async move {
        let _ended = crate::session::scopeguard(ended);
        let mut shutdown = app.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(app.config.availability_grace) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        let returned =
            app.hub.consoles(operator_id) > 0 || app.presence.generation(operator_id) != generation;
        if returned || !app.hub.is_online(operator_id) {
            return;
        }
        if app.cluster.consoles_elsewhere(operator_id).await > 0 {
            return;
        }
        tracing::info!(%operator_id, "no console open: the operator is now offline");
        if let Err(error) = set_availability(&app, operator_id, false).await {
            tracing::error!(%error, "setting an operator offline failed");
        }
    });
}
