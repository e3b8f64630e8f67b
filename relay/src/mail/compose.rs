//! What an email says: plain functions from a queued email to its subject, body and addresses,
//! tested without a server.
//!
//! The shop's email is in English, like the console; the visitor's is in the widget's language
//! (the catalog's texts). Both are plain text: message texts are the visitors' and operators'
//! own words and go in verbatim.

use crate::catalog;
use crate::store::{MailTo, PendingMail};
use beseda_protocol::Message;

/// An email ready to be handed to the SMTP server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub to: String,
    /// Where answers to the email go.
    pub reply_to: Option<String>,
    /// The sender's name shown with the `--mail-from` address (else the address's own name).
    pub from_name: Option<String>,
    pub subject: String,
    pub body: String,
}

/// Writes a queued email; `public_url` is the relay's address for links to the console.
pub fn compose(mail: &PendingMail, public_url: Option<&str>) -> Composed {
    match mail.to {
        MailTo::Shop => to_shop(mail, public_url),
        MailTo::Visitor => to_visitor(mail),
    }
}

/// The visitor as the shop knows them: name and email, either, or neither (`None`).
fn visitor_label(mail: &PendingMail) -> Option<String> {
    match (&mail.visitor_name, &mail.visitor_email) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (Some(name), None) => Some(name.clone()),
        (None, Some(email)) => Some(email.clone()),
        (None, None) => None,
    }
}

/// `2026-11-22 10:15 UTC` from a message's `sentAt`.
fn minute(message: &Message) -> String {
    let text = message.sent_at.get(..16).unwrap_or(&message.sent_at);
    format!("{} UTC", text.replace('T', " "))
}

/// Headers must stay on one line whatever a shop's name holds.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect()
}

fn to_shop(mail: &PendingMail, public_url: Option<&str>) -> Composed {
    let label = visitor_label(mail);
    let who = label.as_deref().unwrap_or("a visitor");
    let count = mail.messages.len();
    let subject = if count > 1 {
        format!("{}: {count} new messages from {who}", mail.site_title)
    } else {
        format!("{}: new message from {who}", mail.site_title)
    };
    let writer = label.as_deref().unwrap_or("A visitor");
    let mut body = format!("{writer} wrote while nobody was online to answer:\n\n");
    for message in &mail.messages {
        body.push_str(&format!("[{}]\n{}\n\n", minute(message), message.text));
    }
    if let Some(page) = &mail.page_url {
        body.push_str(&format!("Last page: {page}\n\n"));
    }
    match public_url {
        Some(url) => body.push_str(&format!(
            "Answer in the console (a visitor who has left gets the answer by email):\n{url}/console/#/conversations/{}\n",
            mail.conversation_id.0
        )),
        None => body.push_str(&format!(
            "Answer in the console, conversation {} (a visitor who has left gets the answer by email).\n",
            mail.conversation_id.0
        )),
    }
    if mail.visitor_email.is_some() {
        body.push_str("Replying to this email writes to the visitor directly, outside the chat.\n");
    }
    Composed {
        to: mail.recipient.clone(),
        reply_to: mail.visitor_email.clone(),
        from_name: None,
        subject: one_line(&subject),
        body,
    }
}

fn to_visitor(mail: &PendingMail) -> Composed {
    let texts = catalog::reply_email(mail.locale.as_deref());
    let mut body = format!("{}\n\n", texts.intro);
    for message in &mail.messages {
        match &message.author_name {
            Some(name) => body.push_str(&format!("{name}:\n{}\n\n", message.text)),
            None => body.push_str(&format!("{}\n\n", message.text)),
        }
    }
    // Only a web address is offered as a link; anything else the page reported is left out.
    let page = mail
        .page_url
        .as_deref()
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"));
    match page {
        Some(url) => body.push_str(&format!("{}:\n{url}\n", texts.continue_in_chat)),
        None => body.push_str(&format!("{}.\n", texts.continue_in_chat)),
    }
    if mail.shop_email.is_some() {
        body.push_str(texts.reply_by_email);
        body.push('\n');
    }
    body.push_str(&format!("\n{}\n", mail.site_title));
    Composed {
        to: mail.recipient.clone(),
        reply_to: mail.shop_email.clone(),
        from_name: Some(one_line(&mail.site_title)),
        subject: one_line(&format!("{}: {}", mail.site_title, texts.subject)),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MailId;
    use beseda_protocol::{Author, ConversationId, MessageId, OperatorId, Seq};

    fn message(author: Author, name: Option<&str>, text: &str) -> Message {
        Message {
            id: MessageId(1),
            conversation_id: ConversationId(7),
            seq: Seq(1),
            client_id: None,
            author,
            operator_id: name.map(|_| OperatorId(1)),
            author_name: name.map(str::to_owned),
            text: text.to_owned(),
            sent_at: "2026-11-22T10:15:30.123Z".to_owned(),
        }
    }

    fn pending(to: MailTo, messages: Vec<Message>) -> PendingMail {
        PendingMail {
            id: MailId(1),
            to,
            recipient: "someone@shop.example".to_owned(),
            conversation_id: ConversationId(7),
            site_title: "Horská\nbunda".to_owned(),
            shop_email: None,
            visitor_name: None,
            visitor_email: Some("petr@example.cz".to_owned()),
            locale: Some("cs-CZ".to_owned()),
            page_url: Some("https://shop.example/bunda".to_owned()),
            messages,
            attempts: 0,
            created_at: 0,
        }
    }

    #[test]
    fn the_shop_gets_the_texts_the_visitors_address_to_answer_and_a_link() {
        let mail = pending(
            MailTo::Shop,
            vec![
                message(Author::Visitor, None, "Máte XL?"),
                message(Author::Visitor, None, "A v modré?"),
            ],
        );
        let composed = compose(&mail, Some("https://chat.shop.example"));
        assert_eq!(composed.to, "someone@shop.example");
        assert_eq!(composed.reply_to.as_deref(), Some("petr@example.cz"));
        assert_eq!(
            composed.subject,
            "Horská bunda: 2 new messages from petr@example.cz"
        );
        assert!(composed.body.contains("[2026-11-22 10:15 UTC]\nMáte XL?"));
        assert!(composed.body.contains("A v modré?"));
        assert!(
            composed
                .body
                .contains("https://chat.shop.example/console/#/conversations/7")
        );
        let without_url = compose(&mail, None);
        assert!(without_url.body.contains("conversation 7"));
        assert!(!without_url.body.contains("http://") && !without_url.body.contains("/console/"));
    }

    #[test]
    fn the_visitor_gets_the_reply_in_their_language_from_the_shop() {
        let mut mail = pending(
            MailTo::Visitor,
            vec![message(Author::Operator, Some("Jana"), "Ano, XL máme.")],
        );
        mail.recipient = "petr@example.cz".to_owned();
        mail.shop_email = Some("eshop@shop.example".to_owned());
        let composed = compose(&mail, None);
        assert_eq!(composed.subject, "Horská bunda: odpověď na vaši zprávu");
        assert_eq!(composed.from_name.as_deref(), Some("Horská bunda"));
        assert_eq!(composed.reply_to.as_deref(), Some("eshop@shop.example"));
        assert!(composed.body.starts_with("Dobrý den,"));
        assert!(composed.body.contains("Jana:\nAno, XL máme."));
        assert!(
            composed
                .body
                .contains("na našem webu:\nhttps://shop.example/bunda")
        );
        assert!(composed.body.contains("odpovězte na tento e-mail"));
    }

    #[test]
    fn a_page_that_is_not_a_web_address_is_left_out() {
        let mut mail = pending(
            MailTo::Visitor,
            vec![message(Author::Operator, Some("Jana"), "Hi")],
        );
        mail.locale = None;
        mail.page_url = Some("javascript:alert(1)".to_owned());
        let composed = compose(&mail, None);
        assert!(!composed.body.contains("javascript"));
        assert!(composed.body.contains("chat on our website.\n"));
        assert_eq!(composed.reply_to, None);
    }
}
