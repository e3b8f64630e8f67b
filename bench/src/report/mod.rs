//! The final table: every figure of every scenario, with plain verdicts against the targets.
//! Scenario A and the relay's counters are rendered here, scenarios B and D in [`load`].

mod load;

use crate::procfs::Memory;
use crate::recorder::Percentiles;
use crate::scenarios::idle::IdleResult;
use crate::scenarios::load::PhaseResult;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The target for scenario A, in KiB of relay memory per idle visitor socket.
pub const IDLE_TARGET_KIB: f64 = 16.0;
/// The target for scenario B: delivery p99 in milliseconds.
pub const LATENCY_TARGET_MS: f64 = 20.0;
/// The limit for scenario D: a step holds while delivery p99 stays within this.
pub const STEP_LIMIT_MS: f64 = 50.0;

/// Everything the bench measured.
pub struct Report {
    pub relay: String,
    pub quick: bool,
    pub cores: usize,
    pub visitors: usize,
    pub operators: usize,
    pub idle: IdleResult,
    pub warmup: PhaseResult,
    pub latency: PhaseResult,
    pub steps: Vec<PhaseResult>,
    pub metrics: BTreeMap<String, f64>,
    pub relay_memory: Memory,
    pub error_codes: BTreeMap<String, u64>,
    pub visitors_closed: u64,
    pub operators_closed: u64,
    /// When the relay closed operator sockets, in seconds since the bench started.
    pub operator_closes: Vec<f64>,
    pub unparsed_frames: u64,
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn row(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "  {label:<46} {value}");
}

fn latencies(percentiles: &Percentiles) -> String {
    format!(
        "{} / {} / {} / {}",
        percentiles.ms(0.5),
        percentiles.ms(0.99),
        percentiles.ms(0.999),
        percentiles.max_ms()
    )
}

impl Report {
    /// Renders the whole table.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nBeseda relay benchmark ({} run)",
            if self.quick { "quick" } else { "full" }
        );
        let _ = writeln!(
            out,
            "relay: {}; the relay and this load generator share the same machine ({} CPU cores),\n\
             so every figure includes the load generator's own CPU use and scheduling delay.",
            self.relay, self.cores
        );
        self.render_idle(&mut out);
        self.render_latency(&mut out);
        self.render_steps(&mut out);
        self.render_metrics(&mut out);
        out
    }

    fn render_idle(&self, out: &mut String) {
        let idle = &self.idle;
        let _ = writeln!(
            out,
            "\nA. Idle memory (visitor sockets past hello and welcome; closed after measuring)"
        );
        row(out, "warm-up visitor sockets", idle.warmup.opened);
        row(
            out,
            "idle visitor sockets opened",
            format!(
                "{} ({} failed) in {:.1} s",
                idle.idle.opened,
                idle.idle.failed,
                idle.idle.elapsed.as_secs_f64()
            ),
        );
        if let Some(error) = &idle.idle.first_error {
            row(out, "first connection error", error);
        }
        row(
            out,
            "relay RSS before",
            format!(
                "{} ({} threads)",
                mib(idle.before.rss_kib),
                idle.before.threads
            ),
        );
        row(
            out,
            "relay RSS with the idle sockets (total)",
            format!(
                "{} ({} threads; {} threads and {} right after connecting)",
                mib(idle.after.rss_kib),
                idle.after.threads,
                idle.just_connected.threads,
                mib(idle.just_connected.rss_kib)
            ),
        );
        match idle.per_socket_kib() {
            Some(per_socket) => row(
                out,
                "relay RSS per idle socket",
                format!(
                    "{per_socket:.2} KiB (target <= {IDLE_TARGET_KIB} KiB: {})",
                    verdict(per_socket <= IDLE_TARGET_KIB)
                ),
            ),
            None => row(out, "relay RSS per idle socket", "no socket opened: FAIL"),
        }
        row(
            out,
            "relay RSS after closing them",
            format!(
                "{} (beseda_visitor_connections then: {})",
                mib(idle.after_close.rss_kib),
                idle.open_after_close
            ),
        );
    }

    fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nRelay counters (GET /metrics at the end) and socket health"
        );
        let metric = |name: &str| self.metrics.get(name).copied().unwrap_or_default();
        let stored = metric("beseda_messages_stored_total");
        let commits = metric("beseda_store_commits_total");
        let writes = metric("beseda_store_committed_writes_total");
        row(out, "beseda_messages_stored_total", stored);
        row(out, "beseda_store_commits_total", commits);
        if commits > 0.0 {
            row(
                out,
                "messages per commit (group commit)",
                format!("{:.2}", stored / commits),
            );
            row(
                out,
                "writes per commit (all writes)",
                format!("{:.2}", writes / commits),
            );
        }
        row(
            out,
            "beseda_slow_peers_dropped_total",
            metric("beseda_slow_peers_dropped_total"),
        );
        row(
            out,
            "beseda_messages_refused_total",
            metric("beseda_messages_refused_total"),
        );
        row(
            out,
            "relay RSS at the end / peak",
            format!(
                "{} / {}",
                mib(self.relay_memory.rss_kib),
                mib(self.relay_memory.peak_kib)
            ),
        );
        let codes = if self.error_codes.is_empty() {
            "none".to_owned()
        } else {
            self.error_codes
                .iter()
                .map(|(code, count)| format!("{code} x{count}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        row(out, "error frames received", codes);
        row(
            out,
            "sockets closed by the relay",
            format!(
                "{} visitor, {} operator",
                self.visitors_closed, self.operators_closed
            ),
        );
        if let (Some(first), Some(last)) = (
            self.operator_closes.iter().copied().reduce(f64::min),
            self.operator_closes.iter().copied().reduce(f64::max),
        ) {
            row(
                out,
                "operator sockets closed between",
                format!("{first:.3} s and {last:.3} s after the bench started"),
            );
        }
        row(
            out,
            "frames the bench could not parse",
            self.unparsed_frames,
        );
    }
}
