//! The few texts the relay itself writes into a conversation, in the visitor's language (the
//! widget's locale from its hello; English when unknown). Pure functions: the store is handed
//! the chosen text and never picks words itself.

/// The language part of a locale tag: `cs-CZ` → `cs`.
pub fn language(locale: Option<&str>) -> &str {
    locale
        .and_then(|locale| locale.split(['-', '_']).next())
        .unwrap_or("en")
}

/// The automatic message when nobody has answered for a while.
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

/// The system message when an operator joins the conversation.
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
        assert_eq!(language(Some("sk_SK")), "sk");
    }
}
