//! Signed view ids of proactive prompts, and the rate of the widgets' reports.
//!
//! A prompt's figures decide which wording a shop keeps, so a report must come from a page that
//! really showed the prompt. `GET /visitor/prompts` hands out, per prompt and variant, a view id
//! `p1.<prompt>.<variant>.<issued>.<view>.<signature>`: `issued` is the relay's clock in seconds,
//! `view` a random id shared by the variants of one prompt in one answer (one page view), and the
//! signature an HMAC-SHA256 (its first 16 bytes, in hex) of everything before it under a secret
//! only the relay knows. A report names its view id; the relay counts each event kind once per
//! view (the store remembers which), so a copied id counts nothing twice.
//!
//! View ids live [`LIFETIME_SECONDS`]: an order may come days after the prompt, on a thank-you
//! page, and the widget credits orders to the prompt shown in the last 7 days; a day more covers
//! a page left open before the prompt showed.

use crate::auth::{from_hex, random_bytes, to_hex};
use crate::limits::WindowCounter;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::IpAddr;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// How long a view id may be reported with: 8 days.
pub const LIFETIME_SECONDS: i64 = 8 * 24 * 3600;

/// Issue times this far ahead of the relay's clock are still taken (another relay sharing the
/// database may run a little ahead).
const CLOCK_SKEW_SECONDS: i64 = 300;

/// The bytes of the signature kept in an id: 128 bits cannot be guessed.
const SIGNATURE_BYTES: usize = 16;

/// What a valid view id names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub prompt: i64,
    pub variant: u32,
    /// The page view's random id, which the store counts each event kind once for.
    pub view: String,
}

/// Why a view id is refused; each says so to the widget in its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Missing, malformed, or not signed by this relay.
    Invalid,
    /// Older than [`LIFETIME_SECONDS`].
    Expired,
    /// Signed for another prompt or variant than the report names.
    OtherPrompt,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Refused::Invalid => {
                "a prompt event needs the view id GET /visitor/prompts gave for its prompt and variant"
            }
            Refused::Expired => "this prompt view id has expired",
            Refused::OtherPrompt => "this view id was given for another prompt or variant",
        }
    }
}

/// Signs and checks view ids, and counts reports per client address.
pub struct PromptViews {
    secret: [u8; 32],
    /// Reports per client address per minute.
    pub events: WindowCounter<IpAddr>,
}

impl PromptViews {
    pub fn new(secret: [u8; 32], events_per_minute: u32) -> PromptViews {
        PromptViews {
            secret,
            events: WindowCounter::new(events_per_minute, Duration::from_secs(60)),
        }
    }

    fn signature(&self, signed: &str) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(signed.as_bytes());
        mac
    }

    /// The view ids of one page view of a prompt with `variants` variants, issued at `now`
    /// (seconds), one per variant.
    pub fn issue(&self, prompt: i64, variants: usize, now: i64) -> Vec<String> {
        let view = to_hex(&random_bytes::<12>());
        (0..variants)
            .map(|variant| {
                let signed = format!("p1.{prompt}.{variant}.{now}.{view}");
                let signature = self.signature(&signed).finalize().into_bytes();
                format!("{signed}.{}", to_hex(&signature[..SIGNATURE_BYTES]))
            })
            .collect()
    }

    /// The page view an id names, if this relay signed it for `prompt` and `variant` and it has
    /// not expired at `now` (seconds).
    pub fn verify(&self, id: &str, prompt: i64, variant: u32, now: i64) -> Result<View, Refused> {
        let (signed, signature) = id.rsplit_once('.').ok_or(Refused::Invalid)?;
        let signature = from_hex(signature)
            .filter(|bytes| bytes.len() == SIGNATURE_BYTES)
            .ok_or(Refused::Invalid)?;
        self.signature(signed)
            .verify_truncated_left(&signature)
            .map_err(|_| Refused::Invalid)?;
        let mut parts = signed.split('.');
        let (Some("p1"), Some(named_prompt), Some(named_variant), Some(issued), Some(view), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Refused::Invalid);
        };
        let issued: i64 = issued.parse().map_err(|_| Refused::Invalid)?;
        if issued > now + CLOCK_SKEW_SECONDS || now - issued > LIFETIME_SECONDS {
            return Err(Refused::Expired);
        }
        if named_prompt.parse() != Ok(prompt) || named_variant.parse() != Ok(variant) {
            return Err(Refused::OtherPrompt);
        }
        Ok(View {
            prompt,
            variant,
            view: view.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn an_id_names_its_prompt_variant_and_page_view() {
        let views = PromptViews::new([3; 32], 10);
        let ids = views.issue(42, 2, NOW);
        assert_eq!(ids.len(), 2);
        let first = views.verify(&ids[0], 42, 0, NOW + 60).unwrap();
        let second = views.verify(&ids[1], 42, 1, NOW + 60).unwrap();
        assert_eq!((first.prompt, first.variant, second.variant), (42, 0, 1));
        assert_eq!(first.view, second.view, "one page view for every variant");
        assert_ne!(
            first.view,
            views
                .verify(&views.issue(42, 1, NOW)[0], 42, 0, NOW)
                .unwrap()
                .view
        );
    }

    #[test]
    fn other_prompts_forgeries_and_old_ids_are_refused() {
        let views = PromptViews::new([3; 32], 10);
        let id = views.issue(42, 2, NOW).remove(1);
        assert_eq!(views.verify(&id, 43, 1, NOW), Err(Refused::OtherPrompt));
        assert_eq!(views.verify(&id, 42, 0, NOW), Err(Refused::OtherPrompt));
        let relabelled = id.replacen("p1.42.1.", "p1.42.0.", 1);
        assert_eq!(views.verify(&relabelled, 42, 0, NOW), Err(Refused::Invalid));
        let other_relay = PromptViews::new([4; 32], 10);
        assert_eq!(other_relay.verify(&id, 42, 1, NOW), Err(Refused::Invalid));
        for junk in ["", ".", "p1.42.1", "p1.42.1.x.y.zz", "p1.42.1.1.2.3.4"] {
            assert_eq!(
                views.verify(junk, 42, 1, NOW),
                Err(Refused::Invalid),
                "{junk}"
            );
        }
        assert!(views.verify(&id, 42, 1, NOW + LIFETIME_SECONDS).is_ok());
        assert_eq!(
            views.verify(&id, 42, 1, NOW + LIFETIME_SECONDS + 1),
            Err(Refused::Expired)
        );
        let future = views.issue(42, 1, NOW + 3600).remove(0);
        assert_eq!(views.verify(&future, 42, 0, NOW), Err(Refused::Expired));
    }
}
