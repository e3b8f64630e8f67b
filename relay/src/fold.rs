//! Text folded for comparing as people expect in a shop's languages: lower case and without
//! diacritics, so that "vraceni" finds "vrácení", "CHYBI" matches a keyword "chybí", and a
//! Russian "ё" matches "е". One folding for every matcher in the relay — the keyword rules,
//! the self-service answers' ranking and the history's search — so that they agree.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// `text` in lower case, each letter's canonical decomposition without its combining marks,
/// and the few letters that have no decomposition mapped by hand (ł, đ, ø, ß, ı). Characters
/// that are not letters are kept as they are. The Russian "й" is a letter of its own, not an
/// "и" with a mark (unlike "ё", which Russian writes as "е" as often as not), so it stays.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.chars().flat_map(char::to_lowercase) {
        match character {
            'й' => folded.push('й'),
            'ł' => folded.push('l'),
            'đ' => folded.push('d'),
            'ø' => folded.push('o'),
            'ß' => folded.push_str("ss"),
            'ı' => folded.push('i'),
            other => decompose_canonical(other, |part| {
                if !is_combining_mark(part) {
                    folded.push(part);
                }
            }),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_and_diacritics_of_the_shops_languages() {
        assert_eq!(
            fold("Příliš ŽLUŤOUČKÝ kůň úpěl ďábelské ódy"),
            "prilis zlutoucky kun upel dabelske ody"
        );
        assert_eq!(
            fold("Ľúbostná ÔDA, Łódź, Straße"),
            "lubostna oda, lodz, strasse"
        );
        assert_eq!(fold("Ещё мой"), "еще мой");
        assert_eq!(fold("nedorazilo 42!"), "nedorazilo 42!");
    }
}
