//! Self-service answers: the REST API (validation, admins write, everyone reads), the search over
//! the visitor socket in the visitor's language, and the statistics — each opening counted once,
//! and a search that found nothing counted once per typing burst, for its final wording.

use beseda_tests::http::{Response, assert_refused, delete, get, post_json, put_json};
use beseda_tests::{Client, JANA, PATIENCE, PETR, TestRelay};
use serde_json::{Value, json};
use std::process::Command;

fn answer(language: &str, question: &str, keywords: &[&str], text: &str) -> Value {
    json!({ "site": "default", "language": language, "question": question,
            "keywords": keywords, "answer": text })
}

async fn create(relay: &TestRelay, token: &str, body: &Value) -> Value {
    let response = post_json(relay.addr, "/api/answers", Some(token), body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn list(relay: &TestRelay, token: &str, query: &str) -> Value {
    let response = get(relay.addr, &format!("/api/answers?{query}"), Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

async fn stats(relay: &TestRelay, token: &str) -> Value {
    let response = get(relay.addr, "/api/answers/stats?site=default", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// The shop's Czech and English answers; returns the ids of (payment, delivery, returns).
async fn seed(relay: &TestRelay, token: &str) -> (i64, i64, i64) {
    let pay = create(
        relay,
        token,
        &answer(
            "cs",
            "Jak mohu zaplatit?",
            &["platba", "karta"],
            "Kartou nebo převodem.",
        ),
    )
    .await;
    let delivery = create(
        relay,
        token,
        &answer(
            "cs",
            "Kdy dorazí doprava?",
            &["doručení", "balík"],
            "Do dvou pracovních dnů.",
        ),
    )
    .await;
    let returns = create(
        relay,
        token,
        &answer(
            "cs",
            "Jak vrátit zboží?",
            &["vrácení"],
            "Do 30 dnů; balík pošlete zpět.",
        ),
    )
    .await;
    create(
        relay,
        token,
        &answer(
            "en",
            "When will my order arrive?",
            &["delivery"],
            "Within two days.",
        ),
    )
    .await;
    let id = |value: Value| value["id"].as_i64().expect("an id");
    (id(pay), id(delivery), id(returns))
}

async fn czech_visitor(relay: &TestRelay) -> Client {
    Client::visitor_with(relay.addr, json!({ "locale": "cs-CZ" }))
        .await
        .0
}

/// Searches and returns the questions found.
async fn search(visitor: &mut Client, query: &str) -> Vec<String> {
    visitor
        .send(json!({ "type": "search", "query": query }))
        .await;
    let found = visitor.recv_type("answers").await;
    assert_eq!(found["query"], query);
    found["answers"]
        .as_array()
        .expect("a list of answers")
        .iter()
        .map(|hit| hit["question"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_error(frame: &Value, code: &str) {
    assert_eq!(
        (frame["type"].as_str(), frame["code"].as_str()),
        (Some("error"), Some(code)),
        "{frame}"
    );
}

#[tokio::test]
async fn admins_write_answers_everyone_reads_them_and_bad_input_changes_nothing() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let body = answer(
        "cs",
        " Kdy dorazí doprava? ",
        &[" doručení "],
        "Do dvou dnů.",
    );
    assert_refused(
        &post_json(relay.addr, "/api/answers", None, &body).await,
        401,
        "unauthorized",
        "no sign-in",
    );
    assert_refused(
        &post_json(relay.addr, "/api/answers", Some(&petr), &body).await,
        403,
        "forbidden",
        "an operator who is not an admin",
    );
    let created = create(&relay, &jana, &body).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        created,
        json!({ "id": id, "site": "default", "language": "cs", "question": "Kdy dorazí doprava?",
                "keywords": ["doručení"], "answer": "Do dvou dnů." })
    );

    let refusals: [(Value, u16, &str, &str); 7] = [
        (
            answer("fr", "Quand?", &[], "Demain."),
            400,
            "bad_request",
            "an unknown language",
        ),
        (
            answer("cs", "", &[], "Zítra."),
            400,
            "bad_request",
            "no question",
        ),
        (
            answer("cs", "Kdy?\nA kde?", &[], "Zítra."),
            400,
            "bad_request",
            "two lines",
        ),
        (
            answer("cs", "Kdy?", &[&"k".repeat(65)], "Zítra."),
            400,
            "bad_request",
            "a long keyword",
        ),
        (
            answer("cs", "Kdy?", &[], &"a".repeat(4001)),
            400,
            "text_too_long",
            "a long answer",
        ),
        (
            json!({ "site": "nowhere", "language": "cs", "question": "Kdy?", "answer": "Zítra." }),
            400,
            "bad_request",
            "an unknown site",
        ),
        (
            answer("cs", "kdy dorazí DOPRAVA?", &[], "Jindy."),
            409,
            "conflict",
            "the same question",
        ),
    ];
    for (body, status, code, what) in &refusals {
        let response = post_json(relay.addr, "/api/answers", Some(&jana), body).await;
        assert_refused(&response, *status, code, what);
    }
    let not_json =
        beseda_tests::http::request(relay.addr, "POST", "/api/answers", Some(&jana), Some(b"{"))
            .await;
    assert_refused(&not_json, 400, "bad_request", "not JSON");
    // The same question in English is another answer.
    create(
        &relay,
        &jana,
        &answer("en", "Kdy dorazí doprava?", &[], "Soon."),
    )
    .await;

    // Everyone reads, by site and language; the site must be named and exist.
    assert_eq!(
        list(&relay, &petr, "site=default&language=cs").await,
        json!([created])
    );
    assert_eq!(
        list(&relay, &petr, "site=default")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let unknown = |path: &'static str| get(relay.addr, path, Some(&petr));
    assert_refused(
        &unknown("/api/answers").await,
        400,
        "bad_request",
        "no site",
    );
    assert_refused(
        &unknown("/api/answers?site=nowhere").await,
        404,
        "not_found",
        "unknown site",
    );
    assert_refused(
        &unknown("/api/answers?site=default&language=xx").await,
        400,
        "bad_request",
        "unknown language",
    );
    assert_refused(
        &unknown("/api/answers/stats?site=nowhere").await,
        404,
        "not_found",
        "stats of an unknown site",
    );

    // Changing and deleting are the admins'; a refused change leaves the answer as it was.
    let path = format!("/api/answers/{id}");
    let changed = answer("cs", "Kdy přijde balík?", &["doprava"], "Zítra.");
    assert_refused(
        &put_json(relay.addr, &path, Some(&petr), &changed).await,
        403,
        "forbidden",
        "a change by a non-admin",
    );
    assert_refused(
        &put_json(
            relay.addr,
            &path,
            Some(&jana),
            &answer("cs", "Kdy?", &[], " "),
        )
        .await,
        400,
        "text_empty",
        "an empty answer",
    );
    assert_refused(
        &put_json(relay.addr, "/api/answers/9999", Some(&jana), &changed).await,
        404,
        "not_found",
        "a change of nothing",
    );
    assert_eq!(
        list(&relay, &petr, "site=default&language=cs").await,
        json!([created])
    );
    let response = put_json(relay.addr, &path, Some(&jana), &changed).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["question"], "Kdy přijde balík?");
    assert_refused(
        &delete(relay.addr, &path, Some(&petr)).await,
        403,
        "forbidden",
        "a deletion by a non-admin",
    );
    assert_eq!(delete(relay.addr, &path, Some(&jana)).await.status, 204);
    assert_refused(
        &delete(relay.addr, &path, Some(&jana)).await,
        404,
        "not_found",
        "deleted twice",
    );
    assert_eq!(
        list(&relay, &petr, "site=default&language=cs").await,
        json!([])
    );
}

#[tokio::test]
async fn visitors_search_the_answers_in_their_own_language() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    seed(&relay, &jana).await;
    let mut czech = czech_visitor(&relay).await;
    assert_eq!(search(&mut czech, "doprava").await, ["Kdy dorazí doprava?"]);
    assert_eq!(search(&mut czech, "DORAZI").await, ["Kdy dorazí doprava?"]);
    assert_eq!(
        search(&mut czech, "vrátit balík").await,
        ["Jak vrátit zboží?", "Kdy dorazí doprava?"]
    );
    assert!(search(&mut czech, "zelená bunda").await.is_empty());
    assert!(
        search(&mut czech, "arrive").await.is_empty(),
        "English is not Czech"
    );
    // The hit carries the answer's text, to be shown as text.
    czech
        .send(json!({ "type": "search", "query": "zaplatit" }))
        .await;
    let found = czech.recv_type("answers").await;
    assert_eq!(found["answers"][0]["answer"], "Kartou nebo převodem.");

    // A visitor without a known language gets the English answers.
    let (mut english, _) = Client::visitor_with(relay.addr, json!({ "locale": "fr" })).await;
    assert_eq!(
        search(&mut english, "arrive").await,
        ["When will my order arrive?"]
    );

    // A change is found at once.
    let answers = list(&relay, &jana, "site=default&language=cs").await;
    let delivery = answers
        .as_array()
        .unwrap()
        .iter()
        .find(|answer| answer["question"] == "Kdy dorazí doprava?")
        .unwrap();
    let path = format!("/api/answers/{}", delivery["id"]);
    let changed = answer("cs", "Kdy přijde zásilka?", &[], "Zítra.");
    assert_eq!(
        put_json(relay.addr, &path, Some(&jana), &changed)
            .await
            .status,
        200
    );
    assert_eq!(search(&mut czech, "zásilka").await, ["Kdy přijde zásilka?"]);
    assert!(search(&mut czech, "doprava").await.is_empty());
}

#[tokio::test]
async fn searches_are_limited_in_length_and_rate() {
    let relay = TestRelay::start().await;
    let mut visitor = czech_visitor(&relay).await;
    visitor
        .send(json!({ "type": "search", "query": "a".repeat(201) }))
        .await;
    assert_error(&visitor.recv().await, "text_too_long");
    for round in 0..60 {
        let query = format!("bunda {round}");
        visitor
            .send(json!({ "type": "search", "query": query }))
            .await;
        assert_eq!(visitor.recv_type("answers").await["query"], query);
    }
    visitor
        .send(json!({ "type": "search", "query": "bunda" }))
        .await;
    assert_error(&visitor.recv().await, "rate_limited");
    // The socket stays open: a message still goes through.
    visitor.say("c-1", "Dobrý den").await;
    visitor.recv_type("ack").await;
}

#[tokio::test]
async fn each_opening_counts_once_and_only_offered_answers_open() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let (pay, delivery, returns) = seed(&relay, &jana).await;
    let mut visitor = czech_visitor(&relay).await;
    visitor
        .send(json!({ "type": "answerOpened", "id": pay }))
        .await;
    assert_error(&visitor.recv().await, "not_found");

    assert_eq!(
        search(&mut visitor, "doprava").await,
        ["Kdy dorazí doprava?"]
    );
    for _ in 0..2 {
        visitor
            .send(json!({ "type": "answerOpened", "id": delivery }))
            .await;
    }
    // A second visitor opens it too; the frames above are handled in order before this search.
    assert_eq!(search(&mut visitor, "vrátit").await, ["Jak vrátit zboží?"]);
    let mut other = czech_visitor(&relay).await;
    assert_eq!(
        search(&mut other, "doručení").await,
        ["Kdy dorazí doprava?"]
    );
    other
        .send(json!({ "type": "answerOpened", "id": delivery }))
        .await;
    assert!(search(&mut other, "xyz").await.is_empty());

    let stats = stats(&relay, &petr).await;
    let opened: Vec<(i64, u64)> = stats["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["id"].as_i64().unwrap(), row["opened"].as_u64().unwrap()))
        .collect();
    assert_eq!(opened[0], (delivery, 2), "{stats}");
    assert!(
        opened.contains(&(pay, 0)) && opened.contains(&(returns, 0)),
        "{stats}"
    );
    assert_eq!(
        opened.len(),
        4,
        "every answer of the site, in every language"
    );
    assert!(
        stats["answers"][0]["lastOpenedAt"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

#[tokio::test]
async fn a_search_that_found_nothing_counts_once_per_typing_burst() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    seed(&relay, &jana).await;
    let mut visitor = czech_visitor(&relay).await;
    // One question typed with pauses: only its final wording counts, when it is sent.
    for query in ["zel", "zelená", "zelená  bunda"] {
        assert!(search(&mut visitor, query).await.is_empty());
    }
    visitor.say("c-1", "Zelená bunda?").await;
    visitor.recv_type("ack").await;
    let misses = &stats(&relay, &jana).await["misses"];
    assert_eq!(misses.as_array().unwrap().len(), 1, "{misses}");
    assert_eq!(misses[0]["query"], "zelena bunda");
    assert_eq!(misses[0]["text"], "zelená bunda");
    assert_eq!(
        (misses[0]["language"].as_str(), misses[0]["count"].as_u64()),
        (Some("cs"), Some(1))
    );

    // A burst that ends on a find, or on an opened answer, counts nothing.
    assert!(search(&mut visitor, "dorq").await.is_empty());
    assert_eq!(
        search(&mut visitor, "doručení").await,
        ["Kdy dorazí doprava?"]
    );
    visitor.say("c-2", "Děkuji").await;
    visitor.recv_type("ack").await;
    // Stop words alone are no search for anything.
    assert!(search(&mut visitor, "jak kdy").await.is_empty());
    visitor.say("c-3", "Jak kdy").await;
    visitor.recv_type("ack").await;
    assert_eq!(
        stats(&relay, &jana).await["misses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another visitor asks the same in other words and leaves: counted when the socket closes.
    let mut other = czech_visitor(&relay).await;
    assert!(search(&mut other, "Zelená BUNDA!").await.is_empty());
    // A different start is another question: the earlier one ends and is counted at once.
    assert!(search(&mut other, "modrá čepice").await.is_empty());
    other.close().await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let misses = loop {
        let misses = stats(&relay, &jana).await["misses"].clone();
        if misses.as_array().unwrap().len() == 2 || tokio::time::Instant::now() > deadline {
            break misses;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(misses[0]["query"], "zelena bunda", "{misses}");
    assert_eq!(misses[0]["count"], 2);
    assert_eq!(misses[0]["text"], "Zelená BUNDA!", "the latest wording");
    assert_eq!(
        (misses[1]["query"].as_str(), misses[1]["count"].as_u64()),
        (Some("modra cepice"), Some(1))
    );
}

#[tokio::test]
async fn the_demo_answers_import_from_the_command_line_idempotently() {
    let relay_binary = env!("CARGO_BIN_EXE_relay-process");
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    beseda_tests::prepare_database(&db).await;
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/answers/demo.json");
    let run = |args: &[&str]| {
        let output = Command::new(relay_binary)
            .args(args)
            .arg("--db")
            .arg(&db)
            .env("BESEDA_LOG", "warn")
            .output()
            .expect("run the relay");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, output) = run(&["answers", "import", "--site", "demo", file]);
    assert!(
        !ok && output.contains("no site"),
        "an unknown site: {output}"
    );
    assert!(run(&["site", "add", "demo", "--title", "Horská bunda"]).0);
    let (ok, output) = run(&["answers", "import", "--site", "demo", "--if-empty", file]);
    assert!(ok, "{output}");
    assert!(output.contains("20 added, 0 updated"), "{output}");
    let (ok, output) = run(&["answers", "import", "--site", "demo", file]);
    assert!(ok && output.contains("0 added, 20 updated"), "{output}");
    // Seeding (as `make run` does) leaves a site with answers alone.
    let (ok, output) = run(&["answers", "import", "--site", "demo", "--if-empty", file]);
    assert!(ok && output.contains("nothing imported"), "{output}");
    let bad = directory.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{ "language": "xx", "question": "?", "answer": "!" }]"#,
    )
    .unwrap();
    let (ok, output) = run(&["answers", "import", "--site", "demo", bad.to_str().unwrap()]);
    assert!(!ok && output.contains("entry 1: language"), "{output}");

    let process = beseda_tests::RelayProcess::start(relay_binary, &db, &[]);
    let token = {
        let response: Response = post_json(
            process.addr,
            "/api/login",
            None,
            &json!({ "email": JANA.0, "password": JANA.1 }),
        )
        .await;
        response.json()["token"].as_str().unwrap().to_owned()
    };
    for language in ["cs", "en"] {
        let path = format!("/api/answers?site=demo&language={language}");
        let answers = get(process.addr, &path, Some(&token)).await.json();
        assert_eq!(answers.as_array().unwrap().len(), 10, "{language}");
    }
    let mut visitor = Client::connect(process.addr, "/ws/visitor", None)
        .await
        .unwrap();
    visitor
        .send(json!({ "type": "hello", "version": 1, "site": "demo", "locale": "cs" }))
        .await;
    visitor.recv_type("welcome").await;
    assert_eq!(
        search(&mut visitor, "doprava").await[0],
        "Kdy mi objednávka dorazí?"
    );
    assert!(process.terminate());
}
