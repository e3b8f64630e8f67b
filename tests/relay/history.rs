//! The history over REST and the sockets: searching without case and diacritics with snippets,
//! filters and keyset pages, internal notes that reach the consoles and never the visitor, a
//! review round trip with its weekly sample, the CSV export and the transcripts, and every
//! refusal (401, 403, 400, 404).

use beseda_tests::http::{Response, assert_refused, delete, get, post_json, put_json};
use beseda_tests::workflow::{detail, operator_id, until_ack, visitor_writes};
use beseda_tests::{Client, JANA, PETR, TestRelay};
use serde_json::{Value, json};

/// A query value percent-encoded (letters and digits kept).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

async fn list(relay: &TestRelay, token: &str, query: &str) -> Vec<Value> {
    let response = get(
        relay.addr,
        &format!("/api/conversations?{query}"),
        Some(token),
    )
    .await;
    assert_eq!(response.status, 200, "{query}: {}", response.body);
    response.json().as_array().expect("a list").clone()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn marked(item: &Value) -> Vec<String> {
    item["snippet"]["parts"]
        .as_array()
        .expect("snippet parts")
        .iter()
        .filter(|part| part["match"] == true)
        .map(|part| part["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_finds_words_without_case_and_diacritics_pages_and_exports_csv() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let refund = visitor_writes(&relay, json!({}), "Chci vrácení peněz, prosím.")
        .await
        .conversation_id;
    let goods = visitor_writes(&relay, json!({}), "VRÁCENÍ zboží: jak na to?")
        .await
        .conversation_id;
    let other = visitor_writes(&relay, json!({}), "=HYPERLINK(\"http://evil.example\")")
        .await
        .conversation_id;
    let resolve = format!("/api/conversations/{refund}/resolve");
    assert_eq!(
        post_json(relay.addr, &resolve, Some(&jana), &json!({}))
            .await
            .status,
        200
    );

    for query in ["vraceni", "VRÁCENÍ", "vrac", "Vrác"] {
        let found = list(&relay, &jana, &format!("q={}", encode(query))).await;
        assert_eq!(ids(&found), [goods, refund], "{query}");
        assert_eq!(marked(&found[0]), ["VRÁCENÍ"], "{query}");
        assert_eq!(marked(&found[1]), ["vrácení"], "{query}");
    }
    let both = list(&relay, &jana, &format!("q={}", encode("peněz VRAC"))).await;
    assert_eq!(ids(&both), [refund]);
    assert_eq!(both[0]["snippet"]["text"], "Chci vrácení peněz, prosím.");
    // Hostile queries are words, never syntax: an answer, not an error.
    for hostile in ["a AND", "\"", "*", "-", ":", "' OR 1=1 --", "NEAR(", "&|!"] {
        list(&relay, &jana, &format!("q={}", encode(hostile))).await;
    }

    // Without a status, every status; with one, that status.
    assert_eq!(
        ids(&list(&relay, &jana, "limit=10").await),
        [other, goods, refund]
    );
    assert_eq!(
        ids(&list(&relay, &jana, "limit=10&status=resolved").await),
        [refund]
    );
    assert_eq!(
        ids(&list(&relay, &jana, "site=default&status=open").await),
        [other, goods]
    );

    // Keyset pages: a conversation started between pages is not on the later ones, and none
    // is listed twice or skipped.
    let first = list(&relay, &jana, "limit=2").await;
    assert_eq!(ids(&first), [other, goods]);
    let newer = visitor_writes(&relay, json!({}), "Nová otázka")
        .await
        .conversation_id;
    let cursor = first[1]["cursor"].as_str().unwrap();
    let second = list(&relay, &jana, &format!("limit=2&cursor={}", encode(cursor))).await;
    assert_eq!(ids(&second), [refund]);
    let last = second[0]["cursor"].as_str().unwrap();
    assert!(
        list(&relay, &jana, &format!("limit=2&cursor={}", encode(last)))
            .await
            .is_empty()
    );
    assert_eq!(ids(&list(&relay, &jana, "limit=1").await), [newer]);

    let csv = get(
        relay.addr,
        "/api/conversations?format=csv&q=vrac",
        Some(&jana),
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.body.split("\r\n").collect();
    assert!(
        lines[0].starts_with("\u{FEFF}id,site,status,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 4, "header, two rows, end: {:?}", lines);
    assert!(
        lines[1].starts_with(&format!("\"{goods}\",\"default\",\"open\"")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("\"VRÁCENÍ zboží: jak na to?\""),
        "{}",
        lines[1]
    );
    let all = get(relay.addr, "/api/conversations?format=csv", Some(&jana)).await;
    assert!(
        all.body
            .contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "a formula is defused: {}",
        all.body
    );
}

#[tokio::test]
async fn notes_reach_the_consoles_and_never_the_visitor() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let mut visitor = visitor_writes(&relay, json!({}), "Dobrý den, kde je balík?").await;
    let id = visitor.conversation_id;
    let (mut console, _) = relay.operator(&jana).await;

    let secret = "Zákazník je podezřelý, tajná poznámka";
    let path = format!("/api/conversations/{id}/notes");
    let note = post_json(
        relay.addr,
        &path,
        Some(&petr),
        &json!({ "text": format!("  {secret}  ") }),
    )
    .await;
    assert_eq!(note.status, 201, "{}", note.body);
    let note = note.json();
    assert_eq!(
        (&note["text"], &note["author"]),
        (&json!(secret), &json!("Petr"))
    );
    let (_, heard) = console.recv_until_type("note").await;
    assert_eq!(heard["note"], note);

    // A reply after the note: the visitor's socket gets it, and nothing of the note before it.
    let reply = post_json(
        relay.addr,
        &format!("/api/conversations/{id}/messages"),
        Some(&jana),
        &json!({ "text": "Balík je na cestě." }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let (before, message) = visitor
        .client
        .recv_until(|frame| frame["type"] == "message")
        .await;
    assert_eq!(message["message"]["text"], "Balík je na cestě.");
    let heard = format!("{before:?}");
    assert!(
        !heard.contains("podezřelý") && !heard.contains("note"),
        "{heard}"
    );
    // Nor in the history a visitor reads when they come back.
    let (mut again, welcome) =
        Client::visitor_with(relay.addr, json!({ "token": visitor.token, "lastSeq": 0 })).await;
    assert!(!welcome.to_string().contains("podezřelý"), "{welcome}");
    again.say("later", "Díky").await;
    let (frames, _) = until_ack(&mut again, "later").await;
    assert!(!format!("{frames:?}").contains("podezřelý"));

    let stored = detail(&relay, &jana, id).await;
    assert_eq!(stored["notes"], json!([note]));
    assert!(
        stored["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|message| message["text"] != secret)
    );

    // The transcript holds notes only when asked.
    let transcript = format!("/api/conversations/{id}/transcript");
    let plain = get(relay.addr, &transcript, Some(&jana)).await;
    assert_eq!(plain.status, 200);
    assert!(plain.body.contains("Balík je na cestě.") && !plain.body.contains(secret));
    let with_notes = get(relay.addr, &format!("{transcript}?notes=true"), Some(&jana)).await;
    assert!(with_notes.body.contains(secret), "{}", with_notes.body);

    // Refusals change nothing.
    let empty = post_json(relay.addr, &path, Some(&jana), &json!({ "text": "   " })).await;
    assert_refused(&empty, 400, "text_empty", "a blank note");
    let long = post_json(
        relay.addr,
        &path,
        Some(&jana),
        &json!({ "text": "x".repeat(4001) }),
    )
    .await;
    assert_refused(&long, 400, "text_too_long", "a long note");
    let nowhere = post_json(
        relay.addr,
        "/api/conversations/9999/notes",
        Some(&jana),
        &json!({ "text": "x" }),
    )
    .await;
    assert_refused(&nowhere, 404, "not_found", "a note on nothing");
    let anonymous = post_json(relay.addr, &path, None, &json!({ "text": "x" })).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        detail(&relay, &jana, id).await["notes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_review_round_trip_with_the_weekly_sample() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    let mut handled = Vec::new();
    for text in ["První", "Druhá", "Třetí"] {
        let id = visitor_writes(&relay, json!({}), text)
            .await
            .conversation_id;
        let assign = post_json(
            relay.addr,
            &format!("/api/conversations/{id}/assign"),
            Some(&jana),
            &json!({ "operatorId": petr_id }),
        )
        .await;
        assert_eq!(assign.status, 200, "{}", assign.body);
        handled.push(id);
    }
    let id = handled[0];
    let review = format!("/api/conversations/{id}/review");

    let by_petr = put_json(
        relay.addr,
        &review,
        Some(&petr),
        &json!({ "verdict": "good" }),
    )
    .await;
    assert_refused(&by_petr, 403, "forbidden", "an operator reviewing");
    let bad = put_json(
        relay.addr,
        &review,
        Some(&jana),
        &json!({ "verdict": "great" }),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let long = put_json(
        relay.addr,
        &review,
        Some(&jana),
        &json!({ "verdict": "good", "comment": "x".repeat(1001) }),
    )
    .await;
    assert_refused(&long, 400, "bad_request", "a long comment");
    assert!(detail(&relay, &petr, id).await.get("review").is_none());

    let written = put_json(
        relay.addr,
        &review,
        Some(&jana),
        &json!({ "verdict": "coaching", "comment": "Pozdravit jménem <b>vždy</b>" }),
    )
    .await;
    assert_eq!(written.status, 200, "{}", written.body);
    // The operator who handled it sees it.
    let seen = detail(&relay, &petr, id).await["review"].clone();
    assert_eq!(
        (&seen["verdict"], &seen["comment"], &seen["reviewer"]),
        (
            &json!("coaching"),
            &json!("Pozdravit jménem <b>vždy</b>"),
            &json!("Jana")
        )
    );
    assert_eq!(ids(&list(&relay, &jana, "reviewed=true").await), [id]);
    // Another operator sees that it was reviewed, not the verdict or the comment.
    let eva =
        json!({ "email": "eva@shop.example", "name": "Eva", "password": "long enough password" });
    let added = post_json(relay.addr, "/api/operators", Some(&jana), &eva).await;
    assert_eq!(added.status, 201, "{}", added.body);
    let eva = relay
        .login(("eva@shop.example", "long enough password"))
        .await;
    assert!(detail(&relay, &eva, id).await.get("review").is_none());
    let listed = list(&relay, &eva, "reviewed=true").await;
    assert_eq!(
        (ids(&listed), &listed[0]["reviewed"]),
        (vec![id], &json!(true))
    );
    assert!(listed[0].get("review").is_none(), "{}", listed[0]);
    let listed = list(&relay, &petr, "reviewed=true").await;
    assert_eq!(listed[0]["review"]["verdict"], "coaching");
    let open = list(&relay, &petr, &format!("reviewed=false&operator={petr_id}")).await;
    assert_eq!(ids(&open), [handled[2], handled[1]]);

    // The sample: not yet reviewed, this week, the same on every call.
    let sample_path = format!("/api/reviews/sample?operator={petr_id}&n=2");
    let sample = get(relay.addr, &sample_path, Some(&jana)).await;
    assert_eq!(sample.status, 200, "{}", sample.body);
    let sample = sample.json();
    let picked = ids(sample["conversations"].as_array().unwrap());
    assert_eq!(picked.len(), 2);
    assert!(picked.iter().all(|picked| *picked != id), "{picked:?}");
    let again = get(relay.addr, &sample_path, Some(&jana)).await.json();
    assert_eq!(again, sample);
    let by_operator = get(relay.addr, &sample_path, Some(&petr)).await;
    assert_refused(&by_operator, 403, "forbidden", "an operator's sample");

    assert_refused(
        &delete(relay.addr, &review, Some(&petr)).await,
        403,
        "forbidden",
        "clear",
    );
    assert_eq!(delete(relay.addr, &review, Some(&jana)).await.status, 204);
    assert_refused(
        &delete(relay.addr, &review, Some(&jana)).await,
        404,
        "not_found",
        "again",
    );
    assert!(list(&relay, &jana, "reviewed=true").await.is_empty());
    assert!(detail(&relay, &petr, id).await.get("review").is_none());
}

#[tokio::test]
async fn transcripts_are_readable_and_escaped() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "<script>alert(1)</script> & \"vrácení\"")
        .await
        .conversation_id;
    let path = format!("/api/conversations/{id}/transcript");
    let text = get(relay.addr, &format!("{path}?format=text"), Some(&jana)).await;
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        text.body
            .contains("Visitor: <script>alert(1)</script> & \"vrácení\""),
        "{}",
        text.body
    );
    let html = get(relay.addr, &format!("{path}?format=html"), Some(&jana)).await;
    assert_eq!(html.status, 200);
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        html.header("content-security-policy")
            .is_some_and(|policy| policy.contains("default-src 'none'"))
    );
    assert!(!html.body.contains("<script>"), "{}", html.body);
    assert!(
        html.body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;vrácení&quot;"),
        "{}",
        html.body
    );
    assert!(html.body.contains("@media print"));
}

#[tokio::test]
async fn bad_parameters_and_missing_sign_ins_are_refused() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = visitor_writes(&relay, json!({}), "Ahoj")
        .await
        .conversation_id;
    for path in [
        "/api/conversations?q=x".to_owned(),
        format!("/api/conversations/{id}/transcript"),
        "/api/reviews/sample?operator=1".to_owned(),
    ] {
        let response: Response = get(relay.addr, &path, None).await;
        assert_eq!(response.status, 401, "{path}");
    }
    let review = format!("/api/conversations/{id}/review");
    let put = put_json(relay.addr, &review, None, &json!({ "verdict": "good" })).await;
    assert_eq!(put.status, 401);
    assert_eq!(delete(relay.addr, &review, None).await.status, 401);
    let forged = get(
        relay.addr,
        "/api/conversations?format=csv",
        Some("not-a-token"),
    )
    .await;
    assert_eq!(forged.status, 401);
    let long_query = "x".repeat(201);
    for query in [
        "status=closed",
        "limit=0",
        "limit=201",
        "limit=many",
        "cursor=forged",
        "cursor=h1.zz",
        "from=2026-13-01",
        "from=2026-12-07&to=2026-12-01",
        "to=yesterday",
        "rating=great",
        "reviewed=maybe",
        "operator=jana",
        "format=xml",
        &format!("q={long_query}"),
    ] {
        let response = get(
            relay.addr,
            &format!("/api/conversations?{query}"),
            Some(&jana),
        )
        .await;
        assert_refused(&response, 400, "bad_request", query);
    }
    for query in ["operator=1&week=2026-49", "operator=1&n=0", "week=2026-W49"] {
        let response = get(
            relay.addr,
            &format!("/api/reviews/sample?{query}"),
            Some(&jana),
        )
        .await;
        assert_refused(&response, 400, "bad_request", query);
    }
    let transcript = get(
        relay.addr,
        &format!("/api/conversations/{id}/transcript?format=pdf"),
        Some(&jana),
    )
    .await;
    assert_refused(&transcript, 400, "bad_request", "a transcript format");
    let missing = get(
        relay.addr,
        "/api/conversations/9999/transcript",
        Some(&jana),
    )
    .await;
    assert_refused(&missing, 404, "not_found", "a missing transcript");
    // Today's list without history parameters is unchanged: every status, the most urgent first.
    let today = get(relay.addr, "/api/conversations", Some(&jana))
        .await
        .json();
    assert_eq!(ids(today.as_array().unwrap()), [id]);
    assert!(today[0].get("cursor").is_none());
}
