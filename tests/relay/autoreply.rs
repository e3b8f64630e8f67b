//! The automatic message: when a visitor's message has no operator reply within the site's
//! delay, the relay posts one system message (in the visitor's language, or the site's text),
//! once per wait; an operator's reply first prevents it, and with nobody online there is none.
//!
//! Nothing here sleeps: "it did not come" is checked after another visitor's automatic message,
//! due later, has arrived (the relay posts them in the order they fall due), followed by a
//! marker message that must be the next frame.

use beseda_tests::http::{post_json, put_json, request};
use beseda_tests::workflow::{
    Writer, add_site, auto_message_handled, change_default_site, detail, eventually,
    hours_closed_on, set_available, texts_by, until_ack, visitor_writes,
};
use beseda_tests::{Client, JANA, TestRelay};
use serde_json::{Value, json};

const CZECH: &str = "Omlouváme se, že to trvá. Všichni kolegové se právě věnují jiným zákazníkům – vydržte prosím chvilku, brzy se vám ozveme.";
const ENGLISH: &str = "Sorry for the wait. Everyone is helping other customers right now – please bear with us, we will be with you shortly.";

/// A relay whose default site posts the automatic message after one second.
async fn relay_with_quick_auto_message(text: &str) -> (TestRelay, String) {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let saved = change_default_site(
        &relay,
        &jana,
        json!({ "autoMessageDelaySecs": 1, "autoMessageText": text }),
    )
    .await;
    assert_eq!(saved["autoMessageDelaySecs"], 1);
    (relay, jana)
}

/// Waits for the next system message this visitor receives; answers its text.
async fn system_message(writer: &mut Writer) -> String {
    let (_, frame) = writer
        .client
        .recv_until(|frame| frame["type"] == "message" && frame["message"]["author"] == "system")
        .await;
    frame["message"]["text"].as_str().unwrap().to_owned()
}

async fn reply(relay: &TestRelay, token: &str, conversation_id: i64, text: &str) -> Value {
    let path = format!("/api/conversations/{conversation_id}/messages");
    let response = post_json(relay.addr, &path, Some(token), &json!({ "text": text })).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

/// Another visitor writes now and waits for their own automatic message: everything due
/// earlier has been handled by then.
async fn witness_a_later_automatic_message(relay: &TestRelay) -> String {
    let mut witness = visitor_writes(relay, json!({ "locale": "de" }), "Hallo?").await;
    system_message(&mut witness).await
}

#[tokio::test]
async fn one_automatic_message_per_wait_in_the_visitors_language() {
    let (relay, jana) = relay_with_quick_auto_message("").await;
    set_available(&relay, &jana, true).await;
    let mut waiting = visitor_writes(&relay, json!({ "locale": "cs-CZ" }), "Haló?").await;
    assert_eq!(system_message(&mut waiting).await, CZECH);

    // Writing again does not start a second wait.
    waiting.client.say("again", "Jste tam?").await;
    until_ack(&mut waiting.client, "again").await;
    let witnessed = witness_a_later_automatic_message(&relay).await;
    assert!(witnessed.starts_with("Entschuldigen"), "{witnessed}");
    let marker = reply(&relay, &jana, waiting.conversation_id, "Už jsem tady.").await;
    assert_eq!(waiting.client.recv_type("message").await["message"], marker);
    let stored = detail(&relay, &jana, waiting.conversation_id).await;
    assert_eq!(texts_by(&stored, "system"), [CZECH]);
    assert_eq!(texts_by(&stored, "visitor"), ["Haló?", "Jste tam?"]);
    relay.stop().await;
}

#[tokio::test]
async fn an_operator_reply_within_the_delay_prevents_it_and_the_site_text_is_used() {
    let custom = "Chvilku strpení, prosím, hned jsme u vás.";
    let (relay, jana) = relay_with_quick_auto_message(custom).await;
    set_available(&relay, &jana, true).await;
    let mut answered = visitor_writes(&relay, json!({ "locale": "cs" }), "Dobrý den").await;
    let first_reply = reply(&relay, &jana, answered.conversation_id, "Dobrý den!").await;

    assert_eq!(witness_a_later_automatic_message(&relay).await, custom);
    answered
        .client
        .recv_until(|frame| frame["type"] == "message" && frame["message"] == first_reply)
        .await;
    let marker = reply(&relay, &jana, answered.conversation_id, "Jak mohu pomoci?").await;
    assert_eq!(
        answered.client.recv_type("message").await["message"],
        marker
    );
    let stored = detail(&relay, &jana, answered.conversation_id).await;
    assert_eq!(texts_by(&stored, "system"), Vec::<String>::new());
    assert!(
        stored.get("waitingSince").is_none(),
        "an answer ends the wait: {stored}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_chat_reopened_after_resolving_waits_anew() {
    let (relay, jana) = relay_with_quick_auto_message("").await;
    set_available(&relay, &jana, true).await;
    let mut visitor = visitor_writes(&relay, json!({}), "Hello?").await;
    assert_eq!(system_message(&mut visitor).await, ENGLISH);
    let path = format!("/api/conversations/{}/resolve", visitor.conversation_id);
    assert_eq!(
        request(relay.addr, "POST", &path, Some(&jana), None)
            .await
            .status,
        200
    );

    // Regression: the mark "sent" outlived the resolve, so a reopened chat never got one again.
    visitor.client.say("back", "One more question").await;
    until_ack(&mut visitor.client, "back").await;
    assert_eq!(system_message(&mut visitor).await, ENGLISH);
    let stored = detail(&relay, &jana, visitor.conversation_id).await;
    assert_eq!(texts_by(&stored, "system"), [ENGLISH, ENGLISH]);
    relay.stop().await;
}

#[tokio::test]
async fn with_nobody_online_there_is_no_automatic_message() {
    let (relay, jana) = relay_with_quick_auto_message("").await;
    let mut alone = visitor_writes(&relay, json!({ "locale": "cs" }), "Je tu někdo?").await;

    // No frame tells that the relay let this wait pass; the database does.
    eventually("the wait being handled", || {
        auto_message_handled(&relay, alone.conversation_id)
    })
    .await;
    assert_eq!(
        texts_by(
            &detail(&relay, &jana, alone.conversation_id).await,
            "system"
        ),
        Vec::<String>::new()
    );

    // Someone comes online later: the wait that passed unanswered is not apologised for now.
    set_available(&relay, &jana, true).await;
    alone.client.say("again", "Haló?").await;
    until_ack(&mut alone.client, "again").await;
    let witnessed = witness_a_later_automatic_message(&relay).await;
    assert!(witnessed.starts_with("Entschuldigen"), "{witnessed}");
    let marker = reply(
        &relay,
        &jana,
        alone.conversation_id,
        "Dobrý den, už jsem tu.",
    )
    .await;
    assert_eq!(alone.client.recv_type("message").await["message"], marker);
    let stored = detail(&relay, &jana, alone.conversation_id).await;
    assert_eq!(texts_by(&stored, "system"), Vec::<String>::new());
    relay.stop().await;
}

#[tokio::test]
async fn a_closed_shop_makes_no_promise_even_with_operators_online() {
    let (relay, jana) = relay_with_quick_auto_message("").await;
    set_available(&relay, &jana, true).await;
    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().expect("a date");
    change_default_site(
        &relay,
        &jana,
        json!({ "hours": hours_closed_on(&[today, tomorrow]) }),
    )
    .await;
    // The hours task closes the site when it is woken by the change: wait until visitors see it.
    let deadline = tokio::time::Instant::now() + beseda_tests::PATIENCE;
    let mut token: Option<String> = None;
    loop {
        // One visitor, coming back: a new identity each time would count against the address.
        let (visitor, welcome) = Client::visitor(relay.addr, token.as_deref(), None).await;
        token = welcome["token"].as_str().map(str::to_owned);
        visitor.close().await;
        if welcome["online"] == false {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the shop never closed: {welcome}"
        );
    }
    let left = visitor_writes(&relay, json!({ "locale": "cs" }), "Zavoláte mi?").await;
    eventually("the wait being handled", || {
        auto_message_handled(&relay, left.conversation_id)
    })
    .await;
    assert_eq!(
        texts_by(&detail(&relay, &jana, left.conversation_id).await, "system"),
        Vec::<String>::new()
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_shorter_delay_applies_to_a_wait_already_running() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    set_available(&relay, &jana, true).await;
    add_site(&relay, "outlet", "Outlet").await;
    let outlet = json!({ "name": "outlet", "title": "Outlet", "autoMessageDelaySecs": 1, "ratingEnabled": true });
    let response = put_json(relay.addr, "/api/sites/outlet", Some(&jana), &outlet).await;
    assert_eq!(response.status, 200, "{}", response.body);

    // The default site's 45 seconds run for this visitor...
    let mut waiting = visitor_writes(&relay, json!({}), "Hello?").await;
    // ...and once the relay has posted the outlet's message, it sleeps until they are due.
    let mut witness = visitor_writes(&relay, json!({ "site": "outlet" }), "Hallo?").await;
    system_message(&mut witness).await;

    // Regression: a shorter delay did not wake the relay, so the visitor waited the old one.
    change_default_site(&relay, &jana, json!({ "autoMessageDelaySecs": 1 })).await;
    assert_eq!(system_message(&mut waiting).await, ENGLISH);
    relay.stop().await;
}
