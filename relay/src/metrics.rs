//! Counters and gauges the relay exports at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the store latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Everything counted; plain atomics, so counting never waits.
#[derive(Debug, Default)]
pub struct Metrics {
    pub visitor_connections: AtomicI64,
    pub operator_connections: AtomicI64,
    pub messages_stored: AtomicU64,
    pub messages_refused: AtomicU64,
    pub upgrades_refused: AtomicU64,
    pub slow_peers_dropped: AtomicU64,
    pub http_requests: AtomicU64,
    /// Connections answered 429 or 503 and closed at once (per-address or whole cap).
    pub connections_refused: AtomicU64,
    pub mail_sent: AtomicU64,
    pub mail_failures: AtomicU64,
    pub mail_given_up: AtomicU64,
    /// Files stored and carried by a message, and their bytes.
    pub files_stored: AtomicU64,
    pub file_bytes_stored: AtomicU64,
    /// Files refused, by reason.
    pub files_refused: FilesRefused,
    store_write_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    store_write_count: AtomicU64,
    store_write_micros: AtomicU64,
}

/// Files refused, one counter per reason (the reasons are the error codes).
#[derive(Debug, Default)]
pub struct FilesRefused {
    pub too_large: AtomicU64,
    pub unsupported_type: AtomicU64,
    pub damaged: AtomicU64,
    pub too_many: AtomicU64,
}

impl Metrics {
    /// Records how long a store write took, from the call to the commit.
    pub fn observe_store_write(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in self.store_write_buckets.iter().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.store_write_count.fetch_add(1, Ordering::Relaxed);
        self.store_write_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus exposition text; `commits`, `committed_jobs` and `pending_writes` come
    /// from the store.
    pub fn render(&self, commits: u64, committed_jobs: u64, pending_writes: usize) -> String {
        let mut text = String::with_capacity(2048);
        let mut gauge = |name: &str, help: &str, kind: &str, value: String| {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            "beseda_visitor_connections",
            "Open visitor WebSockets.",
            "gauge",
            load_i(&self.visitor_connections),
        );
        gauge(
            "beseda_operator_connections",
            "Open operator WebSockets.",
            "gauge",
            load_i(&self.operator_connections),
        );
        gauge(
            "beseda_messages_stored_total",
            "Messages committed to the database.",
            "counter",
            load(&self.messages_stored),
        );
        gauge(
            "beseda_messages_refused_total",
            "Messages refused (size, rate, validation).",
            "counter",
            load(&self.messages_refused),
        );
        gauge(
            "beseda_upgrades_refused_total",
            "WebSocket upgrades refused (origin, path, caps).",
            "counter",
            load(&self.upgrades_refused),
        );
        gauge(
            "beseda_slow_peers_dropped_total",
            "Sockets closed because they did not keep up.",
            "counter",
            load(&self.slow_peers_dropped),
        );
        gauge(
            "beseda_http_requests_total",
            "HTTP requests served.",
            "counter",
            load(&self.http_requests),
        );
        gauge(
            "beseda_connections_refused_total",
            "Connections refused at once: their address, or the relay, at its cap.",
            "counter",
            load(&self.connections_refused),
        );
        gauge(
            "beseda_store_pending_writes",
            "Writes waiting to be committed (queued or in the current transaction).",
            "gauge",
            pending_writes.to_string(),
        );
        gauge(
            "beseda_store_commits_total",
            "Write transactions committed (each may hold many writes).",
            "counter",
            commits.to_string(),
        );
        gauge(
            "beseda_store_committed_writes_total",
            "Writes committed.",
            "counter",
            committed_jobs.to_string(),
        );
        gauge(
            "beseda_mail_sent_total",
            "Emails the SMTP server accepted.",
            "counter",
            load(&self.mail_sent),
        );
        gauge(
            "beseda_mail_failures_total",
            "Attempts to send an email that failed (each is retried unless given up).",
            "counter",
            load(&self.mail_failures),
        );
        gauge(
            "beseda_mail_given_up_total",
            "Emails given up: refused by the server, or failing for three days.",
            "counter",
            load(&self.mail_given_up),
        );
        gauge(
            "beseda_files_stored_total",
            "Files stored and carried by a message.",
            "counter",
            load(&self.files_stored),
        );
        gauge(
            "beseda_file_bytes_stored_total",
            "Bytes of the files stored and carried by a message (as kept).",
            "counter",
            load(&self.file_bytes_stored),
        );
        let name = "beseda_files_refused_total";
        let _ = writeln!(
            text,
            "# HELP {name} Files refused, by reason.\n# TYPE {name} counter"
        );
        let refused = &self.files_refused;
        for (reason, counter) in [
            ("file_too_large", &refused.too_large),
            ("unsupported_type", &refused.unsupported_type),
            ("damaged_file", &refused.damaged),
            ("too_many_files", &refused.too_many),
        ] {
            let _ = writeln!(text, "{name}{{reason=\"{reason}\"}} {}", load(counter));
        }
        let name = "beseda_store_write_seconds";
        let _ = writeln!(
            text,
            "# HELP {name} Time from a write request to its commit.\n# TYPE {name} histogram"
        );
        for (bucket, bound) in self.store_write_buckets.iter().zip(LATENCY_BUCKETS) {
            let _ = writeln!(
                text,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.store_write_count.load(Ordering::Relaxed);
        let _ = writeln!(text, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.store_write_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(text, "{name}_sum {sum}\n{name}_count {count}");
        text
    }
}

fn load(counter: &AtomicU64) -> String {
    counter.load(Ordering::Relaxed).to_string()
}

fn load_i(gauge: &AtomicI64) -> String {
    gauge.load(Ordering::Relaxed).to_string()
}
