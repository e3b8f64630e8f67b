//! What an email says: plain functions from a queued email to its subject, body and addresses,
//! tested without a server.
//!
//! The shop's email is in English, like the console; the visitor's is in the widget's language
//! (the catalog's texts). Both are plain text: message texts are the visitors' and operators'
//! own words and go in verbatim.
//!
//! The page a visitor reported is the visitor's word too: an email links to it only when it is on
//! one of the shop's own origins (`--allow-origin`), so that an email from the shop never carries
//! somebody else's link (a visitor can report any page, and give anybody's address).

use crate::catalog;
use crate::store::{MailConversation, MailTo, PendingMail};
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

/// Writes a queued email; `public_url` is the relay's address for links to the console,
/// `allow_origins` the shop's origins: the only pages linked to are on those and on the relay's
/// own origin (which serves the demo shop).
pub fn compose(mail: &PendingMail, public_url: Option<&str>, allow_origins: &[String]) -> Composed {
    let mut origins = allow_origins.to_vec();
    origins.extend(public_url.and_then(origin_of).map(str::to_owned));
    match mail.to {
        MailTo::Shop if mail.more.is_empty() => to_shop(mail, public_url, &origins),
        MailTo::Shop => gathered_to_shop(mail, public_url, &origins),
        MailTo::Visitor => to_visitor(mail, &origins),
    }
}

/// `https://host:port` of an address, if it is an http(s) one with a host.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    (!rest[..authority_end].is_empty() && !rest[..authority_end].contains('@'))
        .then(|| &url[..scheme.len() + 3 + authority_end])
}

/// The page, if it is an http(s) address on one of `allow_origins` (none listed: no page is).
/// The origin is compared as a whole (scheme, host and port), so that neither
/// `https://shop.example.evil.example/` nor `https://shop.example@evil.example/` passes for the
/// shop's.
pub fn page_on_allowed_origin<'a>(
    page: Option<&'a str>,
    allow_origins: &[String],
) -> Option<&'a str> {
    let page = page?.trim();
    let web = page
        .get(..8)
        .is_some_and(|start| start.eq_ignore_ascii_case("https://"))
        || page
            .get(..7)
            .is_some_and(|start| start.eq_ignore_ascii_case("http://"));
    if !web || page.contains('\\') || page.chars().any(char::is_whitespace) {
        return None;
    }
    let origin = origin_of(page)?;
    allow_origins
        .iter()
        .any(|allowed| {
            allowed
                .trim()
                .trim_end_matches('/')
                .eq_ignore_ascii_case(origin)
        })
        .then_some(page)
}

/// The visitor as the shop knows them: name and email, either, or neither (`None`).
fn visitor_label(mail: &PendingMail) -> Option<String> {
    label(&mail.visitor_name, &mail.visitor_email)
}

fn label(name: &Option<String>, email: &Option<String>) -> Option<String> {
    match (name, email) {
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

fn to_shop(mail: &PendingMail, public_url: Option<&str>, allow_origins: &[String]) -> Composed {
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
        body.push_str(&format!(
            "[{}]\n{}\n\n",
            minute(message),
            message.text_with_files()
        ));
    }
    if let Some(page) = page_on_allowed_origin(mail.page_url.as_deref(), allow_origins) {
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

/// One email to the shop about every conversation of the site that got messages since the last:
/// each with its visitor, texts and the way to answer.
fn gathered_to_shop(
    mail: &PendingMail,
    public_url: Option<&str>,
    allow_origins: &[String],
) -> Composed {
    let first = MailConversation {
        conversation_id: mail.conversation_id,
        visitor_name: mail.visitor_name.clone(),
        visitor_email: mail.visitor_email.clone(),
        page_url: mail.page_url.clone(),
        messages: mail.messages.clone(),
    };
    let conversations: Vec<&MailConversation> = std::iter::once(&first).chain(&mail.more).collect();
    let subject = format!(
        "{}: new messages in {} conversations",
        mail.site_title,
        conversations.len()
    );
    let mut body = format!(
        "Visitors wrote in {} conversations while nobody was online to answer \
         (a visitor who has left gets the answer by email):\n\n",
        conversations.len()
    );
    for conversation in conversations {
        let writer = label(&conversation.visitor_name, &conversation.visitor_email);
        body.push_str(&format!(
            "--- {}\n\n",
            writer.as_deref().unwrap_or("A visitor")
        ));
        for message in &conversation.messages {
            body.push_str(&format!(
                "[{}]\n{}\n\n",
                minute(message),
                message.text_with_files()
            ));
        }
        let page = page_on_allowed_origin(conversation.page_url.as_deref(), allow_origins);
        if let Some(page) = page {
            body.push_str(&format!("Last page: {page}\n"));
        }
        match public_url {
            Some(url) => body.push_str(&format!(
                "Answer: {url}/console/#/conversations/{}\n\n",
                conversation.conversation_id.0
            )),
            None => body.push_str(&format!(
                "Answer in the console, conversation {}.\n\n",
                conversation.conversation_id.0
            )),
        }
    }
    Composed {
        to: mail.recipient.clone(),
        // Several visitors: an answer to the email has nobody to go to.
        reply_to: None,
        from_name: None,
        subject: one_line(&subject),
        body,
    }
}

fn to_visitor(mail: &PendingMail, allow_origins: &[String]) -> Composed {
    let texts = catalog::reply_email(mail.locale.as_deref());
    let mut body = format!("{}\n\n", texts.intro);
    for message in &mail.messages {
        match &message.author_name {
            Some(name) => body.push_str(&format!("{name}:\n{}\n\n", message.text_with_files())),
            None => body.push_str(&format!("{}\n\n", message.text_with_files())),
        }
    }
    // Only a page on the shop's own origins is offered as a link; anything else the widget
    // reported is left out.
    let page = page_on_allowed_origin(mail.page_url.as_deref(), allow_origins);
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
            files: Vec::new(),
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
            more: Vec::new(),
            attempts: 0,
            created_at: 0,
        }
    }

    fn shop() -> Vec<String> {
        vec!["https://shop.example".to_owned()]
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
        let composed = compose(&mail, Some("https://chat.shop.example"), &shop());
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
        let without_url = compose(&mail, None, &shop());
        assert!(without_url.body.contains("conversation 7"));
        assert!(!without_url.body.contains("http://") && !without_url.body.contains("/console/"));
    }

    #[test]
    fn files_are_named_with_their_sizes_in_both_emails() {
        let file = beseda_protocol::FileRef {
            id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            name: "rozbity-balik.jpg".to_owned(),
            content_type: "image/jpeg".to_owned(),
            size: 2_400_000,
            url: "/files/AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            thumbnail_url: None,
        };
        let mut photo = message(Author::Visitor, None, "");
        photo.files = vec![file.clone()];
        let composed = compose(&pending(MailTo::Shop, vec![photo]), None, &shop());
        assert!(
            composed
                .body
                .contains("[2026-11-22 10:15 UTC]\n[file] rozbity-balik.jpg (2.4 MB)"),
            "{}",
            composed.body
        );
        let mut reply = message(Author::Operator, Some("Jana"), "Posílám formulář.");
        reply.files = vec![beseda_protocol::FileRef {
            name: "vraceni.pdf".to_owned(),
            size: 48_200,
            ..file
        }];
        let composed = compose(&pending(MailTo::Visitor, vec![reply]), None, &shop());
        assert!(
            composed
                .body
                .contains("Jana:\nPosílám formulář.\n[file] vraceni.pdf (48.2 kB)"),
            "{}",
            composed.body
        );
    }

    #[test]
    fn the_visitor_gets_the_reply_in_their_language_from_the_shop() {
        let mut mail = pending(
            MailTo::Visitor,
            vec![message(Author::Operator, Some("Jana"), "Ano, XL máme.")],
        );
        mail.recipient = "petr@example.cz".to_owned();
        mail.shop_email = Some("eshop@shop.example".to_owned());
        let composed = compose(&mail, None, &shop());
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
        let composed = compose(&mail, None, &shop());
        assert!(!composed.body.contains("javascript"));
        assert!(composed.body.contains("chat on our website.\n"));
        assert_eq!(composed.reply_to, None);
    }

    #[test]
    fn only_a_page_on_the_shops_own_origins_is_linked() {
        let allowed = [
            "https://shop.example".to_owned(),
            "http://localhost:8000/".to_owned(),
        ];
        for page in [
            "https://shop.example/bunda?barva=modrá#xl",
            "https://SHOP.example",
            "http://localhost:8000/",
        ] {
            assert_eq!(
                page_on_allowed_origin(Some(page), &allowed),
                Some(page),
                "{page}"
            );
        }
        for page in [
            "https://evil.example/login",
            "https://shop.example.evil.example/",
            "https://shop.example@evil.example/",
            "https://shop.example:444/",
            "http://shop.example/",
            "https://shop.example\\@evil.example/",
            "javascript:alert(1)",
            "//shop.example/",
        ] {
            assert_eq!(page_on_allowed_origin(Some(page), &allowed), None, "{page}");
        }
        assert_eq!(
            page_on_allowed_origin(Some("https://shop.example/"), &[]),
            None,
            "no origins listed: no page is the shop's"
        );
        let mut mail = pending(MailTo::Visitor, vec![message(Author::Operator, None, "Hi")]);
        mail.page_url = Some("https://evil.example/login".to_owned());
        let composed = compose(&mail, None, &shop());
        assert!(!composed.body.contains("evil.example"), "{}", composed.body);
        let mut to_shop = pending(MailTo::Shop, vec![message(Author::Visitor, None, "Hi")]);
        to_shop.page_url = Some("https://evil.example/login".to_owned());
        assert!(
            !compose(&to_shop, None, &shop())
                .body
                .contains("evil.example")
        );
        // The relay's own pages (the demo shop) are linked too.
        mail.page_url = Some("https://chat.shop.example/demo/".to_owned());
        let composed = compose(&mail, Some("https://chat.shop.example"), &[]);
        assert!(
            composed.body.contains("https://chat.shop.example/demo/"),
            "{}",
            composed.body
        );
    }

    #[test]
    fn a_gathered_email_to_the_shop_lists_every_conversation() {
        let mut mail = pending(MailTo::Shop, vec![message(Author::Visitor, None, "První")]);
        mail.more.push(MailConversation {
            conversation_id: ConversationId(9),
            visitor_name: Some("Eva".to_owned()),
            visitor_email: None,
            page_url: Some("https://shop.example/boty".to_owned()),
            messages: vec![message(Author::Visitor, None, "Druhá")],
        });
        let composed = compose(&mail, Some("https://chat.shop.example"), &shop());
        assert_eq!(
            composed.subject,
            "Horská bunda: new messages in 2 conversations"
        );
        assert_eq!(composed.reply_to, None, "two visitors: nobody to reply to");
        let body = &composed.body;
        assert!(
            body.contains("--- petr@example.cz\n\n[2026-11-22 10:15 UTC]\nPrvní"),
            "{body}"
        );
        assert!(
            body.contains("--- Eva\n\n[2026-11-22 10:15 UTC]\nDruhá"),
            "{body}"
        );
        assert!(body.contains("https://chat.shop.example/console/#/conversations/7"));
        assert!(body.contains("https://chat.shop.example/console/#/conversations/9"));
        assert!(body.contains("Last page: https://shop.example/boty"));
    }
}
