//! `beseda-load`: starts a relay on 127.0.0.1 with a fresh database and measures it.
//!
//! A. relay memory per idle visitor socket; B. visitor-to-operator delivery latency at a paced
//! 5,000 messages/s; D. the highest rate at which delivery p99 stays within 50 ms. Progress goes
//! to standard error, the final table to standard output.
//!
//! `cargo run --release -p beseda-bench -- --relay target/release/beseda-relay [--quick]`

mod clients;
mod frames;
mod http;
mod procfs;
mod recorder;
mod relay;
mod report;
mod scenarios;

use anyhow::{Context, bail};
use clap::Parser;
use recorder::Recorder;
use relay::RelayProcess;
use report::{Report, STEP_LIMIT_MS};
use scenarios::Bench;
use scenarios::load::Load;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The aggregate rates scenario D steps through, in messages per second.
/// It starts below scenario B's rate so that a maximum below 5,000/s is still found.
const STEP_RATES: [f64; 16] = [
    1_000.0, 2_000.0, 3_000.0, 4_000.0, 5_000.0, 7_500.0, 10_000.0, 15_000.0, 20_000.0, 25_000.0,
    30_000.0, 40_000.0, 50_000.0, 60_000.0, 80_000.0, 100_000.0,
];
/// Phase 0 is the warm-up, phase 1 scenario B, and the steps of scenario D follow.
const WARMUP_PHASE: usize = 0;
const LATENCY_PHASE: usize = 1;
const FIRST_STEP_PHASE: usize = 2;

/// Load generator for the Beseda relay. Everything runs on 127.0.0.1.
#[derive(Parser, Debug)]
#[command(name = "beseda-load", version)]
struct Options {
    /// The relay binary to start, e.g. target/release/beseda-relay.
    #[arg(long)]
    relay: PathBuf,
    /// Shorter windows: 3 s for scenario B, 2 s per step of scenario D.
    #[arg(long)]
    quick: bool,
    /// Idle visitor sockets for scenario A.
    #[arg(long, default_value_t = 10_000)]
    idle_sockets: usize,
    /// Visitor sockets opened before the first memory reading of scenario A.
    #[arg(long, default_value_t = 100)]
    warmup_sockets: usize,
    /// Visitor sockets sending in scenarios B and D.
    #[arg(long, default_value_t = 2_000)]
    visitors: usize,
    /// Operator sockets receiving every message in scenarios B and D.
    #[arg(long, default_value_t = 20)]
    operators: usize,
    /// The aggregate rate of scenario B, in messages per second.
    #[arg(long, default_value_t = 5_000.0)]
    rate: f64,
    /// Connections being opened at the same time.
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    if options.visitors == 0 || options.operators == 0 || options.rate <= 0.0 {
        bail!("--visitors, --operators and --rate must be positive");
    }
    let needed =
        options.warmup_sockets + options.idle_sockets + options.visitors + options.operators;
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < needed as u64 + 64 => eprintln!(
            "warning: the open-file limit is {limit}, but up to {needed} sockets may be open at once"
        ),
        Ok(limit) => eprintln!("open-file limit: {limit}"),
        Err(error) => eprintln!("warning: cannot raise the open-file limit: {error}"),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    eprintln!("starting {} with a fresh database", options.relay.display());
    let mut relay = RelayProcess::start(&options.relay)?;
    eprintln!("relay pid {} listening on {}", relay.pid(), relay.addr);
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(&options, &mut relay) => result,
            // Return normally on Ctrl-C, so that the relay is killed and its directory removed.
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    // Kill the relay (and remove its directory) before the socket tasks are torn down.
    drop(relay);
    runtime.shutdown_timeout(Duration::from_secs(2));
    let report = result?;
    println!("{}", report.render());
    Ok(())
}

async fn run(options: &Options, relay: &mut RelayProcess) -> anyhow::Result<Report> {
    let recorder = Arc::new(Recorder::new(FIRST_STEP_PHASE + STEP_RATES.len()));
    let bench = Bench {
        addr: relay.addr,
        relay_pid: relay.pid(),
        recorder: recorder.clone(),
        ticks_per_second: procfs::ticks_per_second(),
    };
    let token = http::login(bench.addr, relay::OPERATOR_EMAIL, relay::OPERATOR_PASSWORD)
        .await
        .context("cannot sign in as the bench operator")?;

    eprintln!(
        "A. idle memory: {} idle visitor sockets",
        options.idle_sockets
    );
    let idle = scenarios::idle::idle_memory(
        &bench,
        options.warmup_sockets,
        options.idle_sockets,
        options.concurrency,
    )
    .await?;
    relay.check_alive()?;

    let (latency_window, step_window) = if options.quick {
        (Duration::from_secs(3), Duration::from_secs(2))
    } else {
        (Duration::from_secs(10), Duration::from_secs(5))
    };
    let drain_timeout = Duration::from_secs(10);
    eprintln!(
        "B. connecting {} operators and {} visitors",
        options.operators, options.visitors
    );
    let mut load = Load::connect(
        &bench,
        &token,
        options.visitors,
        options.operators,
        options.concurrency,
    )
    .await?;
    // One message per visitor first, so that creating the conversations is not measured.
    let warmup_window = Duration::from_secs(2);
    let warmup = load
        .run_phase(
            &bench,
            WARMUP_PHASE,
            warmup_window,
            warmup_window,
            drain_timeout,
        )
        .await?;
    eprintln!(
        "  warm-up: {} sent, {} acked, {} delivered",
        warmup.sent, warmup.acked, warmup.delivered
    );
    eprintln!(
        "B. {} msg/s for {} s",
        options.rate,
        latency_window.as_secs_f64()
    );
    let period = scenarios::load::period_for(load.visitors.opened, options.rate);
    let latency = load
        .run_phase(&bench, LATENCY_PHASE, period, latency_window, drain_timeout)
        .await?;
    eprintln!(
        "  delivery p50 {}, p99 {}, max {}; {} of {} deliveries",
        latency.delivery.ms(0.5),
        latency.delivery.ms(0.99),
        latency.delivery.max_ms(),
        latency.delivered,
        latency.expected_deliveries()
    );
    relay.check_alive()?;

    // Operators the relay dropped during scenario B are replaced, so that D starts complete.
    load.reconnect_operators(&bench).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let steps = scenarios::load::max_rate(
        &bench,
        &load,
        FIRST_STEP_PHASE,
        &STEP_RATES,
        step_window,
        drain_timeout,
        STEP_LIMIT_MS,
    )
    .await?;
    relay.check_alive()?;
    let relay_memory = procfs::memory(bench.relay_pid)?;
    let metrics = http::metrics(bench.addr).await?;
    load.stop().await;

    Ok(Report {
        relay: options.relay.display().to_string(),
        quick: options.quick,
        cores: std::thread::available_parallelism().map_or(0, |cores| cores.get()),
        visitors: options.visitors,
        operators: options.operators,
        idle,
        warmup,
        latency,
        steps,
        metrics,
        relay_memory,
        error_codes: recorder.error_codes(),
        visitors_closed: recorder.visitors_closed.load(Ordering::Relaxed),
        operators_closed: recorder.operators_closed.load(Ordering::Relaxed),
        operator_closes: recorder.operator_closes(),
        unparsed_frames: recorder.unparsed_frames.load(Ordering::Relaxed),
    })
}
