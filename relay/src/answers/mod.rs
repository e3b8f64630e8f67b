//! Self-service answers in the relay: each site's answers kept ready for searching, the visitor
//! frames `search` and `answerOpened`, the rules an answer must pass, and when a search that
//! found nothing is counted (`burst.rs`).

mod burst;
pub mod import;
mod rank;

use crate::App;
use crate::chat::validation::{Refusal, check_label, check_text};
use crate::limits::WindowCounter;
use crate::store::{Store, StoreError};
use beseda_protocol::answers::{AnswerInput, LANGUAGES, MAX_HITS, MAX_QUERY_CHARS};
use beseda_protocol::visitor::FromRelay;
use beseda_protocol::{AnswerId, ErrorCode, VisitorId};
use burst::{Burst, Miss, Outcome};
use rank::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a site's answers stay ready for searching before they are read again. Changes
/// through the API are seen at once; an import into a running relay, within this time.
const CACHE_TTL: Duration = Duration::from_secs(60);
/// Searches per visitor per minute: typing sends one at each pause.
const SEARCHES_PER_MINUTE: u32 = 60;
/// The most offered answers one socket remembers (an opening must name one of them).
const MAX_OFFERED: usize = 300;
/// The longest question, the most keywords, the longest answer.
const MAX_QUESTION_CHARS: usize = 200;
const MAX_KEYWORDS: usize = 20;
const MAX_ANSWER_CHARS: usize = 4000;

type Entries = Arc<[Entry]>;
/// A site's answers in one language, and when they were read.
type Cached = (Instant, Entries);

/// What every visitor socket shares: the answers per (site, language), ready for searching, and
/// the visitors' search rate.
pub struct Answers {
    /// A plain mutex: held for a lookup or an insert, never across an `.await`.
    cache: Mutex<HashMap<(String, &'static str), Cached>>,
    /// Raised by every change, so that a read that began before a change is not cached.
    generation: AtomicU64,
    searches: WindowCounter<(String, VisitorId)>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            cache: Mutex::default(),
            generation: AtomicU64::new(0),
            searches: WindowCounter::new(SEARCHES_PER_MINUTE, Duration::from_secs(60)),
        }
    }
}

impl Answers {
    /// The site's answers in `language`, prepared for searching.
    async fn entries(
        &self,
        store: &dyn Store,
        site: &str,
        language: &'static str,
    ) -> Result<Entries, StoreError> {
        let key = (site.to_owned(), language);
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
            .filter(|(loaded, _)| loaded.elapsed() < CACHE_TTL)
            .map(|(_, entries)| entries.clone());
        if let Some(entries) = cached {
            return Ok(entries);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let answers = store.answers(site, Some(language)).await?;
        let entries: Entries = answers.into_iter().map(Entry::new).collect();
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            cache.insert(key, (Instant::now(), entries.clone()));
        }
        Ok(entries)
    }

    /// Answers were added, changed or deleted: search afresh.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

/// The answers' language for a widget's locale (`cs`, `cs-CZ`): one of [`LANGUAGES`], else English.
pub fn language_of(locale: Option<&str>) -> &'static str {
    let primary = locale
        .and_then(|locale| locale.split(['-', '_']).next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|language| **language == primary)
        .copied()
        .unwrap_or("en")
}

fn bad(message: String) -> Refusal {
    (ErrorCode::BadRequest, message)
}

/// An answer as it is kept: trimmed, its keywords without blanks.
pub fn trimmed(input: AnswerInput) -> AnswerInput {
    AnswerInput {
        site: input.site.trim().to_owned(),
        language: input.language.trim().to_owned(),
        question: input.question.trim().to_owned(),
        keywords: input
            .keywords
            .iter()
            .map(|keyword| keyword.trim().to_owned())
            .collect(),
        answer: input.answer.trim().to_owned(),
    }
}

/// A (trimmed) answer: a known language, a question on one line, a few short keywords, plain text.
pub fn check_answer(input: &AnswerInput) -> Result<(), Refusal> {
    if !LANGUAGES.contains(&input.language.as_str()) {
        return Err(bad(format!(
            "language is one of {}, not {:?}",
            LANGUAGES.join(", "),
            input.language
        )));
    }
    let question_chars = input.question.chars().count();
    if question_chars == 0
        || question_chars > MAX_QUESTION_CHARS
        || input.question.chars().any(char::is_control)
    {
        return Err(bad(format!(
            "a question has 1 to {MAX_QUESTION_CHARS} characters on one line"
        )));
    }
    if input.keywords.len() > MAX_KEYWORDS {
        return Err(bad(format!(
            "an answer has at most {MAX_KEYWORDS} keywords"
        )));
    }
    input
        .keywords
        .iter()
        .try_for_each(|keyword| check_label("a keyword", keyword))?;
    check_text(&input.answer, MAX_ANSWER_CHARS).map_err(|(code, _)| {
        (
            code,
            format!("an answer has 1 to {MAX_ANSWER_CHARS} characters"),
        )
    })
}

fn frame(frame: &FromRelay) -> String {
    crate::frames::to_json(frame)
}

fn error_frame(code: ErrorCode, message: &str) -> String {
    crate::frames::visitor_error(code, message, None)
}

/// What one visitor socket knows of its searches.
pub struct Searching {
    language: &'static str,
    /// Made by the first search: most visitors never search, and an idle socket stays small.
    state: Option<Box<SearchState>>,
}

#[derive(Default)]
struct SearchState {
    burst: Burst,
    /// Answers the searches offered: only these may be reported opened.
    offered: HashSet<AnswerId>,
    /// Answers already counted as opened from this socket: each counts once.
    opened: HashSet<AnswerId>,
}

impl Searching {
    pub fn new(locale: Option<&str>) -> Searching {
        Searching {
            language: language_of(locale),
            state: None,
        }
    }

    /// Answers a `search` frame with the frame to send back: the answers found, or a refusal.
    pub async fn search(
        &mut self,
        app: &App,
        site: &str,
        visitor_id: &VisitorId,
        query: String,
    ) -> String {
        if query.chars().count() > MAX_QUERY_CHARS {
            let message = format!("a search has at most {MAX_QUERY_CHARS} characters");
            return error_frame(ErrorCode::TextTooLong, &message);
        }
        let normalised = rank::normalise(&query);
        if normalised.is_empty() {
            return frame(&FromRelay::Answers {
                query,
                answers: Vec::new(),
            });
        }
        if !app
            .answers
            .searches
            .try_acquire(&(site.to_owned(), visitor_id.clone()))
        {
            let message = format!("at most {SEARCHES_PER_MINUTE} searches a minute");
            return error_frame(ErrorCode::RateLimited, &message);
        }
        let entries = match app
            .answers
            .entries(app.store.as_ref(), site, self.language)
            .await
        {
            Ok(entries) => entries,
            Err(error) => {
                tracing::error!(%error, "reading the answers failed");
                return error_frame(ErrorCode::Internal, "the search failed; try again");
            }
        };
        let hits = rank::rank(&entries, self.language, &query, MAX_HITS);
        let outcome = if !hits.is_empty() {
            Outcome::Found
        } else if rank::query_words(self.language, &query).is_empty() {
            Outcome::NoWords
        } else {
            Outcome::Nothing
        };
        let text = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let miss = Miss {
            query: normalised,
            text,
        };
        let state = self.state.get_or_insert_default();
        let ended = state.burst.searched(miss, outcome, Instant::now());
        if state.offered.len() + hits.len() > MAX_OFFERED {
            state.offered.clear();
        }
        state.offered.extend(hits.iter().map(|hit| hit.id));
        if let Some(ended) = ended {
            self.count_miss(app, site, ended).await;
        }
        frame(&FromRelay::Answers {
            query,
            answers: hits,
        })
    }

    /// Counts the opening of an offered answer, once per socket; an error frame for an answer
    /// no search offered.
    pub async fn opened(
        &mut self,
        app: &App,
        site: &str,
        visitor_id: &VisitorId,
        id: AnswerId,
    ) -> Option<String> {
        let Some(state) = self
            .state
            .as_mut()
            .filter(|state| state.offered.contains(&id))
        else {
            return Some(error_frame(
                ErrorCode::NotFound,
                "no search offered this answer",
            ));
        };
        state.burst.opened();
        if !state.opened.insert(id) {
            return None;
        }
        match app.store.answer_opened_by(site, Some(visitor_id), id).await {
            // Deleted meanwhile: there is nothing left to count.
            Ok(()) | Err(StoreError::NotFound) => None,
            Err(error) => {
                tracing::error!(%error, "counting an opened answer failed");
                state.opened.remove(&id);
                Some(error_frame(
                    ErrorCode::Internal,
                    "that did not work; try again",
                ))
            }
        }
    }

    /// The visitor sent their message or left: the typing burst is over.
    pub async fn end(&mut self, app: &App, site: &str) {
        if let Some(miss) = self.state.as_mut().and_then(|state| state.burst.end()) {
            self.count_miss(app, site, miss).await;
        }
    }

    async fn count_miss(&self, app: &App, site: &str, miss: Miss) {
        let counted = app
            .store
            .answer_missed(site, self.language, &miss.query, &miss.text)
            .await;
        if let Err(error) = counted {
            tracing::error!(%error, "counting a search that found nothing failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(language: &str, question: &str, keywords: &[&str], answer: &str) -> AnswerInput {
        AnswerInput {
            site: "demo".into(),
            language: language.into(),
            question: question.into(),
            keywords: keywords.iter().map(|word| (*word).to_owned()).collect(),
            answer: answer.into(),
        }
    }

    /// The questions of seeds/004, as shoppers would type them, find the demo shop's answers.
    #[test]
    fn the_demo_answers_answer_what_shoppers_ask() {
        let json = include_str!("../../../www/answers/demo.json");
        let entries: Vec<Entry> = import::parse("demo", json)
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(index, input)| {
                Entry::new(beseda_protocol::answers::Answer {
                    id: AnswerId(index as i64),
                    site: input.site,
                    language: input.language,
                    question: input.question,
                    keywords: input.keywords,
                    answer: input.answer,
                })
            })
            .collect();
        let first = |language: &str, query: &str| {
            rank::rank(&entries, language, query, MAX_HITS)
                .first()
                .map(|hit| hit.question.clone())
                .unwrap_or_default()
        };
        for (query, expected) in [
            ("platba kartou nefunguje", "Jak mohu objednávku zaplatit?"),
            ("doprava", "Kdy mi objednávka dorazí?"),
            ("kdy dorazí bunda", "Kdy mi objednávka dorazí?"),
            (
                "chci zrušit objednávku",
                "Jak mohu změnit nebo zrušit objednávku?",
            ),
            (
                "otevírací doba prodejny",
                "Kdy a kde si mohu objednávku vyzvednout?",
            ),
            (
                "sledování zásilky",
                "Kde je moje zásilka? Jak ji mohu sledovat?",
            ),
            ("vrácení peněz", "Jak vrátit zboží?"),
            ("vyměnit velikost", "Velikost mi nesedí. Jak ji vyměním?"),
            ("rozbitá krabice", "Zboží přišlo poškozené. Co mám dělat?"),
            (
                "chybí mi bunda",
                "V balíku něco chybí, co jsem zaplatil(a).",
            ),
        ] {
            assert_eq!(first("cs", query), expected, "{query}");
        }
        for (query, expected) in [
            ("card payment failed", "How can I pay for my order?"),
            ("refund", "How do I return goods?"),
            ("track my parcel", "Where is my parcel? How can I track it?"),
            ("wrong size", "The size does not fit. How do I exchange it?"),
            (
                "item missing",
                "Something I paid for is missing from my parcel.",
            ),
        ] {
            assert_eq!(first("en", query), expected, "{query}");
        }
        assert_eq!(first("cs", "zelená čepice"), "");
    }

    #[test]
    fn locales_map_to_the_answers_languages() {
        assert_eq!(language_of(Some("cs")), "cs");
        assert_eq!(language_of(Some("de-AT")), "de");
        assert_eq!(language_of(Some("fr")), "en");
        assert_eq!(language_of(None), "en");
    }

    #[test]
    fn answer_rules() {
        assert!(check_answer(&input("cs", "Kdy?", &["doprava"], "Zítra.")).is_ok());
        for (bad, why) in [
            (input("fr", "Quand?", &[], "Demain."), "language"),
            (input("cs", "", &[], "Zítra."), "empty question"),
            (input("cs", "Kdy\nto?", &[], "Zítra."), "two lines"),
            (
                input("cs", &"q".repeat(201), &[], "Zítra."),
                "long question",
            ),
            (input("cs", "Kdy?", &[""], "Zítra."), "blank keyword"),
            (input("cs", "Kdy?", &["k"; 21], "Zítra."), "many keywords"),
            (input("cs", "Kdy?", &[], " "), "empty answer"),
            (input("cs", "Kdy?", &[], &"a".repeat(4001)), "long answer"),
        ] {
            assert!(check_answer(&bad).is_err(), "{why}");
        }
        let kept = trimmed(input(" cs ", " Kdy? ", &[" doprava "], " Zítra.\n"));
        assert_eq!(kept, input("cs", "Kdy?", &["doprava"], "Zítra."));
    }
}
