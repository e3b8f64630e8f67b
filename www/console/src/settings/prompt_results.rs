//! A prompt's results per variant (`GET /api/prompts/{id}/stats`): how often each wording was
//! shown, dismissed, opened and turned into a conversation or an order, and whether a later
//! variant really does better or worse than the first, said in words a shop owner reads.

use super::prompt_fields::amount;
use crate::api;
use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use beseda_protocol::prompts::{PromptStats, VariantStats};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Below this many expected conversations (or shows without one) on either side, the z-test's
/// normal approximation is not trusted (the usual rule of thumb for the two-proportion test).
const MIN_EXPECTED: f64 = 5.0;

/// A variant's letter: A for the first, B for the second…
pub fn letter(variant: u32) -> char {
    char::from_u32(u32::from('A') + variant.min(25)).unwrap_or('?')
}

/// A rate as a percentage with one decimal: `0.125` → "12.5%".
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Whether both variants have been shown often enough for the test to mean something: with
/// the pooled conversion, each side expects at least [`MIN_EXPECTED`] conversations and as many
/// shows without one.
fn enough_data(first: &VariantStats, variant: &VariantStats) -> bool {
    let shown = (first.shown + variant.shown) as f64;
    if first.shown == 0 || variant.shown == 0 {
        return false;
    }
    let pooled = (first.conversations + variant.conversations) as f64 / shown;
    [first.shown, variant.shown].into_iter().all(|shown| {
        let shown = shown as f64;
        shown * pooled >= MIN_EXPECTED && shown * (1.0 - pooled) >= MIN_EXPECTED
    })
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else if p < 0.1 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

/// A later variant against the first, e.g. "B vs A: +12.5 points, p = 0.003 — very likely a
/// real difference". The points are the difference of conversion (conversations per shown) in
/// percentage points; the words follow the relay's two-sided p-value, and say "not enough data
/// yet" while it is missing or the counts are too small for it.
pub fn comparison(first: &VariantStats, variant: &VariantStats) -> String {
    let label = tf(
        Text::VariantVersus,
        &[
            ("variant", &letter(variant.variant).to_string()),
            ("first", &letter(first.variant).to_string()),
        ],
    );
    if first.shown == 0 || variant.shown == 0 {
        return tf(Text::NotEnoughData, &[("label", &label)]);
    }
    let points = (variant.conversion - first.conversion) * 100.0;
    // Rounded to one decimal, a tiny negative difference would read "-0.0".
    let points = if points.abs() < 0.05 { 0.0 } else { points };
    let points = tf(Text::Points, &[("points", &format!("{points:+.1}"))]);
    match variant.p_value {
        Some(p) if enough_data(first, variant) => {
            let meaning = t(if p < 0.01 {
                Text::VeryLikelyReal
            } else if p < 0.05 {
                Text::ProbablyReal
            } else {
                Text::CouldBeChance
            });
            tf(
                Text::Significance,
                &[
                    ("label", &label),
                    ("points", &points),
                    ("p", &p_text(p)),
                    ("meaning", meaning),
                ],
            )
        }
        _ => tf(Text::PointsSoFar, &[("label", &label), ("points", &points)]),
    }
}

/// The results table of one prompt, loaded when shown; "Refresh results" reads them again.
#[component]
pub fn PromptResults(id: i64, name: String, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let stats = RwSignal::new(None::<PromptStats>);
    let outcome = RwSignal::new(Outcome::default());
    let load = move || {
        spawn_local(async move {
            match api::prompt_stats(id).await {
                Ok(loaded) => {
                    stats.set(Some(loaded));
                    outcome.set(Outcome::default());
                }
                Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    load();
    let rows = move || {
        let Some(stats) = stats.get() else {
            return Vec::new();
        };
        let first = stats.variants.first().cloned();
        stats
            .variants
            .iter()
            .map(|variant| {
                let significance = match &first {
                    Some(first) if variant.variant != first.variant => comparison(first, variant),
                    _ => t(Text::Baseline).to_owned(),
                };
                view! {
                    <tr>
                        <th scope="row">{format!("{} {}", letter(variant.variant), variant.text)}</th>
                        <td>{variant.shown}</td>
                        <td>{variant.dismissed}</td>
                        <td>{variant.opened}</td>
                        <td>{variant.conversations}</td>
                        <td>{percent(variant.conversion)}</td>
                        <td>{variant.orders}</td>
                        <td>{amount(variant.order_total)}</td>
                        <td>{significance}</td>
                    </tr>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="results">
            <table>
                <caption>{move || tf(Text::ResultsFor, &[("name", &name)])}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Variant)}</th>
                        <th scope="col">{tx(Text::Shown)}</th>
                        <th scope="col">{tx(Text::Dismissed)}</th>
                        <th scope="col">{tx(Text::Opened)}</th>
                        <th scope="col">{tx(Text::Conversations)}</th>
                        <th scope="col">{tx(Text::Conversion)}</th>
                        <th scope="col">{tx(Text::Orders)}</th>
                        <th scope="col">{tx(Text::OrderTotal)}</th>
                        <th scope="col">{tx(Text::ComparedWithA)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint">
                {tx(Text::ConversionHint)}
            </p>
            <button type="button" on:click=move |_| load()>{tx(Text::RefreshResults)}</button>
            <button type="button" on:click=move |_| on_close.run(())>{tx(Text::CloseResults)}</button>
            <OutcomeLine outcome=outcome/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::prompts::two_proportion_test;

    /// A variant's figures with the significance the relay computes against `first`.
    fn variant(
        index: u32,
        shown: u64,
        conversations: u64,
        first: Option<(u64, u64)>,
    ) -> VariantStats {
        let test = first.and_then(|(conversations_a, shown_a)| {
            two_proportion_test(conversations_a, shown_a, conversations, shown)
        });
        VariantStats {
            variant: index,
            text: format!("Variant {index}"),
            weight: 1.0,
            shown,
            dismissed: 0,
            opened: 0,
            conversations,
            orders: 0,
            order_total: 0.0,
            conversion: if shown == 0 {
                0.0
            } else {
                conversations as f64 / shown as f64
            },
            z_score: test.map(|(z, _)| z),
            p_value: test.map(|(_, p)| p),
        }
    }

    #[test]
    fn a_clear_winner_is_very_likely_real() {
        let a = variant(0, 1000, 200, None);
        let b = variant(1, 1000, 250, Some((200, 1000)));
        assert_eq!(
            comparison(&a, &b),
            "B vs A: +5.0 points, p = 0.007 — very likely a real difference"
        );
        let a = variant(0, 40, 8, None);
        let c = variant(2, 40, 20, Some((8, 40)));
        assert_eq!(
            comparison(&a, &c),
            "C vs A: +30.0 points, p = 0.005 — very likely a real difference"
        );
    }

    #[test]
    fn a_smaller_gap_is_probably_real_and_a_tiny_one_could_be_chance() {
        let a = variant(0, 500, 100, None);
        let b = variant(1, 500, 75, Some((100, 500)));
        let text = comparison(&a, &b);
        assert!(
            text.starts_with("B vs A: -5.0 points, p = 0.0")
                && text.ends_with("— probably a real difference"),
            "{text}"
        );
        let b = variant(1, 40, 10, Some((8, 40)));
        let a = variant(0, 40, 8, None);
        assert_eq!(
            comparison(&a, &b),
            "B vs A: +5.0 points, p = 0.59 — could be chance, keep testing"
        );
        let tiny = variant(0, 100_000, 10_000, None);
        let same = variant(1, 100_000, 9_999, Some((10_000, 100_000)));
        assert!(comparison(&tiny, &same).starts_with("B vs A: +0.0 points, p = 0.99"));
        let a = variant(0, 1000, 100, None);
        let b = variant(1, 1000, 200, Some((100, 1000)));
        assert_eq!(
            comparison(&a, &b),
            "B vs A: +10.0 points, p < 0.001 — very likely a real difference"
        );
    }

    #[test]
    fn without_enough_shows_or_conversions_it_says_so() {
        let a = variant(0, 0, 0, None);
        let b = variant(1, 0, 0, Some((0, 0)));
        assert_eq!(comparison(&a, &b), "B vs A: not enough data yet");
        // Shown, but nobody has started a conversation: the relay has no p-value.
        let a = variant(0, 30, 0, None);
        let b = variant(1, 30, 0, Some((0, 30)));
        assert_eq!(b.p_value, None);
        assert_eq!(
            comparison(&a, &b),
            "B vs A: +0.0 points so far — not enough data yet, keep testing"
        );
        // 0 of 3 against 3 of 3 gives p ≈ 0.014, but six shows prove nothing yet.
        let a = variant(0, 3, 0, None);
        let b = variant(1, 3, 3, Some((0, 3)));
        assert!(b.p_value.unwrap() < 0.05);
        assert_eq!(
            comparison(&a, &b),
            "B vs A: +100.0 points so far — not enough data yet, keep testing"
        );
    }

    #[test]
    fn letters_and_percentages() {
        assert_eq!((letter(0), letter(1), letter(3)), ('A', 'B', 'D'));
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(0.0), "0.0%");
    }
}
