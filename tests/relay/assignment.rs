//! Assignment and the queue with two operators online: the least-loaded operator gets the next
//! conversation up to the team's maximum, the rest wait in line and are told their place, and
//! resolving, a keyword rule, an operator coming online, a higher maximum, a take-over or a
//! transfer move the line on.

use beseda_tests::http::{get, post_json, request};
use beseda_tests::workflow::{
    conversations, operator_id, queue_positions, set_available, set_max_chats, summary,
    visitor_writes,
};
use beseda_tests::{Client, JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn resolve(relay: &TestRelay, token: &str, conversation_id: i64) {
    let path = format!("/api/conversations/{conversation_id}/resolve");
    let response = request(relay.addr, "POST", &path, Some(token), None).await;
    assert_eq!(response.status, 200, "resolve: {}", response.body);
}

/// Reads a visitor's frames up to their next `queue` frame; answers its position.
async fn next_queue_position(client: &mut Client) -> Option<u64> {
    let (_, frame) = client.recv_until_type("queue").await;
    frame["position"].as_u64()
}

/// Whether none of these frames told a place in the queue.
fn never_queued(frames: &[Value]) -> bool {
    queue_positions(frames).iter().all(Option::is_none)
}

async fn open_chats(relay: &TestRelay, token: &str) -> Vec<(String, u64)> {
    let operators = get(relay.addr, "/api/operators", Some(token)).await.json();
    operators
        .as_array()
        .unwrap()
        .iter()
        .map(|operator| {
            (
                operator["name"].as_str().unwrap().to_owned(),
                operator["openChats"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_least_loaded_operator_gets_the_next_chat_and_the_rest_wait_in_line() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let (jana_id, petr_id) = (
        operator_id(&relay, &jana).await,
        operator_id(&relay, &petr).await,
    );
    set_max_chats(&relay, &jana, 2).await;
    set_available(&relay, &jana, true).await;
    set_available(&relay, &petr, true).await;

    let mut served = Vec::new();
    for index in 1..=4 {
        let writer = visitor_writes(&relay, json!({}), &format!("visitor {index}")).await;
        assert!(never_queued(&writer.before_ack), "{:?}", writer.before_ack);
        served.push(writer);
    }
    let assigned: Vec<Value> = {
        let mut assigned = Vec::new();
        for writer in &served {
            assigned
                .push(summary(&relay, &jana, writer.conversation_id).await["assignedTo"].clone());
        }
        assigned
    };
    // Jana and Petr take turns: each new chat goes to whoever has fewer (the lower id on a tie).
    assert_eq!(
        assigned,
        [
            json!(jana_id),
            json!(petr_id),
            json!(jana_id),
            json!(petr_id)
        ]
    );
    assert_eq!(
        open_chats(&relay, &jana).await,
        [("Jana".into(), 2), ("Petr".into(), 2)]
    );

    // Both are at their maximum: the next visitors wait, and are told their place.
    let mut fifth = visitor_writes(&relay, json!({}), "visitor 5").await;
    assert_eq!(queue_positions(&fifth.before_ack), [Some(1)]);
    let sixth = visitor_writes(&relay, json!({}), "visitor 6").await;
    assert_eq!(queue_positions(&sixth.before_ack), [Some(2)]);
    for writer in [&fifth, &sixth] {
        let waiting = summary(&relay, &jana, writer.conversation_id).await;
        assert!(waiting.get("assignedTo").is_none(), "{waiting}");
    }

    // A waiting visitor who comes back (another tab, a reload) is told their place at once.
    let (mut sixth_again, welcome) =
        Client::visitor_with(relay.addr, json!({ "token": sixth.token })).await;
    assert_eq!(welcome["queuePosition"], 2);

    // Jana resolves one of hers: the first in line is hers now, the second moves up.
    resolve(&relay, &jana, served[0].conversation_id).await;
    assert_eq!(next_queue_position(&mut fifth.client).await, None);
    assert_eq!(next_queue_position(&mut sixth_again).await, Some(1));
    assert_eq!(
        summary(&relay, &jana, fifth.conversation_id).await["assignedTo"],
        jana_id
    );
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": sixth.token })).await;
    assert_eq!(welcome["queuePosition"], 1);
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": fifth.token })).await;
    assert!(welcome.get("queuePosition").is_none(), "{welcome}");
    relay.stop().await;
}

#[tokio::test]
async fn a_keyword_rule_puts_a_later_visitor_first_in_line() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    set_max_chats(&relay, &jana, 1).await;
    set_available(&relay, &jana, true).await;
    let rule = json!({ "keyword": "chybí", "tag": "missing", "priority": 10 });
    let response = post_json(relay.addr, "/api/rules", Some(&jana), &rule).await;
    assert_eq!(response.status, 201, "{}", response.body);

    let first = visitor_writes(&relay, json!({}), "Dobrý den").await;
    let mut second = visitor_writes(&relay, json!({}), "Máte tu bundu v XL?").await;
    assert_eq!(queue_positions(&second.before_ack), [Some(1)]);

    // Matched without case and diacritics: "CHYBI" is "chybí".
    // Regression: the rules ran after the new conversation had joined the queue, so the urgent
    // visitor was first told the last place, and only then the first.
    let mut urgent = visitor_writes(&relay, json!({}), "V balíku CHYBI bunda!").await;
    assert_eq!(queue_positions(&urgent.before_ack), [Some(1)]);
    assert_eq!(next_queue_position(&mut second.client).await, Some(2));

    let tagged = summary(&relay, &jana, urgent.conversation_id).await;
    assert_eq!(tagged["tags"], json!(["missing"]));
    assert_eq!(tagged["priority"], 10);
    let order: Vec<Value> = conversations(&relay, &jana)
        .await
        .iter()
        .map(|row| row["id"].clone())
        .collect();
    assert_eq!(
        order[0], urgent.conversation_id,
        "priority first in the list"
    );

    // When Jana is free again, the urgent one is hers; the other moves up to first.
    resolve(&relay, &jana, first.conversation_id).await;
    assert_eq!(next_queue_position(&mut urgent.client).await, None);
    assert_eq!(next_queue_position(&mut second.client).await, Some(1));
    relay.stop().await;
}

#[tokio::test]
async fn an_operator_coming_online_and_a_higher_maximum_hand_out_waiting_chats() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let jana_id = operator_id(&relay, &jana).await;
    set_max_chats(&relay, &jana, 1).await;

    // Nobody is online: no queue places (the widget offers the contact form instead).
    let mut waiting = Vec::new();
    for index in 1..=3 {
        let writer = visitor_writes(&relay, json!({}), &format!("visitor {index}")).await;
        assert_eq!(
            queue_positions(&writer.before_ack),
            [],
            "{:?}",
            writer.before_ack
        );
        waiting.push(writer);
    }

    set_available(&relay, &jana, true).await;
    assert_eq!(next_queue_position(&mut waiting[0].client).await, None);
    assert_eq!(next_queue_position(&mut waiting[1].client).await, Some(1));
    assert_eq!(next_queue_position(&mut waiting[2].client).await, Some(2));
    assert_eq!(
        summary(&relay, &jana, waiting[0].conversation_id).await["assignedTo"],
        jana_id
    );

    set_max_chats(&relay, &jana, 3).await;
    for writer in &mut waiting[1..] {
        assert_eq!(next_queue_position(&mut writer.client).await, None);
    }
    for writer in &waiting {
        assert_eq!(
            summary(&relay, &jana, writer.conversation_id).await["assignedTo"],
            jana_id
        );
    }
    relay.stop().await;
}

#[tokio::test]
async fn take_over_and_transfer_move_a_chat_and_free_a_place() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let (jana_id, petr_id) = (
        operator_id(&relay, &jana).await,
        operator_id(&relay, &petr).await,
    );
    set_max_chats(&relay, &jana, 1).await;
    set_available(&relay, &jana, true).await;
    set_available(&relay, &petr, true).await;
    let janas = visitor_writes(&relay, json!({}), "one").await;
    let petrs = visitor_writes(&relay, json!({}), "two").await;
    let mut third = visitor_writes(&relay, json!({}), "three").await;
    assert_eq!(queue_positions(&third.before_ack), [Some(1)]);

    // Jana takes over Petr's chat (her own id), above her maximum.
    let path = format!("/api/conversations/{}/assign", petrs.conversation_id);
    let response = post_json(
        relay.addr,
        &path,
        Some(&jana),
        &json!({ "operatorId": jana_id }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["assignedTo"], jana_id);
    assert_eq!(response.json()["id"], petrs.conversation_id);
    // Petr has room now: the one waiting is his.
    assert_eq!(next_queue_position(&mut third.client).await, None);
    assert_eq!(
        summary(&relay, &petr, third.conversation_id).await["assignedTo"],
        petr_id
    );

    // Jana transfers her first chat to Petr, although he is at his maximum: people decided.
    let path = format!("/api/conversations/{}/assign", janas.conversation_id);
    let response = post_json(
        relay.addr,
        &path,
        Some(&jana),
        &json!({ "operatorId": petr_id }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["assignedTo"], petr_id);
    assert_eq!(
        open_chats(&relay, &jana).await,
        [("Jana".into(), 1), ("Petr".into(), 2)]
    );

    // Refusals change nothing.
    let refusals = [
        (
            path.clone(),
            json!({ "operatorId": 999 }),
            400,
            "bad_request",
        ),
        (
            path.clone(),
            json!({ "operator": petr_id }),
            400,
            "bad_request",
        ),
        (
            "/api/conversations/999/assign".to_owned(),
            json!({ "operatorId": jana_id }),
            404,
            "not_found",
        ),
    ];
    for (path, body, status, code) in refusals {
        let response = post_json(relay.addr, &path, Some(&jana), &body).await;
        assert_eq!(
            (response.status, response.error_code().as_str()),
            (status, code),
            "{body}"
        );
    }
    let response = post_json(relay.addr, &path, None, &json!({ "operatorId": jana_id })).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        summary(&relay, &jana, janas.conversation_id).await["assignedTo"],
        petr_id
    );
    assert_eq!(
        open_chats(&relay, &jana).await,
        [("Jana".into(), 1), ("Petr".into(), 2)]
    );
    relay.stop().await;
}

#[tokio::test]
async fn resolving_a_waiting_chat_takes_it_out_of_line() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    set_max_chats(&relay, &jana, 1).await;
    set_available(&relay, &jana, true).await;
    let served = visitor_writes(&relay, json!({}), "one").await;
    let mut second = visitor_writes(&relay, json!({}), "two").await;
    let mut third = visitor_writes(&relay, json!({}), "three").await;
    assert_eq!(queue_positions(&third.before_ack), [Some(2)]);

    resolve(&relay, &jana, second.conversation_id).await;
    assert_eq!(next_queue_position(&mut second.client).await, None);
    assert_eq!(next_queue_position(&mut third.client).await, Some(1));
    let (_, welcome) = Client::visitor_with(relay.addr, json!({ "token": second.token })).await;
    assert!(welcome.get("queuePosition").is_none(), "{welcome}");
    let jana_id = operator_id(&relay, &jana).await;
    assert_eq!(
        summary(&relay, &jana, served.conversation_id).await["assignedTo"],
        jana_id
    );
    assert!(
        summary(&relay, &jana, third.conversation_id)
            .await
            .get("assignedTo")
            .is_none()
    );
    relay.stop().await;
}
