//! Scenario A: how much resident memory the relay needs per idle visitor socket.

use super::{Bench, Connected, connect_visitors};
use crate::clients::{self, Plan, Ws};
use crate::procfs::{self, Memory};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The least time a memory reading waits after the last connection: tokio ends a blocking-pool
/// thread after 10 s without work, and the relay runs its database reads on that pool.
const SETTLE_AT_LEAST: Duration = Duration::from_secs(12);

/// Reads the relays' memory (added up) once it has settled: at least [`SETTLE_AT_LEAST`] after the last
/// connection, and with RSS (within 64 KiB) and thread count unchanged over three readings a
/// second apart; after 40 seconds the last reading is taken as it is.
async fn settled_memory(pids: &[u32]) -> anyhow::Result<Memory> {
    let started = Instant::now();
    let mut last = procfs::total_memory(pids)?;
    let mut stable = 0;
    while started.elapsed() < Duration::from_secs(40) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = procfs::total_memory(pids)?;
        if now.rss_kib.abs_diff(last.rss_kib) <= 64 && now.threads == last.threads {
            stable += 1;
        } else {
            stable = 0;
        }
        last = now;
        if stable >= 3 && started.elapsed() >= SETTLE_AT_LEAST {
            break;
        }
    }
    Ok(last)
}

/// Scenario A's figures.
#[derive(Debug)]
pub struct IdleResult {
    pub warmup: Connected,
    pub idle: Connected,
    pub before: Memory,
    /// A reading taken as soon as the last idle socket was welcomed, before settling.
    pub just_connected: Memory,
    pub after: Memory,
    pub after_close: Memory,
    /// The relays' `beseda_visitor_connections` gauges after the sockets were closed.
    pub open_after_close: f64,
    /// nginx's memory (master and workers) before and with the idle sockets, if in front.
    pub balancer_before: Option<Memory>,
    pub balancer_after: Option<Memory>,
}

impl IdleResult {
    /// The growth of the relays' resident memory (added up) per idle socket, in KiB.
    pub fn per_socket_kib(&self) -> Option<f64> {
        (self.idle.opened > 0).then(|| {
            (self.after.rss_kib as f64 - self.before.rss_kib as f64) / self.idle.opened as f64
        })
    }
}

/// Scenario A: the relay's resident memory before and after opening `count` idle visitor
/// sockets (each past its hello and welcome). The sockets keep being read, so that they answer
/// the relay's pings, and are closed after the measurement.
pub async fn idle_memory(
    bench: &Bench,
    warmup_count: usize,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<IdleResult> {
    let (plans, plan) = watch::channel(Plan::Idle);
    let mut tasks: Vec<JoinHandle<()>> = Vec::with_capacity(warmup_count + count);
    let mut spawn = |index: usize, socket: Ws| {
        let task = clients::run_visitor(index, 1, socket, plan.clone(), bench.recorder.clone());
        tasks.push(tokio::spawn(task));
    };
    let warmup =
        connect_visitors(bench.addr, warmup_count, concurrency, "warm-up", &mut spawn).await;
    let before = settled_memory(&bench.relay_pids).await?;
    let balancer_before = balancer_memory(bench);
    eprintln!(
        "  relay RSS with {} warm-up sockets: {} KiB, {} threads",
        warmup.opened, before.rss_kib, before.threads
    );
    let idle = connect_visitors(bench.addr, count, concurrency, "idle visitors", &mut spawn).await;
    let just_connected = procfs::total_memory(&bench.relay_pids)?;
    let after = settled_memory(&bench.relay_pids).await?;
    let balancer_after = balancer_memory(bench);
    eprintln!(
        "  relay RSS with {} more idle sockets: {} KiB, {} threads ({} right after connecting)",
        idle.opened, after.rss_kib, after.threads, just_connected.threads
    );
    plans.send_replace(Plan::Stop);
    for task in tasks {
        let _ = task.await;
    }
    let after_close = settled_memory(&bench.relay_pids).await?;
    let open_after_close = bench
        .metrics()
        .await?
        .get("beseda_visitor_connections")
        .copied()
        .unwrap_or(f64::NAN);
    Ok(IdleResult {
        warmup,
        idle,
        before,
        just_connected,
        after,
        after_close,
        open_after_close,
        balancer_before,
        balancer_after,
    })
}

/// nginx's resident memory now, if it is in front.
fn balancer_memory(bench: &Bench) -> Option<Memory> {
    bench
        .balancer_pid
        .and_then(|_| procfs::total_memory(&bench.balancer_pids()).ok())
}
