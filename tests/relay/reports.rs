//! The manager's reports over real sockets: a visitor answered and rated, another left without
//! an answer, and every report reading them back (JSON and CSV) for an admin and an operator;
//! refusals of requests without a session and of bad dates, sites, names and formats.

use beseda_tests::http::{get, post_json, request};
use beseda_tests::workflow::{operator_id, set_available, until_ack, visitor_writes};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

fn header<'a>(response: &'a beseda_tests::http::Response, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

async fn report(relay: &TestRelay, token: &str, path: &str) -> Value {
    let response = get(relay.addr, path, Some(token)).await;
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    response.json()
}

async fn resolve(relay: &TestRelay, token: &str, conversation_id: i64) {
    let path = format!("/api/conversations/{conversation_id}/resolve");
    let response = request(relay.addr, "POST", &path, Some(token), None).await;
    assert_eq!(response.status, 200, "resolve: {}", response.body);
}

#[tokio::test]
async fn reports_count_what_happened_and_give_their_tables_as_csv() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let jana_id = operator_id(&relay, &jana).await;
    set_available(&relay, &jana, true).await;

    // Answered, resolved, rated with a comment a spreadsheet would take for a formula.
    let mut answered =
        visitor_writes(&relay, json!({}), "Dobrý den, kde je objednávka 1234?").await;
    let path = format!("/api/conversations/{}/messages", answered.conversation_id);
    let reply = post_json(
        relay.addr,
        &path,
        Some(&jana),
        &json!({ "text": "Je na cestě." }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    resolve(&relay, &jana, answered.conversation_id).await;
    answered
        .client
        .recv_until(|frame| frame["type"] == "status" && frame["status"] == "resolved")
        .await;
    let comment = "=HYPERLINK(\"http://zlo.example\")";
    answered
        .client
        .send(json!({ "type": "rate", "rating": "dissatisfied", "comment": comment }))
        .await;
    answered.client.recv_until_type("rated").await;

    // Resolved without an answer: missed.
    let mut left = visitor_writes(&relay, json!({}), "Haló, je tam někdo?").await;
    left.client.say("second", "Asi ne.").await;
    until_ack(&mut left.client, "second").await;
    resolve(&relay, &jana, left.conversation_id).await;

    let volume = report(&relay, &jana, "/api/reports/volume").await;
    assert_eq!(
        volume["current"]["totals"],
        json!({ "new": 2, "reopened": 0, "resolved": 2, "missed": 1, "contactForms": 0 })
    );
    assert_eq!(volume["current"]["days"].as_array().unwrap().len(), 7);
    assert_eq!(volume["previous"]["totals"]["new"], 0);
    assert_eq!(volume["site"], Value::Null);

    let response = report(&relay, &jana, "/api/reports/response").await;
    let first = &response["current"]["firstResponse"]["wallClock"];
    assert_eq!(first["count"], 1);
    assert_eq!(response["current"]["operators"][0]["operatorId"], jana_id);
    assert_eq!(response["current"]["resolution"]["wallClock"]["count"], 2);

    let satisfaction = report(&relay, &petr, "/api/reports/satisfaction?site=default").await;
    let current = &satisfaction["current"];
    assert_eq!(
        (
            &current["resolved"],
            &current["rated"],
            &current["dissatisfied"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(current["score"], 0.0);
    assert_eq!(current["responseRate"], 0.5);
    assert_eq!(
        current["comments"],
        json!([{
            "conversationId": answered.conversation_id,
            "rating": "dissatisfied",
            "comment": comment,
            "operatorId": jana_id,
        }])
    );

    let operators = report(&relay, &jana, "/api/reports/operators").await;
    let rows = operators["current"]["operators"].as_array().unwrap();
    let jana_row = rows
        .iter()
        .find(|row| row["operatorId"] == jana_id)
        .expect("Jana's row");
    assert_eq!(jana_row["messages"], 1);
    assert_eq!(jana_row["conversations"], 2, "both were hers");
    assert_eq!(jana_row["ratings"]["dissatisfied"], 1);

    let hours = report(&relay, &jana, "/api/reports/hours").await;
    let cells = hours["current"]["cells"].as_array().unwrap();
    let sum = |field: &str| -> u64 { cells.iter().map(|cell| cell[field].as_u64().unwrap()).sum() };
    assert_eq!((sum("conversations"), sum("visitorMessages")), (2, 3));
    for cell in cells.iter().filter(|cell| cell["conversations"] != 0) {
        assert_eq!(cell["hoursAvailable"], 1, "Jana was available then: {cell}");
        assert_eq!(cell["hoursInRange"], 1);
    }

    for name in ["prompts", "answers"] {
        let figures = report(&relay, &jana, &format!("/api/reports/{name}")).await;
        assert_eq!(figures["report"], name);
        assert!(figures["previous"].is_object());
    }

    // The comments as CSV: a byte order mark, the header, the guarded comment.
    let csv = get(
        relay.addr,
        "/api/reports/satisfaction?format=csv",
        Some(&jana),
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(
        header(&csv, "content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        csv.body,
        format!(
            "\u{feff}Conversation,Rating,Comment,Operator\r\n\
             {},dissatisfied,\"'=HYPERLINK(\"\"http://zlo.example\"\")\",{jana_id}\r\n",
            answered.conversation_id
        )
    );
    let today = volume["current"]["to"].as_str().unwrap().to_owned();
    let csv = get(
        relay.addr,
        &format!("/api/reports/volume?from={today}&to={today}&format=csv"),
        Some(&petr),
    )
    .await;
    assert_eq!(
        csv.body,
        format!("\u{feff}Date,New,Reopened,Resolved,Missed,Contact forms\r\n{today},2,0,2,1,0\r\n")
    );
}

#[tokio::test]
async fn reports_refuse_requests_without_a_session_and_with_bad_questions() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let unsigned = get(relay.addr, "/api/reports/volume", None).await;
    assert_eq!(unsigned.status, 401);
    let forged = get(relay.addr, "/api/reports/volume", Some("not-a-session")).await;
    assert_eq!(forged.status, 401);
    for (path, status) in [
        ("/api/reports/volume?from=2026-13-01", 400),
        ("/api/reports/volume?from=yesterday", 400),
        ("/api/reports/volume?from=2026-12-10&to=2026-12-01", 400),
        ("/api/reports/volume?from=2024-01-01&to=2026-01-01", 400),
        ("/api/reports/volume?site=nowhere", 400),
        ("/api/reports/volume?format=xml", 400),
        ("/api/reports/everything", 404),
    ] {
        let response = get(relay.addr, path, Some(&jana)).await;
        assert_eq!(response.status, status, "{path}: {}", response.body);
        assert!(
            !response.body.contains("SELECT") && !response.body.contains("report_"),
            "{}",
            response.body
        );
    }
    let fine = get(
        relay.addr,
        "/api/reports/volume?from=2026-12-01&to=2026-12-01&site=default",
        Some(&jana),
    )
    .await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    assert_eq!(fine.json()["previous"]["from"], "2026-11-30");
}
