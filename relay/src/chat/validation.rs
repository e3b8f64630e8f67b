//! The rules every input must pass, whichever way it arrives (widget socket, console socket,
//! REST or the command line), so that all of them refuse the same things with the same words.

use crate::store::VisitorDetails;
use beseda_protocol::api::{CONSOLE_LANGUAGES, OperatorUpdate, PageView, RuleInput, ShortcutInput};
use beseda_protocol::visitor::Cart;
use beseda_protocol::{ClientMessageId, ErrorCode};

/// The longest visitor name and cart item name accepted.
const MAX_NAME_CHARS: usize = 200;
/// The most items a cart may list.
const MAX_CART_ITEMS: usize = 100;

/// A refused message: the code and a sentence for people.
pub type Refusal = (ErrorCode, String);

/// Whether a character must never appear in a name, title or label shown to other people:
/// control characters, line and paragraph separators, the format characters (Unicode general
/// category Cf: the soft hyphen, zero-width spaces and joiners, the bidi marks, embeddings,
/// overrides and isolates, word joiners, the byte order mark, interlinear annotations, the tag
/// characters, …) and the blank Hangul fillers.
///
/// They are invisible or move the text around them: a right-to-left override makes "Admin"
/// out of another name or reverses the times shown beside it, a zero-width space makes a second
/// "Jana" that is not Jana. Names need none of them, so they are refused rather than removed,
/// and the person who typed one learns why.
pub fn is_hidden_or_reordering(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// The one rule for every name, title and label people see (operator and visitor names, site
/// titles, tags, shortcut names, cart items): 1 to `max_chars` characters once trimmed (an
/// empty one only where `may_be_blank`), none of them hidden or reordering (see
/// [`is_hidden_or_reordering`]).
pub fn check_name(
    what: &str,
    name: &str,
    max_chars: usize,
    may_be_blank: bool,
) -> Result<(), Refusal> {
    let chars = name.trim().chars().count();
    if (chars == 0 && !may_be_blank) || chars > max_chars {
        return Err(bad(format!("{what} must have 1 to {max_chars} characters")));
    }
    if let Some(character) = name
        .chars()
        .find(|&character| is_hidden_or_reordering(character))
    {
        return Err(bad(format!(
            "{what} may not hold control, invisible or direction-changing characters (found U+{:04X})",
            u32::from(character)
        )));
    }
    Ok(())
}

/// An operator's name (REST and `operator add`).
pub fn check_operator_name(name: &str) -> Result<(), Refusal> {
    check_name("a name", name, MAX_NAME_CHARS, false)
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A new password (REST and `operator add`): at least [`MIN_PASSWORD_CHARS`] characters.
/// Characters, not bytes, are counted, so that a password in any script is measured alike.
pub fn check_password(password: &str) -> Result<(), Refusal> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(bad(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// The longest site title.
const MAX_SITE_TITLE_CHARS: usize = 200;

/// A site's title, the shop name visitors see (REST and `site add`).
pub fn check_site_title(title: &str) -> Result<(), Refusal> {
    check_name("a title", title, MAX_SITE_TITLE_CHARS, false)
}

/// Text must have something besides white space and at most `max_chars` characters.
pub fn check_text(text: &str, max_chars: usize) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        return Err((ErrorCode::TextEmpty, "the message is empty".to_owned()));
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err((
            ErrorCode::TextTooLong,
            format!("the message has {chars} characters; at most {max_chars} are allowed"),
        ));
    }
    Ok(())
}

pub fn check_client_id(client_id: &ClientMessageId) -> Result<(), Refusal> {
    if client_id.is_valid() {
        Ok(())
    } else {
        Err((
            ErrorCode::InvalidClientId,
            format!(
                "clientId must be 1 to {} characters of A-Z, a-z, 0-9, - and _",
                beseda_protocol::MAX_CLIENT_ID_LEN
            ),
        ))
    }
}

/// An email must look like one: something, `@`, a domain with a dot, no spaces, at most 254 bytes.
pub fn check_email(email: &str) -> Result<(), Refusal> {
    let plausible = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if plausible {
        Ok(())
    } else {
        Err((
            ErrorCode::InvalidEmail,
            format!("{email:?} is not an email address"),
        ))
    }
}

/// `Beseda.setVisitor`: a plausible email, a name of sensible length (trimmed; blank means none).
pub fn check_profile(
    name: Option<String>,
    email: Option<String>,
) -> Result<VisitorDetails, Refusal> {
    if let Some(email) = &email {
        check_email(email)?;
    }
    if let Some(name) = &name {
        check_name("a name", name, MAX_NAME_CHARS, true)?;
    }
    let name = name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    Ok(VisitorDetails {
        name,
        email,
        ..VisitorDetails::default()
    })
}

/// `Beseda.setCart`: a bounded number of items with names of sensible length.
pub fn check_cart(cart: &Cart) -> Result<(), Refusal> {
    let too_big = cart.items.len() > MAX_CART_ITEMS
        || cart
            .items
            .iter()
            .any(|item| item.name.chars().count() > MAX_NAME_CHARS);
    if too_big {
        let message = format!(
            "a cart has at most {MAX_CART_ITEMS} items with names of at most {MAX_NAME_CHARS} characters"
        );
        return Err((ErrorCode::BadRequest, message));
    }
    cart.items
        .iter()
        .try_for_each(|item| check_name("an item's name", &item.name, MAX_NAME_CHARS, true))
}

/// The longest page address and title kept, the longest locale tag, rating comment, shortcut
/// name, tag and rule keyword.
const MAX_URL_CHARS: usize = 2048;
const MAX_TITLE_CHARS: usize = 300;
const MAX_LOCALE_CHARS: usize = 35;
const MAX_COMMENT_CHARS: usize = 1000;
const MAX_LABEL_CHARS: usize = 64;
const MAX_TAGS: usize = 20;

fn bad(message: String) -> Refusal {
    (ErrorCode::BadRequest, message)
}

/// A page view from the widget: an http(s) address and a title of sensible length.
pub fn check_page(page: &PageView) -> Result<(), Refusal> {
    let url = page.url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(bad(format!("{url:?} is not an http(s) address")));
    }
    if url.chars().count() > MAX_URL_CHARS || page.title.chars().count() > MAX_TITLE_CHARS {
        return Err(bad(format!(
            "a page address has at most {MAX_URL_CHARS} characters and a title {MAX_TITLE_CHARS}"
        )));
    }
    Ok(())
}

/// A locale tag like `cs` or `pt-BR`.
pub fn check_locale(locale: &str) -> Result<(), Refusal> {
    let plausible = !locale.is_empty()
        && locale.len() <= MAX_LOCALE_CHARS
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plausible {
        Ok(())
    } else {
        Err(bad(format!("{locale:?} is not a language tag")))
    }
}

pub fn check_comment(comment: Option<&str>) -> Result<(), Refusal> {
    match comment {
        Some(comment) if comment.chars().count() > MAX_COMMENT_CHARS => Err(bad(format!(
            "a comment has at most {MAX_COMMENT_CHARS} characters"
        ))),
        _ => Ok(()),
    }
}

/// A short label (shortcut name, tag, rule keyword): not blank, at most 64 characters, the
/// same characters as a name.
pub fn check_label(what: &str, label: &str) -> Result<(), Refusal> {
    check_name(what, label, MAX_LABEL_CHARS, false)
}

/// The most suggested questions a site offers, and the longest one.
const MAX_QUESTIONS: usize = 6;
const MAX_QUESTION_CHARS: usize = 120;

/// Suggested questions: at most six, each 1 to 120 characters on one line.
pub fn check_questions(questions: &[String]) -> Result<(), Refusal> {
    if questions.len() > MAX_QUESTIONS {
        return Err(bad(format!("at most {MAX_QUESTIONS} suggested questions")));
    }
    questions.iter().try_for_each(|question| {
        let chars = question.trim().chars().count();
        if chars == 0 || chars > MAX_QUESTION_CHARS || question.chars().any(is_hidden_or_reordering)
        {
            Err(bad(format!(
                "a suggested question has 1 to {MAX_QUESTION_CHARS} characters on one line"
            )))
        } else {
            Ok(())
        }
    })
}

pub fn check_tags(tags: &[String]) -> Result<(), Refusal> {
    if tags.len() > MAX_TAGS {
        return Err(bad(format!("at most {MAX_TAGS} tags")));
    }
    tags.iter().try_for_each(|tag| check_label("a tag", tag))
}

/// A shortcut: a name without spaces (it is typed after "/"), a valid template.
pub fn check_shortcut(input: &ShortcutInput, max_text_chars: usize) -> Result<(), Refusal> {
    check_label("a shortcut's name", &input.name)?;
    if input.name.trim().contains(char::is_whitespace) || input.name.contains('/') {
        return Err(bad("a shortcut's name has no spaces or slashes".to_owned()));
    }
    check_text(&input.text, max_text_chars)?;
    beseda_protocol::template::validate(&input.text)
        .map_err(|error| (ErrorCode::InvalidTemplate, error.to_string()))
}

pub fn check_rule(input: &RuleInput) -> Result<(), Refusal> {
    check_label("a rule's keyword", &input.keyword)?;
    check_label("a rule's tag", &input.tag)?;
    if input.priority.abs() > 1000 {
        return Err(bad("a priority lies between -1000 and 1000".to_owned()));
    }
    Ok(())
}

/// An operator's name and photo. The photo is shown to every visitor, whose browser fetches
/// it: only an `https://` address, or a path on the relay itself (`/…`, or an address under
/// `public_url`), so that nobody's browser is sent to a tracker over plain http, to another host
/// by a scheme-relative `//host` or `/\host` (browsers read the backslash as a slash), or to a
/// `javascript:` or `data:` address.
pub fn check_operator_update(
    update: &OperatorUpdate,
    public_url: Option<&str>,
) -> Result<(), Refusal> {
    if let Some(name) = &update.name {
        check_operator_name(name)?;
    }
    if let Some(photo) = update.photo_url.as_deref().map(str::trim) {
        check_photo_url(photo, public_url)?;
    }
    if let Some(language) = update.language.as_deref().map(str::trim) {
        check_console_language(language)?;
    }
    Ok(())
}

/// A console language is one the console speaks; blank means none chosen (the browser's).
pub fn check_console_language(language: &str) -> Result<(), Refusal> {
    if language.is_empty() || CONSOLE_LANGUAGES.contains(&language) {
        return Ok(());
    }
    Err(bad(format!(
        "the console speaks {}; \"{}\" is none of them",
        CONSOLE_LANGUAGES.join(", "),
        language.chars().take(16).collect::<String>()
    )))
}

/// See [`check_operator_update`]; blank means no photo.
pub fn check_photo_url(photo: &str, public_url: Option<&str>) -> Result<(), Refusal> {
    if photo.is_empty() {
        return Ok(());
    }
    let own_path = |path: &str| path.starts_with('/') && !path.starts_with("//");
    let host_then_path = |rest: &str| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains('@')
    };
    let acceptable = photo.chars().count() <= MAX_URL_CHARS
        && !photo.contains(['"', '\'', '<', '>', '\\', '`'])
        && !photo
            .chars()
            .any(|character| character.is_whitespace() || is_hidden_or_reordering(character))
        && (own_path(photo)
            || photo.strip_prefix("https://").is_some_and(host_then_path)
            || public_url
                .and_then(|url| photo.strip_prefix(url))
                .is_some_and(own_path));
    if acceptable {
        Ok(())
    } else {
        Err(bad(
            "photoUrl must be an https:// address or a path on this relay".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_language_is_one_the_console_speaks_or_none() {
        for language in ["cs", "sk", "pl", "ru", "en", "de", "", " de "] {
            let update = OperatorUpdate {
                language: Some(language.to_owned()),
                ..OperatorUpdate::default()
            };
            assert!(check_operator_update(&update, None).is_ok(), "{language}");
        }
        for language in ["fr", "DE", "de-AT", "<b>", "cs;drop"] {
            let update = OperatorUpdate {
                language: Some(language.to_owned()),
                ..OperatorUpdate::default()
            };
            let refusal = check_operator_update(&update, None).unwrap_err();
            assert!(
                refusal.1.contains("cs, sk, pl, ru, en, de"),
                "{}",
                refusal.1
            );
        }
    }

    #[test]
    fn text_rules() {
        assert!(check_text("Dobrý den", 10).is_ok());
        assert_eq!(check_text(" \n\t", 10).unwrap_err().0, ErrorCode::TextEmpty);
        assert_eq!(
            check_text("ěščřžýáíéů!", 10).unwrap_err().0,
            ErrorCode::TextTooLong
        );
        assert!(
            check_text("ěščřžýáíéů", 10).is_ok(),
            "characters are counted, not bytes"
        );
    }

    #[test]
    fn passwords_have_eight_characters_counted_as_characters() {
        assert!(check_password("12345678").is_ok());
        assert!(check_password("žluťoučk").is_ok());
        let refusal = check_password("1234567").unwrap_err();
        assert_eq!(refusal.0, ErrorCode::BadRequest);
        assert!(refusal.1.contains("at least 8 characters"), "{}", refusal.1);
        assert!(
            check_password("žluťouč").is_err(),
            "seven characters are too few however many bytes they take"
        );
    }

    #[test]
    fn visitor_detail_rules() {
        assert!(check_email("petr@example.cz").is_ok());
        for bad in [
            "petr",
            "@example.cz",
            "petr@example",
            "petr@.cz",
            "pe tr@example.cz",
        ] {
            assert_eq!(
                check_email(bad).unwrap_err().0,
                ErrorCode::InvalidEmail,
                "{bad}"
            );
        }
        let details = check_profile(Some("  Petr ".into()), None).unwrap();
        assert_eq!(details.name.as_deref(), Some("Petr"));
        assert_eq!(check_profile(Some("   ".into()), None).unwrap().name, None);
        assert_eq!(
            check_profile(Some("x".repeat(201)), None).unwrap_err().0,
            ErrorCode::BadRequest
        );
        let many = Cart {
            items: vec![Default::default(); 101],
            ..Cart::default()
        };
        assert_eq!(check_cart(&many).unwrap_err().0, ErrorCode::BadRequest);
        assert!(check_cart(&Cart::default()).is_ok());
    }

    #[test]
    fn names_refuse_hidden_and_reordering_characters() {
        for name in ["Jana Nováková", "محمد", "李雷", "O'Brien-Smith", "Zoë 🙂"] {
            assert!(check_operator_name(name).is_ok(), "{name}");
            assert!(check_profile(Some(name.to_owned()), None).is_ok(), "{name}");
        }
        for name in [
            "Jana\u{202E}nimdA",
            "Ja\u{200B}na",
            "Jana\u{2066}",
            "\u{FEFF}Jana",
            "Jana\u{00AD}",
            "Jana\u{061C}",
            "Jana\u{E0041}",
            "Jana\u{0007}",
            "Jana\nAdmin",
            "\u{3164}",
        ] {
            let refusal = check_operator_name(name).unwrap_err();
            assert_eq!(refusal.0, ErrorCode::BadRequest, "{name:?}");
            assert!(refusal.1.contains("direction-changing"), "{}", refusal.1);
            assert!(
                check_profile(Some(name.to_owned()), None).is_err(),
                "{name:?}"
            );
            assert!(check_site_title(name).is_err(), "{name:?}");
            assert!(check_tags(&[name.to_owned()]).is_err(), "{name:?}");
        }
        assert!(check_site_title("Horská bunda").is_ok());
        assert!(check_site_title(" ").is_err());
    }

    #[test]
    fn photos_are_https_or_on_the_relay() {
        let relay = Some("https://chat.shop.example");
        for photo in [
            "",
            "https://cdn.shop.example/jana.jpg",
            "/photos/jana.jpg",
            "https://chat.shop.example/photos/jana.jpg",
        ] {
            assert!(check_photo_url(photo, relay).is_ok(), "{photo}");
        }
        assert!(
            check_photo_url(
                "http://localhost:8080/jana.jpg",
                Some("http://localhost:8080")
            )
            .is_ok()
        );
        for photo in [
            "http://tracker.example/p.gif",
            "//tracker.example/p.gif",
            "/\\tracker.example/p.gif",
            "https:/\\tracker.example",
            "https://",
            "https://user@tracker.example/",
            "javascript:alert(1)",
            "data:image/gif;base64,R0lGOD",
            "HTTP://tracker.example/",
            "https://cdn.example/a b.jpg",
            "https://cdn.example/\u{202E}gpj.jpg",
            "jana.jpg",
        ] {
            assert_eq!(
                check_photo_url(photo, relay).unwrap_err().0,
                ErrorCode::BadRequest,
                "{photo}"
            );
        }
    }
}
