//! The measurements: idle memory per visitor socket (A, in [`idle`]), and paced message load
//! through visitor and operator sockets (B: latency at one rate; D: the rate stepped up until
//! latency breaks; both in [`load`]).

pub mod idle;
pub mod load;

use crate::clients::{self, Ws};
use crate::recorder::Recorder;
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every scenario needs to reach and observe the relay.
pub struct Bench {
    pub addr: SocketAddr,
    pub relay_pid: u32,
    pub recorder: Arc<Recorder>,
    pub ticks_per_second: u64,
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
