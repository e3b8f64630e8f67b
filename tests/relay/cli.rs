//! The `beseda-relay` command line: help, adding operators and sites, environment variables,
//! and the first-run sign-in.

use beseda_tests::http::post_json;
use beseda_tests::{Client, RelayProcess};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");

fn relay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(RELAY)
        .args(args)
        .env("BESEDA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the relay");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_every_command_and_flag_with_its_environment_variable() {
    let help = relay(&["--help"], "");
    assert!(help.status.success());
    let help = text(&help.stdout);
    for word in [
        "serve",
        "operator",
        "site",
        "backup",
        "--listen",
        "--db",
        "--allow-origin",
        "[env: BESEDA_LISTEN=",
        "[env: BESEDA_DB=",
        "[env: BESEDA_ALLOW_ORIGINS=",
    ] {
        assert!(
            help.contains(word),
            "--help does not mention {word}:\n{help}"
        );
    }
    let serve = text(&relay(&["serve", "--help"], "").stdout);
    for flag in [
        "--max-text-chars",
        "--connections-per-ip",
        "--login-attempts",
        "--hello-timeout",
        "--idle-timeout",
        "BESEDA_VISITOR_MESSAGES_PER_MINUTE",
        "--visitor-identities-per-hour",
        "--conversations-per-hour",
        "BESEDA_CONVERSATIONS_PER_HOUR",
    ] {
        assert!(
            serve.contains(flag),
            "serve --help does not mention {flag}:\n{serve}"
        );
    }
    let add = text(&relay(&["operator", "add", "--help"], "").stdout);
    assert!(
        add.contains("--email") && add.contains("standard input"),
        "{add}"
    );
}

#[test]
fn a_bad_flag_value_is_a_clear_error() {
    let output = relay(&["serve", "--hello-timeout", "soon"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("not a duration"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test]
async fn an_added_operator_can_sign_in_and_bad_additions_change_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let db_arg = db.to_str().unwrap();
    let add = [
        "operator",
        "add",
        "--email",
        "eva@shop.example",
        "--name",
        "Eva",
        "--db",
        db_arg,
    ];

    let short = relay(&add, "short\n");
    assert_eq!(short.status.code(), Some(1));
    assert!(text(&short.stderr).contains("at least 8 characters"));
    let added = relay(&add, "a long enough secret\n");
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("Added operator Eva <eva@shop.example>"));
    let again = relay(&add, "another secret here\n");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("exists"),
        "{}",
        text(&again.stderr)
    );
    let not_email = relay(
        &[
            "operator", "add", "--email", "eva", "--name", "Eva", "--db", db_arg,
        ],
        "a long enough secret\n",
    );
    assert_eq!(not_email.status.code(), Some(1));

    let server = RelayProcess::start(RELAY, &db, &[]);
    let login = post_json(
        server.addr,
        "/api/login",
        None,
        &json!({ "email": "eva@shop.example", "password": "a long enough secret" }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["operator"]["name"], "Eva");
    let old = post_json(
        server.addr,
        "/api/login",
        None,
        &json!({ "email": "eva@shop.example", "password": "another secret here" }),
    )
    .await;
    assert_eq!(
        old.status, 401,
        "the refused second addition did not change the password"
    );
    server.kill();
}

/// `operator add` once had looser rules than the console's REST API: any email with an `@`
/// passed. Now both apply the same rules, so each of these additions is refused by both, with
/// the same sentence, and neither adds anyone.
#[tokio::test]
async fn operator_add_refuses_what_the_api_refuses_in_the_same_words() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let db_arg = db.to_str().unwrap();
    let long_name = "E".repeat(201);
    let secret = "a long enough secret";
    let password = "the password (read from standard input)";
    // Each differs from a good addition in one value, which the refusal names first.
    let cases = [
        ("--email", "eva@shop", "Eva", secret),
        ("--email", "eva novak@shop.example", "Eva", secret),
        ("--email", "@shop.example", "Eva", secret),
        ("--email", "eva@shop.example.", "Eva", secret),
        ("--name", "eva@shop.example", "   ", secret),
        ("--name", "eva@shop.example", &long_name, secret),
        ("--name", "eva@shop.example", "Eva\u{202E}nimdA", secret),
        (password, "eva@shop.example", "Eva", "seven77"),
        // Seven characters in fourteen bytes: characters are counted.
        (password, "eva@shop.example", "Eva", "žluťouč"),
    ];
    let mut refusals = Vec::new();
    for (value, email, name, password) in cases {
        let output = relay(
            &[
                "operator", "add", "--email", email, "--name", name, "--db", db_arg,
            ],
            &format!("{password}\n"),
        );
        let stderr = text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{value} {email:?} {name:?} {password:?}: {stderr}"
        );
        refusals.push(stderr);
    }

    // A first admin is made only in a database without operators: none was added above.
    let mut server = RelayProcess::start(RELAY, &db, &["--bootstrap-admin", "true"]);
    let line = server.next_line();
    assert!(line.contains("admin@localhost"), "{line}");
    let admin_password = line.trim().rsplit(' ').next().unwrap().to_owned();
    let login = post_json(
        server.addr,
        "/api/login",
        None,
        &json!({ "email": "admin@localhost", "password": admin_password }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    for ((value, email, name, password), refusal) in cases.iter().zip(&refusals) {
        let body = json!({ "email": email, "name": name, "password": password });
        let response = post_json(server.addr, "/api/operators", Some(&token), &body).await;
        assert_eq!(response.status, 400, "{body}: {}", response.body);
        let message = response.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            refusal.contains(&format!("{value}: {message}")),
            "{body}: the API says {message:?}, the command line {refusal:?}"
        );
    }
    assert!(server.terminate());

    // The same values the API accepts, the command line accepts too: trimmed and lowercased.
    let added = relay(
        &[
            "operator",
            "add",
            "--email",
            " Eva@Shop.Example ",
            "--name",
            " Eva ",
            "--db",
            db_arg,
        ],
        "žluťoučk\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(
        text(&added.stdout).contains("Added operator Eva <eva@shop.example>"),
        "{}",
        text(&added.stdout)
    );
}

#[tokio::test]
async fn a_site_must_be_added_before_visitors_can_use_it() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let db_arg = db.to_str().unwrap();
    assert!(
        relay(
            &[
                "site",
                "add",
                "eshop-cz",
                "--title",
                "E-shop CZ",
                "--db",
                db_arg
            ],
            ""
        )
        .status
        .success()
    );
    assert_eq!(
        relay(
            &[
                "site", "add", "eshop-cz", "--title", "Again", "--db", db_arg
            ],
            ""
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        relay(
            &["site", "add", "bad name!", "--title", "X", "--db", db_arg],
            ""
        )
        .status
        .code(),
        Some(1)
    );

    let server = RelayProcess::start(RELAY, &db, &[]);
    let mut client = Client::connect(server.addr, "/ws/visitor", None)
        .await
        .unwrap();
    client
        .send(json!({ "type": "hello", "version": 1, "site": "eshop-cz" }))
        .await;
    client.recv_type("welcome").await;
    server.kill();
}

#[tokio::test]
async fn flags_can_come_from_the_environment() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let child = Command::new(RELAY)
        .args(["--listen", "127.0.0.1:0", "--bootstrap-admin", "false"])
        .env("BESEDA_DB", &db)
        .env("BESEDA_MAX_TEXT_CHARS", "5")
        .env("BESEDA_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.0.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, welcome) = Client::visitor(addr, None, None).await;
    assert_eq!(welcome["maxTextChars"], 5);
    assert!(db.exists(), "BESEDA_DB chose the database file");
}

/// Kills the child when the test ends, however it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_empty_database_gets_a_first_admin_whose_sign_in_is_printed_once() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("beseda.db");
    let mut server = RelayProcess::start(RELAY, &db, &["--bootstrap-admin", "true"]);
    let line = server.next_line();
    assert!(line.contains("admin@localhost"), "{line}");
    let password = line.trim().rsplit(' ').next().unwrap().to_owned();
    let login = post_json(
        server.addr,
        "/api/login",
        None,
        &json!({ "email": "admin@localhost", "password": password }),
    )
    .await;
    assert_eq!(login.status, 200);
    assert_eq!(login.json()["operator"]["admin"], true);
    assert!(server.terminate());

    let server = RelayProcess::start(RELAY, &db, &["--bootstrap-admin", "true"]);
    assert!(
        server.terminate_and_read_rest().is_empty(),
        "the sign-in is printed only the first time"
    );
}
