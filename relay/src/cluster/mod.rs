//! Several relays on one PostgreSQL database: which relay runs the singletons, who has a console
//! open where, the limits every relay counts together, and typing between relays.
//!
//! On SQLite there is one relay: it leads, every console is its own, and its in-memory limits
//! are the only ones. On PostgreSQL:
//! - **Leadership** (`leader.rs`): the relay holding the session advisory lock
//!   [`LEADER_LOCK`](crate::store::postgres::LEADER_LOCK) runs the singletons (automatic
//!   messages, the mail outbox, pruning, the presence sweep). The others try to take it every
//!   second, so a dead leader's place is taken within about a second of PostgreSQL ending its
//!   session (at once for a killed process; for a vanished machine, after TCP keepalives).
//! - **Presence** (`presence.rs`): each relay heartbeats its row in `relays` and keeps its console
//!   count per operator in `consoles`. An operator has a console while a relay seen in the last
//!   [`RELAY_TIMEOUT`] holds one; the leader starts the grace period for operators online
//!   without one anywhere (a dead relay's consoles stop counting after the timeout).
//! - **Limits** (`limits.rs`): visitor messages a minute and new conversations an hour are also
//!   counted in the shared `rate_windows` table, so that a client spreading over the relays
//!   gains nothing; so are sign-in failures, with the same growing delays.
//! - **Hints** (`hints.rs`) go over `NOTIFY beseda_hints` and may be lost: typing (a later state
//!   replaces it), and changes to what relays cache (a site's settings, the answers), which the
//!   caches' own expiry and the singletons' short sleeps bound when a hint is lost.
//!
//! This module holds what the parts share: the relay's [`Cluster`] state, its construction and
//! the start of its tasks.

mod hints;
mod leader;
pub(crate) use leader::when_due;
mod limits;
mod presence;

use crate::App;
use crate::store::postgres::PgStore;
use beseda_protocol::OperatorId;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often a relay tells it is alive, and how often the leader sweeps.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A relay not heard from for this long is taken for dead: its consoles stop counting.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(10);

/// This relay's part in the cluster.
pub struct Cluster {
    relay: String,
    leader: watch::Sender<bool>,
    shared: Option<Shared>,
}

/// What only a relay on PostgreSQL has.
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
        tokio::spawn(leader::lead_when_possible(app.clone()));
        tokio::spawn(presence::heartbeat(app.clone()));
        tokio::spawn(hints::listen_for_hints(app.clone()));
        if let Some(receiver) = receiver {
            tokio::spawn(presence::write_consoles(app.clone(), receiver));
        }
    }
}

/// The earliest last heartbeat of a relay still taken for alive.
fn live_since() -> i64 {
    crate::clock::now_millis() - i64::try_from(RELAY_TIMEOUT.as_millis()).unwrap_or(0)
}

/// The PostgreSQL part of the relay's cluster, for the tasks that run only there.
fn shared(app: &App) -> &Shared {
    app.cluster
        .shared
        .as_ref()
        .expect("cluster tasks run only on PostgreSQL")
}
