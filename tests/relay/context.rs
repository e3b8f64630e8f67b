//! The visitor's context for operators: the page and language from the hello, the pages of the
//! visit from `page` frames (consoles hear of each at once, as that one page), and bad pages
//! refused or left out.

use beseda_tests::workflow::{detail, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, TestRelay};
use serde_json::{Value, json};

fn page(url: &str, title: &str) -> Value {
    json!({ "url": url, "title": title })
}

/// The addresses of the visit's pages, oldest first.
fn urls(context: &Value) -> Vec<String> {
    context["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|page| page["url"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_hello_and_page_frames_build_the_context_operators_see() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let home = "https://shop.example/bundy";
    let hello = json!({ "page": page(home, "Bundy"), "locale": "cs" });
    let mut visitor = visitor_writes(&relay, hello, "Máte ji v XL?").await;
    let id = visitor.conversation_id;

    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(context["currentPage"]["url"], home);
    assert_eq!(context["currentPage"]["title"], "Bundy");
    assert!(
        context["currentPage"]["at"]
            .as_str()
            .unwrap()
            .ends_with('Z'),
        "{context}"
    );
    assert_eq!(urls(&context), [home]);
    assert_eq!(context["locale"], "cs");
    let first_seen = context["firstSeen"].as_str().expect("firstSeen").to_owned();

    // A navigation without reload reaches every console at once, as the new page alone.
    let (mut console, _) = relay.operator(&jana).await;
    let product = "https://shop.example/bundy/xl";
    visitor
        .client
        .send(json!({ "type": "page", "page": page(product, "Bunda XL") }))
        .await;
    let told = console.recv_type("page").await;
    assert_eq!(told["conversationId"], id);
    assert_eq!(told["page"]["url"], product);
    assert_eq!(told["page"]["title"], "Bunda XL");
    assert!(
        told["page"]["at"].as_str().unwrap().ends_with('Z'),
        "{told}"
    );
    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(context["currentPage"]["url"], product);
    assert_eq!(urls(&context), [home, product]);
    assert_eq!(context["locale"], "cs");

    // Bad pages are refused with bad_request (or bad_frame) and stored nowhere.
    let refused = [
        (
            json!({ "type": "page", "page": page("javascript:alert(1)", "x") }),
            "bad_request",
        ),
        (
            json!({ "type": "page", "page": page("ftp://shop.example/", "x") }),
            "bad_request",
        ),
        (
            json!({ "type": "page", "page": page(product, &"t".repeat(301)) }),
            "bad_request",
        ),
        (
            json!({ "type": "page", "page": page(&format!("https://shop.example/{}", "a".repeat(2048)), "x") }),
            "bad_request",
        ),
        (
            json!({ "type": "page", "page": { "title": "no address" } }),
            "bad_frame",
        ),
    ];
    for (frame, code) in refused {
        visitor.client.send(frame.clone()).await;
        let (_, error) = visitor.client.recv_until_type("error").await;
        assert_eq!(error["code"], code, "{frame}");
    }
    // The next thing the console hears is the next good page, with nothing refused in between.
    let cart = "https://shop.example/kosik";
    visitor
        .client
        .send(json!({ "type": "page", "page": page(cart, "Košík") }))
        .await;
    assert_eq!(console.recv_type("page").await["page"]["url"], cart);
    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(urls(&context), [home, product, cart]);

    // A reload: the hello's page joins the visit; a bad page or language in a hello is left
    // out without refusing the visitor, and the language stays what it was.
    let reload = json!({ "token": visitor.token, "page": page(home, "Bundy") });
    Client::visitor_with(relay.addr, reload).await;
    assert_eq!(console.recv_type("page").await["page"]["url"], home);
    let bad =
        json!({ "token": visitor.token, "page": page("javascript:void(0)", "x"), "locale": "c s" });
    let (_, welcome) = Client::visitor_with(relay.addr, bad).await;
    assert_eq!(welcome["conversation"]["id"], id);
    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(urls(&context), [home, product, cart, home]);
    assert_eq!(context["currentPage"]["url"], home);
    assert_eq!(context["locale"], "cs");
    assert_eq!(context["firstSeen"], first_seen.as_str());
    relay.stop().await;
}

#[tokio::test]
async fn pages_before_the_first_message_are_kept_for_the_conversation() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let (mut console, _) = relay.operator(&jana).await;
    let home = "https://shop.example/";
    let hello = json!({ "page": page(home, "Obchod"), "locale": "de-AT" });
    let (mut visitor, _) = Client::visitor_with(relay.addr, hello).await;
    let product = "https://shop.example/boty";
    visitor
        .send(json!({ "type": "page", "page": page(product, "Boty") }))
        .await;
    visitor.say("m1", "Guten Tag").await;
    let (_, ack) = until_ack(&mut visitor, "m1").await;
    let id = ack["message"]["conversationId"].as_i64().unwrap();

    // No conversation existed for the page frame: the console's first news is the new chat.
    assert_eq!(
        console.recv_type("conversation").await["conversation"]["id"],
        id
    );
    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(urls(&context), [home, product]);
    assert_eq!(context["currentPage"]["title"], "Boty");
    assert_eq!(context["locale"], "de-AT");

    // A visitor who never told anything has an empty context, not an error.
    let silent = visitor_writes(&relay, json!({}), "Hallo").await;
    let context = detail(&relay, &jana, silent.conversation_id).await["context"].clone();
    assert_eq!(context["pages"], json!([]));
    assert!(context.get("currentPage").is_none() && context.get("locale").is_none());
    relay.stop().await;
}

#[tokio::test]
async fn a_tab_open_before_the_conversation_tells_its_pages_once_another_tab_starts_it() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let home = "https://shop.example/";
    let (mut first_tab, welcome) =
        Client::visitor_with(relay.addr, json!({ "page": page(home, "Obchod") })).await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    let (mut second_tab, _) = Client::visitor_with(relay.addr, json!({ "token": token })).await;
    second_tab.say("m1", "Dobrý den").await;
    let (_, ack) = until_ack(&mut second_tab, "m1").await;
    let id = ack["message"]["conversationId"].as_i64().unwrap();
    let (mut console, _) = relay.operator(&jana).await;

    // The first tab kept its pages, not knowing of the conversation: its next page finds it,
    // and the console hears the whole visit once...
    let shoes = "https://shop.example/boty";
    first_tab
        .send(json!({ "type": "page", "page": page(shoes, "Boty") }))
        .await;
    let told = console.recv_type("visitor").await;
    assert_eq!(told["conversationId"], id);
    assert_eq!(urls(&told["context"]), [home, shoes]);
    // ...and each later page alone.
    let cart = "https://shop.example/kosik";
    first_tab
        .send(json!({ "type": "page", "page": page(cart, "Košík") }))
        .await;
    assert_eq!(console.recv_type("page").await["page"]["url"], cart);
    let context = detail(&relay, &jana, id).await["context"].clone();
    assert_eq!(urls(&context), [home, shoes, cart]);
    relay.stop().await;
}
