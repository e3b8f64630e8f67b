//! The words of the emails the relay sends a visitor, in the visitor's language (the widget's
//! locale from its hello; English when unknown). The texts written into a conversation are in
//! `chat::texts`; the widget has its own catalog.

use crate::chat::texts::language;

/// The words of the email that brings an operator's reply to a visitor who has left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyEmail {
    /// Follows the shop's name in the subject ("Shop: a reply to your message").
    pub subject: &'static str,
    /// Above the reply.
    pub intro: &'static str,
    /// Below it, followed by the page's address when known.
    pub continue_in_chat: &'static str,
    /// When answers to the email reach the shop.
    pub reply_by_email: &'static str,
}

/// The reply email's words in the visitor's language.
pub fn reply_email(locale: Option<&str>) -> ReplyEmail {
    let (subject, intro, continue_in_chat, reply_by_email) = match language(locale) {
        "cs" => (
            "odpověď na vaši zprávu",
            "Dobrý den,\n\nposíláme odpověď na vaši zprávu:",
            "V konverzaci můžete pokračovat v chatu na našem webu",
            "Nebo jednoduše odpovězte na tento e-mail.",
        ),
        "sk" => (
            "odpoveď na vašu správu",
            "Dobrý deň,\n\nposielame odpoveď na vašu správu:",
            "V konverzácii môžete pokračovať v chate na našom webe",
            "Alebo jednoducho odpovedzte na tento e-mail.",
        ),
        "pl" => (
            "odpowiedź na Twoją wiadomość",
            "Dzień dobry,\n\noto odpowiedź na Twoją wiadomość:",
            "Rozmowę możesz kontynuować na czacie na naszej stronie",
            "Możesz też po prostu odpowiedzieć na tego e-maila.",
        ),
        "ru" => (
            "ответ на ваше сообщение",
            "Здравствуйте!\n\nОтвечаем на ваше сообщение:",
            "Продолжить разговор можно в чате на нашем сайте",
            "Или просто ответьте на это письмо.",
        ),
        "de" => (
            "Antwort auf Ihre Nachricht",
            "Guten Tag,\n\nhier ist unsere Antwort auf Ihre Nachricht:",
            "Sie können das Gespräch im Chat auf unserer Website fortsetzen",
            "Oder antworten Sie einfach auf diese E-Mail.",
        ),
        _ => (
            "a reply to your message",
            "Hello,\n\nhere is our reply to your message:",
            "You can continue the conversation in the chat on our website",
            "Or simply reply to this email.",
        ),
    };
    ReplyEmail {
        subject,
        intro,
        continue_in_chat,
        reply_by_email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_of_the_locale_and_falls_back_to_english() {
        assert_eq!(reply_email(Some("cs-CZ")).subject, "odpověď na vaši zprávu");
        assert_eq!(reply_email(None).subject, "a reply to your message");
    }
}
