//! The console's languages: a catalogue compiled into the console, one module per language,
//! each an exhaustive `match` over [`Text`] and [`Count`], so that a text missing in one language
//! is a compile error rather than a blank on screen.
//!
//! Texts with parameters hold them as `{name}`, filled by [`fill`]. Counted texts have the forms
//! CLDR gives each language for whole numbers ([`Forms`], picked by [`category`]): Czech and
//! Slovak "1 konverzace, 2 konverzace, 5 konverzací", Polish and Russian three forms by the last
//! digits, English and German two. Dates, numbers and durations are formatted by the browser's
//! `Intl` in `time.rs`; this module holds only words.
//!
//! The language on screen is one signal ([`current`]); every text on screen reads it through
//! [`t`] or [`tx`], so a change of language redraws the texts at once and keeps everything else.

mod cs;
mod de;
mod en;
mod keys;
mod pl;
mod ru;
mod sk;

pub use keys::{Count, Text};

use beseda_protocol::ErrorCode;
use leptos::prelude::*;
use std::cell::Cell;

/// A language the console speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Czech,
    Slovak,
    Polish,
    Russian,
    English,
    German,
}

impl Language {
    /// Every language, in the order the profile's choice lists them.
    pub const ALL: [Language; 6] = [
        Language::Czech,
        Language::Slovak,
        Language::Polish,
        Language::Russian,
        Language::English,
        Language::German,
    ];

    /// The BCP 47 tag: `<html lang>`, `Intl`'s locale and the relay's stored value.
    pub fn code(self) -> &'static str {
        match self {
            Language::Czech => "cs",
            Language::Slovak => "sk",
            Language::Polish => "pl",
            Language::Russian => "ru",
            Language::English => "en",
            Language::German => "de",
        }
    }

    /// The language's own name for itself, as the choice shows it to someone who may not read
    /// the language on screen.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Czech => "Čeština",
            Language::Slovak => "Slovenčina",
            Language::Polish => "Polski",
            Language::Russian => "Русский",
            Language::English => "English",
            Language::German => "Deutsch",
        }
    }

    /// The language of a tag such as `cs`, `cs-CZ` or `de_AT`, if the console speaks it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.code() == primary)
    }

    /// The first of the browser's preferred languages the console speaks, else English.
    pub fn preferred<'a>(tags: impl IntoIterator<Item = &'a str>) -> Language {
        tags.into_iter()
            .find_map(Language::from_tag)
            .unwrap_or(Language::English)
    }

    /// The text of `key` in this language.
    pub fn text(self, key: Text) -> &'static str {
        match self {
            Language::Czech => cs::text(key),
            Language::Slovak => sk::text(key),
            Language::Polish => pl::text(key),
            Language::Russian => ru::text(key),
            Language::English => en::text(key),
            Language::German => de::text(key),
        }
    }

    /// The forms of a counted text in this language.
    pub fn forms(self, key: Count) -> Forms {
        match self {
            Language::Czech => cs::count(key),
            Language::Slovak => sk::count(key),
            Language::Polish => pl::count(key),
            Language::Russian => ru::count(key),
            Language::English => en::count(key),
            Language::German => de::count(key),
        }
    }

    /// A counted text for `count`, its `{count}` filled with `shown` (the number as the
    /// language writes it).
    pub fn counted(self, key: Count, count: u64, shown: &str) -> String {
        let forms = self.forms(key);
        let form = match category(self, count) {
            Category::One => forms.one,
            Category::Few => forms.few,
            Category::Many => forms.many,
        };
        fill(form, &[("count", shown)])
    }
}

/// The forms of a counted text for whole numbers. Languages with two forms give `few` and
/// `many` the same text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forms {
    /// 1 (Russian: 1, 21, 31, … but not 11).
    pub one: &'static str,
    /// 2–4 (Polish and Russian: also 22–24, 32–34, … but not 12–14).
    pub few: &'static str,
    /// Every other whole number, 0 included.
    pub many: &'static str,
}

/// Which of the [`Forms`] a whole number takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    One,
    Few,
    Many,
}

/// CLDR's plural rules for whole numbers in each language.
pub fn category(language: Language, count: u64) -> Category {
    let last = count % 10;
    let last_two = count % 100;
    match language {
        Language::Czech | Language::Slovak => match count {
            1 => Category::One,
            2..=4 => Category::Few,
            _ => Category::Many,
        },
        Language::Polish => match count {
            1 => Category::One,
            _ if (2..=4).contains(&last) && !(12..=14).contains(&last_two) => Category::Few,
            _ => Category::Many,
        },
        Language::Russian => {
            if last == 1 && last_two != 11 {
                Category::One
            } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
                Category::Few
            } else {
                Category::Many
            }
        }
        Language::English | Language::German => {
            if count == 1 {
                Category::One
            } else {
                Category::Many
            }
        }
    }
}

/// A text with its `{name}` parameters replaced, in one pass (a value that itself holds
/// `{…}`, such as a visitor's name, is not filled again); a parameter not given stays as
/// written, so a mistake shows rather than vanishes.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(given, _)| *given == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

thread_local! {
    /// The language on screen. The page has one thread, so a thread-local is its global; the
    /// signal is made on first use (the root component's), in whatever language the browser
    /// prefers.
    static CURRENT: Cell<Option<RwSignal<Language>>> = const { Cell::new(None) };
}

/// The signal of the language on screen.
pub fn current() -> RwSignal<Language> {
    CURRENT.with(|cell| match cell.get() {
        Some(signal) => signal,
        None => {
            let signal = RwSignal::new(browser_language());
            cell.set(Some(signal));
            signal
        }
    })
}

/// The language on screen, read so that the caller redraws when it changes.
pub fn language() -> Language {
    current().get()
}

/// Puts the language of a stored tag on screen; an empty or unknown tag leaves it as it is.
pub fn follow(tag: Option<&str>) {
    if let Some(language) = tag.and_then(Language::from_tag) {
        current().set(language);
    }
}

/// The text of `key` in the language on screen.
pub fn t(key: Text) -> &'static str {
    language().text(key)
}

/// The text of `key` as something a view redraws when the language changes.
pub fn tx(key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || t(key)
}

/// A text with parameters in the language on screen.
pub fn tf(key: Text, values: &[(&str, &str)]) -> String {
    fill(t(key), values)
}

/// A counted text in the language on screen, the number written the language's way.
pub fn tc(key: Count, count: u64) -> String {
    let language = language();
    language.counted(key, count, &crate::time::number(language, count as f64))
}

/// The browser's first preferred language the console speaks (`navigator.languages`), else
/// English; outside a browser, English.
fn browser_language() -> Language {
    #[cfg(target_arch = "wasm32")]
    {
        if let Some(window) = web_sys::window() {
            let navigator = window.navigator();
            let tags: Vec<String> = navigator
                .languages()
                .iter()
                .filter_map(|tag| tag.as_string())
                .chain(navigator.language())
                .collect();
            return Language::preferred(tags.iter().map(String::as_str));
        }
    }
    Language::English
}

/// What to show for a refusal from the relay. In English the relay's own message, as it has
/// always been shown; in another language the code's meaning, with the relay's words beside it
/// where they name what was wrong (the relay writes them in English).
pub fn refusal(language: Language, code: Option<ErrorCode>, relay_message: &str) -> String {
    if language == Language::English {
        return relay_message.to_owned();
    }
    let (key, detailed) = match code {
        Some(ErrorCode::RateLimited) => (Text::ErrorRateLimited, false),
        Some(ErrorCode::Unauthorized) => (Text::ErrorUnauthorized, false),
        Some(ErrorCode::Forbidden) => (Text::ErrorForbidden, false),
        Some(ErrorCode::NotFound) => (Text::ErrorNotFound, false),
        Some(ErrorCode::PayloadTooLarge | ErrorCode::TextTooLong) => (Text::ErrorTooLong, false),
        Some(ErrorCode::TextEmpty) => (Text::ErrorTextEmpty, false),
        Some(ErrorCode::InvalidEmail) => (Text::ErrorInvalidEmail, false),
        Some(
            ErrorCode::Unavailable
            | ErrorCode::ShuttingDown
            | ErrorCode::Internal
            | ErrorCode::RequestTimeout,
        ) => (Text::ErrorUnavailable, false),
        Some(ErrorCode::Conflict) => (Text::ErrorConflict, true),
        // The relay's words name the limit and the kinds it accepts.
        Some(ErrorCode::FileTooLarge) => (Text::ErrorFileTooLarge, true),
        Some(ErrorCode::UnsupportedType) => (Text::ErrorUnsupportedType, true),
        Some(ErrorCode::DamagedFile) => (Text::ErrorDamagedFile, false),
        Some(ErrorCode::TooManyFiles) => (Text::ErrorTooManyFiles, false),
        Some(ErrorCode::InvalidTemplate) => (Text::ErrorInvalidTemplate, true),
        _ => (Text::ErrorBadRequest, true),
    };
    let text = language.text(key);
    if detailed && !relay_message.trim().is_empty() {
        format!("{text} ({})", relay_message.trim())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests;
