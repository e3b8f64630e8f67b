//! The rules every message must pass, whichever way it arrives (widget socket, console socket
//! or REST), so that all three refuse the same things with the same codes.

use beseda_protocol::{ClientMessageId, ErrorCode};

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
}
