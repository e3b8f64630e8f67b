//! The final table: every figure of every scenario, with plain verdicts against the targets.
//! Scenario A and the relay's counters are rendered here, scenarios B and D in [`load`].

mod load;

use crate::deployment::Store;
use crate::postgres::DatabaseStats;
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
    pub store: Store,
    pub relays: usize,
    pub quick: bool,
    pub cores: usize,
    pub visitors: usize,
    pub operators: usize,
    pub idle: IdleResult,
    pub warmup: PhaseResult,
    /// Scenario B, one phase per rate.
    pub latencies: Vec<PhaseResult>,
    pub steps: Vec<PhaseResult>,
    pub metrics: BTreeMap<String, f64>,
    /// PostgreSQL's own counters over scenarios B and D, on PostgreSQL.
    pub database: Option<DatabaseStats>,
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
            "\nBeseda relay benchmark ({} run): {}",
            if self.quick { "quick" } else { "full" },
            self.configuration()
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
        self.render_database(&mut out);
        out
    }

    /// The store and the relays, in words.
    fn configuration(&self) -> String {
        match (self.store, self.relays) {
            (Store::Sqlite, _) => "SQLite (synchronous=FULL), one relay".to_owned(),
            (Store::Postgres, 1) => {
                "PostgreSQL (fsync on, synchronous_commit on), one relay".to_owned()
            }
            (Store::Postgres, relays) => format!(
                "PostgreSQL (fsync on, synchronous_commit on), {relays} relays behind nginx \
                 (every client connects through nginx)"
            ),
        }
    }

    fn render_idle(&self, out: &mut String) {
        let idle = &self.idle;
        let _ = writeln!(
            out,
            "\nA. Idle memory (visitor sockets past hello and welcome; closed after measuring{})",
            if self.relays > 1 {
                "; the relays' RSS added up"
            } else {
                ""
            }
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
        if let (Some(before), Some(after)) = (&idle.balancer_before, &idle.balancer_after) {
            let per_socket =
                (after.rss_kib as f64 - before.rss_kib as f64) / idle.idle.opened.max(1) as f64;
            row(
                out,
                "nginx RSS before / with the idle sockets",
                format!(
                    "{} / {} ({per_socket:.2} KiB per socket, not in the figure above)",
                    mib(before.rss_kib),
                    mib(after.rss_kib)
                ),
            );
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

    fn render_database(&self, out: &mut String) {
        let Some(database) = &self.database else {
            return;
        };
        let _ = writeln!(
            out,
            "\nPostgreSQL's own counters over B and D (pg_stat_database, pg_stat_wal; reported by\n\
             its backends up to a second late)"
        );
        let stored = self.metrics.get("beseda_messages_stored_total").copied();
        let committed = database.transactions_committed;
        row(
            out,
            "transactions committed / rolled back",
            format!("{committed} / {}", database.transactions_rolled_back),
        );
        row(
            out,
            "blocks read from disk / found in shared buffers",
            format!("{} / {}", database.blocks_read, database.blocks_hit),
        );
        row(
            out,
            "WAL records / bytes / flushes to disk",
            format!(
                "{} / {} / {}",
                database.wal_records,
                mib(database.wal_bytes / 1024),
                database.wal_syncs
            ),
        );
        if let Some(stored) = stored.filter(|stored| *stored > 0.0) {
            row(
                out,
                "WAL bytes per message stored",
                format!("{:.0}", database.wal_bytes as f64 / stored),
            );
        }
    }

    fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nRelay counters (GET /metrics at the end{}) and socket health",
            if self.relays > 1 {
                ", every relay's added up"
            } else {
                ""
            }
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
            "relay RSS at the end / peak (sum over relays)",
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
