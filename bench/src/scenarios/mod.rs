//! The measurements: idle memory per visitor socket (A, in [`idle`]), and paced message load
//! through visitor and operator sockets (B: latency at one rate; D: the rate stepped up until
//! latency breaks; both in [`load`]).

pub mod files;
pub mod history;
pub mod idle;
pub mod load;
pub mod webhooks;

use crate::clients::{self, Ws};
use crate::recorder::Recorder;
use crate::{http, procfs};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest a phase waits for the store's backlog from the phase before it.
const STORE_BACKLOG_PATIENCE: Duration = Duration::from_secs(300);

/// What every scenario needs to reach and observe the relays.
pub struct Bench {
    /// Where clients connect: nginx in front of several relays, or the only relay.
    pub addr: SocketAddr,
    /// Each relay's own address, for its `/metrics`.
    pub relay_addrs: Vec<SocketAddr>,
    pub relay_pids: Vec<u32>,
    /// PostgreSQL's postmaster, whose children are its backends.
    pub database_pid: Option<u32>,
    /// nginx's master, whose children are its workers.
    pub balancer_pid: Option<u32>,
    pub recorder: Arc<Recorder>,
    pub ticks_per_second: u64,
}

impl Bench {
    /// Every relay's counters and gauges added up by name: the cluster's figures.
    pub async fn metrics(&self) -> anyhow::Result<BTreeMap<String, f64>> {
        let mut total = BTreeMap::new();
        for addr in &self.relay_addrs {
            for (name, value) in http::metrics(*addr).await? {
                *total.entry(name).or_default() += value;
            }
        }
        Ok(total)
    }

    /// Waits until no relay has a write queued or uncommitted, so that a phase does not start
    /// with the backlog of one that overloaded the store (the drain timeout ends a phase, not
    /// its writes). Gives up, with an error, after [`STORE_BACKLOG_PATIENCE`].
    pub async fn wait_for_idle_store(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + STORE_BACKLOG_PATIENCE;
        let mut told = false;
        loop {
            let pending = self
                .metrics()
                .await?
                .get("beseda_store_pending_writes")
                .copied()
                .unwrap_or_default();
            if pending == 0.0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                anyhow::bail!(
                    "the relays still have {pending} writes pending after {STORE_BACKLOG_PATIENCE:?}"
                );
            }
            if !told {
                eprintln!("  waiting for the relays' {pending} pending writes to be committed");
                told = true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// PostgreSQL's processes now (backends come and go with the relays' connections).
    pub fn database_pids(&self) -> Vec<u32> {
        self.database_pid
            .map(procfs::with_children)
            .unwrap_or_default()
    }

    /// nginx's processes: its master and workers.
    pub fn balancer_pids(&self) -> Vec<u32> {
        self.balancer_pid
            .map(procfs::with_children)
            .unwrap_or_default()
    }
}

/// How a batch of connections went.
#[derive(Debug, Default)]
pub struct Connected {
    pub opened: usize,
    pub failed: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

/// Opens `count` visitor sockets, at most `concurrency` at a time, and hands each one (with its
/// index) to `each` as soon as its welcome arrived.
pub async fn connect_visitors(
    addr: SocketAddr,
    count: usize,
    concurrency: usize,
    label: &str,
    mut each: impl FnMut(usize, Ws),
) -> Connected {
    let started = Instant::now();
    let mut outcome = Connected::default();
    let mut attempts = futures_util::stream::iter(0..count)
        .map(|index| async move { (index, clients::connect_visitor(addr).await) })
        .buffer_unordered(concurrency.max(1));
    while let Some((index, result)) = attempts.next().await {
        match result {
            Ok(socket) => {
                each(index, socket);
                outcome.opened += 1;
            }
            Err(error) => {
                outcome.failed += 1;
                outcome
                    .first_error
                    .get_or_insert_with(|| format!("{error:#}"));
            }
        }
        let done = outcome.opened + outcome.failed;
        if done % 2000 == 0 || done == count {
            eprintln!(
                "  {label}: {done}/{count} connected ({} failed)",
                outcome.failed
            );
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}
