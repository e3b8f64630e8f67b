//! Rendering of scenarios B (latency at one rate) and D (the rate stepped up).

use super::{LATENCY_TARGET_MS, Report, STEP_LIMIT_MS, latencies, row, verdict};
use crate::scenarios::load::{PhaseResult, step_holds};
use std::fmt::Write;

impl Report {
    fn render_phase(&self, out: &mut String, phase: &PhaseResult) {
        row(
            out,
            "messages planned / sent",
            format!("{} / {}", phase.planned, phase.sent),
        );
        row(
            out,
            "acks / error frames",
            format!("{} / {}", phase.acked, phase.errors),
        );
        row(
            out,
            "operator deliveries received / expected",
            format!(
                "{} / {} (sent x {} operators)",
                phase.delivered,
                phase.expected_deliveries(),
                phase.operators
            ),
        );
        row(
            out,
            "achieved stored rate",
            format!(
                "{:.0} msg/s (target {:.0})",
                phase.achieved_rate, phase.target_rate
            ),
        );
        row(
            out,
            "delivery latency p50 / p99 / p99.9 / max",
            latencies(&phase.delivery),
        );
        row(out, "delivery samples", phase.delivery.count());
        row(
            out,
            "ack latency p50 / p99",
            format!("{} / {}", phase.ack.ms(0.5), phase.ack.ms(0.99)),
        );
        row(
            out,
            "latest send after its scheduled time",
            format!("{:.2} ms", phase.max_send_lag.as_secs_f64() * 1e3),
        );
        row(
            out,
            "CPU: relays / PostgreSQL / nginx",
            format!(
                "{:.0}% / {:.0}% / {:.0}% (100% = one core)",
                phase.relay_cpu, phase.database_cpu, phase.balancer_cpu
            ),
        );
        row(
            out,
            "CPU: load generator / other processes",
            format!("{:.0}% / {:.0}%", phase.bench_cpu, phase.other_cpu),
        );
        let (commits_per_second, writes_per_commit) = commits(phase);
        let commits_total = phase.metric("beseda_store_commits_total");
        let messages_per_commit = if commits_total > 0.0 {
            phase.metric("beseda_messages_stored_total") / commits_total
        } else {
            0.0
        };
        row(
            out,
            "store commits/s; writes, messages per commit",
            format!("{commits_per_second:.0}; {writes_per_commit:.1}, {messages_per_commit:.1}"),
        );
        let writes = phase.metric("beseda_store_write_seconds_count");
        let slow = |bound: &str| {
            let within = phase.metric(&format!(
                "beseda_store_write_seconds_bucket{{le=\"{bound}\"}}"
            ));
            writes - within
        };
        row(
            out,
            "relay store writes over 50 ms / 250 ms",
            format!("{} / {} of {writes}", slow("0.05"), slow("0.25")),
        );
        if !phase.complete {
            row(
                out,
                "INCOMPLETE",
                "some acks or deliveries never arrived (or an operator socket closed)",
            );
        }
        if phase.operators_lost > 0 {
            row(
                out,
                "operator sockets closed by the relay",
                phase.operators_lost,
            );
        }
    }

    pub(super) fn render_latency(&self, out: &mut String) {
        for (index, phase) in self.latencies.iter().enumerate() {
            self.render_latency_phase(out, phase, index == 0);
        }
    }

    fn render_latency_phase(&self, out: &mut String, phase: &PhaseResult, with_warmup: bool) {
        let _ = writeln!(
            out,
            "\nB. Latency at {:.0} msg/s ({} visitors, {} operators, {:.0} s; latency measured from the scheduled send time)",
            phase.target_rate,
            self.visitors,
            self.operators,
            phase.window.as_secs_f64()
        );
        if with_warmup {
            row(
                out,
                "warm-up (one message per visitor)",
                format!(
                    "{} sent, {} acked, {} delivered",
                    self.warmup.sent, self.warmup.acked, self.warmup.delivered
                ),
            );
        }
        self.render_phase(out, phase);
        let p99_ok = phase
            .delivery
            .quantile_micros(0.99)
            .is_some_and(|p99| f64::from(p99) <= LATENCY_TARGET_MS * 1_000.0);
        let pass = p99_ok && phase.complete && phase.errors == 0;
        row(
            out,
            "target: delivery p99 <= 20 ms, nothing lost",
            verdict(pass),
        );
    }

    pub(super) fn render_steps(&self, out: &mut String) {
        let window = self
            .steps
            .first()
            .map_or(0.0, |step| step.window.as_secs_f64());
        let _ = writeln!(
            out,
            "\nD. Maximum sustained rate (steps of {window:.0} s; a step holds with delivery p99 <= {STEP_LIMIT_MS} ms,\n   \
             every ack and delivery, no error frames, and at least 90% of the target rate;\n   \
             CPU columns in % of one core: relays, PostgreSQL, nginx, this load generator, all\n   \
             other processes; store commits per second and writes per commit, all relays)"
        );
        let header = [
            "target/s",
            "sent",
            "stored/s",
            "acks",
            "deliveries/expect",
            "p50",
            "p99",
            "max",
            "relay%",
            "db%",
            "lb%",
            "bench%",
            "other%",
            "cmt/s",
            "wr/cmt",
            "verdict",
        ];
        table_row(out, header.map(str::to_owned));
        for step in &self.steps {
            let (commits_per_second, writes_per_commit) = commits(step);
            table_row(
                out,
                [
                    format!("{:.0}", step.target_rate),
                    step.sent.to_string(),
                    format!("{:.0}", step.achieved_rate),
                    step.acked.to_string(),
                    format!("{}/{}", step.delivered, step.expected_deliveries()),
                    step.delivery.ms(0.5),
                    step.delivery.ms(0.99),
                    step.delivery.max_ms(),
                    format!("{:.0}%", step.relay_cpu),
                    format!("{:.0}%", step.database_cpu),
                    format!("{:.0}%", step.balancer_cpu),
                    format!("{:.0}%", step.bench_cpu),
                    format!("{:.0}%", step.other_cpu),
                    format!("{commits_per_second:.0}"),
                    format!("{writes_per_commit:.1}"),
                    if step_holds(step, STEP_LIMIT_MS) {
                        "holds".to_owned()
                    } else {
                        failure(step)
                    },
                ],
            );
        }
        let best = self
            .steps
            .iter()
            .take_while(|step| step_holds(step, STEP_LIMIT_MS))
            .last();
        let best = match best {
            Some(step) => format!(
                "{:.0} msg/s (the {:.0} msg/s step)",
                step.achieved_rate, step.target_rate
            ),
            None => "none: even the first step did not hold".to_owned(),
        };
        row(out, "max sustained stored messages/s", best);
        if self
            .steps
            .last()
            .is_some_and(|step| step_holds(step, STEP_LIMIT_MS))
        {
            row(
                out,
                "note",
                "the last step still held: the limit is above the highest step tried",
            );
        }
    }
}

/// The widths of scenario D's columns; the last column (the verdict) is not padded.
const STEP_COLUMNS: [usize; 15] = [8, 8, 8, 8, 17, 8, 8, 8, 6, 5, 4, 6, 6, 6, 6];

/// One line of scenario D's table: every cell right-aligned in its column.
fn table_row(out: &mut String, cells: [String; 16]) {
    out.push(' ');
    for (cell, width) in cells.iter().zip(STEP_COLUMNS) {
        let _ = write!(out, " {cell:>width$}");
    }
    let _ = writeln!(out, "  {}", cells[15]);
}

/// Where the store's time goes in a phase: commits per second (the relays'
/// `beseda_store_commits_total`, over the time from the reading before the window to the one
/// after its drain, during which every commit of the phase happened), and writes per commit (`beseda_store_committed_writes_total`
/// over the commits: the group commit's average batch, every kind of write counted).
fn commits(phase: &PhaseResult) -> (f64, f64) {
    let commits = phase.metric("beseda_store_commits_total");
    let writes = phase.metric("beseda_store_committed_writes_total");
    let per_commit = if commits > 0.0 { writes / commits } else { 0.0 };
    (
        commits / phase.metrics_span.as_secs_f64().max(1e-3),
        per_commit,
    )
}

/// Why a step did not hold.
fn failure(step: &PhaseResult) -> String {
    let mut reasons = Vec::new();
    if step
        .delivery
        .quantile_micros(0.99)
        .is_none_or(|p99| f64::from(p99) > STEP_LIMIT_MS * 1_000.0)
    {
        reasons.push("p99");
    }
    if !step.complete {
        reasons.push("incomplete");
    }
    let dropped = format!("{} operators dropped", step.operators_lost);
    if step.operators_lost > 0 {
        reasons.push(&dropped);
    }
    if step.errors > 0 {
        reasons.push("errors");
    }
    if step.achieved_rate < 0.9 * step.target_rate {
        reasons.push("rate");
    }
    format!("FAILS ({})", reasons.join(", "))
}
