//! The few texts the relay itself writes into a conversation, in the visitor's language (the
//! widget's locale from its hello; English when unknown). The widget has its own catalog.

/// The language part of a locale tag: `cs-CZ` → `cs`.
fn language(locale: Option<&str>) -> &str {
    locale
        .and_then(|locale| locale.split(['-', '_']).next())
        .unwrap_or("en")
}

/// The automatic message when nobody has answered for a while (000, rule 2).
pub fn auto_message(locale: Option<&str>) -> &'static str {
    match language(locale) {
        "cs" => {
            "Omlouváme se, že to trvá. Všichni kolegové se právě věnují jiným zákazníkům – vydržte prosím chvilku, brzy se vám ozveme."
        }
        "sk" => {
            "Ospravedlňujeme sa, že to trvá. Všetci kolegovia sa práve venujú iným zákazníkom – vydržte prosím chvíľku, čoskoro sa vám ozveme."
        }
        "pl" => {
            "Przepraszamy, że to trwa. Wszyscy konsultanci rozmawiają teraz z innymi klientami – prosimy o chwilę cierpliwości, zaraz odpowiemy."
        }
        "ru" => {
            "Извините за ожидание. Все операторы сейчас заняты с другими покупателями – пожалуйста, подождите немного, мы скоро ответим."
        }
        "de" => {
            "Entschuldigen Sie die Wartezeit. Alle Kolleginnen und Kollegen sind gerade im Gespräch – bitte haben Sie einen Moment Geduld, wir melden uns gleich."
        }
        _ => {
            "Sorry for the wait. Everyone is helping other customers right now – please bear with us, we will be with you shortly."
        }
    }
}

/// The system message when an operator joins the conversation (000, rule 3).
pub fn joined(locale: Option<&str>, name: &str) -> String {
    match language(locale) {
        "cs" => format!("{name} je tu pro vás."),
        "sk" => format!("{name} je tu pre vás."),
        "pl" => format!("{name} jest tu, aby Ci pomóc."),
        "ru" => format!("{name} на связи."),
        "de" => format!("{name} ist jetzt für Sie da."),
        _ => format!("{name} has joined the chat."),
    }
}

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
        assert!(auto_message(Some("cs-CZ")).starts_with("Omlouváme"));
        assert!(auto_message(Some("de")).starts_with("Entschuldigen"));
        assert!(auto_message(Some("xx")).starts_with("Sorry"));
        assert!(auto_message(None).starts_with("Sorry"));
        assert_eq!(joined(Some("cs"), "Jana"), "Jana je tu pro vás.");
        assert_eq!(joined(Some("en-GB"), "Jana"), "Jana has joined the chat.");
        assert_eq!(reply_email(Some("cs-CZ")).subject, "odpověď na vaši zprávu");
        assert_eq!(reply_email(None).subject, "a reply to your message");
    }
}
