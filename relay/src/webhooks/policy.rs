//! What an attempt means for its delivery (pure): delivered, retried later with backoff, or
//! failed for good; and which destinations are refused.

use crate::store::webhooks::{DeliveryOutcome, Response};
use std::net::IpAddr;

/// The first retry comes about this soon after a failure; each later one waits twice as long...
const FIRST_RETRY_MILLIS: i64 = 1_000;
/// ...up to this.
const LONGEST_RETRY_MILLIS: i64 = 60 * 60 * 1000;
/// A delivery still failing this long after its event is given up.
pub const GIVE_UP_AFTER_MILLIS: i64 = 3 * 24 * 60 * 60 * 1000;
/// The longest `Retry-After` honoured.
const LONGEST_RETRY_AFTER_MILLIS: i64 = 6 * 60 * 60 * 1000;

/// What happened on the wire.
#[derive(Clone, Debug)]
pub enum Attempt {
    /// The receiver answered.
    Answered {
        status: u16,
        millis: u32,
        snippet: String,
        /// `Retry-After`, in seconds, when it gave one.
        retry_after: Option<u64>,
    },
    /// No answer: a timeout or a connection error (tried again).
    NoAnswer { millis: u32, error: String },
    /// The destination is refused (a private address, a URL that cannot be one): for good.
    Refused(String),
}

/// The outcome of `attempt` on a delivery created at `created_at` after `attempts` earlier
/// failures, at `now`; `jitter` in 0..1 spreads the retries.
pub fn judge(
    attempt: Attempt,
    attempts: u32,
    created_at: i64,
    now: i64,
    jitter: f64,
) -> DeliveryOutcome {
    let backoff = || {
        let doubled = FIRST_RETRY_MILLIS.saturating_mul(1i64 << attempts.min(30));
        let capped = doubled.min(LONGEST_RETRY_MILLIS) as f64;
        (capped * (0.5 + jitter.clamp(0.0, 1.0) / 2.0)) as i64
    };
    let retry = |at: i64, response: Response| {
        if at - created_at > GIVE_UP_AFTER_MILLIS {
            DeliveryOutcome::Failed(response)
        } else {
            DeliveryOutcome::Retry { at, response }
        }
    };
    match attempt {
        Attempt::Answered {
            status,
            millis,
            snippet,
            retry_after,
        } => {
            let response = Response {
                status: Some(status),
                millis: Some(millis),
                snippet: Some(snippet),
            };
            match status {
                200..=299 => DeliveryOutcome::Delivered(response),
                429 => {
                    let wait = retry_after
                        .and_then(|seconds| i64::try_from(seconds).ok())
                        .map(|seconds| (seconds * 1000).min(LONGEST_RETRY_AFTER_MILLIS))
                        .unwrap_or_else(backoff);
                    retry(now + wait, response)
                }
                500..=599 => retry(now + backoff(), response),
                // Redirects are not followed, and any other answer is the receiver's refusal.
                _ => DeliveryOutcome::Failed(response),
            }
        }
        Attempt::NoAnswer { millis, error } => retry(
            now + backoff(),
            Response {
                status: None,
                millis: Some(millis),
                snippet: Some(snip(&error)),
            },
        ),
        Attempt::Refused(reason) => DeliveryOutcome::Failed(Response {
            status: None,
            millis: None,
            snippet: Some(snip(&reason)),
        }),
    }
}

/// At most 200 characters of `text`.
pub fn snip(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Whether webhooks may be delivered to `address` without `--webhook-allow-private`: not
/// loopback, private (RFC 1918, fc00::/7), link-local, unspecified, shared (100.64/10),
/// multicast or broadcast.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16, retry_after: Option<u64>) -> Attempt {
        Attempt::Answered {
            status,
            millis: 5,
            snippet: "x".into(),
            retry_after,
        }
    }

    #[test]
    fn success_retry_and_failure() {
        assert!(matches!(
            judge(answered(204, None), 0, 0, 0, 0.5),
            DeliveryOutcome::Delivered(_)
        ));
        for status in [301, 302, 400, 404, 410] {
            assert!(matches!(
                judge(answered(status, None), 0, 0, 0, 0.5),
                DeliveryOutcome::Failed(_)
            ));
        }
        let DeliveryOutcome::Retry { at, .. } = judge(answered(503, None), 3, 0, 10_000, 1.0)
        else {
            panic!("a 5xx is retried");
        };
        assert_eq!(at, 10_000 + 8_000);
        let DeliveryOutcome::Retry { at, .. } = judge(answered(429, Some(30)), 0, 0, 0, 0.0) else {
            panic!("a 429 is retried");
        };
        assert_eq!(at, 30_000);
        let timeout = Attempt::NoAnswer {
            millis: 10_000,
            error: "timed out".into(),
        };
        assert!(matches!(
            judge(timeout.clone(), 0, 0, 0, 0.0),
            DeliveryOutcome::Retry { .. }
        ));
        // Three days after the event, a passing failure is given up.
        assert!(matches!(
            judge(timeout, 20, 0, GIVE_UP_AFTER_MILLIS, 0.0),
            DeliveryOutcome::Failed(_)
        ));
        assert!(matches!(
            judge(Attempt::Refused("private".into()), 0, 0, 0, 0.0),
            DeliveryOutcome::Failed(_)
        ));
    }

    #[test]
    fn private_destinations_are_not_public() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(address.parse().unwrap()), "{address}");
        }
        for address in ["93.184.216.34", "100.128.0.1", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(address.parse().unwrap()), "{address}");
        }
    }
}
