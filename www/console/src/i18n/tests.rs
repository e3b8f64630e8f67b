//! The catalogue's tests: every key in every language, the plural rules, the parameters.

use super::*;

/// The `{name}` parameters a text holds, in order of appearance.
fn parameters(text: &str) -> Vec<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

#[test]
fn every_text_is_translated_in_every_language_with_the_same_parameters() {
    for &key in Text::ALL {
        let mut english = parameters(Language::English.text(key));
        english.sort_unstable();
        for language in Language::ALL {
            let text = language.text(key);
            assert!(!text.trim().is_empty(), "{language:?} {key:?} is empty");
            let mut found = parameters(text);
            found.sort_unstable();
            assert_eq!(found, english, "{language:?} {key:?}: {text}");
        }
    }
    for &key in Count::ALL {
        for language in Language::ALL {
            let forms = language.forms(key);
            for form in [forms.one, forms.few, forms.many] {
                assert!(form.contains("{count}"), "{language:?} {key:?}: {form}");
                assert_eq!(parameters(form), ["count"], "{language:?} {key:?}: {form}");
            }
        }
    }
}

/// Only languages other than English translate the names the public contract fixes; English
/// keeps them to the letter, since tests and screen-reader users find the console by them.
#[test]
fn english_keeps_the_contracts_accessible_names() {
    let fixed = [
        (Text::Email, "Email"),
        (Text::Password, "Password"),
        (Text::SignIn, "Sign in"),
        (Text::Message, "Message"),
        (Text::Send, "Send"),
        (Text::Resolve, "Resolve"),
        (Text::Available, "Available"),
        (Text::Conversations, "Conversations"),
        (Text::Settings, "Settings"),
        (Text::History, "History"),
        (Text::Reports, "Reports"),
    ];
    for (key, name) in fixed {
        assert_eq!(Language::English.text(key), name);
        for language in Language::ALL
            .into_iter()
            .filter(|language| *language != Language::English)
        {
            assert_ne!(
                language.text(key),
                name,
                "{language:?} leaves {name} untranslated"
            );
        }
    }
}

#[test]
fn plural_categories_follow_each_languages_rules() {
    use Category::{Few, Many, One};
    let numbers = [0, 1, 2, 5, 11, 12, 21, 22, 25, 101, 112];
    let expected = [
        (
            Language::Czech,
            [
                Many, One, Few, Many, Many, Many, Many, Many, Many, Many, Many,
            ],
        ),
        (
            Language::Slovak,
            [
                Many, One, Few, Many, Many, Many, Many, Many, Many, Many, Many,
            ],
        ),
        (
            Language::Polish,
            [
                Many, One, Few, Many, Many, Many, Many, Few, Many, Many, Many,
            ],
        ),
        (
            Language::Russian,
            [Many, One, Few, Many, Many, Many, One, Few, Many, One, Many],
        ),
        (
            Language::English,
            [
                Many, One, Many, Many, Many, Many, Many, Many, Many, Many, Many,
            ],
        ),
        (
            Language::German,
            [
                Many, One, Many, Many, Many, Many, Many, Many, Many, Many, Many,
            ],
        ),
    ];
    for (language, categories) in expected {
        for (number, expected) in numbers.into_iter().zip(categories) {
            assert_eq!(
                category(language, number),
                expected,
                "{language:?} {number}"
            );
        }
    }
}

#[test]
fn counted_texts_take_the_right_form() {
    let conversations = |language: Language, counts: [u64; 7]| {
        counts.map(|count| language.counted(Count::UnreadConversations, count, &count.to_string()))
    };
    let counts = [0, 1, 2, 5, 21, 22, 25];
    let words = |language| {
        conversations(language, counts).map(|text| {
            text.split(' ')
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_default()
        })
    };
    assert_eq!(
        words(Language::Czech),
        [
            "konverzací",
            "konverzace",
            "konverzace",
            "konverzací",
            "konverzací",
            "konverzací",
            "konverzací"
        ]
    );
    assert_eq!(
        words(Language::Slovak),
        [
            "konverzácií",
            "konverzácia",
            "konverzácie",
            "konverzácií",
            "konverzácií",
            "konverzácií",
            "konverzácií"
        ]
    );
    assert_eq!(
        words(Language::Polish),
        [
            "rozmów", "rozmowa", "rozmowy", "rozmów", "rozmów", "rozmowy", "rozmów"
        ]
    );
    assert_eq!(
        words(Language::Russian),
        [
            "диалогов",
            "диалог",
            "диалога",
            "диалогов",
            "диалог",
            "диалога",
            "диалогов"
        ]
    );
    assert_eq!(
        words(Language::English),
        [
            "conversations",
            "conversation",
            "conversations",
            "conversations",
            "conversations",
            "conversations",
            "conversations"
        ]
    );
    assert_eq!(
        words(Language::German),
        [
            "Unterhaltungen",
            "Unterhaltung",
            "Unterhaltungen",
            "Unterhaltungen",
            "Unterhaltungen",
            "Unterhaltungen",
            "Unterhaltungen"
        ]
    );
    // The number is written as given, the language's way.
    assert_eq!(
        Language::Czech.counted(Count::Unread, 1500, "1 500"),
        "1 500 nepřečtených"
    );
}

#[test]
fn parameters_are_filled() {
    assert_eq!(
        fill(Language::Czech.text(Text::IsTyping), &[("name", "Jana")]),
        "Jana píše…"
    );
    assert_eq!(
        fill(Language::English.text(Text::IsTyping), &[("name", "Jana")]),
        "Jana is typing…"
    );
    assert_eq!(
        fill(
            Language::German.text(Text::OperatorOnline),
            &[("name", "Eva"), ("open", "2 offen")]
        ),
        "Eva (online, 2 offen)"
    );
    // A value holding braces is not filled again.
    assert_eq!(fill("{a} {b}", &[("a", "{b}"), ("b", "x")]), "{b} x");
    // A parameter not given stays visible.
    assert_eq!(fill("{name} píše…", &[]), "{name} píše…");
}

#[test]
fn the_browsers_first_language_the_console_speaks_wins() {
    assert_eq!(Language::preferred(["cs-CZ", "en-US"]), Language::Czech);
    assert_eq!(
        Language::preferred(["fr-FR", "de_AT", "cs"]),
        Language::German
    );
    assert_eq!(Language::preferred(["fr", "it"]), Language::English);
    assert_eq!(Language::preferred([]), Language::English);
    assert_eq!(Language::from_tag("SK"), Some(Language::Slovak));
    assert_eq!(Language::from_tag(""), None);
    for language in Language::ALL {
        assert_eq!(Language::from_tag(language.code()), Some(language));
        assert!(beseda_protocol::api::CONSOLE_LANGUAGES.contains(&language.code()));
    }
}

#[test]
fn refusals_are_shown_in_the_language_with_the_relays_details() {
    let message = "a priority lies between -1000 and 1000";
    assert_eq!(
        refusal(Language::English, Some(ErrorCode::BadRequest), message),
        message
    );
    assert_eq!(
        refusal(Language::Czech, Some(ErrorCode::BadRequest), message),
        format!("Takto to uložit nejde. ({message})")
    );
    assert_eq!(
        refusal(
            Language::German,
            Some(ErrorCode::RateLimited),
            "too many sign-in attempts"
        ),
        "Zu viele Versuche. Warten Sie kurz und versuchen Sie es erneut."
    );
    assert_eq!(
        refusal(
            Language::Polish,
            Some(ErrorCode::Unauthorized),
            "wrong email or password"
        ),
        "Nieprawidłowy e-mail lub hasło."
    );
}

#[test]
fn refused_files_are_named_in_the_language_with_the_relays_limits() {
    let accepted = "this kind of file is not accepted (judged by its content, not its name); accepted: application/pdf";
    assert_eq!(
        refusal(
            Language::English,
            Some(ErrorCode::UnsupportedType),
            accepted
        ),
        accepted
    );
    assert_eq!(
        refusal(Language::Czech, Some(ErrorCode::UnsupportedType), accepted),
        format!("Tento druh souboru se nepřijímá. ({accepted})")
    );
    assert_eq!(
        refusal(
            Language::Slovak,
            Some(ErrorCode::FileTooLarge),
            "a file may have at most 10000000 bytes"
        ),
        "Súbor je príliš veľký. (a file may have at most 10000000 bytes)"
    );
    assert_eq!(
        refusal(
            Language::Russian,
            Some(ErrorCode::DamagedFile),
            "the file is damaged"
        ),
        "Файл повреждён."
    );
}
