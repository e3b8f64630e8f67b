//! The "/" shortcut picker's logic: finding the "/name" being typed at the caret, choosing the
//! shortcuts that match it, and putting the chosen text in its place. Plain Rust, tested natively.
//!
//! Positions are counted in UTF-16 code units, as the browser's `selectionStart` counts them.

use beseda_protocol::api::Shortcut;

/// A "/query" at the caret: it starts at the composer's start or after whitespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashQuery {
    /// Where the slash is (UTF-16 units).
    pub start: usize,
    /// Where the caret is (UTF-16 units).
    pub end: usize,
    /// What follows the slash.
    pub query: String,
}

/// The byte index of a UTF-16 position in `text` (the end when past it).
fn byte_index(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (index, character) in text.char_indices() {
        if units >= utf16 {
            return index;
        }
        units += character.len_utf16();
    }
    text.len()
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The "/query" the caret stands at the end of, if any.
pub fn slash_query(text: &str, caret: usize) -> Option<SlashQuery> {
    let before = &text[..byte_index(text, caret)];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, character)| character.is_whitespace())
        .map_or(0, |(index, character)| index + character.len_utf8());
    let word = &before[word_start..];
    let query = word.strip_prefix('/')?;
    Some(SlashQuery {
        start: utf16_len(&before[..word_start]),
        end: utf16_len(before),
        query: query.to_owned(),
    })
}

/// The shortcuts for `query`: names starting with it first, then names containing it; each
/// group by name. Case is ignored.
pub fn matching<'a>(shortcuts: &'a [Shortcut], query: &str) -> Vec<&'a Shortcut> {
    let query = query.to_lowercase();
    let mut prefixed = Vec::new();
    let mut containing = Vec::new();
    for shortcut in shortcuts {
        let name = shortcut.name.to_lowercase();
        if name.starts_with(&query) {
            prefixed.push(shortcut);
        } else if name.contains(&query) {
            containing.push(shortcut);
        }
    }
    prefixed.sort_by(|a, b| a.name.cmp(&b.name));
    containing.sort_by(|a, b| a.name.cmp(&b.name));
    prefixed.extend(containing);
    prefixed
}

/// `text` with the "/query" replaced by `inserted`, and the caret after the insertion.
pub fn replace(text: &str, query: &SlashQuery, inserted: &str) -> (String, usize) {
    let start = byte_index(text, query.start);
    let end = byte_index(text, query.end);
    let result = format!("{}{inserted}{}", &text[..start], &text[end..]);
    (result, query.start + utf16_len(inserted))
}

/// The option below or above `current` among `count`, wrapping around.
pub fn step(current: usize, count: usize, down: bool) -> usize {
    match (count, down) {
        (0, _) => 0,
        (_, true) => (current + 1) % count,
        (_, false) => (current + count - 1) % count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::ShortcutId;
    use beseda_protocol::api::ShortcutScope;

    fn shortcut(id: i64, name: &str) -> Shortcut {
        Shortcut {
            id: ShortcutId(id),
            name: name.into(),
            text: format!("text of {name}"),
            scope: ShortcutScope::Team,
            owner_id: None,
        }
    }

    #[test]
    fn a_slash_opens_at_the_start_or_after_whitespace() {
        assert_eq!(
            slash_query("/he", 3),
            Some(SlashQuery {
                start: 0,
                end: 3,
                query: "he".into()
            })
        );
        assert_eq!(
            slash_query("Hi /", 4).map(|q| (q.start, q.query)),
            Some((3, String::new()))
        );
        assert_eq!(slash_query("Hi\n/x", 5).map(|q| q.start), Some(3));
        assert_eq!(slash_query("and/or", 6), None);
        assert_eq!(slash_query("/hello there", 12), None);
        // The caret decides: the word before it counts, not the end of the text.
        assert_eq!(
            slash_query("/he there", 3).map(|q| q.query),
            Some("he".into())
        );
    }

    #[test]
    fn positions_are_utf16_units() {
        // "😀" is two UTF-16 units, "ř" one.
        let text = "😀 ř /dě";
        let query = slash_query(text, 8).unwrap();
        assert_eq!((query.start, query.end, query.query.as_str()), (5, 8, "dě"));
        let (replaced, caret) = replace(text, &query, "Dobrý den");
        assert_eq!(replaced, "😀 ř Dobrý den");
        assert_eq!(caret, 14);
    }

    #[test]
    fn replacing_keeps_what_follows_the_caret() {
        let text = "/hel world";
        let query = slash_query(text, 4).unwrap();
        assert_eq!(replace(text, &query, "Hello"), ("Hello world".into(), 5));
    }

    #[test]
    fn name_prefix_comes_before_contains() {
        let shortcuts = [
            shortcut(1, "thanks"),
            shortcut(2, "hello"),
            shortcut(3, "othello"),
            shortcut(4, "Help"),
        ];
        let names = |query| {
            matching(&shortcuts, query)
                .iter()
                .map(|shortcut| shortcut.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("hel"), vec!["Help", "hello", "othello"]);
        assert_eq!(names("").len(), 4);
        assert!(names("zzz").is_empty());
    }

    #[test]
    fn arrows_wrap_around() {
        assert_eq!(step(0, 3, false), 2);
        assert_eq!(step(2, 3, true), 0);
        assert_eq!(step(0, 0, true), 0);
    }
}
