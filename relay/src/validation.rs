//! The rules every message must pass, whichever way it arrives (widget socket, console socket
//! or REST), so that all three refuse the same things with the same codes.

use crate::store::VisitorDetails;
use beseda_protocol::api::{OperatorUpdate, PageView, RuleInput, ShortcutInput};
use beseda_protocol::visitor::Cart;
use beseda_protocol::{ClientMessageId, ErrorCode};

/// The longest visitor name and cart item name accepted.
const MAX_NAME_CHARS: usize = 200;
/// The most items a cart may list.
const MAX_CART_ITEMS: usize = 100;

/// A refused message: the code and a sentence for people.
pub type Refusal = (ErrorCode, String);

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
    if name
        .as_ref()
        .is_some_and(|name| name.chars().count() > MAX_NAME_CHARS)
    {
        return Err((
            ErrorCode::BadRequest,
            format!("a name has at most {MAX_NAME_CHARS} characters"),
        ));
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
    Ok(())
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

/// A short label (shortcut name, tag, rule keyword): not blank, at most 64 characters.
pub fn check_label(what: &str, label: &str) -> Result<(), Refusal> {
    let chars = label.trim().chars().count();
    if chars == 0 || chars > MAX_LABEL_CHARS {
        Err(bad(format!(
            "{what} must have 1 to {MAX_LABEL_CHARS} characters"
        )))
    } else {
        Ok(())
    }
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
        if chars == 0 || chars > MAX_QUESTION_CHARS || question.chars().any(char::is_control) {
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

/// A photo is shown to visitors: only an https address (or a path on the relay).
pub fn check_operator_update(update: &OperatorUpdate) -> Result<(), Refusal> {
    if let Some(name) = &update.name {
        let chars = name.trim().chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(bad(format!("a name has 1 to {MAX_NAME_CHARS} characters")));
        }
    }
    if let Some(photo) = update.photo_url.as_deref().map(str::trim) {
        let acceptable = photo.is_empty()
            || ((photo.starts_with("https://")
                || photo.starts_with("http://")
                || photo.starts_with('/'))
                && photo.chars().count() <= MAX_URL_CHARS
                && !photo.contains(['"', '\'', '<', '>', ' ']));
        if !acceptable {
            return Err(bad("photoUrl must be an http(s) address".to_owned()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
