//! Email over SMTP, against a real SMTP server (aiosmtpd): the shop hears of messages left while
//! nobody could answer, a visitor who has left gets operators' replies, emails wait in the
//! outbox while the server is down (and across a crash), chatty conversations are gathered
//! into few emails, and bad flags are refused with a clear error.

use beseda_relay::Config;
use beseda_relay::config::{SmtpTls, parse_mailbox};
use beseda_tests::http::{get, post_json, put_json};
use beseda_tests::smtp::{Mailbox, SmtpServer, free_port};
use beseda_tests::workflow::{change_default_site, default_site, set_available, until_ack};
use beseda_tests::{
    Client, JANA, METRICS_TOKEN, PATIENCE, RelayProcess, TestRelay, prepare_database,
};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const VISITOR_EMAIL: &str = "petr@example.cz";
/// Jana is the test relay's admin; Petr (petr@shop.example) is not.
const ADMIN_EMAIL: &str = "jana@shop.example";

/// Email through the SMTP server on `port`, with `interval` between emails about one
/// conversation to one address.
fn with_mail(port: u16, interval: Duration) -> impl FnOnce(&mut Config) {
    move |config| {
        config.smtp_host = Some("127.0.0.1".to_owned());
        config.smtp_port = Some(port);
        config.smtp_tls = SmtpTls::None;
        config.mail_from = Some(parse_mailbox("Beseda <chat@shop.example>").unwrap());
        config.public_url = Some("https://chat.shop.example".to_owned());
        config.mail_interval = interval;
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The queued emails in the relay's database, as (kind, recipient): committed with the message,
/// so they can be checked as soon as the message is acknowledged.
fn outbox(db: &Path) -> Vec<(String, String)> {
    if beseda_tests::on_postgres() {
        let sql = "SELECT kind, recipient FROM mail_outbox ORDER BY id";
        return beseda_tests::postgres::query(&db.to_string_lossy(), sql)
            .into_iter()
            .map(|row| (row[0].clone(), row[1].clone()))
            .collect();
    }
    let connection =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the relay's database");
    let mut statement = connection
        .prepare("SELECT kind, recipient FROM mail_outbox ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A counter or gauge from `/metrics`.
async fn metric(addr: SocketAddr, name: &str) -> f64 {
    let metrics = get(addr, "/metrics", Some(METRICS_TOKEN)).await.body;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in {metrics}"))
}

/// Waits until a metric satisfies `condition`.
async fn until_metric(addr: SocketAddr, name: &str, condition: impl Fn(f64) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let value = metric(addr, name).await;
        if condition(value) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} stayed at {value}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A visitor (Czech widget) sends the contact form; answers the socket, token and conversation.
async fn contact(addr: SocketAddr, message: &str) -> (Client, String, i64) {
    let (mut visitor, welcome) = Client::visitor_with(addr, json!({ "locale": "cs-CZ" })).await;
    assert_eq!(
        welcome["online"], false,
        "nobody is online: the contact form"
    );
    visitor
        .send(
            json!({ "type": "contact", "clientId": "c1", "email": VISITOR_EMAIL, "text": message }),
        )
        .await;
    let (_, ack) = until_ack(&mut visitor, "c1").await;
    let token = text(&welcome["token"]).to_owned();
    let conversation_id = ack["message"]["conversationId"].as_i64().unwrap();
    (visitor, token, conversation_id)
}

async fn reply(relay: &TestRelay, token: &str, conversation_id: i64, text: &str) {
    let response = post_json(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/messages"),
        Some(token),
        &json!({ "text": text }),
    )
    .await;
    assert_eq!(response.status, 201, "reply: {}", response.body);
}

#[tokio::test]
async fn the_contact_form_emails_the_shop_with_the_text_and_the_visitors_address() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(300))).await;
    let (_visitor, _, conversation_id) =
        contact(relay.addr, "Máte tu bundu v XL?\nA v modré?").await;
    // Committed with the message: only the admins with an address a server takes.
    assert_eq!(
        outbox(&relay.db),
        [("shop".to_owned(), ADMIN_EMAIL.to_owned())]
    );
    let email = mailbox.wait_for(ADMIN_EMAIL, 1).await.remove(0);
    assert_eq!(email["replyTo"], VISITOR_EMAIL);
    assert_eq!(email["from"], "Beseda <chat@shop.example>");
    assert_eq!(email["contentType"], "text/plain");
    assert_eq!(email["subject"], "Shop: new message from petr@example.cz");
    let body = text(&email["body"]);
    assert!(body.contains("Máte tu bundu v XL?\nA v modré?"), "{body}");
    assert!(
        body.contains(&format!(
            "https://chat.shop.example/console/#/conversations/{conversation_id}"
        )),
        "{body}"
    );
    assert_eq!(mailbox.emails().len(), 1, "nobody else was emailed");
}

#[tokio::test]
async fn the_sites_notification_address_is_checked_and_replaces_the_admins() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(300))).await;
    let admin = relay.login(JANA).await;
    let mut settings = default_site(&relay, &admin).await;
    assert_eq!(settings.get("notifyEmail"), None, "none: the admins");
    settings["notifyEmail"] = json!("not an address");
    let refused = put_json(relay.addr, "/api/sites/default", Some(&admin), &settings).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.error_code(), "invalid_email");
    assert_eq!(default_site(&relay, &admin).await.get("notifyEmail"), None);
    let saved = change_default_site(
        &relay,
        &admin,
        json!({ "notifyEmail": "eshop@shop.example" }),
    )
    .await;
    assert_eq!(saved["notifyEmail"], "eshop@shop.example");
    contact(relay.addr, "Kdy přijde zboží?").await;
    assert_eq!(
        outbox(&relay.db),
        [("shop".to_owned(), "eshop@shop.example".to_owned())]
    );
    let email = mailbox.wait_for("eshop@shop.example", 1).await.remove(0);
    assert!(text(&email["body"]).contains("Kdy přijde zboží?"));
}

#[tokio::test]
async fn an_operators_reply_is_emailed_to_a_visitor_who_has_left_and_shown_when_they_return() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(1))).await;
    let (mut visitor, token, conversation_id) = contact(relay.addr, "Máte XL?").await;
    let jana = relay.login(JANA).await;
    // While the widget is open the reply is shown there, not emailed.
    reply(&relay, &jana, conversation_id, "Hned se podívám.").await;
    visitor.recv_type("message").await;
    visitor.close().await;
    until_metric(relay.addr, "beseda_visitor_connections", |value| {
        value == 0.0
    })
    .await;
    reply(&relay, &jana, conversation_id, "Ano, XL máme skladem.").await;
    let email = mailbox.wait_for(VISITOR_EMAIL, 1).await.remove(0);
    assert_eq!(email["subject"], "Shop: odpověď na vaši zprávu", "Czech");
    assert_eq!(email["from"], "Shop <chat@shop.example>");
    assert_eq!(email["replyTo"], "", "no notification address to answer to");
    let body = text(&email["body"]);
    assert!(body.starts_with("Dobrý den,"), "{body}");
    assert!(body.contains("Jana:\nAno, XL máme skladem."), "{body}");
    assert!(!body.contains("Hned se podívám"), "{body}");

    // A reply over the operator socket is emailed too (after the interval since the last).
    let (mut console, _) = relay.operator(&jana).await;
    console
        .reply(conversation_id, "r2", "Pošlu vám odkaz.")
        .await;
    console.recv_type("ack").await;
    let emails = mailbox.wait_for(VISITOR_EMAIL, 2).await;
    assert!(text(&emails[1]["body"]).contains("Jana:\nPošlu vám odkaz."));

    // Back on the shop's page, the widget shows what was answered meanwhile.
    let (_visitor, welcome) =
        Client::visitor_with(relay.addr, json!({ "token": token, "lastSeq": 1 })).await;
    let missed: Vec<&str> = welcome["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| text(&message["text"]))
        .collect();
    assert_eq!(
        missed,
        [
            "Hned se podívám.",
            "Ano, XL máme skladem.",
            "Pošlu vám odkaz."
        ]
    );
    assert_eq!(mailbox.emails_to(ADMIN_EMAIL).len(), 1, "the contact form");
}

#[tokio::test]
async fn a_visitor_message_is_emailed_only_while_nobody_can_answer() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(300))).await;
    let jana = relay.login(JANA).await;
    set_available(&relay, &jana, true).await;
    let (mut visitor, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], true);
    visitor.say("m1", "Jste tu?").await;
    until_ack(&mut visitor, "m1").await;
    assert!(outbox(&relay.db).is_empty(), "someone could answer");
    set_available(&relay, &jana, false).await;
    visitor.recv_type("availability").await;
    visitor.say("m2", "Asi ne, napíšu zítra.").await;
    until_ack(&mut visitor, "m2").await;
    let email = mailbox.wait_for(ADMIN_EMAIL, 1).await.remove(0);
    assert_eq!(email["subject"], "Shop: new message from a visitor");
    assert_eq!(email["replyTo"], "", "the visitor gave no address");
    let body = text(&email["body"]);
    assert!(
        body.starts_with("A visitor wrote while nobody was online"),
        "{body}"
    );
    assert!(body.contains("Asi ne, napíšu zítra.") && !body.contains("Jste tu?"));
}

#[tokio::test]
async fn messages_written_between_two_emails_are_gathered_into_the_next() {
    let mailbox = Mailbox::new();
    let smtp = SmtpServer::start(free_port(), &mailbox);
    let relay = TestRelay::start_with(with_mail(smtp.port, Duration::from_secs(3))).await;
    let (mut visitor, _, _) = contact(relay.addr, "první").await;
    visitor.say("m2", "druhá").await;
    until_ack(&mut visitor, "m2").await;
    visitor.say("m3", "třetí").await;
    until_ack(&mut visitor, "m3").await;
    let emails = mailbox.wait_for(ADMIN_EMAIL, 2).await;
    assert_eq!(emails.len(), 2, "{emails:#?}");
    let first = text(&emails[0]["body"]);
    assert!(
        first.contains("první") && !first.contains("druhá"),
        "{first}"
    );
    assert_eq!(
        emails[1]["subject"],
        "Shop: 2 new messages from petr@example.cz"
    );
    let second = text(&emails[1]["body"]);
    let (two, three) = (second.find("druhá"), second.find("třetí"));
    assert!(two.is_some() && two < three, "in order: {second}");
    assert_eq!(outbox(&relay.db).len(), 2, "three messages, two emails");
}

#[tokio::test]
async fn an_email_waits_in_the_outbox_until_the_smtp_server_is_up() {
    let mailbox = Mailbox::new();
    let port = free_port();
    let relay = TestRelay::start_with(with_mail(port, Duration::from_secs(300))).await;
    contact(relay.addr, "Je tu někdo?").await;
    // Nothing listens yet: the attempt fails and is retried later.
    until_metric(relay.addr, "beseda_mail_failures_total", |value| {
        value >= 1.0
    })
    .await;
    assert_eq!(metric(relay.addr, "beseda_mail_sent_total").await, 0.0);
    let _smtp = SmtpServer::start(port, &mailbox);
    let email = mailbox.wait_for(ADMIN_EMAIL, 1).await.remove(0);
    assert!(text(&email["body"]).contains("Je tu někdo?"));
    until_metric(relay.addr, "beseda_mail_sent_total", |value| value == 1.0).await;
}

#[tokio::test]
async fn a_queued_email_survives_a_crash_of_the_relay() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    prepare_database(&db).await;
    let mailbox = Mailbox::new();
    let port = free_port().to_string();
    let flags = [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--mail-from",
        "chat@shop.example",
    ];
    let relay = RelayProcess::start(RELAY, &db, &flags);
    contact(relay.addr, "Ztratí se to?").await;
    relay.kill();
    let _smtp = SmtpServer::start(port.parse().unwrap(), &mailbox);
    let _relay = RelayProcess::start(RELAY, &db, &flags);
    let email = mailbox.wait_for(ADMIN_EMAIL, 1).await.remove(0);
    assert!(text(&email["body"]).contains("Ztratí se to?"));
}

fn serve(args: &[&str]) -> std::process::Output {
    Command::new(RELAY)
        .arg("serve")
        .args(args)
        .env("BESEDA_LOG", "warn")
        .env_remove("BESEDA_SMTP_HOST")
        .env_remove("BESEDA_MAIL_FROM")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run the relay")
}

#[test]
fn bad_mail_flags_are_clear_errors() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--smtp-tls", "ssl"],
            "invalid value 'ssl' for '--smtp-tls <SMTP_TLS>'",
        ),
        (&["--mail-from", "shop"], "`shop` is not an email address"),
        (&["--smtp-host", "127.0.0.1"], "--mail-from <MAIL_FROM>"),
        (
            &["--smtp-host", "smtp:25", "--mail-from", "chat@shop.example"],
            "`smtp:25` is not a host name",
        ),
        (
            &["--public-url", "chat.shop.example"],
            "is not an address like https://chat.shop.example",
        ),
    ];
    for (args, expected) in cases {
        let output = serve(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let stderr = String::from_utf8_lossy(&serve(&["--smtp-tls", "ssl"]).stderr).into_owned();
    assert!(
        stderr.contains("[possible values: none, starttls, tls]"),
        "{stderr}"
    );
}

#[test]
fn without_an_smtp_host_the_relay_says_email_is_off() {
    use std::io::BufRead;
    let directory = tempfile::tempdir().unwrap();
    let mut child = Command::new(RELAY)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--bootstrap-admin",
            "false",
            "--db",
        ])
        .arg(directory.path().join("beseda.db"))
        .env("BESEDA_LOG", "warn")
        .env_remove("BESEDA_SMTP_HOST")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the relay");
    // The relay runs until it is killed: its lines are read on a thread and waited for here.
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = std::time::Instant::now() + PATIENCE;
    let mut said = false;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match received.recv_timeout(left) {
            Ok(line) if line.contains("email is off") => {
                said = true;
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(said, "the relay did not say that email is off");
}
