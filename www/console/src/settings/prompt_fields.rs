//! A proactive prompt as an admin writes it in the console's form: every field as typed, read
//! into a [`PromptInput`] and back, and a prompt's trigger in a few words. The relay checks the
//! limits (name length, weights above 0, at most four variants…); this only reads what was
//! typed and says which field or line it cannot read.

use crate::i18n::{Text, t, tf};
use beseda_protocol::prompts::{
    DEFAULT_DISMISS_DAYS, Prompt, PromptInput, PromptTrigger, PromptVariant,
};

/// The form's fields, as text where the admin types and as booleans where they tick.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptFields {
    /// The `data-site`; empty lets the relay choose when it serves one site.
    pub site: String,
    pub name: String,
    /// One variant per line: `weight | text`, or just `text` for weight 1.
    pub variants: String,
    pub url_pattern: String,
    pub seconds_on_page: String,
    pub min_pages_viewed: String,
    pub min_dwell_seconds: String,
    pub exit_intent: bool,
    pub cart_min_total: String,
    /// The "Visitors" choice: see [`visitors_value`].
    pub visitors: String,
    pub dismiss_for_days: String,
    pub max_per_session: String,
    pub enabled: bool,
}

impl Default for PromptFields {
    /// A new prompt: no conditions, away for a week once dismissed, once per visit, enabled.
    fn default() -> Self {
        PromptFields {
            site: String::new(),
            name: String::new(),
            variants: String::new(),
            url_pattern: String::new(),
            seconds_on_page: String::new(),
            min_pages_viewed: String::new(),
            min_dwell_seconds: String::new(),
            exit_intent: false,
            cart_min_total: String::new(),
            visitors: visitors_value(None).to_owned(),
            dismiss_for_days: DEFAULT_DISMISS_DAYS.to_string(),
            max_per_session: "1".to_owned(),
            enabled: true,
        }
    }
}

/// The "Visitors" choice for `returningVisitor`: `all`, `returning` or `new`.
pub fn visitors_value(returning_visitor: Option<bool>) -> &'static str {
    match returning_visitor {
        None => "all",
        Some(true) => "returning",
        Some(false) => "new",
    }
}

fn returning_visitor(visitors: &str) -> Option<bool> {
    match visitors {
        "returning" => Some(true),
        "new" => Some(false),
        _ => None,
    }
}

impl PromptFields {
    /// The fields of a stored prompt, for editing it.
    pub fn of(prompt: &Prompt) -> PromptFields {
        let trigger = &prompt.trigger;
        let optional =
            |value: Option<u32>| value.map(|value| value.to_string()).unwrap_or_default();
        PromptFields {
            site: prompt.site.clone(),
            name: prompt.name.clone(),
            variants: variants_to_text(&prompt.variants),
            url_pattern: trigger.url_pattern.clone().unwrap_or_default(),
            seconds_on_page: optional(trigger.seconds_on_page),
            min_pages_viewed: optional(trigger.min_pages_viewed),
            min_dwell_seconds: optional(trigger.min_dwell_seconds),
            exit_intent: trigger.exit_intent == Some(true),
            cart_min_total: trigger.cart_min_total.map(amount).unwrap_or_default(),
            visitors: visitors_value(trigger.returning_visitor).to_owned(),
            dismiss_for_days: prompt.dismiss_for_days.to_string(),
            max_per_session: prompt.max_per_session.to_string(),
            enabled: prompt.enabled,
        }
    }

    /// What the relay is sent; an error names the field (or the variant's line) and says what
    /// to write instead.
    pub fn to_input(&self) -> Result<PromptInput, String> {
        let site = self.site.trim();
        let url_pattern = self.url_pattern.trim();
        let trigger = PromptTrigger {
            url_pattern: (!url_pattern.is_empty()).then(|| url_pattern.to_owned()),
            seconds_on_page: optional_whole(t(Text::SecondsOnPage), &self.seconds_on_page)?,
            min_pages_viewed: optional_whole(t(Text::PagesViewed), &self.min_pages_viewed)?,
            min_dwell_seconds: optional_whole(
                t(Text::SecondsOnMatchingPages),
                &self.min_dwell_seconds,
            )?,
            exit_intent: self.exit_intent.then_some(true),
            cart_min_total: match self.cart_min_total.trim() {
                "" => None,
                total => {
                    Some(number(total).ok_or_else(|| t(Text::CartTotalUnreadable).to_owned())?)
                }
            },
            returning_visitor: returning_visitor(&self.visitors),
        };
        Ok(PromptInput {
            site: (!site.is_empty()).then(|| site.to_owned()),
            name: self.name.trim().to_owned(),
            variants: variants_from_text(&self.variants)?,
            trigger,
            dismiss_for_days: whole(t(Text::DismissedForDays), &self.dismiss_for_days)?,
            max_per_session: whole(t(Text::ShowsPerVisit), &self.max_per_session)?,
            enabled: self.enabled,
        })
    }
}

/// A number as people type it: `2`, `2.5` or, as in much of Europe, `2,5`.
fn number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

fn whole(field: &str, text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| tf(Text::WholeNumberField, &[("field", field)]))
}

fn optional_whole(field: &str, text: &str) -> Result<Option<u32>, String> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse::<u32>()
            .map(Some)
            .map_err(|_| tf(Text::OptionalWholeNumberField, &[("field", field)])),
    }
}

/// Reads the variants, one per line: `weight | text`, or just `text` (weight 1). Empty lines
/// are skipped; the first `|` ends the weight, so a text may hold `|` after a weight.
pub fn variants_from_text(text: &str) -> Result<Vec<PromptVariant>, String> {
    let mut variants = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number_of_line = index + 1;
        let variant = match line.split_once('|') {
            None => PromptVariant {
                text: line.to_owned(),
                weight: 1.0,
            },
            Some((weight, text)) => {
                let number_of_line = number_of_line.to_string();
                let weight = number(weight).ok_or_else(|| {
                    tf(
                        Text::VariantWeightUnreadable,
                        &[("line", &number_of_line), ("text", line)],
                    )
                })?;
                let text = text.trim();
                if text.is_empty() {
                    return Err(tf(Text::VariantTextMissing, &[("line", &number_of_line)]));
                }
                PromptVariant {
                    text: text.to_owned(),
                    weight,
                }
            }
        };
        variants.push(variant);
    }
    if variants.is_empty() {
        return Err(t(Text::VariantsMissing).to_owned());
    }
    Ok(variants)
}

/// The variants as [`variants_from_text`] reads them back: the weight is left out when it is 1
/// and the text has no `|`.
pub fn variants_to_text(variants: &[PromptVariant]) -> String {
    variants
        .iter()
        .map(|variant| {
            if variant.weight == 1.0 && !variant.text.contains('|') {
                variant.text.clone()
            } else {
                format!("{} | {}", variant.weight, variant.text)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An amount of money as a shop owner reads it: whole numbers without decimals, else two.
pub fn amount(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// When a prompt shows, in a few words: "/products/*, after 20 s on the page, returning
/// visitors".
pub fn trigger_summary(trigger: &PromptTrigger) -> String {
    let mut parts = Vec::new();
    if let Some(pattern) = &trigger.url_pattern {
        parts.push(tf(Text::TriggerOnPattern, &[("pattern", pattern)]));
    }
    if let Some(seconds) = trigger.seconds_on_page {
        let seconds = seconds.to_string();
        parts.push(tf(Text::TriggerSecondsOnPage, &[("seconds", &seconds)]));
    }
    if let Some(pages) = trigger.min_pages_viewed {
        let pages = pages.to_string();
        parts.push(tf(Text::TriggerFromPage, &[("pages", &pages)]));
    }
    if let Some(seconds) = trigger.min_dwell_seconds {
        let seconds = seconds.to_string();
        parts.push(tf(Text::TriggerSecondsOnMatching, &[("seconds", &seconds)]));
    }
    if trigger.exit_intent == Some(true) {
        parts.push(t(Text::TriggerExitIntent).to_owned());
    }
    if let Some(total) = trigger.cart_min_total {
        parts.push(tf(Text::TriggerCartAtLeast, &[("total", &amount(total))]));
    }
    match trigger.returning_visitor {
        Some(true) => parts.push(t(Text::TriggerReturningOnly).to_owned()),
        Some(false) => parts.push(t(Text::TriggerNewOnly).to_owned()),
        None => {}
    }
    if parts.is_empty() {
        t(Text::TriggerAtOnce).to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(text: &str, weight: f64) -> PromptVariant {
        PromptVariant {
            text: text.to_owned(),
            weight,
        }
    }

    #[test]
    fn variants_are_read_one_per_line_with_an_optional_weight() {
        let variants =
            variants_from_text("Can I help?\n\n 2 | Looking for a jacket? \n0,5|A | B\n").unwrap();
        assert_eq!(
            variants,
            vec![
                variant("Can I help?", 1.0),
                variant("Looking for a jacket?", 2.0),
                variant("A | B", 0.5),
            ]
        );
        // Zero and negative weights are numbers: the relay refuses them with its own message.
        assert_eq!(
            variants_from_text("0 | Hi").unwrap(),
            vec![variant("Hi", 0.0)]
        );
    }

    #[test]
    fn unreadable_variants_say_which_line_and_why() {
        let error = variants_from_text("Hi\nmany | Hello").unwrap_err();
        assert!(error.starts_with("Variants, line 2:"), "{error}");
        assert!(error.contains("1 | many | Hello"), "{error}");
        let error = variants_from_text("2 |  ").unwrap_err();
        assert!(
            error.contains("line 1") && error.contains("text"),
            "{error}"
        );
        assert!(variants_from_text("inf | Hi").is_err());
        assert!(
            variants_from_text(" \n ")
                .unwrap_err()
                .contains("at least one")
        );
    }

    #[test]
    fn variants_written_back_read_the_same() {
        let variants = vec![
            variant("Can I help?", 1.0),
            variant("Looking for a jacket?", 2.5),
            variant("Sizes | colours", 1.0),
        ];
        let text = variants_to_text(&variants);
        assert_eq!(
            text,
            "Can I help?\n2.5 | Looking for a jacket?\n1 | Sizes | colours"
        );
        assert_eq!(variants_from_text(&text).unwrap(), variants);
    }

    #[test]
    fn the_fields_become_the_relays_input_and_back() {
        let fields = PromptFields {
            site: " demo ".into(),
            name: " Jackets ".into(),
            variants: "Can I help?\n3 | Need a size?".into(),
            url_pattern: " /products/* ".into(),
            seconds_on_page: "20".into(),
            min_pages_viewed: "".into(),
            min_dwell_seconds: "45".into(),
            exit_intent: true,
            cart_min_total: "999,90".into(),
            visitors: "returning".into(),
            dismiss_for_days: "14".into(),
            max_per_session: "2".into(),
            enabled: false,
        };
        let input = fields.to_input().unwrap();
        assert_eq!(input.site.as_deref(), Some("demo"));
        assert_eq!(input.name, "Jackets");
        assert_eq!(input.variants[1], variant("Need a size?", 3.0));
        assert_eq!(
            input.trigger,
            PromptTrigger {
                url_pattern: Some("/products/*".into()),
                seconds_on_page: Some(20),
                min_pages_viewed: None,
                min_dwell_seconds: Some(45),
                exit_intent: Some(true),
                cart_min_total: Some(999.9),
                returning_visitor: Some(true),
            }
        );
        assert_eq!((input.dismiss_for_days, input.max_per_session), (14, 2));
        assert!(!input.enabled);

        let prompt = Prompt {
            id: 1,
            site: "demo".into(),
            name: input.name,
            variants: input.variants,
            trigger: input.trigger,
            dismiss_for_days: input.dismiss_for_days,
            max_per_session: input.max_per_session,
            enabled: input.enabled,
            views: Vec::new(),
        };
        let again = PromptFields::of(&prompt);
        assert_eq!(again.cart_min_total, "999.90");
        assert_eq!(again.to_input().unwrap().trigger, prompt.trigger);
    }

    #[test]
    fn a_new_prompt_has_the_defaults_and_empty_conditions_are_left_out() {
        let fields = PromptFields {
            name: "Hello".into(),
            variants: "Hi".into(),
            ..PromptFields::default()
        };
        let input = fields.to_input().unwrap();
        assert_eq!(input.site, None);
        assert_eq!(input.trigger, PromptTrigger::default());
        assert_eq!((input.dismiss_for_days, input.max_per_session), (7, 1));
        assert!(input.enabled);
        assert_eq!(
            serde_json::to_value(&input.trigger).unwrap(),
            serde_json::json!({})
        );
    }

    #[test]
    fn unreadable_numbers_name_their_field() {
        let base = PromptFields {
            name: "Hello".into(),
            variants: "Hi".into(),
            ..PromptFields::default()
        };
        let refused = |fields: PromptFields| fields.to_input().unwrap_err();
        assert!(
            refused(PromptFields {
                seconds_on_page: "ten".into(),
                ..base.clone()
            })
            .starts_with("Seconds on page:")
        );
        assert!(
            refused(PromptFields {
                min_pages_viewed: "-1".into(),
                ..base.clone()
            })
            .starts_with("Pages viewed this visit:")
        );
        assert!(
            refused(PromptFields {
                cart_min_total: "lots".into(),
                ..base.clone()
            })
            .starts_with("Cart total at least:")
        );
        assert!(
            refused(PromptFields {
                dismiss_for_days: "".into(),
                ..base.clone()
            })
            .starts_with("Dismissed for days:")
        );
        assert!(
            refused(PromptFields {
                max_per_session: "1.5".into(),
                ..base
            })
            .starts_with("Shows per visit:")
        );
    }

    #[test]
    fn triggers_are_summed_up_in_words() {
        assert_eq!(
            trigger_summary(&PromptTrigger::default()),
            "At once, on every page"
        );
        let trigger = PromptTrigger {
            url_pattern: Some("/products/*".into()),
            seconds_on_page: Some(20),
            min_pages_viewed: Some(2),
            min_dwell_seconds: Some(60),
            exit_intent: Some(true),
            cart_min_total: Some(1500.0),
            returning_visitor: Some(false),
        };
        assert_eq!(
            trigger_summary(&trigger),
            "on /products/*, after 20 s on the page, from page 2 of a visit, after 60 s on \
             matching pages, when leaving (exit intent), cart at least 1500, new visitors only"
        );
    }

    #[test]
    fn amounts_show_decimals_only_when_there_are_some() {
        assert_eq!(amount(2490.0), "2490");
        assert_eq!(amount(999.9), "999.90");
        assert_eq!(amount(0.0), "0");
    }
}
