//! Scenarios B and D: visitors send at a paced aggregate rate, every operator receives every
//! message, and the bench measures acknowledgement and delivery latency per phase.

use super::{Bench, Connected, connect_visitors};
use crate::clients::{self, Plan};
use crate::procfs;
use crate::recorder::Percentiles;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One measured window of paced load.
#[derive(Debug)]
pub struct PhaseResult {
    pub target_rate: f64,
    pub window: Duration,
    pub operators: u64,
    pub planned: u64,
    pub sent: u64,
    pub acked: u64,
    pub errors: u64,
    pub delivered: u64,
    /// Acknowledgements per second, over the window or until the last arrival if later.
    pub achieved_rate: f64,
    pub ack: Percentiles,
    pub delivery: Percentiles,
    /// Whether every acknowledgement and delivery arrived before the drain timeout.
    pub complete: bool,
    pub max_send_lag: Duration,
    /// CPU use during the window, in percent of one core: the relays together, PostgreSQL's
    /// processes, nginx's, and this load generator.
    pub relay_cpu: f64,
    pub database_cpu: f64,
    pub balancer_cpu: f64,
    pub bench_cpu: f64,
    /// What every other process on the machine used meanwhile (a build, say).
    pub other_cpu: f64,
    /// Changes of the relays' counters over the phase, and the time between the two readings
    /// (the window, the drain after it, and the readings themselves).
    pub metrics: BTreeMap<String, f64>,
    pub metrics_span: Duration,
    pub operators_lost: u64,
}

impl PhaseResult {
    pub fn expected_deliveries(&self) -> u64 {
        self.sent * self.operators
    }

    pub fn metric(&self, name: &str) -> f64 {
        self.metrics.get(name).copied().unwrap_or_default()
    }
}

/// Visitor and operator sockets kept open for scenarios B and D.
pub struct Load {
    plans: watch::Sender<Plan>,
    visitor_tasks: Vec<JoinHandle<()>>,
    operator_tasks: Vec<JoinHandle<()>>,
    token: String,
    pub visitors: Connected,
    pub operators: usize,
}

impl Load {
    /// Opens the visitor sockets (each past its welcome), then the operator sockets.
    pub async fn connect(
        bench: &Bench,
        token: &str,
        visitors: usize,
        operators: usize,
        concurrency: usize,
    ) -> anyhow::Result<Load> {
        let (plans, plan) = watch::channel(Plan::Idle);
        let mut visitor_tasks = Vec::with_capacity(visitors);
        let connected = connect_visitors(
            bench.addr,
            visitors,
            concurrency,
            "visitors",
            |index, socket| {
                let task = clients::run_visitor(
                    index,
                    visitors,
                    socket,
                    plan.clone(),
                    bench.recorder.clone(),
                );
                visitor_tasks.push(tokio::spawn(task));
            },
        )
        .await;
        if connected.failed > 0 {
            anyhow::bail!(
                "{} of {visitors} visitor sockets failed to connect; first error: {}",
                connected.failed,
                connected.first_error.as_deref().unwrap_or("?")
            );
        }
        let mut load = Load {
            plans,
            visitor_tasks,
            operator_tasks: Vec::with_capacity(operators),
            token: token.to_owned(),
            visitors: connected,
            operators,
        };
        load.reconnect_operators(bench).await?;
        Ok(load)
    }

    /// Opens operator sockets until `operators` are open: at the start, and again after the
    /// relay closed some (each phase reports how many it lost).
    pub async fn reconnect_operators(&mut self, bench: &Bench) -> anyhow::Result<()> {
        self.operator_tasks.retain(|task| !task.is_finished());
        let missing = self.operators.saturating_sub(self.operator_tasks.len());
        for _ in 0..missing {
            let socket = clients::connect_operator(bench.addr, &self.token).await?;
            let task =
                clients::spawn_operator(socket, self.plans.subscribe(), bench.recorder.clone());
            self.operator_tasks.push(task);
        }
        if missing > 0 {
            eprintln!("  {missing} operator sockets connected");
        }
        Ok(())
    }

    /// Runs one phase: every visitor sends one message per `period` for `window`, then the
    /// bench waits (up to `drain_timeout`) for every acknowledgement and delivery.
    pub async fn run_phase(
        &self,
        bench: &Bench,
        phase: usize,
        period: Duration,
        window: Duration,
        drain_timeout: Duration,
    ) -> anyhow::Result<PhaseResult> {
        bench.wait_for_idle_store().await?;
        let visitors = self.visitors.opened;
        let planned: u64 = (0..visitors)
            .map(|index| {
                let offset = clients::offset(index, visitors, period);
                clients::planned_sends(offset, period, window)
            })
            .sum();
        let recorder = &bench.recorder;
        let operators_closed_before = recorder.operators_closed.load(Ordering::Relaxed);
        let operators = recorder.operators_open.load(Ordering::Relaxed);
        let metrics_before = bench.metrics().await?;
        let metrics_read = Instant::now();
        let start = Instant::now() + Duration::from_millis(100);
        let end = start + window;
        self.plans.send_replace(Plan::Send {
            phase,
            start,
            period,
            end,
        });
        tokio::time::sleep_until(start.into()).await;
        let cpu_before = CpuTicks::read(bench)?;
        tokio::time::sleep_until(end.into()).await;
        let cpu_after = CpuTicks::read(bench)?;
        let counters = recorder
            .phase(phase)
            .ok_or_else(|| anyhow::anyhow!("phase {phase} is not recorded"))?;
        let drain_deadline = Instant::now() + drain_timeout;
        let complete = loop {
            let sent = counters.sent.load(Ordering::Relaxed);
            let acked = counters.acked.load(Ordering::Relaxed);
            let answered = acked + counters.errors.load(Ordering::Relaxed);
            let live_operators = recorder.operators_open.load(Ordering::Relaxed);
            let delivered = counters.delivered.load(Ordering::Relaxed);
            // Refused messages reach no operator; stored ones reach every operator still open.
            if sent >= planned && answered >= sent && delivered >= acked * live_operators {
                break live_operators == operators;
            }
            if Instant::now() >= drain_deadline {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        self.plans.send_replace(Plan::Idle);
        let metrics_after = bench.metrics().await?;
        let metrics_span = metrics_read.elapsed();
        let seconds = window.as_secs_f64();
        let acked = counters.acked.load(Ordering::Relaxed);
        let last_arrival_ns = counters.last_arrival_ns.load(Ordering::Relaxed);
        let busy =
            (last_arrival_ns.saturating_sub(recorder.ns_at(start)) as f64 / 1e9).max(seconds);
        let ticks = bench.ticks_per_second as f64;
        let percent = |used: u64| used as f64 / ticks / seconds * 100.0;
        let (ack, delivery) = recorder.samples(phase);
        Ok(PhaseResult {
            target_rate: visitors as f64 / period.as_secs_f64(),
            window,
            operators,
            planned,
            sent: counters.sent.load(Ordering::Relaxed),
            acked,
            errors: counters.errors.load(Ordering::Relaxed),
            delivered: counters.delivered.load(Ordering::Relaxed),
            achieved_rate: acked as f64 / busy,
            ack,
            delivery,
            complete,
            max_send_lag: Duration::from_nanos(counters.max_send_lag_ns.load(Ordering::Relaxed)),
            relay_cpu: percent(cpu_after.relay.saturating_sub(cpu_before.relay)),
            database_cpu: percent(cpu_after.database.saturating_sub(cpu_before.database)),
            balancer_cpu: percent(cpu_after.balancer.saturating_sub(cpu_before.balancer)),
            bench_cpu: percent(cpu_after.bench.saturating_sub(cpu_before.bench)),
            other_cpu: percent(cpu_after.others().saturating_sub(cpu_before.others())),
            metrics: metrics_after
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        value - metrics_before.get(name).copied().unwrap_or_default(),
                    )
                })
                .collect(),
            metrics_span,
            operators_lost: recorder.operators_closed.load(Ordering::Relaxed)
                - operators_closed_before,
        })
    }

    /// Closes every socket.
    pub async fn stop(self) {
        self.plans.send_replace(Plan::Stop);
        for task in self.visitor_tasks.into_iter().chain(self.operator_tasks) {
            let _ = task.await;
        }
    }
}

/// CPU time used so far, in clock ticks.
struct CpuTicks {
    relay: u64,
    database: u64,
    balancer: u64,
    bench: u64,
    machine: u64,
}

impl CpuTicks {
    /// PostgreSQL's backends are read as they are at each reading; the relays keep their
    /// connections open, so the same backends are read before and after a window.
    fn read(bench: &Bench) -> anyhow::Result<CpuTicks> {
        Ok(CpuTicks {
            relay: procfs::total_cpu_ticks(&bench.relay_pids),
            database: procfs::total_cpu_ticks(&bench.database_pids()),
            balancer: procfs::total_cpu_ticks(&bench.balancer_pids()),
            bench: procfs::cpu_ticks(std::process::id())?,
            machine: procfs::machine_busy_ticks()?,
        })
    }

    /// What none of the servers nor the bench used.
    fn others(&self) -> u64 {
        self.machine
            .saturating_sub(self.relay + self.database + self.balancer + self.bench)
    }
}

/// The period at which each of `visitors` sends so that together they send `rate` per second.
pub fn period_for(visitors: usize, rate: f64) -> Duration {
    Duration::from_secs_f64(visitors as f64 / rate)
}

/// Scenario D's verdict on one step.
pub fn step_holds(step: &PhaseResult, p99_limit_ms: f64) -> bool {
    let p99_ok = step
        .delivery
        .quantile_micros(0.99)
        .is_some_and(|p99| f64::from(p99) <= p99_limit_ms * 1_000.0);
    p99_ok && step.complete && step.errors == 0 && step.achieved_rate >= 0.9 * step.target_rate
}

/// Scenario D: steps through `rates`, each for `window`, until a step does not hold.
pub async fn max_rate(
    bench: &Bench,
    load: &Load,
    first_phase: usize,
    rates: &[f64],
    window: Duration,
    drain_timeout: Duration,
    p99_limit_ms: f64,
) -> anyhow::Result<Vec<PhaseResult>> {
    let mut steps = Vec::new();
    for (step, rate) in rates.iter().enumerate() {
        let period = period_for(load.visitors.opened, *rate);
        eprintln!(
            "D. step {}: {rate} msg/s for {} s",
            step + 1,
            window.as_secs_f64()
        );
        let result = load
            .run_phase(bench, first_phase + step, period, window, drain_timeout)
            .await?;
        let holds = step_holds(&result, p99_limit_ms);
        eprintln!(
            "  achieved {:.0} msg/s, delivery p99 {}, {}",
            result.achieved_rate,
            result.delivery.ms(0.99),
            if holds {
                "holds"
            } else {
                "does not hold: stopping"
            }
        );
        steps.push(result);
        if !holds {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(steps)
}
