//! Email that cannot be turned against anybody, against a real SMTP server (aiosmtpd): an email
//! to a visitor links only to the shop's own pages whatever page the widget reported, an address
//! gets at most its few emails a day (across a restart), and visitors writing while nobody is
//! online make one gathered email to the shop per interval, not one each.

use beseda_relay::Config;
use beseda_relay::config::{SmtpTls, parse_mailbox};
use beseda_tests::http::{get, post_json};
use beseda_tests::smtp::{Mailbox, SmtpServer, free_port};
use beseda_tests::workflow::until_ack;
use beseda_tests::{
    Client, JANA, METRICS_TOKEN, PATIENCE, RelayProcess, TestRelay, prepare_database,
};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const VISITOR_EMAIL: &str = "victim@example.cz";
/// Jana is the test relay's admin: with no notification address, the shop's emails go to her.
const ADMIN_EMAIL: &str = "jana@shop.example";
const SHOP: &str = "https://shop.example";

fn with_mail(port: u16, interval: Duration, origins: &[&str]) -> impl FnOnce(&mut Config) {
    let origins: Vec<String> = origins.iter().map(|&origin| origin.to_owned()).collect();
    move |config| {
        config.smtp_host = Some("127.0.0.1".to_owned());
        config.smtp_port = Some(port);
        config.smtp_tls = SmtpTls::None;
        config.mail_from = Some(parse_mailbox("Beseda <chat@shop.example>").unwrap());
        config.public_url = Some("https://chat.shop.example".to_owned());
        config.mail_interval = interval;
        config.allow_origins = origins;
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Every web address in an email's body.
fn links(body: &str) -> Vec<&str> {
    body.split_whitespace()
        .filter(|word| word.contains("://") || word.starts_with("//"))
        .collect()
}

/// How many emails to visitors the outbox holds (queued, sent or waiting): committed with the
/// reply, so this is final as soon as the reply is answered.
fn visitor_emails_queued(db: &Path) -> i64 {
    beseda_tests::database::number(
        db,
        "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'visitor'",
    )
}

/// Waits until no visitor socket is open, so that a reply is emailed rather than shown.
async fn until_no_visitor_connected(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let metrics = get(addr, "/metrics", Some(METRICS_TOKEN)).await.body;
        if metrics
            .lines()
            .any(|line| line == "beseda_visitor_connections 0")
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a visitor socket stayed open"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A visitor on `page` leaves `address` with the contact form and goes; answers the
/// conversation's id.
async fn contact_and_leave(addr: SocketAddr, page: &str, address: &str) -> i64 {
    let hello = json!({ "page": { "url": page, "title": "Přihlášení" }, "locale": "cs" });
    let (mut visitor, _) = Client::visitor_with(addr, hello).await;
    visitor
        .send(json!({ "type": "contact", "clientId": "c1", "email": address, "text": "Ozvěte se" }))
        .await;
    let (_, ack) = until_ack(&mut visitor, "c1").await;
    visitor.close().await;
    until_no_visitor_connected(addr).await;
    ack["message"]["conversationId"].as_i64().unwrap()
}

async fn login(addr: SocketAddr) -> String {
    let (email, password) = JANA;
    let response = post_json(
        addr,
        "/api/login",
        None,
        &json!({ "email": email, "password": password }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    text(&response.json()["token"]).to_owned()
}

async fn reply(addr: SocketAddr, token: &str, conversation_id: i64, text: &str) {
    let response = post_json(
        addr,
        &format!("/api/conversations/{conversation_id}/messages"),
        Some(token),
        &json!({ "text": text }),
    )
    .await;
    assert_eq!(response.status, 201, "reply: {}", response.body);
}

#[tokio::test]
async fn an_email_to_a_visitor_links_only_to_the_shops_own_pages() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay =
        TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(300), &[SHOP])).await;
    let token = relay.login(JANA).await;
    // A visitor reports a page of their own and gives somebody else's address...
    let phishing = contact_and_leave(relay.addr, "https://evil.example/login", VISITOR_EMAIL).await;
    reply(relay.addr, &token, phishing, "Dobrý den, podívám se na to.").await;
    let email = mailbox.wait_for(VISITOR_EMAIL, 1).await.remove(0);
    let body = text(&email["body"]);
    assert!(body.contains("Dobrý den, podívám se na to."), "{body}");
    assert!(!body.contains("evil.example"), "{body}");
    // ...and a look-alike of the shop's origin is no better.
    let look_alike = contact_and_leave(
        relay.addr,
        "https://shop.example@evil.example/login",
        "another@example.cz",
    )
    .await;
    reply(relay.addr, &token, look_alike, "Dobrý den.").await;
    let email = mailbox.wait_for("another@example.cz", 1).await.remove(0);
    assert_eq!(links(text(&email["body"])), Vec::<&str>::new(), "{email}");
    // A page of the shop's own is linked.
    let shop_page = "https://shop.example/bunda";
    let honest = contact_and_leave(relay.addr, shop_page, "petr@example.cz").await;
    reply(relay.addr, &token, honest, "Ano, máme.").await;
    let email = mailbox.wait_for("petr@example.cz", 1).await.remove(0);
    assert_eq!(links(text(&email["body"])), [shop_page], "{email}");
    for email in mailbox.emails() {
        for link in links(text(&email["body"])) {
            assert!(
                link.starts_with("https://shop.example/")
                    || link.starts_with("https://chat.shop.example/console/"),
                "{link} in {email}"
            );
        }
    }
    relay.stop().await;
}

#[tokio::test]
async fn with_no_shop_origins_listed_an_email_to_a_visitor_links_to_no_page() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(300), &[])).await;
    let token = relay.login(JANA).await;
    let conversation_id =
        contact_and_leave(relay.addr, "https://evil.example/login", VISITOR_EMAIL).await;
    reply(relay.addr, &token, conversation_id, "Dobrý den.").await;
    let email = mailbox.wait_for(VISITOR_EMAIL, 1).await.remove(0);
    assert_eq!(links(text(&email["body"])), Vec::<&str>::new(), "{email}");
    relay.stop().await;
}

#[tokio::test]
async fn a_visitors_address_gets_at_most_its_emails_a_day_even_across_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    prepare_database(&db).await;
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let port = smtp.port.to_string();
    let flags = [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--mail-from",
        "chat@shop.example",
        "--mail-per-address-per-day",
        "2",
    ];
    // Two visitors give the same address (in other letter case): two conversations, two
    // replies, two emails.
    let relay = RelayProcess::start(RELAY, &db, &flags);
    let token = login(relay.addr).await;
    for (address, text) in [
        (VISITOR_EMAIL, "První odpověď"),
        ("Victim@Example.CZ", "Druhá"),
    ] {
        let conversation_id = contact_and_leave(relay.addr, "https://shop.example/", address).await;
        reply(relay.addr, &token, conversation_id, text).await;
    }
    assert_eq!(visitor_emails_queued(&db), 2);
    // Both are sent and recorded as sent before the kill: this test is about the day's limit
    // across a restart, not about an email caught between its sending and its record (which a
    // crash may send twice: delivery is at least once).
    mailbox.wait_for(VISITOR_EMAIL, 1).await;
    mailbox.wait_for("Victim@Example.CZ", 1).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while beseda_tests::database::number(
        &db,
        "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
    ) < 2
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the emails were recorded as sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    relay.kill();
    // After a restart, a third conversation with that address gets no email.
    let relay = RelayProcess::start(RELAY, &db, &flags);
    let token = login(relay.addr).await;
    let conversation_id =
        contact_and_leave(relay.addr, "https://shop.example/", VISITOR_EMAIL).await;
    reply(relay.addr, &token, conversation_id, "Třetí").await;
    assert_eq!(visitor_emails_queued(&db), 2, "the third was not queued");
    let mut sent = mailbox.wait_for(VISITOR_EMAIL, 1).await;
    sent.extend(mailbox.wait_for("Victim@Example.CZ", 1).await);
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|email| !text(&email["body"]).contains("Třetí")),
        "{sent:#?}"
    );
    // The third reply is in the conversation all the same.
    let detail = get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}"),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(detail["messages"][1]["text"], "Třetí");
    relay.kill();
}

#[tokio::test]
async fn visitors_writing_while_nobody_is_online_make_one_gathered_email_per_interval() {
    const VISITORS: usize = 20;
    let interval = Duration::from_secs(4);
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, interval, &[SHOP])).await;
    let started = Instant::now();
    let mut visitors = Vec::new();
    for index in 0..VISITORS {
        let (mut visitor, welcome) = relay.visitor().await;
        assert_eq!(welcome["online"], false, "nobody is online");
        visitor.say("m1", &format!("Otázka číslo {index}.")).await;
        until_ack(&mut visitor, "m1").await;
        visitors.push(visitor);
    }
    let writing = started.elapsed();
    // Every visitor's text reaches the shop...
    let deadline = tokio::time::Instant::now() + PATIENCE + interval;
    let emails = loop {
        let emails = mailbox.emails_to(ADMIN_EMAIL);
        let bodies: String = emails.iter().map(|email| text(&email["body"])).collect();
        if (0..VISITORS).all(|index| bodies.contains(&format!("Otázka číslo {index}."))) {
            break emails;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not every visitor's text arrived: {emails:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    // ...in one email as soon as the first wrote, and one for the rest after the interval (one
    // more for each interval the writing took).
    let most = 2 + usize::try_from(writing.as_millis() / interval.as_millis()).unwrap();
    assert!(
        emails.len() <= most,
        "{} emails for {VISITORS} visitors in {writing:?}",
        emails.len()
    );
    let gathered = emails.last().unwrap();
    assert!(
        text(&gathered["subject"]).contains("conversations"),
        "{gathered}"
    );
    let body = text(&gathered["body"]);
    assert!(
        body.matches("https://chat.shop.example/console/#/conversations/")
            .count()
            >= VISITORS - most,
        "each conversation is linked: {body}"
    );
    drop(visitors);
    relay.stop().await;
}
