//! The Czech vocative (the fifth case, the one used to address someone) of a first name.
//!
//! The vocative follows from how a name ends, so this is a small set of rules over the last
//! letters rather than a dictionary. Where no rule is sure of the answer (a foreign spelling, a
//! feminine name ending in a consonant, an ending Czech does not use) the name is left as it is:
//! "Dobrý den, Wolfgang" reads well, a wrongly declined name does not.

/// Names in -el whose e drops out when declined (Karel → Karle). Every other name in -el keeps
/// its e and takes -i (Daniel → Danieli, Marcel → Marceli).
const MOBILE_EL: &[&str] = &["karel", "pavel", "havel"];

/// Feminine names that end in a consonant. They do not decline (Dagmar → Dagmar), whereas a
/// masculine name with the same ending would (Otakar → Otakare).
const FEMININE_CONSONANT: &[&str] = &[
    "abigail", "agnes", "beatrix", "carmen", "dagmar", "doris", "edit", "ellen", "ester", "ingrid",
    "iris", "isabel", "jasmin", "judit", "karin", "kim", "kristin", "lilian", "miriam", "mirjam",
    "nicol", "nikol", "rachel", "ráchel", "rút", "vivien",
];

/// Returns the vocative of the first word of `first_name`, keeping its capitalisation
/// ("Petr" → "Petře", "PETR" → "PETŘE", "petr" → "petře").
///
/// Only the first word is declined and only that word is returned: "Petr Novák" → "Petře".
/// A word written with letters outside Czech orthography (w, q, ü, Cyrillic, a decomposed
/// accent, a hyphen, …) or with an ending no rule covers is returned unchanged. An empty or
/// blank name gives an empty string.
pub fn vocative(first_name: &str) -> String {
    let Some(word) = first_name.split_whitespace().next() else {
        return String::new();
    };
    let lower = word.to_lowercase();
    if !lower.chars().all(is_czech_letter) {
        return word.to_owned();
    }
    match decline(&lower) {
        Some(declined) => with_case_of(word, &declined),
        None => word.to_owned(),
    }
}

/// Declines a lowercase name written in Czech letters, or returns `None` to leave it as it is.
fn decline(name: &str) -> Option<String> {
    let letters: Vec<char> = name.chars().collect();
    let count = letters.len();
    if count < 2 || !letters.iter().copied().any(is_vowel) || FEMININE_CONSONANT.contains(&name) {
        return None;
    }
    let last = letters[count - 1];
    let before_last = letters[count - 2];
    // The name without its last `dropped` letters.
    let stem = |dropped: usize| letters[..count - dropped].iter().collect::<String>();
    // Whether a vowel would be left if the last two letters went: the e of -ek, -ec is mobile
    // only then (Marek → Mark-, but not in a one-syllable name).
    let vowel_before_last_two = letters[..count - 2].iter().copied().any(is_vowel);

    let declined = match last {
        // Jana → Jano, Andrea → Andreo, Honza → Honzo. Olivia, Joshua: no sure answer.
        'a' if before_last == 'e' || !is_vowel(before_last) => stem(1) + "o",
        // Marie, Jiří, Ivo, René, and -a after another vowel stay as they are.
        vowel if is_vowel(vowel) => return None,
        // Marek → Marku, Zdeněk → Zdeňku: the e drops out and ě leaves its softness behind.
        'k' if matches!(before_last, 'e' | 'ě') && vowel_before_last_two => {
            let mut declined = stem(2);
            if before_last == 'ě' {
                soften_last(&mut declined);
            }
            declined + "ku"
        }
        // Dominik → Dominiku, Oleg → Olegu, Jindřich → Jindřichu.
        'k' | 'g' => stem(0) + "u",
        'h' if before_last == 'c' => stem(0) + "u",
        // Sarah, Judith, Joseph: foreign spellings.
        'h' => return None,
        // Vavřinec → Vavřinče.
        'c' if before_last == 'e' && vowel_before_last_two => stem(2) + "če",
        'c' if before_last == 'e' => return None,
        // Karel → Karle, but Daniel → Danieli.
        'l' if before_last == 'e' && MOBILE_EL.contains(&name) => stem(2) + "le",
        'l' if before_last == 'e' => stem(0) + "i",
        // Petr → Petře, but Igor → Igore.
        'r' if !is_vowel(before_last) => stem(1) + "ře",
        // Julius, Linus, Klaus: Latin and German -us has no settled Czech vocative.
        's' if before_last == 'u' => return None,
        // Tomáš → Tomáši, Ondřej → Ondřeji, Alois → Aloisi, Felix → Felixi.
        'c' | 'č' | 'ď' | 'j' | 'ň' | 'ř' | 's' | 'š' | 'ť' | 'x' | 'z' | 'ž' => {
            stem(0) + "i"
        }
        // Jan → Jane, Jakub → Jakube, Michal → Michale, Libor → Libore.
        'b' | 'd' | 'f' | 'l' | 'm' | 'n' | 'p' | 'r' | 't' | 'v' => stem(0) + "e",
        _ => return None,
    };
    Some(declined)
}

/// Turns a final d, t or n into ď, ť or ň, as an ě that followed it would have sounded.
fn soften_last(stem: &mut String) {
    let soft = match stem.chars().next_back() {
        Some('d') => 'ď',
        Some('t') => 'ť',
        Some('n') => 'ň',
        _ => return,
    };
    stem.pop();
    stem.push(soft);
}

/// Writes `declined` (lowercase) in the capitalisation of `original`: all capitals if the
/// original was, otherwise letter by letter, with added letters in lowercase.
fn with_case_of(original: &str, declined: &str) -> String {
    if original.chars().count() > 1 && original.chars().all(char::is_uppercase) {
        return declined.to_uppercase();
    }
    let mut original_letters = original.chars();
    let mut written = String::with_capacity(declined.len());
    for letter in declined.chars() {
        if original_letters.next().is_some_and(char::is_uppercase) {
            written.extend(letter.to_uppercase());
        } else {
            written.push(letter);
        }
    }
    written
}

fn is_vowel(letter: char) -> bool {
    "aeiouyáéěíóúůý".contains(letter)
}

/// Letters of Czech orthography, lowercase. Q and w are left out: Czech uses them only in
/// foreign names, whose vocative it does not settle.
fn is_czech_letter(letter: char) -> bool {
    (letter.is_ascii_lowercase() && letter != 'q' && letter != 'w')
        || "áčďéěíňóřšťúůýž".contains(letter)
}

#[cfg(test)]
mod tests;
