//! The signature of a delivery: `t=UNIX_SECONDS,v1=HEX` with
//! HEX = HMAC-SHA256(secret, "t.raw_body"), one `v1` per secret that signs (Stripe's scheme).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A new secret: 32 random bytes, `whsec_` and their hex. The whole string is the HMAC key.
pub fn new_secret() -> String {
    format!(
        "whsec_{}",
        crate::auth::to_hex(&crate::auth::random_bytes::<32>())
    )
}

/// One `v1` value: the hex HMAC-SHA256 of `"{t}.{body}"` with `secret` as the key.
pub fn v1(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    crate::auth::to_hex(&mac.finalize().into_bytes())
}

/// The `Beseda-Signature` header for `body` at `t`, signed by the current secret and, while it
/// is still valid, the previous one.
pub fn header(secret: &str, previous: Option<&str>, t: i64, body: &str) -> String {
    let mut value = format!("t={t},v1={}", v1(secret, t, body));
    if let Some(previous) = previous {
        value.push_str(",v1=");
        value.push_str(&v1(previous, t, body));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_timestamp_and_the_body() {
        // HMAC-SHA256 with the key "key" of "1.{}", computed independently.
        let signed = v1("key", 1, "{}");
        assert_eq!(
            signed,
            "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_ne!(signed, v1("key", 2, "{}"));
        assert_ne!(signed, v1("other", 1, "{}"));
        let header = header("new", Some("old"), 1_700_000_000, "{\"a\":1}");
        let parts: Vec<&str> = header.split(',').collect();
        assert_eq!(parts[0], "t=1700000000");
        assert_eq!(
            parts[1],
            format!("v1={}", v1("new", 1_700_000_000, "{\"a\":1}"))
        );
        assert_eq!(
            parts[2],
            format!("v1={}", v1("old", 1_700_000_000, "{\"a\":1}"))
        );
    }

    #[test]
    fn a_secret_is_32_random_bytes_in_hex() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(secret.len(), 6 + 64);
        assert_ne!(secret, new_secret());
    }
}
