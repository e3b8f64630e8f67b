//! The history: searching every conversation, internal notes and a manager's reviews — the
//! filter a search is, what it finds, [`HistoryStore`], and the pure functions both stores call
//! so that they find the same things.
//!
//! Searching: a message's text is cut into words (runs of letters and digits), each folded
//! (lower case, no diacritics: `crate::fold::fold`) and kept at most [`MAX_WORD_CHARS`] characters, and
//! the words are stored, space-separated, in the message's own transaction: in an FTS5 table on
//! SQLite, in a table with a GIN index over the words as lexemes (`array_to_tsvector`, so that
//! PostgreSQL's own parser never cuts them differently) on PostgreSQL. A query is cut and folded
//! the same way, and each of its words matches a stored word it begins (prefixes as typed). A conversation matches when one of its messages holds all the words.
//! Since the folding and cutting happen here, in Rust, neither database's own word rules decide
//! anything, and the query reaches them only as folded letters and digits: nothing a client
//! types can be read as the search syntax of either. Internal notes are not searched: the
//! search looks through what was said with the visitor; notes are read with the conversation.

use super::StoreFuture;
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::history::{Note, Review, Verdict};
use beseda_protocol::{ConversationId, ConversationStatus, Message, OperatorId, Rating};
use sha2::{Digest, Sha256};

/// The longest word kept for searching; longer words are kept (and searched) by their start.
pub const MAX_WORD_CHARS: usize = 64;
/// The most words a search query may hold; more are ignored.
pub const MAX_QUERY_WORDS: usize = 8;
/// How a message's search row is numbered on SQLite: the conversation's id shifted left by this
/// many bits, plus the message's sequence number, so that one conversation's rows are one range.
pub const SEARCH_SEQ_BITS: u32 = 24;

/// What `GET /api/conversations` with history parameters asks for. Every given part must hold.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// Folded search words (see [`search_words`]); `None` when no search was asked for, an empty
    /// list when the query held no word (then nothing matches).
    pub words: Option<Vec<String>>,
    pub status: Option<ConversationStatus>,
    pub site: Option<String>,
    /// The operator the conversation is assigned to.
    pub operator: Option<OperatorId>,
    pub tag: Option<String>,
    pub rating: Option<Rating>,
    pub reviewed: Option<bool>,
    /// Started at or after this time (ms since the epoch).
    pub from: Option<i64>,
    /// Started before this time (ms since the epoch).
    pub to: Option<i64>,
    /// Only conversations older than this one (the cursor: the last item of the page before).
    pub before: Option<ConversationId>,
    pub limit: u32,
}

/// A conversation a history listing found.
#[derive(Clone, Debug)]
pub struct HistoryHit {
    pub summary: ConversationSummary,
    /// The newest message that matched the search words, with a search.
    pub matched: Option<Message>,
    pub review: Option<Review>,
}

/// Persistence of the history: listing and searching, notes, reviews.
pub trait HistoryStore: Send + Sync {
    /// Conversations matching the filter, newest first (by id, which follows their start), at
    /// most `filter.limit`.
    fn history(&self, filter: HistoryFilter) -> StoreFuture<'_, Vec<HistoryHit>>;
    /// Adds an internal note to a conversation (`NotFound` when it does not exist); the
    /// consoles hear of it (`Event::NoteAdded`), visitors never.
    fn add_note(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        text: String,
    ) -> StoreFuture<'_, Note>;
    /// A conversation's notes, oldest first.
    fn notes(&self, conversation_id: ConversationId) -> StoreFuture<'_, Vec<Note>>;
    /// Records (or replaces) a conversation's review (`NotFound` when it does not exist).
    fn set_review(
        &self,
        conversation_id: ConversationId,
        reviewer: OperatorId,
        verdict: Verdict,
        comment: String,
    ) -> StoreFuture<'_, Review>;
    /// Removes a conversation's review; false when it had none.
    fn clear_review(&self, conversation_id: ConversationId) -> StoreFuture<'_, bool>;
    /// A conversation's review, if it has one.
    fn review(&self, conversation_id: ConversationId) -> StoreFuture<'_, Option<Review>>;
    /// The ids of the conversations assigned to `operator`, started in `[from, to)` and not
    /// reviewed, in any order (the caller orders them with [`sample_order`]).
    fn unreviewed(
        &self,
        operator: OperatorId,
        from: i64,
        to: i64,
    ) -> StoreFuture<'_, Vec<ConversationId>>;
}

/// The words of a text as the search keeps and compares them: runs of letters and digits,
/// folded, each at most [`MAX_WORD_CHARS`] characters.
pub fn search_words(text: &str) -> Vec<String> {
    text.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let folded = crate::fold::fold(word);
            // Folding may leave characters that are not letters or digits (e.g. a modifier): keep
            // only letters and digits, so that stored words are plain for both databases.
            folded
                .chars()
                .filter(|character| character.is_alphanumeric())
                .take(MAX_WORD_CHARS)
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect()
}

/// What of a message is searched: its text and the names of its files.
pub fn searchable_text(message: &beseda_protocol::Message) -> std::borrow::Cow<'_, str> {
    if message.files.is_empty() {
        return std::borrow::Cow::Borrowed(&message.text);
    }
    let mut text = message.text.clone();
    for file in &message.files {
        text.push(' ');
        text.push_str(&file.name);
    }
    std::borrow::Cow::Owned(text)
}

/// The words stored for a message, space-separated.
pub fn indexed_words(text: &str) -> String {
    search_words(text).join(" ")
}

/// A query's words: at most [`MAX_QUERY_WORDS`], each once.
pub fn query_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in search_words(query) {
        if !words.contains(&word) {
            words.push(word);
        }
        if words.len() == MAX_QUERY_WORDS {
            break;
        }
    }
    words
}

/// The FTS5 query for words: each a quoted prefix, all required. The words hold only letters
/// and digits, so the quotes are never unbalanced and nothing is read as an operator.
pub fn fts5_query(words: &[String]) -> String {
    words
        .iter()
        .map(|word| format!("\"{word}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The PostgreSQL `tsquery` text for words (cast with `::tsquery`, which takes lexemes as they
/// are, without a parser): each a prefix (`:*`), all required (`&`), each quoted as a literal.
/// The words hold only letters and digits, so no quote is ever unbalanced.
pub fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|word| format!("'{word}':*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The SQLite search row of a message.
pub fn search_rowid(conversation_id: ConversationId, seq: u64) -> Option<i64> {
    let seq = i64::try_from(seq).ok()?;
    if seq >= 1 << SEARCH_SEQ_BITS {
        return None;
    }
    Some((conversation_id.0 << SEARCH_SEQ_BITS) | seq)
}

/// Whether a message's text holds every word as the start of one of its words (what the
/// databases decided, checked again on the text itself when the snippet is made).
pub fn matches_all(text: &str, words: &[String]) -> bool {
    let stored = search_words(text);
    words.iter().all(|word| {
        stored
            .iter()
            .any(|stored| stored.starts_with(word.as_str()))
    })
}

/// A sample's order: conversations ordered by a hash of their id, the operator and the week,
/// so that the same week's sample stays the same (until one is reviewed) and differs by week.
pub fn sample_order(ids: &mut [ConversationId], operator: OperatorId, week: &str) {
    ids.sort_by_cached_key(|id| {
        let mut hasher = Sha256::new();
        hasher.update(format!("{}:{}:{week}", id.0, operator.0).as_bytes());
        let digest = hasher.finalize();
        (digest.to_vec(), id.0)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_without_case_and_diacritics() {
        assert_eq!(
            search_words("VRÁCENÍ zboží, Łódź; Straße ёлка!"),
            ["vraceni", "zbozi", "lodz", "strasse", "елка"]
        );
        assert_eq!(
            search_words("a AND \"x\" * -y :z"),
            ["a", "and", "x", "y", "z"]
        );
        assert!(search_words("*** -- :: \"\"").is_empty());
    }

    #[test]
    fn queries_hold_only_letters_and_digits() {
        let words = query_words("o'neil \"ab\" c*d:e");
        assert_eq!(words, ["o", "neil", "ab", "c", "d", "e"]);
        assert_eq!(fts5_query(&words[..2]), "\"o\"* \"neil\"*");
        assert_eq!(tsquery(&words[..2]), "'o':* & 'neil':*");
        let long = "ř".repeat(200);
        assert_eq!(query_words(&long)[0].chars().count(), MAX_WORD_CHARS);
    }

    #[test]
    fn prefixes_match_as_typed() {
        assert!(matches_all(
            "Kdy bude vrácení peněz?",
            &query_words("vrac PENEZ")
        ));
        assert!(!matches_all(
            "Kdy bude vrácení?",
            &query_words("vrac penez")
        ));
        assert!(!matches_all("Kdy bude vrácení?", &query_words("raceni")));
    }

    #[test]
    fn samples_are_stable_and_differ_by_week() {
        let ids: Vec<ConversationId> = (1..=20).map(ConversationId).collect();
        let (mut first, mut again, mut other) = (ids.clone(), ids.clone(), ids.clone());
        sample_order(&mut first, OperatorId(1), "2026-W49");
        sample_order(&mut again, OperatorId(1), "2026-W49");
        sample_order(&mut other, OperatorId(1), "2026-W50");
        assert_eq!(first, again);
        assert_ne!(first, other);
    }
}
