//! Every text the visitor sees, in Czech, Slovak, Polish, Russian, English and German.

/// The texts of one language.
#[derive(Debug)]
pub struct Texts {
    pub lang: &'static str,
    pub open_chat: &'static str,
    pub close_chat: &'static str,
    pub close: &'static str,
    pub title: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub reconnecting: &'static str,
    pub message: &'static str,
    pub send: &'static str,
    pub placeholder: &'static str,
    pub sending: &'static str,
    pub delivered: &'static str,
    pub not_sent: &'static str,
    pub is_typing: &'static str,
    pub empty: &'static str,
    pub unread: &'static str,
    pub offline_intro: &'static str,
    /// When a closed shop is back; `#` stands for the day and time in the visitor's own zone.
    pub back_at: &'static str,
    pub email: &'static str,
    pub contact_sent: &'static str,
    pub you: &'static str,
    pub too_long: &'static str,
    /// The visitor's place in the queue; `#` is the number.
    pub queue: &'static str,
    pub rate_prompt: &'static str,
    pub satisfied: &'static str,
    pub neutral: &'static str,
    pub dissatisfied: &'static str,
    pub comment: &'static str,
    pub rate: &'static str,
    pub rated: &'static str,
    /// The label of the answers offered while the visitor types.
    pub answers_found: &'static str,
    /// The way back from an answer to the conversation.
    pub answers_back: &'static str,
    /// Under an answer: the chat is still there.
    pub answers_more: &'static str,
    /// In place of the chat when the relay refused the widget for good (an unknown site, say).
    pub unavailable: &'static str,
    /// The composer's button that picks files to send.
    pub attach: &'static str,
    /// The visitor's own erase of their conversation (where the shop allows it): the button, and
    /// the question of the browser's confirmation.
    pub erase: &'static str,
}

const CS: Texts = Texts {
    lang: "cs",
    open_chat: "Otevřít chat",
    close_chat: "Zavřít chat",
    close: "Zavřít",
    title: "Chat",
    online: "Jsme tu pro vás",
    offline: "Právě nejsme k dispozici",
    reconnecting: "Obnovuji spojení…",
    message: "Zpráva",
    send: "Odeslat",
    placeholder: "Napište nám…",
    sending: "Odesílá se",
    delivered: "Doručeno",
    not_sent: "Neodesláno",
    is_typing: "píše…",
    empty: "Dobrý den! S čím vám můžeme pomoci?",
    unread: "nepřečtené zprávy",
    offline_intro: "Teď tu nikdo není. Nechte nám zprávu a e-mail, odpovíme vám.",
    back_at: "Jsme zpět #.",
    email: "E-mail",
    contact_sent: "Děkujeme, odpověď pošleme na váš e-mail.",
    you: "Vy",
    too_long: "Zpráva je příliš dlouhá",
    queue: "Jste #. v pořadí. Hned jak se uvolníme, budeme se vám věnovat.",
    rate_prompt: "Jak jsme vám pomohli?",
    satisfied: "Spokojen(a)",
    neutral: "Nevím",
    dissatisfied: "Nespokojen(a)",
    comment: "Komentář (nepovinný)",
    rate: "Odeslat hodnocení",
    rated: "Děkujeme za hodnocení!",
    answers_found: "Odpovědi, které mohou pomoci",
    answers_back: "← Zpět do chatu",
    answers_more: "Nenašli jste, co hledáte? Napište nám.",
    unavailable: "Chat tu není k dispozici.",
    attach: "Přiložit soubor",
    erase: "Smazat konverzaci",
};

const SK: Texts = Texts {
    lang: "sk",
    open_chat: "Otvoriť chat",
    close_chat: "Zatvoriť chat",
    close: "Zavrieť",
    title: "Chat",
    online: "Sme tu pre vás",
    offline: "Momentálne nie sme k dispozícii",
    reconnecting: "Obnovujem spojenie…",
    message: "Správa",
    send: "Odoslať",
    placeholder: "Napíšte nám…",
    sending: "Odosiela sa",
    delivered: "Doručené",
    not_sent: "Neodoslané",
    is_typing: "píše…",
    empty: "Dobrý deň! S čím vám môžeme pomôcť?",
    unread: "neprečítané správy",
    offline_intro: "Teraz tu nikto nie je. Nechajte nám správu a e-mail, odpovieme vám.",
    back_at: "Sme späť #.",
    email: "E-mail",
    contact_sent: "Ďakujeme, odpoveď pošleme na váš e-mail.",
    you: "Vy",
    too_long: "Správa je príliš dlhá",
    queue: "Ste #. v poradí. Hneď ako sa uvoľníme, budeme sa vám venovať.",
    rate_prompt: "Ako sme vám pomohli?",
    satisfied: "Spokojný(á)",
    neutral: "Neviem",
    dissatisfied: "Nespokojný(á)",
    comment: "Komentár (nepovinný)",
    rate: "Odoslať hodnotenie",
    rated: "Ďakujeme za hodnotenie!",
    answers_found: "Odpovede, ktoré môžu pomôcť",
    answers_back: "← Späť do chatu",
    answers_more: "Nenašli ste, čo hľadáte? Napíšte nám.",
    unavailable: "Chat tu nie je k dispozícii.",
    attach: "Priložiť súbor",
    erase: "Vymazať konverzáciu",
};

const PL: Texts = Texts {
    lang: "pl",
    open_chat: "Otwórz czat",
    close_chat: "Zamknij czat",
    close: "Zamknij",
    title: "Czat",
    online: "Jesteśmy dla Ciebie",
    offline: "W tej chwili nie jesteśmy dostępni",
    reconnecting: "Wznawiam połączenie…",
    message: "Wiadomość",
    send: "Wyślij",
    placeholder: "Napisz do nas…",
    sending: "Wysyłanie",
    delivered: "Dostarczono",
    not_sent: "Nie wysłano",
    is_typing: "pisze…",
    empty: "Dzień dobry! W czym możemy pomóc?",
    unread: "nieprzeczytane wiadomości",
    offline_intro: "Nikogo teraz nie ma. Zostaw wiadomość i e-mail, odpowiemy.",
    back_at: "Wracamy #.",
    email: "E-mail",
    contact_sent: "Dziękujemy, odpowiedź wyślemy na Twój e-mail.",
    you: "Ty",
    too_long: "Wiadomość jest za długa",
    queue: "Jesteś #. w kolejce. Zajmiemy się Tobą, gdy tylko będziemy mogli.",
    rate_prompt: "Jak Ci pomogliśmy?",
    satisfied: "Zadowolony",
    neutral: "Bez zdania",
    dissatisfied: "Niezadowolony",
    comment: "Komentarz (opcjonalnie)",
    rate: "Wyślij ocenę",
    rated: "Dziękujemy za ocenę!",
    answers_found: "Odpowiedzi, które mogą pomóc",
    answers_back: "← Wróć do czatu",
    answers_more: "Nie znalazłeś odpowiedzi? Napisz do nas.",
    unavailable: "Czat nie jest tu dostępny.",
    attach: "Załącz plik",
    erase: "Usuń rozmowę",
};

const RU: Texts = Texts {
    lang: "ru",
    open_chat: "Открыть чат",
    close_chat: "Закрыть чат",
    close: "Закрыть",
    title: "Чат",
    online: "Мы на связи",
    offline: "Сейчас мы недоступны",
    reconnecting: "Восстанавливаю соединение…",
    message: "Сообщение",
    send: "Отправить",
    placeholder: "Напишите нам…",
    sending: "Отправляется",
    delivered: "Доставлено",
    not_sent: "Не отправлено",
    is_typing: "печатает…",
    empty: "Здравствуйте! Чем мы можем помочь?",
    unread: "непрочитанные сообщения",
    offline_intro: "Сейчас никого нет. Оставьте сообщение и e-mail, мы ответим.",
    back_at: "Мы вернёмся #.",
    email: "E-mail",
    contact_sent: "Спасибо, ответ придёт на ваш e-mail.",
    you: "Вы",
    too_long: "Сообщение слишком длинное",
    queue: "Вы #-й в очереди. Мы ответим, как только освободимся.",
    rate_prompt: "Как мы вам помогли?",
    satisfied: "Доволен",
    neutral: "Не знаю",
    dissatisfied: "Недоволен",
    comment: "Комментарий (необязательно)",
    rate: "Отправить оценку",
    rated: "Спасибо за оценку!",
    answers_found: "Ответы, которые могут помочь",
    answers_back: "← Назад в чат",
    answers_more: "Не нашли ответа? Напишите нам.",
    unavailable: "Чат здесь недоступен.",
    attach: "Прикрепить файл",
    erase: "Удалить переписку",
};

const EN: Texts = Texts {
    lang: "en",
    open_chat: "Open chat",
    close_chat: "Close chat",
    close: "Close",
    title: "Chat",
    online: "We are here for you",
    offline: "We are away right now",
    reconnecting: "Reconnecting…",
    message: "Message",
    send: "Send",
    placeholder: "Write to us…",
    sending: "Sending",
    delivered: "Delivered",
    not_sent: "Not sent",
    is_typing: "is typing…",
    empty: "Hello! How can we help you?",
    unread: "unread messages",
    offline_intro: "Nobody is here right now. Leave a message and your email and we will answer.",
    back_at: "We are back #.",
    email: "Email",
    contact_sent: "Thank you, we will answer to your email.",
    you: "You",
    too_long: "The message is too long",
    queue: "You are number # in the queue. We will be with you as soon as we can.",
    rate_prompt: "How did we do?",
    satisfied: "Satisfied",
    neutral: "Neutral",
    dissatisfied: "Dissatisfied",
    comment: "Comment (optional)",
    rate: "Send rating",
    rated: "Thank you for your rating!",
    answers_found: "Answers that may help",
    answers_back: "← Back to the chat",
    answers_more: "Not what you were looking for? Write to us.",
    unavailable: "Chat is not available here.",
    attach: "Attach file",
    erase: "Delete this conversation",
};

const DE: Texts = Texts {
    lang: "de",
    open_chat: "Chat öffnen",
    close_chat: "Chat schließen",
    close: "Schließen",
    title: "Chat",
    online: "Wir sind für Sie da",
    offline: "Wir sind gerade nicht erreichbar",
    reconnecting: "Verbindung wird wiederhergestellt…",
    message: "Nachricht",
    send: "Senden",
    placeholder: "Schreiben Sie uns…",
    sending: "Wird gesendet",
    delivered: "Zugestellt",
    not_sent: "Nicht gesendet",
    is_typing: "schreibt…",
    empty: "Guten Tag! Wie können wir helfen?",
    unread: "ungelesene Nachrichten",
    offline_intro: "Gerade ist niemand da. Hinterlassen Sie Nachricht und E-Mail, wir antworten.",
    back_at: "Wir sind # wieder da.",
    email: "E-Mail",
    contact_sent: "Danke, wir antworten an Ihre E-Mail-Adresse.",
    you: "Sie",
    too_long: "Die Nachricht ist zu lang",
    queue: "Sie sind Nummer # in der Warteschlange. Wir sind gleich für Sie da.",
    rate_prompt: "Wie haben wir Ihnen geholfen?",
    satisfied: "Zufrieden",
    neutral: "Neutral",
    dissatisfied: "Unzufrieden",
    comment: "Kommentar (optional)",
    rate: "Bewertung senden",
    rated: "Danke für Ihre Bewertung!",
    answers_found: "Antworten, die helfen könnten",
    answers_back: "← Zurück zum Chat",
    answers_more: "Nicht gefunden, was Sie suchen? Schreiben Sie uns.",
    unavailable: "Der Chat ist hier nicht verfügbar.",
    attach: "Datei anhängen",
    erase: "Unterhaltung löschen",
};

const ALL: [&Texts; 6] = [&CS, &SK, &PL, &RU, &EN, &DE];

/// The texts for the first of `preferences` (language tags like `cs-CZ`) that has a catalog;
/// English when none has.
pub fn texts_for<'a>(preferences: impl IntoIterator<Item = &'a str>) -> &'static Texts {
    for tag in preferences {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(texts) = ALL.iter().find(|texts| texts.lang == primary) {
            return texts;
        }
    }
    &EN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_known_language_wins() {
        assert_eq!(texts_for(["", "cs-CZ", "de"]).lang, "cs");
        assert_eq!(texts_for(["fr", "SK"]).lang, "sk");
        assert_eq!(texts_for(["pt-BR"]).lang, "en");
        assert_eq!(texts_for(["ru_RU"]).close, "Закрыть");
    }

    #[test]
    fn every_language_names_every_control_and_keeps_its_placeholders() {
        for texts in ALL {
            let all = format!("{texts:?}");
            assert!(!all.contains(": \"\""), "{}: a text is empty", texts.lang);
            assert!(texts.queue.contains('#'), "{}: the queue place", texts.lang);
            assert!(texts.back_at.contains('#'), "{}: the time back", texts.lang);
        }
        // The controls' names are the language's own: no two languages share the launcher's,
        // the message box's or the Send button's name, so none is left untranslated.
        for name in [
            |texts: &Texts| texts.open_chat,
            |texts: &Texts| texts.message,
            |texts: &Texts| texts.send,
        ] {
            let mut names: Vec<&str> = ALL.iter().map(|texts| name(texts)).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), ALL.len(), "{names:?}");
        }
    }

    #[test]
    fn the_close_button_is_zavrit_in_czech() {
        assert_eq!(texts_for(["cs"]).close, "Zavřít");
    }
}
