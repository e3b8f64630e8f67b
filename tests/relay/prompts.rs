//! Proactive prompts over REST: admins manage them, widgets read a site's enabled ones and report
//! what happened, and the figures per variant come back with their significance.

use beseda_tests::http::{assert_refused, delete, get, post_json, put_json, request, request_with};
use beseda_tests::workflow::{add_site, set_available};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};

fn jackets() -> Value {
    json!({
        "name": "Jackets",
        "variants": [{ "text": "Can I help you choose a jacket?", "weight": 1 },
                     { "text": "Questions about sizes? Ask us.", "weight": 3 }],
        "trigger": { "urlPattern": "/products/*", "secondsOnPage": 20, "cartMinTotal": 1000 },
        "enabled": true
    })
}

async fn prompts(relay: &TestRelay, token: &str) -> Value {
    let response = get(relay.addr, "/api/prompts", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

async fn report(relay: &TestRelay, id: i64, body: Value) -> u16 {
    let path = format!("/visitor/prompts/{id}/events");
    post_json(relay.addr, &path, None, &body).await.status
}

#[tokio::test]
async fn admins_manage_prompts_with_defaults_and_every_refusal_changes_nothing() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let petr = relay.login(PETR).await;

    assert_refused(
        &post_json(relay.addr, "/api/prompts", Some(&petr), &jackets()).await,
        403,
        "forbidden",
        "not an admin",
    );
    assert_refused(
        &post_json(relay.addr, "/api/prompts", None, &jackets()).await,
        401,
        "unauthorized",
        "no sign-in",
    );
    let response = post_json(relay.addr, "/api/prompts", Some(&jana), &jackets()).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let created = response.json();
    let id = created["id"].as_i64().expect("an id");
    // The only site is taken when none is named; the defaults are filled in.
    assert_eq!(created["site"], "default");
    assert_eq!(created["dismissForDays"], 7);
    assert_eq!(created["maxPerSession"], 1);
    assert_eq!(created["trigger"]["urlPattern"], "/products/*");
    assert_eq!(created["variants"][1]["weight"], 3.0);
    // Every operator may read them.
    assert_eq!(prompts(&relay, &petr).await, json!([created.clone()]));

    let refusals = [
        (json!({ "name": " " }), "an empty name"),
        (json!({ "variants": [] }), "no variant"),
        (
            json!({ "variants": [{ "text": "a" }, { "text": "b" }, { "text": "c" }, { "text": "d" }, { "text": "e" }] }),
            "five variants",
        ),
        (
            json!({ "variants": [{ "text": "two\nlines" }] }),
            "two lines",
        ),
        (
            json!({ "variants": [{ "text": "x".repeat(201) }] }),
            "a long text",
        ),
        (
            json!({ "variants": [{ "text": "ok", "weight": 0 }] }),
            "weight 0",
        ),
        (
            json!({ "trigger": { "urlPattern": "/a b" } }),
            "a space in the pattern",
        ),
        (
            json!({ "trigger": { "minDwellSeconds": 60 } }),
            "dwell without a pattern",
        ),
        (
            json!({ "trigger": { "secondsOnPage": 100000 } }),
            "a day on a page",
        ),
        (
            json!({ "trigger": { "cartMinTotal": -1 } }),
            "a negative total",
        ),
        (json!({ "dismissForDays": 400 }), "over a year"),
        (json!({ "maxPerSession": 0 }), "never per session"),
        (json!({ "site": "nowhere" }), "an unknown site"),
    ];
    for (change, what) in refusals {
        let mut body = jackets();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        assert_refused(
            &post_json(relay.addr, "/api/prompts", Some(&jana), &body).await,
            400,
            "bad_request",
            what,
        );
        let path = format!("/api/prompts/{id}");
        assert_refused(
            &put_json(relay.addr, &path, Some(&jana), &body).await,
            400,
            "bad_request",
            what,
        );
    }
    assert_eq!(prompts(&relay, &jana).await, json!([created.clone()]));

    let mut changed = jackets();
    changed["name"] = json!("Jackets, winter");
    changed["enabled"] = json!(false);
    changed["dismissForDays"] = json!(30);
    let path = format!("/api/prompts/{id}");
    let response = put_json(relay.addr, &path, Some(&jana), &changed).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["name"], "Jackets, winter");
    assert_eq!(response.json()["dismissForDays"], 30);
    assert_eq!(response.json()["enabled"], false);
    assert_refused(
        &put_json(relay.addr, "/api/prompts/999", Some(&jana), &changed).await,
        404,
        "not_found",
        "an unknown prompt",
    );
    assert_refused(
        &delete(relay.addr, &path, Some(&petr)).await,
        403,
        "forbidden",
        "deleting, not an admin",
    );
    assert_eq!(delete(relay.addr, &path, Some(&jana)).await.status, 204);
    assert_refused(
        &delete(relay.addr, &path, Some(&jana)).await,
        404,
        "not_found",
        "deleted twice",
    );
    assert_eq!(prompts(&relay, &jana).await, json!([]));
}

#[tokio::test]
async fn with_several_sites_the_site_must_be_named_and_lists_filter_by_it() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    add_site(&relay, "boots", "Boots").await;
    assert_refused(
        &post_json(relay.addr, "/api/prompts", Some(&jana), &jackets()).await,
        400,
        "bad_request",
        "no site among several",
    );
    let mut boots = jackets();
    boots["site"] = json!("boots");
    let response = post_json(relay.addr, "/api/prompts", Some(&jana), &boots).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let mut default = jackets();
    default["site"] = json!("default");
    post_json(relay.addr, "/api/prompts", Some(&jana), &default).await;
    let listed = get(relay.addr, "/api/prompts?site=boots", Some(&jana))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["site"], "boots");
    assert_eq!(prompts(&relay, &jana).await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn widgets_read_the_enabled_prompts_with_the_sites_availability() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let on = post_json(relay.addr, "/api/prompts", Some(&jana), &jackets())
        .await
        .json();
    let mut off = jackets();
    off["enabled"] = json!(false);
    post_json(relay.addr, "/api/prompts", Some(&jana), &off).await;

    let view = get(relay.addr, "/visitor/prompts?site=default", None).await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.header("cache-control"), Some("no-store"));
    let view = view.json();
    assert_eq!(view["online"], false);
    assert_eq!(view["prompts"], json!([on]));

    set_available(&relay, &jana, true).await;
    let view = get(relay.addr, "/visitor/prompts?site=default", None)
        .await
        .json();
    assert_eq!(view["online"], true);

    assert_refused(
        &get(relay.addr, "/visitor/prompts?site=nowhere", None).await,
        404,
        "not_found",
        "an unknown site",
    );
}

#[tokio::test]
async fn only_the_allowed_shop_origins_may_read_and_report() {
    let relay = TestRelay::start_with(|config| {
        config.allow_origins = vec!["https://shop.example".into()];
    })
    .await;
    let jana = relay.login(JANA).await;
    let id = post_json(relay.addr, "/api/prompts", Some(&jana), &jackets())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let path = "/visitor/prompts?site=default";
    let shop = [("Origin", "https://shop.example")];
    let response = request_with(relay.addr, "GET", path, None, &shop, None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    let other = [("Origin", "https://other.example")];
    let response = request_with(relay.addr, "GET", path, None, &other, None).await;
    assert_refused(&response, 403, "forbidden", "another origin reads");
    assert_eq!(response.header("access-control-allow-origin"), None);

    let event = json!({ "site": "default", "variant": 0, "event": "shown" }).to_string();
    let events = format!("/visitor/prompts/{id}/events");
    let response = request_with(
        relay.addr,
        "POST",
        &events,
        None,
        &other,
        Some(event.as_bytes()),
    )
    .await;
    assert_refused(&response, 403, "forbidden", "another origin reports");
    let response = request_with(
        relay.addr,
        "POST",
        &events,
        None,
        &shop,
        Some(event.as_bytes()),
    )
    .await;
    assert_eq!(response.status, 204, "{}", response.body);
    let stats = get(relay.addr, &format!("/api/prompts/{id}/stats"), Some(&jana))
        .await
        .json();
    assert_eq!(stats["variants"][0]["shown"], 1);
}

#[tokio::test]
async fn reports_add_up_per_variant_with_the_significance_of_the_difference() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = post_json(relay.addr, "/api/prompts", Some(&jana), &jackets())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Variant 0: 40 shown, 4 conversations; variant 1: 40 shown, 16 conversations.
    for (variant, shown, conversations) in [(0, 40, 4), (1, 40, 16)] {
        for _ in 0..shown {
            let shown = json!({ "site": "default", "variant": variant, "event": "shown" });
            assert_eq!(report(&relay, id, shown).await, 204);
        }
        for _ in 0..conversations {
            let started = json!({ "site": "default", "variant": variant, "event": "conversation" });
            assert_eq!(report(&relay, id, started).await, 204);
        }
    }
    for event in ["dismissed", "dismissed", "opened"] {
        let body = json!({ "site": "default", "variant": 0, "event": event });
        assert_eq!(report(&relay, id, body).await, 204);
    }
    for total in [1200.5, 800.0] {
        let body = json!({ "site": "default", "variant": 1, "event": "order", "total": total });
        assert_eq!(report(&relay, id, body).await, 204);
    }

    // Reports that name no variant of the prompt, another site or no event count nothing.
    let events = format!("/visitor/prompts/{id}/events");
    let refused = [
        (
            json!({ "site": "default", "variant": 2, "event": "shown" }),
            404,
        ),
        (
            json!({ "site": "boots", "variant": 0, "event": "shown" }),
            404,
        ),
        (
            json!({ "site": "default", "variant": 0, "event": "clicked" }),
            400,
        ),
        (
            json!({ "site": "default", "variant": 0, "event": "order", "total": -5 }),
            400,
        ),
    ];
    for (body, status) in refused {
        let response = post_json(relay.addr, &events, None, &body).await;
        assert_eq!(response.status, status, "{body}: {}", response.body);
    }
    let response = request(relay.addr, "POST", &events, None, Some(b"not json")).await;
    assert_refused(&response, 400, "bad_request", "not JSON");
    let response = post_json(
        relay.addr,
        "/visitor/prompts/999/events",
        None,
        &json!({ "site": "default", "variant": 0, "event": "shown" }),
    )
    .await;
    assert_refused(&response, 404, "not_found", "an unknown prompt");

    let stats = get(relay.addr, &format!("/api/prompts/{id}/stats"), Some(&jana)).await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    let stats = stats.json();
    let first = &stats["variants"][0];
    let second = &stats["variants"][1];
    assert_eq!(
        (
            &first["shown"],
            &first["dismissed"],
            &first["opened"],
            &first["conversations"]
        ),
        (&json!(40), &json!(2), &json!(1), &json!(4))
    );
    assert_eq!(first["conversion"], 0.1);
    assert!(
        first.get("pValue").is_none(),
        "the first variant is the baseline"
    );
    assert_eq!(
        (&second["shown"], &second["conversations"]),
        (&json!(40), &json!(16))
    );
    assert_eq!(
        (&second["orders"], &second["orderTotal"]),
        (&json!(2), &json!(2000.5))
    );
    assert_eq!(second["conversion"], 0.4);
    // 4/40 against 16/40: z ≈ 3.10, p ≈ 0.002.
    let z = second["zScore"].as_f64().unwrap();
    let p = second["pValue"].as_f64().unwrap();
    assert!((z - 3.098).abs() < 0.01, "{z}");
    assert!((p - 0.00195).abs() < 0.0002, "{p}");

    let path = format!("/api/prompts/{id}");
    delete(relay.addr, &path, Some(&jana)).await;
    assert_refused(
        &get(relay.addr, &format!("{path}/stats"), Some(&jana)).await,
        404,
        "not_found",
        "a deleted prompt's figures",
    );
}
