//! What the socket tasks observe, counted per phase: sends, acknowledgements, errors, deliveries
//! to operators, and every latency sample (in microseconds, all kept, so percentiles are exact).
//!
//! A phase is one measured window (the warm-up, scenario B, or one step of scenario D). Each
//! message names its phase in its client id and its scheduled send time in its text, so a
//! receiver can attribute it without asking the sender.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One phase's counters and samples.
#[derive(Default)]
pub struct Phase {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub errors: AtomicU64,
    pub delivered: AtomicU64,
    /// The most a send went out after its scheduled time: how far the load generator fell behind.
    pub max_send_lag_ns: AtomicU64,
    /// When the last acknowledgement or delivery of this phase arrived, in nanoseconds since the
    /// recorder's start.
    pub last_arrival_ns: AtomicU64,
    ack_micros: Mutex<Vec<u32>>,
    delivery_micros: Mutex<Vec<u32>>,
}

/// Everything the tasks record; shared by all of them.
pub struct Recorder {
    start: Instant,
    phases: Vec<Phase>,
    error_codes: Mutex<BTreeMap<String, u64>>,
    pub visitors_closed: AtomicU64,
    pub operators_closed: AtomicU64,
    /// Operator sockets open now.
    pub operators_open: AtomicU64,
    /// When the relay closed each operator socket, in nanoseconds since the start.
    operator_closes_ns: Mutex<Vec<u64>>,
    /// Frames that were not JSON of a shape the bench understands.
    pub unparsed_frames: AtomicU64,
}

impl Recorder {
    pub fn new(phase_count: usize) -> Recorder {
        Recorder {
            start: Instant::now(),
            phases: (0..phase_count).map(|_| Phase::default()).collect(),
            error_codes: Mutex::new(BTreeMap::new()),
            visitors_closed: AtomicU64::new(0),
            operators_closed: AtomicU64::new(0),
            operators_open: AtomicU64::new(0),
            operator_closes_ns: Mutex::new(Vec::new()),
            unparsed_frames: AtomicU64::new(0),
        }
    }

    /// Nanoseconds since the start.
    pub fn now_ns(&self) -> u64 {
        nanos(self.start.elapsed())
    }

    /// Nanoseconds since the start at `instant`.
    pub fn ns_at(&self, instant: Instant) -> u64 {
        nanos(instant.saturating_duration_since(self.start))
    }

    pub fn phase(&self, index: usize) -> Option<&Phase> {
        self.phases.get(index)
    }

    /// A message scheduled at `scheduled_ns` went out (possibly late, when the sender lagged).
    pub fn record_sent(&self, phase: usize, scheduled_ns: u64) {
        let lag = self.now_ns().saturating_sub(scheduled_ns);
        if let Some(phase) = self.phase(phase) {
            phase.sent.fetch_add(1, Ordering::Relaxed);
            phase.max_send_lag_ns.fetch_max(lag, Ordering::Relaxed);
        }
    }

    /// An acknowledgement for a message scheduled at `scheduled_ns`.
    pub fn record_ack(&self, phase: usize, scheduled_ns: u64) {
        let now = self.now_ns();
        if let Some(phase) = self.phase(phase) {
            phase.acked.fetch_add(1, Ordering::Relaxed);
            phase.last_arrival_ns.fetch_max(now, Ordering::Relaxed);
            push(&phase.ack_micros, now.saturating_sub(scheduled_ns));
        }
    }

    /// A message scheduled at `scheduled_ns` reached an operator.
    pub fn record_delivery(&self, phase: usize, scheduled_ns: u64) {
        let now = self.now_ns();
        if let Some(phase) = self.phase(phase) {
            phase.delivered.fetch_add(1, Ordering::Relaxed);
            phase.last_arrival_ns.fetch_max(now, Ordering::Relaxed);
            push(&phase.delivery_micros, now.saturating_sub(scheduled_ns));
        }
    }

    /// An error frame, attributed to a phase when it names one of the bench's client ids.
    pub fn record_error(&self, phase: Option<usize>, code: &str) {
        if let Some(phase) = phase.and_then(|phase| self.phase(phase)) {
            phase.errors.fetch_add(1, Ordering::Relaxed);
        }
        let mut codes = self
            .error_codes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *codes.entry(code.to_owned()).or_default() += 1;
    }

    /// The relay closed an operator socket.
    pub fn record_operator_closed(&self) {
        self.operators_closed.fetch_add(1, Ordering::Relaxed);
        let now = self.now_ns();
        self.operator_closes_ns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(now);
    }

    /// When the relay closed operator sockets, in seconds since the start.
    pub fn operator_closes(&self) -> Vec<f64> {
        self.operator_closes_ns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|nanos| *nanos as f64 / 1e9)
            .collect()
    }

    /// Every error code seen, with its count.
    pub fn error_codes(&self) -> BTreeMap<String, u64> {
        self.error_codes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Sorted latency samples of a phase: (acknowledgements, deliveries).
    pub fn samples(&self, phase: usize) -> (Percentiles, Percentiles) {
        let Some(phase) = self.phase(phase) else {
            return (Percentiles::default(), Percentiles::default());
        };
        (
            Percentiles::from_samples(take(&phase.ack_micros)),
            Percentiles::from_samples(take(&phase.delivery_micros)),
        )
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn push(samples: &Mutex<Vec<u32>>, latency_ns: u64) {
    let micros = u32::try_from(latency_ns / 1_000).unwrap_or(u32::MAX);
    samples
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(micros);
}

fn take(samples: &Mutex<Vec<u32>>) -> Vec<u32> {
    samples
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Latency percentiles over a set of samples, in microseconds.
#[derive(Clone, Debug, Default)]
pub struct Percentiles {
    sorted: Vec<u32>,
}

impl Percentiles {
    pub fn from_samples(mut samples: Vec<u32>) -> Percentiles {
        samples.sort_unstable();
        Percentiles { sorted: samples }
    }

    pub fn count(&self) -> usize {
        self.sorted.len()
    }

    /// The smallest sample that at least `quantile` of the samples do not exceed.
    pub fn quantile_micros(&self, quantile: f64) -> Option<u32> {
        if self.sorted.is_empty() {
            return None;
        }
        let rank = (quantile * self.sorted.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.sorted.len()) - 1;
        Some(self.sorted[index])
    }

    pub fn max_micros(&self) -> Option<u32> {
        self.sorted.last().copied()
    }

    /// A quantile in milliseconds, formatted for the table ("-" without samples).
    pub fn ms(&self, quantile: f64) -> String {
        format_ms(self.quantile_micros(quantile))
    }

    pub fn max_ms(&self) -> String {
        format_ms(self.max_micros())
    }
}

fn format_ms(micros: Option<u32>) -> String {
    match micros {
        Some(micros) => format!("{:.2} ms", f64::from(micros) / 1_000.0),
        None => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let percentiles = Percentiles::from_samples((1..=1000).rev().collect());
        assert_eq!(percentiles.quantile_micros(0.5), Some(500));
        assert_eq!(percentiles.quantile_micros(0.99), Some(990));
        assert_eq!(percentiles.quantile_micros(0.999), Some(999));
        assert_eq!(percentiles.max_micros(), Some(1000));
        assert_eq!(Percentiles::default().quantile_micros(0.5), None);
    }
}
