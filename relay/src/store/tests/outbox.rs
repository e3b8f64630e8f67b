//! [`OutboxStore`](crate::store::OutboxStore) on both stores: what is queued with a message, to whom,
//! and how messages are gathered so that a conversation never becomes a storm of emails.

use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::{Author, ClientMessageId, VisitorId};
use std::sync::Arc;
use std::time::Duration;

const INTERVAL: Duration = Duration::from_secs(300);

fn from_visitor(client_id: &str, text: &str) -> NewMessage {
    NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: "default".into(),
            visitor_id: VisitorId("v1".into()),
        },
        author: Author::Visitor,
        operator_id: None,
        client_id: Some(ClientMessageId(client_id.into())),
        text: text.into(),
        origin: None,
    }
}

fn to_shop() -> Option<MailNotice> {
    Some(MailNotice {
        to: MailTo::Shop,
        interval: INTERVAL,
        per_address_per_day: 5,
    })
}

fn email(address: &str) -> VisitorDetails {
    VisitorDetails {
        email: Some(address.into()),
        ..VisitorDetails::default()
    }
}

/// Every email due within the next hour.
async fn due(store: &Arc<dyn Store>) -> Vec<PendingMail> {
    store
        .mail_due(crate::clock::now_millis() + 3_600_000, 100)
        .await
        .unwrap()
}

async fn admins(store: &Arc<dyn Store>) {
    store
        .add_operator("boss@shop.example", "Boss", "x", true)
        .await
        .unwrap();
    store
        .add_operator("admin@localhost", "Admin", "x", true)
        .await
        .unwrap();
    store
        .add_operator("petr@shop.example", "Petr", "x", false)
        .await
        .unwrap();
}

/// A message from visitor `visitor` of the default site.
fn from(visitor: &str, text: &str) -> NewMessage {
    NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: "default".into(),
            visitor_id: VisitorId(visitor.into()),
        },
        ..from_visitor("c1", text)
    }
}

async fn a_contact_message_is_queued_for_the_admins_with_the_visitors_address(backend: Backend) {
    let (store, _events) = open(backend).await;
    admins(&store).await;
    let appended = store
        .append_message(
            from_visitor("c1", "Máte XL?"),
            email("petr@example.cz"),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    let summary = store
        .conversation_summary(appended.message.conversation_id)
        .await
        .unwrap();
    assert_eq!(summary.visitor.email.as_deref(), Some("petr@example.cz"));
    let mails = store
        .mail_due(crate::clock::now_millis(), 10)
        .await
        .unwrap();
    // Only admins, and only addresses a server would take.
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].recipient, "boss@shop.example");
    assert_eq!(mails[0].to, MailTo::Shop);
    assert_eq!(mails[0].visitor_email.as_deref(), Some("petr@example.cz"));
    assert_eq!(mails[0].messages.len(), 1);
    assert_eq!(mails[0].messages[0].text, "Máte XL?");
    // A resend of the same client id queues nothing more.
    let again = store
        .append_message(
            from_visitor("c1", "Máte XL?"),
            email("petr@example.cz"),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(due(&store).await.len(), 1);
}

async fn the_sites_notification_address_comes_before_the_admins(backend: Backend) {
    let (store, _events) = open(backend).await;
    admins(&store).await;
    let mut site = store.sites().await.unwrap().remove(0);
    site.notify_email = "eshop@shop.example".into();
    store.update_site("default", site).await.unwrap();
    store
        .append_message(
            from_visitor("c1", "hi"),
            VisitorDetails::default(),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    let mails = due(&store).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "eshop@shop.example");
    assert_eq!(mails[0].shop_email.as_deref(), Some("eshop@shop.example"));
}

async fn messages_between_two_emails_are_gathered_into_the_next_one(backend: Backend) {
    let (store, _events) = open(backend).await;
    admins(&store).await;
    store
        .append_message(
            from_visitor("c1", "one"),
            VisitorDetails::default(),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    let first = store
        .mail_due(crate::clock::now_millis(), 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    store
        .mail_attempted(first[0].id, MailOutcome::Sent)
        .await
        .unwrap();
    let sent_at = crate::clock::now_millis();
    for (client_id, text) in [("c2", "two"), ("c3", "three")] {
        store
            .append_message(
                from_visitor(client_id, text),
                VisitorDetails::default(),
                Notices::email(to_shop()),
            )
            .await
            .unwrap();
    }
    // Nothing is due before the interval has passed since the last email...
    assert!(
        store
            .mail_due(crate::clock::now_millis(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let next = store
        .next_mail_due()
        .await
        .unwrap()
        .expect("an email waits");
    let interval = i64::try_from(INTERVAL.as_millis()).unwrap();
    assert!(next >= sent_at + interval - 1000 && next <= sent_at + interval + 1000);
    // ...and then one email carries both messages.
    let second = store.mail_due(next, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    let texts: Vec<&str> = second[0].messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["two", "three"]);
}

async fn a_failed_email_waits_for_its_retry_and_takes_what_comes_meanwhile(backend: Backend) {
    let (store, _events) = open(backend).await;
    admins(&store).await;
    store
        .append_message(
            from_visitor("c1", "one"),
            VisitorDetails::default(),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    let now = crate::clock::now_millis();
    let mail = store.mail_due(now, 10).await.unwrap().remove(0);
    let retry_at = now + 60_000;
    let outcome = MailOutcome::Retry {
        at: retry_at,
        error: "connection refused".into(),
    };
    store.mail_attempted(mail.id, outcome).await.unwrap();
    assert!(store.mail_due(now, 10).await.unwrap().is_empty());
    store
        .append_message(
            from_visitor("c2", "two"),
            VisitorDetails::default(),
            Notices::email(to_shop()),
        )
        .await
        .unwrap();
    assert_eq!(store.next_mail_due().await.unwrap(), Some(retry_at));
    let retried = store.mail_due(retry_at, 10).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, mail.id);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].messages.len(), 2);
    let gave_up = MailOutcome::GaveUp {
        error: "550 no such user".into(),
    };
    store.mail_attempted(mail.id, gave_up).await.unwrap();
    assert!(due(&store).await.is_empty());
    assert_eq!(store.next_mail_due().await.unwrap(), None);
}

async fn a_reply_goes_to_the_visitor_only_when_their_address_is_known(backend: Backend) {
    let (store, _events) = open(backend).await;
    let first = store
        .append_message(
            from_visitor("c1", "hi"),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap();
    let conversation_id = first.message.conversation_id;
    let reply = |client_id: &str| NewMessage {
        files: Vec::new(),
        target: MessageTarget::Conversation(conversation_id),
        author: Author::Operator,
        operator_id: None,
        client_id: Some(ClientMessageId(client_id.into())),
        text: "Ano".into(),
        origin: None,
    };
    let to_visitor = Some(MailNotice {
        to: MailTo::Visitor,
        interval: INTERVAL,
        per_address_per_day: 5,
    });
    store
        .append_message(
            reply("r1"),
            VisitorDetails::default(),
            Notices::email(to_visitor),
        )
        .await
        .unwrap();
    assert!(due(&store).await.is_empty(), "no address, no email");
    store
        .update_visitor("default", &VisitorId("v1".into()), email("petr@example.cz"))
        .await
        .unwrap();
    store
        .visit("default", &VisitorId("v1".into()), None, Some("cs".into()))
        .await
        .unwrap();
    store
        .append_message(
            reply("r2"),
            VisitorDetails::default(),
            Notices::email(to_visitor),
        )
        .await
        .unwrap();
    let mails = due(&store).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "petr@example.cz");
    assert_eq!(mails[0].to, MailTo::Visitor);
    assert_eq!(mails[0].locale.as_deref(), Some("cs"));
}

async fn the_shop_gets_one_email_per_interval_for_all_of_a_sites_conversations(backend: Backend) {
    let (store, _events) = open(backend).await;
    admins(&store).await;
    // The first is due at once; the email the next ones make waits for the interval and
    // takes every conversation written meanwhile.
    for visitor in ["v1", "v2", "v3", "v4"] {
        store
            .append_message(
                from(visitor, &format!("from {visitor}")),
                VisitorDetails::default(),
                Notices::email(to_shop()),
            )
            .await
            .unwrap();
    }
    let mails = due(&store).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails[0].more.is_empty());
    assert_eq!(mails[0].messages[0].text, "from v1");
    let gathered = &mails[1];
    assert_eq!(gathered.messages[0].text, "from v2");
    let others: Vec<&str> = gathered
        .more
        .iter()
        .map(|other| other.messages[0].text.as_str())
        .collect();
    assert_eq!(others, ["from v3", "from v4"]);
    assert!(
        gathered
            .more
            .iter()
            .all(|other| other.conversation_id != gathered.conversation_id)
    );
}

async fn a_visitors_address_gets_at_most_its_emails_a_day_whichever_conversation_they_are_about(
    backend: Backend,
) {
    let (store, _events) = open(backend).await;
    let notice = Some(MailNotice {
        to: MailTo::Visitor,
        interval: INTERVAL,
        per_address_per_day: 3,
    });
    // Five visitors give the same address (in different letter case): five conversations.
    for (index, visitor) in ["v1", "v2", "v3", "v4", "v5"].into_iter().enumerate() {
        let first = store
            .append_message(
                from(visitor, "hi"),
                email(if index % 2 == 0 {
                    "victim@example.cz"
                } else {
                    "Victim@Example.cz"
                }),
                Notices::email(None),
            )
            .await
            .unwrap();
        let reply = NewMessage {
            files: Vec::new(),
            target: MessageTarget::Conversation(first.message.conversation_id),
            author: Author::Operator,
            operator_id: None,
            client_id: Some(ClientMessageId("r1".into())),
            text: "Ano".into(),
            origin: None,
        };
        store
            .append_message(reply, VisitorDetails::default(), Notices::email(notice))
            .await
            .unwrap();
    }
    assert_eq!(due(&store).await.len(), 3);
}

on_both_stores!(
    a_contact_message_is_queued_for_the_admins_with_the_visitors_address,
    the_sites_notification_address_comes_before_the_admins,
    messages_between_two_emails_are_gathered_into_the_next_one,
    a_failed_email_waits_for_its_retry_and_takes_what_comes_meanwhile,
    a_reply_goes_to_the_visitor_only_when_their_address_is_known,
    the_shop_gets_one_email_per_interval_for_all_of_a_sites_conversations,
    a_visitors_address_gets_at_most_its_emails_a_day_whichever_conversation_they_are_about,
);
