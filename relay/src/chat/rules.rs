//! Keyword rules as pure functions: what the rules a visitor's words match do to a
//! conversation's tags and priority (compared folded, see [`crate::fold`]). The store reads the
//! rules and writes the outcome; the matching happens here.

use crate::fold::fold;

/// A keyword rule as matching needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeywordRule {
    pub keyword: String,
    pub tag: String,
    pub priority: i32,
}

/// A conversation's tags and priority, before or after the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marking {
    pub tags: Vec<String>,
    pub priority: i32,
}

/// What the rules whose keyword occurs in `text` make of `current`: each adds its tag (once) and
/// raises the priority to its own if that is higher. Keywords are compared folded and trimmed;
/// an empty keyword matches nothing. `None` when nothing changes, so nothing needs writing.
pub fn apply(rules: &[KeywordRule], text: &str, current: &Marking) -> Option<Marking> {
    let folded = fold(text);
    let mut marking = current.clone();
    for rule in rules {
        let keyword = fold(rule.keyword.trim());
        if keyword.is_empty() || !folded.contains(&keyword) {
            continue;
        }
        if !marking.tags.contains(&rule.tag) {
            marking.tags.push(rule.tag.clone());
        }
        marking.priority = marking.priority.max(rule.priority);
    }
    (marking != *current).then_some(marking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(keyword: &str, tag: &str, priority: i32) -> KeywordRule {
        KeywordRule {
            keyword: keyword.into(),
            tag: tag.into(),
            priority,
        }
    }

    fn marking(tags: &[&str], priority: i32) -> Marking {
        Marking {
            tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
            priority,
        }
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(
            fold("Příliš ŽLUŤOUČKÝ kůň úpěl ďábelské ódy"),
            "prilis zlutoucky kun upel dabelske ody"
        );
        assert_eq!(fold("Chybí"), fold("CHYBI"));
        assert_eq!(fold("nedorazilo"), "nedorazilo");
    }

    #[test]
    fn a_matching_rule_tags_and_raises_the_priority() {
        let rules = [
            rule(" Reklamace ", "complaint", 5),
            rule("faktura", "billing", 1),
        ];
        let after = apply(
            &rules,
            "Chci REKLAMACI... reklamace zboží",
            &marking(&[], 0),
        );
        assert_eq!(after, Some(marking(&["complaint"], 5)));
    }

    #[test]
    fn every_match_counts_and_the_highest_priority_wins_without_lowering() {
        let rules = [rule("chybi", "missing", 2), rule("rozbite", "broken", 4)];
        let after = apply(&rules, "Chybí kus a je rozbité", &marking(&["vip"], 3));
        assert_eq!(after, Some(marking(&["vip", "missing", "broken"], 4)));
        let after = apply(&rules, "Chybí", &marking(&[], 9));
        assert_eq!(after, Some(marking(&["missing"], 9)));
    }

    #[test]
    fn no_match_an_empty_keyword_or_nothing_new_changes_nothing() {
        let rules = [rule("faktura", "billing", 1), rule("  ", "blank", 9)];
        assert_eq!(apply(&rules, "dobrý den", &marking(&[], 0)), None);
        assert_eq!(apply(&rules, "faktura", &marking(&["billing"], 1)), None);
        assert_eq!(apply(&[], "faktura", &marking(&[], 0)), None);
    }
}
