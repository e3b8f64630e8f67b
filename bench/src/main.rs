//! `beseda-load`: starts relays on 127.0.0.1 with a fresh database and measures them.
//!
//! A. relay memory per idle visitor socket; B. visitor-to-operator delivery latency at paced
//! rates (2,000 and 5,000 messages/s); D. the highest rate at which delivery p99 stays within
//! 50 ms. The database is a SQLite file, or a PostgreSQL server of the bench's own with fsync
//! on; with several relays on PostgreSQL, nginx balances every client over them. Progress goes
//! to standard error, the final table to standard output. Instead of these, `--history` times
//! the reports and searches on a generated history, `--files` uploads photos at once and
//! measures the relay's throughput and memory, and `--webhooks` compares the chat's latency
//! without and with a webhook endpoint that answers in 2 s.
//!
//! `cargo run --release -p beseda-bench -- --relay target/release/beseda-relay [--quick]
//! [--store postgres] [--relays 2]`

mod clients;
mod deployment;
mod frames;
mod history;
mod http;
mod postgres;
mod procfs;
mod recorder;
mod relay;
mod report;
mod scenarios;

use anyhow::{Context, bail};
use clap::Parser;
use deployment::{Deployment, Store};
use recorder::Recorder;
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
/// Phase 0 is the warm-up, the phases of scenario B (one per rate) follow from phase 1, and
/// the steps of scenario D after them.
const WARMUP_PHASE: usize = 0;
const FIRST_LATENCY_PHASE: usize = 1;

/// Load generator for the Beseda relay. Everything runs on 127.0.0.1.
#[derive(Parser, Debug)]
#[command(name = "beseda-load", version)]
struct Options {
    /// The relay binary to start, e.g. target/release/beseda-relay.
    #[arg(long)]
    relay: PathBuf,
    /// The database: a SQLite file, or a PostgreSQL server the bench starts with fsync on.
    #[arg(long, value_enum, default_value_t = Store::Sqlite)]
    store: Store,
    /// Relays on the one database; more than one needs `--store postgres`, and puts nginx in
    /// front of them, through which every visitor and operator connects.
    #[arg(long, default_value_t = 1)]
    relays: usize,
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
    /// The aggregate rates of scenario B, in messages per second, measured one after another.
    #[arg(long, value_delimiter = ',', default_values_t = [2_000.0, 5_000.0])]
    rate: Vec<f64>,
    /// Connections being opened at the same time.
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
    /// Instead of the load scenarios: writes a generated history into this SQLite file (unless
    /// it exists) and times every report on it.
    #[arg(long)]
    history: Option<PathBuf>,
    /// Instead of the load scenarios: this many visitors upload a photo each, all at once,
    /// after one alone; the relay's throughput and memory.
    #[arg(long)]
    files: Option<usize>,
    /// The size of the uploaded photo, in megabytes (about).
    #[arg(long, default_value_t = 5.0)]
    file_megabytes: f64,
    /// Conversations of the generated history.
    #[arg(long, default_value_t = 100_000)]
    history_conversations: usize,
    /// Messages of the generated history, about.
    #[arg(long, default_value_t = 1_000_000)]
    history_messages: usize,
    /// Days the generated history reaches back.
    #[arg(long, default_value_t = 90)]
    history_days: i64,
    /// Instead of scenarios A, B and D: the chat's delivery latency at the first `--rate`
    /// without a webhook endpoint, then with one subscribed to every message that answers in 2 s.
    #[arg(long)]
    webhooks: bool,
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    if options.visitors == 0
        || options.operators == 0
        || options.rate.is_empty()
        || options
            .rate
            .iter()
            .any(|rate| !(*rate > 0.0 && rate.is_finite()))
    {
        bail!("--visitors, --operators and every --rate must be positive");
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
    if let Some(count) = options.files {
        return runtime.block_on(scenarios::files::run(
            &options.relay,
            count,
            options.file_megabytes,
        ));
    }
    if let Some(path) = &options.history {
        return runtime.block_on(scenarios::history::run(
            &options.relay,
            path,
            options.history_conversations,
            options.history_messages,
            options.history_days,
        ));
    }
    eprintln!(
        "starting {} relay(s) {} on {:?} with a fresh database",
        options.relays,
        options.relay.display(),
        options.store
    );
    let mut deployment = Deployment::start(&options.relay, options.store, options.relays)?;
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(&options, &mut deployment) => result,
            // Return normally on Ctrl-C, so that every server is stopped and its directory
            // removed.
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    // Stop nginx, the relays and the database before the socket tasks are torn down.
    drop(deployment);
    runtime.shutdown_timeout(Duration::from_secs(2));
    // `--webhooks` printed its own table.
    if let Some(report) = result? {
        println!("{}", report.render());
    }
    Ok(())
}

async fn run(options: &Options, deployment: &mut Deployment) -> anyhow::Result<Option<Report>> {
    let first_step_phase = FIRST_LATENCY_PHASE + options.rate.len();
    let recorder = Arc::new(Recorder::new(first_step_phase + STEP_RATES.len()));
    let bench = Bench {
        addr: deployment.entry,
        relay_addrs: deployment.relay_addrs(),
        relay_pids: deployment.relay_pids(),
        database_pid: deployment.database_pid()?,
        balancer_pid: deployment.balancer_pid(),
        recorder: recorder.clone(),
        ticks_per_second: procfs::ticks_per_second(),
    };
    if deployment.relays.len() > 1 && bench.balancer_pid.is_none() {
        bail!("cannot find nginx's process, whose memory and CPU time the report shows");
    }
    let token = http::login(bench.addr, relay::OPERATOR_EMAIL, relay::OPERATOR_PASSWORD)
        .await
        .context("cannot sign in as the bench operator")?;
    if options.webhooks {
        webhooks_only(options, &bench, &token).await?;
        return Ok(None);
    }

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
    deployment.check_alive()?;

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
    let database_before = database_stats(deployment)?;
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
    let mut latencies = Vec::with_capacity(options.rate.len());
    for (index, rate) in options.rate.iter().enumerate() {
        eprintln!("B. {rate} msg/s for {} s", latency_window.as_secs_f64());
        let period = scenarios::load::period_for(load.visitors.opened, *rate);
        let latency = load
            .run_phase(
                &bench,
                FIRST_LATENCY_PHASE + index,
                period,
                latency_window,
                drain_timeout,
            )
            .await?;
        eprintln!(
            "  delivery p50 {}, p99 {}, max {}; {} of {} deliveries",
            latency.delivery.ms(0.5),
            latency.delivery.ms(0.99),
            latency.delivery.max_ms(),
            latency.delivered,
            latency.expected_deliveries()
        );
        latencies.push(latency);
        deployment.check_alive()?;
        // Operators the relays dropped are replaced, so that the next phase starts complete.
        load.reconnect_operators(&bench).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    let steps = scenarios::load::max_rate(
        &bench,
        &load,
        first_step_phase,
        &STEP_RATES,
        step_window,
        drain_timeout,
        STEP_LIMIT_MS,
    )
    .await?;
    deployment.check_alive()?;
    let database = match (database_before, database_stats(deployment)?) {
        (Some(before), Some(after)) => Some(after.since(&before)),
        _ => None,
    };
    let relay_memory = procfs::total_memory(&bench.relay_pids)?;
    let metrics = bench.metrics().await?;
    load.stop().await;

    Ok(Some(Report {
        relay: options.relay.display().to_string(),
        store: options.store,
        relays: bench.relay_pids.len(),
        quick: options.quick,
        cores: std::thread::available_parallelism().map_or(0, |cores| cores.get()),
        visitors: options.visitors,
        operators: options.operators,
        idle,
        warmup,
        latencies,
        steps,
        metrics,
        database,
        relay_memory,
        error_codes: recorder.error_codes(),
        visitors_closed: recorder.visitors_closed.load(Ordering::Relaxed),
        operators_closed: recorder.operators_closed.load(Ordering::Relaxed),
        operator_closes: recorder.operator_closes(),
        unparsed_frames: recorder.unparsed_frames.load(Ordering::Relaxed),
    }))
}

/// `--webhooks`: connects the load, warms it up and compares the chat without and with a slow
/// webhook endpoint; the table goes to standard output, and the bench ends there.
async fn webhooks_only(options: &Options, bench: &Bench, token: &str) -> anyhow::Result<()> {
    let load = Load::connect(
        bench,
        token,
        options.visitors,
        options.operators,
        options.concurrency,
    )
    .await?;
    let window = if options.quick {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(10)
    };
    let warmup = Duration::from_secs(2);
    load.run_phase(bench, WARMUP_PHASE, warmup, warmup, Duration::from_secs(10))
        .await?;
    scenarios::webhooks::compare(
        bench,
        &load,
        token,
        options.rate[0],
        window,
        FIRST_LATENCY_PHASE,
    )
    .await?;
    load.stop().await;
    Ok(())
}

/// PostgreSQL's own counters, if the relays run on it. `psql` blocks a runtime thread for a
/// few milliseconds, which is harmless here: it runs between phases, when nothing is measured.
fn database_stats(deployment: &Deployment) -> anyhow::Result<Option<postgres::DatabaseStats>> {
    deployment
        .postgres
        .as_ref()
        .map(postgres::stats)
        .transpose()
}
