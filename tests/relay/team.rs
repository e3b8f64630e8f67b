//! What the team manages over REST: operators and profiles, the team's and the sites' settings.
//! Every refusal (401, 403, 404, 400, 409) is checked with its code, and that it changed nothing.

use beseda_tests::http::{assert_refused, get, post_json, put_json};
use beseda_tests::workflow::{default_site, operator_id};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

async fn operators(relay: &TestRelay, token: &str) -> Value {
    let response = get(relay.addr, "/api/operators", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn admins_add_operators_with_valid_details_and_others_may_not() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    assert_refused(
        &get(relay.addr, "/api/operators", None).await,
        401,
        "unauthorized",
        "list",
    );
    let before = operators(&relay, &petr).await;
    let names: Vec<&Value> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["name"])
        .collect();
    assert_eq!(names, [&json!("Jana"), &json!("Petr")]);
    let keys: Vec<&String> = before[1].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["admin", "email", "id", "name", "online", "openChats"]
    );

    let eva = json!({ "email": " Eva@Shop.Example ", "name": " Eva ", "password": "long enough" });
    assert_refused(
        &post_json(relay.addr, "/api/operators", Some(&petr), &eva).await,
        403,
        "forbidden",
        "not an admin",
    );
    assert_refused(
        &post_json(relay.addr, "/api/operators", None, &eva).await,
        401,
        "unauthorized",
        "no token",
    );

    let response = post_json(relay.addr, "/api/operators", Some(&jana), &eva).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let created = response.json();
    assert_eq!(created["name"], "Eva");
    assert_eq!(created["email"], "eva@shop.example");
    assert_eq!(created["admin"], false);
    assert!(
        created["id"].is_i64() && created.get("password").is_none(),
        "{created}"
    );
    relay.login(("eva@shop.example", "long enough")).await;
    let after = operators(&relay, &jana).await;
    assert_eq!(after.as_array().unwrap().len(), 3);

    let refusals = [
        (
            json!({ "email": "EVA@shop.example", "name": "Eva 2", "password": "long enough" }),
            409,
            "conflict",
        ),
        (
            json!({ "email": "eva", "name": "Eva", "password": "long enough" }),
            400,
            "invalid_email",
        ),
        (
            json!({ "email": "ota@shop.example", "name": "  ", "password": "long enough" }),
            400,
            "bad_request",
        ),
        (
            json!({ "email": "ota@shop.example", "name": "Ota", "password": "short" }),
            400,
            "bad_request",
        ),
        (
            json!({ "email": "ota@shop.example", "name": "Ota" }),
            400,
            "bad_request",
        ),
    ];
    for (body, status, code) in refusals {
        let response = post_json(relay.addr, "/api/operators", Some(&jana), &body).await;
        assert_refused(&response, status, code, &body.to_string());
    }
    assert_eq!(
        operators(&relay, &jana).await,
        after,
        "refusals change nothing"
    );

    let boss = json!({ "email": "ota@shop.example", "name": "Ota", "password": "long enough", "admin": true });
    let response = post_json(relay.addr, "/api/operators", Some(&jana), &boss).await;
    assert_eq!(
        (response.status, &response.json()["admin"]),
        (201, &json!(true))
    );
    relay.stop().await;
}

#[tokio::test]
async fn profiles_are_changed_by_their_owners_and_roles_by_admins() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    let petr_id = operator_id(&relay, &petr).await;
    let photo = "https://shop.example/team/petr.jpg";
    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&petr),
        &json!({ "name": " Petr N. ", "photoUrl": photo }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let profile = response.json();
    assert_eq!(
        (&profile["name"], &profile["photoUrl"], &profile["admin"]),
        (&json!("Petr N."), &json!(photo), &json!(false))
    );
    assert_eq!(
        get(relay.addr, "/api/me", Some(&petr)).await.json(),
        profile
    );

    let refusals = [
        (json!({ "admin": true }), 403, "forbidden"),
        (
            json!({ "photoUrl": "javascript:alert(1)" }),
            400,
            "bad_request",
        ),
        (
            json!({ "photoUrl": "https://shop.example/a b.jpg" }),
            400,
            "bad_request",
        ),
        (
            json!({ "photoUrl": "https://shop.example/\"onerror=\"x" }),
            400,
            "bad_request",
        ),
        (json!({ "name": "   " }), 400, "bad_request"),
        (json!({ "name": "x".repeat(201) }), 400, "bad_request"),
        (json!({ "name": 7 }), 400, "bad_request"),
    ];
    for (body, status, code) in refusals {
        let response = put_json(relay.addr, "/api/me", Some(&petr), &body).await;
        assert_refused(&response, status, code, &body.to_string());
    }
    assert_refused(
        &put_json(relay.addr, "/api/me", None, &json!({})).await,
        401,
        "unauthorized",
        "no token",
    );
    assert_eq!(
        get(relay.addr, "/api/me", Some(&petr)).await.json(),
        profile,
        "unchanged"
    );

    // An empty address removes the photo; fields left out stay.
    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&petr),
        &json!({ "photoUrl": "" }),
    )
    .await;
    assert_eq!(response.status, 200);
    assert!(response.json().get("photoUrl").is_none());
    assert_eq!(response.json()["name"], "Petr N.");

    // Admins change others, roles included; nobody else does.
    let path = format!("/api/operators/{petr_id}");
    let promote = json!({ "admin": true, "name": "Petr Novák" });
    assert_refused(
        &put_json(relay.addr, &path, Some(&petr), &promote).await,
        403,
        "forbidden",
        "self-promotion",
    );
    assert_refused(
        &put_json(relay.addr, &path, None, &promote).await,
        401,
        "unauthorized",
        "no token",
    );
    assert_refused(
        &put_json(relay.addr, "/api/operators/999", Some(&jana), &promote).await,
        404,
        "not_found",
        "nobody",
    );
    let bad_photo = json!({ "photoUrl": "data:image/png;base64,AAAA" });
    assert_refused(
        &put_json(relay.addr, &path, Some(&jana), &bad_photo).await,
        400,
        "bad_request",
        "photo",
    );
    assert_eq!(
        get(relay.addr, "/api/me", Some(&petr)).await.json()["admin"],
        false
    );
    let response = put_json(relay.addr, &path, Some(&jana), &promote).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        (&response.json()["admin"], &response.json()["name"]),
        (&json!(true), &json!("Petr Novák"))
    );
    // Now an admin, Petr may set roles, his own included.
    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&petr),
        &json!({ "admin": true }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    relay.stop().await;
}

#[tokio::test]
async fn team_settings_are_read_by_everyone_and_changed_by_admins() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    assert_refused(
        &get(relay.addr, "/api/settings", None).await,
        401,
        "unauthorized",
        "read",
    );
    let settings = get(relay.addr, "/api/settings", Some(&petr)).await.json();
    assert_eq!(settings, json!({ "maxChatsPerOperator": 3 }));

    let two = json!({ "maxChatsPerOperator": 2 });
    assert_refused(
        &put_json(relay.addr, "/api/settings", Some(&petr), &two).await,
        403,
        "forbidden",
        "not an admin",
    );
    assert_refused(
        &put_json(relay.addr, "/api/settings", None, &two).await,
        401,
        "unauthorized",
        "no token",
    );
    for body in [
        json!({ "maxChatsPerOperator": 0 }),
        json!({ "maxChatsPerOperator": 51 }),
        json!({ "maxChatsPerOperator": -1 }),
        json!({ "maxChatsPerOperator": "three" }),
        json!({}),
    ] {
        let response = put_json(relay.addr, "/api/settings", Some(&jana), &body).await;
        assert_refused(&response, 400, "bad_request", &body.to_string());
    }
    assert_eq!(
        get(relay.addr, "/api/settings", Some(&petr)).await.json(),
        settings
    );

    let response = put_json(relay.addr, "/api/settings", Some(&jana), &two).await;
    assert_eq!((response.status, response.json()), (200, two.clone()));
    assert_eq!(
        get(relay.addr, "/api/settings", Some(&petr)).await.json(),
        two
    );
    relay.stop().await;
}

#[tokio::test]
async fn site_settings_are_read_by_everyone_and_changed_by_admins() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;
    assert_refused(
        &get(relay.addr, "/api/sites", None).await,
        401,
        "unauthorized",
        "read",
    );
    let sites = get(relay.addr, "/api/sites", Some(&petr)).await.json();
    let default = json!({
        "name": "default", "title": "Shop", "autoMessageDelaySecs": 45,
        "autoMessageText": "", "ratingEnabled": true, "suggestedQuestions": [],
        "visitorErase": false
    });
    assert_eq!(sites, json!([default]));

    let mut change = default.clone();
    change["title"] = json!(" Bundy.cz ");
    change["name"] = json!("renamed");
    let path = "/api/sites/default";
    assert_refused(
        &put_json(relay.addr, path, Some(&petr), &change).await,
        403,
        "forbidden",
        "not an admin",
    );
    assert_refused(
        &put_json(relay.addr, path, None, &change).await,
        401,
        "unauthorized",
        "no token",
    );
    assert_refused(
        &put_json(relay.addr, "/api/sites/nowhere", Some(&jana), &change).await,
        404,
        "not_found",
        "no site",
    );
    let with = |field: &str, value: Value| {
        let mut body = change.clone();
        body[field] = value;
        body
    };
    let refusals = [
        (with("title", json!("   ")), "bad_request"),
        (with("title", json!("x".repeat(201))), "bad_request"),
        (with("autoMessageDelaySecs", json!(3601)), "bad_request"),
        (with("autoMessageDelaySecs", json!(-1)), "bad_request"),
        (
            with("autoMessageText", json!("x".repeat(4001))),
            "text_too_long",
        ),
        (with("ratingEnabled", json!("yes")), "bad_request"),
        (
            with("suggestedQuestions", json!(vec!["a"; 7])),
            "bad_request",
        ),
        (
            with("suggestedQuestions", json!(["Kdy?", "  "])),
            "bad_request",
        ),
        (
            with("suggestedQuestions", json!(["x".repeat(121)])),
            "bad_request",
        ),
        (
            with("suggestedQuestions", json!(["two\nlines"])),
            "bad_request",
        ),
        (with("suggestedQuestions", json!([1])), "bad_request"),
    ];
    for (body, code) in refusals {
        let response = put_json(relay.addr, path, Some(&jana), &body).await;
        assert_refused(&response, 400, code, &body.to_string());
    }
    assert_eq!(
        default_site(&relay, &petr).await,
        default,
        "refusals change nothing"
    );

    let (_, welcome) = relay.visitor().await;
    assert!(
        welcome.get("suggestedQuestions").is_none(),
        "no questions, no field: {welcome}"
    );
    change["suggestedQuestions"] = json!([" Kdy mi to dorazí? ", "Jak vrátit zboží?"]);
    let response = put_json(relay.addr, path, Some(&jana), &change).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let mut saved = default.clone();
    saved["title"] = json!("Bundy.cz");
    saved["suggestedQuestions"] = json!(["Kdy mi to dorazí?", "Jak vrátit zboží?"]);
    assert_eq!(
        response.json(),
        saved,
        "the name in the path wins; the title is trimmed"
    );
    assert_eq!(default_site(&relay, &petr).await, saved);
    // Widgets greet with the new title at once.
    let (_, welcome) = relay.visitor().await;
    assert_eq!(welcome["siteTitle"], "Bundy.cz");
    assert_eq!(
        welcome["suggestedQuestions"],
        json!(["Kdy mi to dorazí?", "Jak vrátit zboží?"])
    );
    relay.stop().await;
}
