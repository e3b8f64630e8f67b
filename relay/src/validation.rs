//! The rules every message must pass, whichever way it arrives (widget socket, console socket
//! or REST), so that all three refuse the same things with the same codes.

use crate::store::VisitorDetails;
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
        cart: None,
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
