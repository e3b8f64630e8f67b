//! Proactive prompts: rules that let the widget offer help by itself, with A/B variants.
//!
//! Operators manage them under `/api/prompts`; widgets read a site's enabled prompts from
//! `GET /visitor/prompts?site=S` ([`PromptsView`]) and report what happened to them with
//! `POST /visitor/prompts/{id}/events` ([`PromptEventInput`]).

use serde::{Deserialize, Serialize};

/// The default time a dismissed prompt stays away, in days.
pub const DEFAULT_DISMISS_DAYS: u32 = 7;

fn default_dismiss_days() -> u32 {
    DEFAULT_DISMISS_DAYS
}

fn default_per_session() -> u32 {
    1
}

fn default_true() -> bool {
    true
}

/// One wording of a prompt; visitors get one at random, by weight, and keep it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromptVariant {
    pub text: String,
    #[serde(default = "default_weight")]
    pub weight: f64,
}

fn default_weight() -> f64 {
    1.0
}

/// When a prompt may show. Every field given must hold; a prompt without any shows at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromptTrigger {
    /// The page's path and query (or, starting with `http`, its whole address) must match;
    /// `*` stands for any characters: `/products/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_pattern: Option<String>,
    /// Seconds spent on this page (visible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_on_page: Option<u32>,
    /// Pages viewed in this visit (session), this one included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pages_viewed: Option<u32>,
    /// Seconds spent on pages matching `urlPattern` in this visit, added up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_dwell_seconds: Option<u32>,
    /// Only when the pointer leaves the top of the window (desktop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_intent: Option<bool>,
    /// The cart's total (from `Beseda.setCart`) is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_min_total: Option<f64>,
    /// `true`: only visitors who came before, in an earlier visit; `false`: only new ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returning_visitor: Option<bool>,
}

/// `POST /api/prompts`, `PUT /api/prompts/{id}` (admins). `site` may be left out when the relay
/// serves one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromptInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub name: String,
    pub variants: Vec<PromptVariant>,
    #[serde(default)]
    pub trigger: PromptTrigger,
    #[serde(default = "default_dismiss_days")]
    pub dismiss_for_days: u32,
    /// How often the prompt may show in one visit (session).
    #[serde(default = "default_per_session")]
    pub max_per_session: u32,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

/// A stored prompt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub id: i64,
    pub site: String,
    pub name: String,
    pub variants: Vec<PromptVariant>,
    pub trigger: PromptTrigger,
    pub dismiss_for_days: u32,
    pub max_per_session: u32,
    pub enabled: bool,
    /// Only in `GET /visitor/prompts`: per variant, the signed view id the widget reports that
    /// variant's events with ([`PromptEventInput::view`]). The ids of one answer share one page
    /// view, so each event counts once per page view whichever variant it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<String>,
}

/// What the widget reads: the site's enabled prompts and whether anyone can answer now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromptsView {
    pub online: bool,
    /// Outside the shop's opening hours: when it opens again (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_at: Option<String>,
    pub prompts: Vec<Prompt>,
}

/// What happened to a prompt shown to a visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PromptEvent {
    Shown,
    Dismissed,
    /// The visitor clicked it and the chat opened.
    Opened,
    /// The visitor wrote the first message of a conversation after seeing it.
    Conversation,
    /// The visitor ordered (`Beseda.track("order", { total })`) after seeing it.
    Order,
}

impl PromptEvent {
    pub const ALL: [PromptEvent; 5] = [
        PromptEvent::Shown,
        PromptEvent::Dismissed,
        PromptEvent::Opened,
        PromptEvent::Conversation,
        PromptEvent::Order,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PromptEvent::Shown => "shown",
            PromptEvent::Dismissed => "dismissed",
            PromptEvent::Opened => "opened",
            PromptEvent::Conversation => "conversation",
            PromptEvent::Order => "order",
        }
    }

    pub fn from_name(name: &str) -> Option<PromptEvent> {
        PromptEvent::ALL
            .into_iter()
            .find(|event| event.as_str() == name)
    }
}

/// `POST /visitor/prompts/{id}/events`, sent by the widget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromptEventInput {
    pub site: String,
    /// The variant's index in the prompt's `variants`.
    pub variant: u32,
    pub event: PromptEvent,
    /// An order's total: a number from 0 up to (not including) [`MAX_ORDER_TOTAL`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The signed view id `GET /visitor/prompts` gave for this prompt and variant
    /// ([`Prompt::views`]); events without a valid one are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
}

/// Orders of this total or more are refused: no shop takes a billion in one order, in any
/// currency, and sums of honest totals stay far from what a float can hold.
pub const MAX_ORDER_TOTAL: f64 = 1e9;

/// A number the relay sent, read leniently: `null` (how JSON writes a non-finite float) or
/// anything else that is not a finite number reads as 0, so one damaged figure cannot keep the
/// rest from showing.
fn finite_or_zero<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct Lenient;
    impl serde::de::Visitor<'_> for Lenient {
        type Value = f64;
        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("a number or null")
        }
        fn visit_f64<E>(self, number: f64) -> Result<f64, E> {
            Ok(if number.is_finite() { number } else { 0.0 })
        }
        fn visit_i64<E>(self, number: i64) -> Result<f64, E> {
            Ok(number as f64)
        }
        fn visit_u64<E>(self, number: u64) -> Result<f64, E> {
            Ok(number as f64)
        }
        fn visit_unit<E>(self) -> Result<f64, E> {
            Ok(0.0)
        }
        fn visit_none<E>(self) -> Result<f64, E> {
            Ok(0.0)
        }
    }
    deserializer.deserialize_any(Lenient)
}

/// One variant's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VariantStats {
    pub variant: u32,
    pub text: String,
    pub weight: f64,
    pub shown: u64,
    pub dismissed: u64,
    pub opened: u64,
    pub conversations: u64,
    pub orders: u64,
    /// Always a finite number: the relay leaves out stored totals that are not sane.
    #[serde(default, deserialize_with = "finite_or_zero")]
    pub order_total: f64,
    /// Conversations started per prompt shown.
    #[serde(default, deserialize_with = "finite_or_zero")]
    pub conversion: f64,
    /// Against the first variant: the two-proportion z statistic of the conversion…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z_score: Option<f64>,
    /// …and its two-sided p-value (below 0.05: a difference unlikely to be chance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

/// `GET /api/prompts/{id}/stats`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromptStats {
    pub id: i64,
    pub variants: Vec<VariantStats>,
}

/// The two-proportion z-test of `successes_b / trials_b` against `successes_a / trials_a`:
/// `(z, two-sided p)`, or `None` while either side has no trials or the pooled rate is 0 or 1.
pub fn two_proportion_test(
    successes_a: u64,
    trials_a: u64,
    successes_b: u64,
    trials_b: u64,
) -> Option<(f64, f64)> {
    if trials_a == 0 || trials_b == 0 {
        return None;
    }
    let (na, nb) = (trials_a as f64, trials_b as f64);
    let (pa, pb) = (successes_a as f64 / na, successes_b as f64 / nb);
    let pooled = (successes_a as f64 + successes_b as f64) / (na + nb);
    let error = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if error.is_nan() || error <= 0.0 {
        return None;
    }
    let z = (pb - pa) / error;
    Some((z, erfc(z.abs() / std::f64::consts::SQRT_2)))
}

/// The complementary error function (Numerical Recipes' `erfcc`, error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let y = t
        * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { y } else { 2.0 - y }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_body_reads_with_defaults() {
        let input: PromptInput = serde_json::from_str(
            r#"{"name":"Jackets","variants":[{"text":"Can I help?","weight":1}],
                "trigger":{"urlPattern":"/products/*","secondsOnPage":20,"minPagesViewed":2,
                "exitIntent":true,"cartMinTotal":1000,"returningVisitor":true},"enabled":true}"#,
        )
        .unwrap();
        assert_eq!(input.dismiss_for_days, 7);
        assert_eq!(input.max_per_session, 1);
        assert_eq!(input.trigger.url_pattern.as_deref(), Some("/products/*"));
        assert_eq!(input.trigger.cart_min_total, Some(1000.0));
        assert_eq!(input.site, None);
    }

    #[test]
    fn event_names_match_serde() {
        for event in PromptEvent::ALL {
            assert_eq!(
                serde_json::to_string(&event).unwrap(),
                format!("\"{}\"", event.as_str())
            );
            assert_eq!(PromptEvent::from_name(event.as_str()), Some(event));
        }
    }

    #[test]
    fn figures_that_are_null_read_as_zero() {
        let stats: VariantStats = serde_json::from_str(
            r#"{"variant":1,"text":"B","weight":1,"shown":3,"dismissed":0,"opened":0,
                "conversations":1,"orders":2,"orderTotal":null,"conversion":null}"#,
        )
        .unwrap();
        assert_eq!((stats.order_total, stats.conversion), (0.0, 0.0));
        let stats: VariantStats = serde_json::from_str(
            r#"{"variant":1,"text":"B","weight":1,"shown":3,"dismissed":0,"opened":0,
                "conversations":1,"orders":2,"orderTotal":2490.5,"conversion":1}"#,
        )
        .unwrap();
        assert_eq!((stats.order_total, stats.conversion), (2490.5, 1.0));
    }

    #[test]
    fn the_z_test_matches_a_worked_example() {
        // 200 of 1000 against 250 of 1000: z ≈ 2.677, p ≈ 0.0074.
        let (z, p) = two_proportion_test(200, 1000, 250, 1000).unwrap();
        assert!((z - 2.6774).abs() < 1e-3, "{z}");
        assert!((p - 0.00742).abs() < 1e-4, "{p}");
        // Equal rates: no difference at all.
        let (z, p) = two_proportion_test(10, 100, 10, 100).unwrap();
        assert!(z.abs() < 1e-12 && (p - 1.0).abs() < 1e-6);
        assert_eq!(two_proportion_test(0, 0, 1, 10), None);
        assert_eq!(two_proportion_test(0, 10, 0, 10), None);
    }
}
