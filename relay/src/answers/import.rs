//! The answers file `beseda-relay answers import` reads: a JSON array of
//! `{ "language": "cs", "question": "…", "keywords": ["…"], "answer": "…" }`.

use super::{check_answer, trimmed};
use beseda_protocol::answers::AnswerInput;
use serde::Deserialize;

/// One entry of the file; the site is given on the command line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    language: String,
    question: String,
    #[serde(default)]
    keywords: Vec<String>,
    answer: String,
}

/// The answers in `json`, for `site`, each checked like one sent to the API; the first bad entry
/// is named in the error.
pub fn parse(site: &str, json: &str) -> Result<Vec<AnswerInput>, String> {
    let entries: Vec<FileEntry> =
        serde_json::from_str(json).map_err(|error| format!("not an answers file: {error}"))?;
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let input = trimmed(AnswerInput {
                site: site.to_owned(),
                language: entry.language,
                question: entry.question,
                keywords: entry.keywords,
                answer: entry.answer,
            });
            check_answer(&input)
                .map(|()| input)
                .map_err(|(_, message)| format!("entry {}: {message}", index + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_and_trimmed() {
        let answers = parse(
            "demo",
            r#"[{ "language": "cs", "question": " Kdy? ", "answer": "Zítra." }]"#,
        )
        .unwrap();
        assert_eq!(answers[0].question, "Kdy?");
        assert_eq!(answers[0].site, "demo");
        let error = parse(
            "demo",
            r#"[{ "language": "cs", "question": "Kdy?", "answer": "Zítra." },
                { "language": "xx", "question": "Kdy?", "answer": "Zítra." }]"#,
        )
        .unwrap_err();
        assert!(error.starts_with("entry 2: language"), "{error}");
        assert!(parse("demo", r#"{ "language": "cs" }"#).is_err());
    }

    /// The demo shop's answers ship with the relay's sources: they must stay importable.
    #[test]
    fn the_demo_shops_answers_are_valid() {
        let json = include_str!("../../../www/answers/demo.json");
        let answers = parse("demo", json).unwrap();
        for language in ["cs", "en"] {
            let count = answers
                .iter()
                .filter(|answer| answer.language == language)
                .count();
            assert!((8..=12).contains(&count), "{language}: {count}");
        }
    }
}
