//! Ranking a site's answers for what a visitor typed: words compared without case and
//! diacritics, a word being typed matches as a prefix, another form of the same word (Czech
//! "dopravu" for "doprava") matches more weakly, and a word in the question counts more than
//! one in the keywords, which counts more than one in the answer.

use crate::fold::fold;
use beseda_protocol::answers::{Answer, AnswerHit};

/// How much a word found in each part of an answer counts.
const QUESTION_WEIGHT: f32 = 3.0;
const KEYWORD_WEIGHT: f32 = 2.0;
const ANSWER_WEIGHT: f32 = 1.0;
/// How well a word matches: the same word, the start of a longer one, another form of it.
const SAME: f32 = 1.0;
const PREFIX: f32 = 0.8;
const FORM: f32 = 0.6;
/// The lowest score an answer needs to be offered: one word of the answer's text, exactly, or
/// any match in the question or keywords.
const MIN_SCORE: f32 = 1.0;

/// An answer prepared for searching: its words folded once, when the site's answers are loaded.
#[derive(Debug)]
pub struct Entry {
    pub hit: AnswerHit,
    question: Vec<String>,
    keywords: Vec<String>,
    answer: Vec<String>,
}

impl Entry {
    pub fn new(answer: Answer) -> Entry {
        Entry {
            question: words(&answer.question),
            keywords: answer
                .keywords
                .iter()
                .flat_map(|word| words(word))
                .collect(),
            answer: words(&answer.answer),
            hit: AnswerHit {
                id: answer.id,
                question: answer.question,
                answer: answer.answer,
            },
        }
    }
}

/// The words of a text: lower case, without diacritics, letters and digits only.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A search as it is counted: its words joined by single spaces ("Kdy dorazí  BALÍK?" →
/// "kdy dorazi balik").
pub fn normalise(query: &str) -> String {
    words(query).join(" ")
}

/// Words that say nothing about what the visitor looks for, folded, per language.
fn stop_words(language: &str) -> &'static [&'static str] {
    match language {
        "cs" => &[
            "a", "aby", "ale", "bych", "by", "chci", "co", "do", "den", "dobry", "jak", "jake",
            "je", "jeste", "jsem", "jsou", "k", "kde", "kdy", "ktery", "lze", "me", "mi", "mne",
            "mohu", "moje", "muj", "muzu", "na", "nebo", "o", "od", "po", "pro", "prosim", "se",
            "si", "s", "to", "u", "uz", "v", "ve", "vas", "z", "za", "ze",
        ],
        "sk" => &[
            "a", "aby", "ale", "by", "co", "do", "den", "dobry", "ako", "je", "este", "som", "su",
            "k", "kde", "kedy", "ktory", "mi", "mna", "mozem", "moja", "moj", "na", "alebo", "o",
            "od", "po", "pre", "prosim", "sa", "si", "s", "to", "u", "uz", "v", "vo", "vas", "z",
            "za", "ze",
        ],
        "pl" => &[
            "a", "aby", "ale", "bym", "co", "czy", "do", "dzien", "dobry", "jak", "jest",
            "jeszcze", "jestem", "sa", "kiedy", "gdzie", "ktory", "mi", "mnie", "moge", "moje",
            "moj", "na", "lub", "o", "od", "po", "dla", "prosze", "sie", "z", "to", "u", "juz",
            "w", "we", "za", "ze",
        ],
        "ru" => &[
            "а",
            "и",
            "но",
            "бы",
            "что",
            "до",
            "добрый",
            "день",
            "как",
            "это",
            "еще",
            "я",
            "где",
            "когда",
            "какой",
            "мне",
            "меня",
            "мой",
            "моя",
            "могу",
            "можно",
            "на",
            "или",
            "о",
            "от",
            "по",
            "для",
            "пожалуйста",
            "с",
            "со",
            "у",
            "уже",
            "в",
            "во",
            "вы",
            "за",
            "ли",
        ],
        "de" => &[
            "a", "aber", "bitte", "das", "der", "die", "ein", "eine", "es", "guten", "tag", "ich",
            "ist", "kann", "mein", "meine", "mir", "mich", "noch", "oder", "sie", "und", "wann",
            "was", "wie", "wo", "zu", "zum", "zur", "mit", "von", "fur", "im", "in", "an", "auf",
        ],
        _ => &[
            "a", "an", "and", "are", "be", "can", "could", "do", "does", "for", "hello", "hi",
            "how", "i", "is", "it", "me", "my", "of", "on", "or", "please", "the", "to", "what",
            "when", "where", "which", "will", "with", "would", "you", "your", "in", "at",
        ],
    }
}

/// The words of a search worth looking for: no stop words, no single letters, each once.
pub fn query_words(language: &str, query: &str) -> Vec<String> {
    let stop = stop_words(language);
    let mut found: Vec<String> = Vec::new();
    for word in words(query) {
        if word.chars().count() > 1 && !stop.contains(&word.as_str()) && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// How well `wanted` (from the search) matches `word` (from an answer).
fn closeness(wanted: &str, word: &str) -> f32 {
    if wanted == word {
        return SAME;
    }
    let wanted_chars = wanted.chars().count();
    if wanted_chars >= 3 && word.starts_with(wanted) {
        return PREFIX;
    }
    // Another form of the same word: Czech, Slovak, Polish and Russian change endings.
    let common = wanted
        .chars()
        .zip(word.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let shorter = wanted_chars.min(word.chars().count());
    if common >= 4 && common + 3 >= shorter {
        FORM
    } else {
        0.0
    }
}

fn best(wanted: &str, words: &[String]) -> f32 {
    words
        .iter()
        .map(|word| closeness(wanted, word))
        .fold(0.0, f32::max)
}

/// How well an answer fits the search's words; 0 when it does not.
fn score(entry: &Entry, wanted: &[String]) -> f32 {
    let mut total = 0.0;
    let mut matched = 0;
    for word in wanted {
        let found = (QUESTION_WEIGHT * best(word, &entry.question))
            .max(KEYWORD_WEIGHT * best(word, &entry.keywords))
            .max(ANSWER_WEIGHT * best(word, &entry.answer));
        if found > 0.0 {
            matched += 1;
            total += found;
        }
    }
    // Answers that cover more of the search come first.
    let coverage = matched as f32 / wanted.len().max(1) as f32;
    total * (0.5 + 0.5 * coverage)
}

/// The best `limit` answers for the search, the best first (ties: the older answer first).
pub fn rank(entries: &[Entry], language: &str, query: &str, limit: usize) -> Vec<AnswerHit> {
    let wanted = query_words(language, query);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f32, &Entry)> = entries
        .iter()
        .map(|entry| (score(entry, &wanted), entry))
        .filter(|(score, _)| *score >= MIN_SCORE)
        .collect();
    scored.sort_by(|(a, first), (b, second)| {
        b.total_cmp(a)
            .then_with(|| first.hit.id.0.cmp(&second.hit.id.0))
    });
    scored
        .into_iter()
        .take(limit)
        .map(|(_, entry)| entry.hit.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::AnswerId;

    fn entry(id: i64, question: &str, keywords: &[&str], answer: &str) -> Entry {
        Entry::new(Answer {
            id: AnswerId(id),
            site: "demo".into(),
            language: "cs".into(),
            question: question.into(),
            keywords: keywords.iter().map(|word| (*word).to_owned()).collect(),
            answer: answer.into(),
        })
    }

    fn czech() -> Vec<Entry> {
        vec![
            entry(
                1,
                "Jak mohu zaplatit?",
                &["platba", "karta", "převod"],
                "Kartou, převodem nebo na dobírku.",
            ),
            entry(
                2,
                "Kdy dorazí doprava?",
                &["doručení", "balík"],
                "Do dvou pracovních dnů od odeslání.",
            ),
            entry(
                3,
                "Jak vrátit zboží?",
                &["vrácení", "reklamace"],
                "Do 14 dnů bez udání důvodu; balík pošlete na naši adresu.",
            ),
        ]
    }

    fn ids(hits: &[AnswerHit]) -> Vec<i64> {
        hits.iter().map(|hit| hit.id.0).collect()
    }

    #[test]
    fn doprava_finds_the_delivery_question_without_case_or_diacritics() {
        let entries = czech();
        assert_eq!(ids(&rank(&entries, "cs", "doprava", 3)), [2]);
        assert_eq!(ids(&rank(&entries, "cs", "DORAZI", 3)), [2]);
        assert_eq!(ids(&rank(&entries, "cs", "  Dorazí?! ", 3)), [2]);
    }

    #[test]
    fn a_word_being_typed_matches_as_a_prefix_and_other_forms_match_too() {
        let entries = czech();
        assert_eq!(ids(&rank(&entries, "cs", "dopr", 3)), [2]);
        assert_eq!(ids(&rank(&entries, "cs", "kdy mi přijde dopravu", 3)), [2]);
        // "platit" is another form of the keyword "platba".
        assert_eq!(ids(&rank(&entries, "cs", "chci platit", 3)), [1]);
    }

    #[test]
    fn the_question_counts_more_than_the_answer() {
        let entries = czech();
        // "balík" is a keyword of 2 and in the text of 3; "vrátit" is in the question of 3.
        assert_eq!(ids(&rank(&entries, "cs", "balík", 3)), [2, 3]);
        assert_eq!(ids(&rank(&entries, "cs", "vrátit balík", 3)), [3, 2]);
    }

    #[test]
    fn stop_words_and_unrelated_words_find_nothing() {
        let entries = czech();
        assert!(rank(&entries, "cs", "jak kdy", 3).is_empty());
        assert!(rank(&entries, "cs", "zelená bunda", 3).is_empty());
        assert!(rank(&entries, "cs", "", 3).is_empty());
        // Two letters are not a prefix of anything ("dnů" is in an answer).
        assert!(rank(&entries, "cs", "dn", 3).is_empty());
    }

    #[test]
    fn at_most_the_limit_is_returned() {
        let entries = czech();
        assert_eq!(rank(&entries, "cs", "balík zaplatit doprava", 1).len(), 1);
    }

    #[test]
    fn searches_are_normalised_to_their_words() {
        assert_eq!(normalise("  Kdy dorazí  BALÍK?"), "kdy dorazi balik");
        assert_eq!(
            normalise("Wo ist mein Paket? Größe"),
            "wo ist mein paket grosse"
        );
        assert_eq!(normalise("Где мой ЗАКАЗ, ёлка"), "где мой заказ елка");
    }
}
