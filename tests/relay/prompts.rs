//! Proactive prompts over REST: admins manage them, widgets read a site's enabled ones and report
//! what happened, and the figures per variant come back with their significance. Reports count
//! only from the shop's pages, with a view id the relay signed, once per page view and event,
//! at a bounded rate and with sane totals; figures stay numbers even over a damaged database.

use beseda_tests::http::{
    Response, assert_refused, delete, get, post_json, put_json, request_with,
};
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

/// The shop the widget is embedded in, in every report.
const SHOP: &str = "https://shop.example";

/// One page view of the default site's prompts, as a widget on the shop gets it: prompt `id`'s
/// signed view ids, one per variant.
async fn page_view(relay: &TestRelay, id: i64) -> Vec<String> {
    let response = request_with(
        relay.addr,
        "GET",
        "/visitor/prompts?site=default",
        None,
        &[("Origin", SHOP)],
        None,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let view = response.json();
    let prompt = view["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|prompt| prompt["id"] == id)
        .expect("the prompt is offered")
        .clone();
    serde_json::from_value(prompt["views"].clone()).expect("view ids")
}

/// Sends a report as the widget does: a POST from the shop's origin.
async fn send(relay: &TestRelay, id: i64, body: &str, origin: Option<&str>) -> Response {
    let path = format!("/visitor/prompts/{id}/events");
    let headers: Vec<(&str, &str)> = origin
        .map(|origin| ("Origin", origin))
        .into_iter()
        .collect();
    request_with(
        relay.addr,
        "POST",
        &path,
        None,
        &headers,
        Some(body.as_bytes()),
    )
    .await
}

/// Reports `body` with the view id of a new page view of its variant: the status.
async fn report(relay: &TestRelay, id: i64, mut body: Value) -> u16 {
    let variant = body["variant"].as_u64().unwrap_or(0) as usize;
    let views = page_view(relay, id).await;
    body["view"] = json!(views.get(variant).cloned().unwrap_or_default());
    send(relay, id, &body.to_string(), Some(SHOP)).await.status
}

async fn stats(relay: &TestRelay, token: &str, id: i64) -> Value {
    let response = get(relay.addr, &format!("/api/prompts/{id}/stats"), Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// Every counter of every variant, and the order totals.
fn counters(stats: &Value) -> Vec<(u64, u64, u64, u64, u64, f64)> {
    stats["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| {
            let count = |name: &str| variant[name].as_u64().unwrap_or(u64::MAX);
            (
                count("shown"),
                count("dismissed"),
                count("opened"),
                count("conversations"),
                count("orders"),
                variant["orderTotal"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

async fn create(relay: &TestRelay, token: &str, body: &Value) -> i64 {
    let response = post_json(relay.addr, "/api/prompts", Some(token), body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().unwrap()
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
    let mut view = view.json();
    assert_eq!(view["online"], false);
    // Each prompt comes with a view id per variant, signed for this page view.
    let views = view["prompts"][0]
        .as_object_mut()
        .unwrap()
        .remove("views")
        .expect("view ids");
    assert_eq!(view["prompts"], json!([on]));
    let views = views.as_array().unwrap();
    assert_eq!(views.len(), 2);
    assert!(
        views[0]
            .as_str()
            .unwrap()
            .starts_with(&format!("p1.{}.0.", on["id"]))
    );
    assert!(
        views[1]
            .as_str()
            .unwrap()
            .starts_with(&format!("p1.{}.1.", on["id"]))
    );
    assert!(
        get(relay.addr, "/api/prompts", Some(&jana)).await.json()[0]
            .get("views")
            .is_none(),
        "operators' lists carry no view ids"
    );

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

    let views = page_view(&relay, id).await;
    let event =
        json!({ "site": "default", "variant": 0, "event": "shown", "view": views[0] }).to_string();
    assert_refused(
        &send(&relay, id, &event, Some("https://other.example")).await,
        403,
        "forbidden",
        "another origin reports",
    );
    assert_refused(
        &send(&relay, id, &event, None).await,
        403,
        "forbidden",
        "a report without an Origin",
    );
    assert_eq!(counters(&stats(&relay, &jana, id).await)[0].0, 0);
    let response = send(&relay, id, &event, Some(SHOP)).await;
    assert_eq!(response.status, 204, "{}", response.body);
    assert_eq!(response.header("access-control-allow-origin"), Some(SHOP));
    assert_eq!(counters(&stats(&relay, &jana, id).await)[0].0, 1);
}

#[tokio::test]
async fn reports_add_up_per_variant_with_the_significance_of_the_difference() {
    let relay = TestRelay::start_with(|config| config.prompt_events_per_minute = 1000).await;
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

    // Reports that name no variant of the prompt (no view id was signed for it), another site
    // or no event count nothing.
    let refused = [
        (
            json!({ "site": "default", "variant": 2, "event": "shown" }),
            403,
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
        assert_eq!(report(&relay, id, body.clone()).await, status, "{body}");
    }
    let response = send(&relay, id, "not json", Some(SHOP)).await;
    assert_refused(&response, 400, "bad_request", "not JSON");
    let view = page_view(&relay, id).await.remove(0);
    let unknown = json!({ "site": "default", "variant": 0, "event": "shown", "view": view });
    let response = send(&relay, 999, &unknown.to_string(), Some(SHOP)).await;
    assert_refused(&response, 403, "forbidden", "another prompt's view id");

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

/// A view id signed with the relay's own secret (read from its database file) for `issued`
/// (Unix seconds): what only the relay could have made.
fn signed_view(relay: &TestRelay, id: i64, variant: u32, issued: i64) -> String {
    use hmac::Mac;
    let rows = beseda_tests::database::query(
        &relay.db,
        "SELECT value FROM settings WHERE key = 'prompt_view_secret'",
    );
    let secret = beseda_tests::database::bytes(&rows[0][0]);
    let signed = format!("p1.{id}.{variant}.{issued}.00112233445566778899aabb");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
    mac.update(signed.as_bytes());
    let signature = mac.finalize().into_bytes();
    let hex: String = signature[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{signed}.{hex}")
}

fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn forged_reports_are_refused_and_count_nothing() {
    let relay = TestRelay::start_with(|config| {
        config.allow_origins = vec![SHOP.into()];
    })
    .await;
    let jana = relay.login(JANA).await;
    let id = create(&relay, &jana, &jackets()).await;
    let mut other = jackets();
    other["name"] = json!("Boots");
    let other = create(&relay, &jana, &other).await;
    let views = page_view(&relay, id).await;
    let other_views = page_view(&relay, other).await;
    let event = |view: Value| {
        json!({ "site": "default", "variant": 1, "event": "shown", "view": view }).to_string()
    };
    // The signature with one digit changed.
    let mut tampered = views[1].clone();
    let last = if tampered.ends_with('0') { "1" } else { "0" };
    tampered.replace_range(tampered.len() - 1.., last);
    let day = 24 * 3600;
    let forgeries = [
        (event(json!(views[1])), None, "no Origin"),
        (
            event(json!(views[1])),
            Some("https://other.example"),
            "another origin",
        ),
        (event(json!(views[1])), Some("null"), "an opaque origin"),
        (
            json!({ "site": "default", "variant": 1, "event": "shown" }).to_string(),
            Some(SHOP),
            "no view id",
        ),
        (event(json!("")), Some(SHOP), "an empty view id"),
        (
            event(json!("p1.1.1.1.1.1")),
            Some(SHOP),
            "a made-up view id",
        ),
        (event(json!(tampered)), Some(SHOP), "a tampered signature"),
        (
            event(json!(views[0])),
            Some(SHOP),
            "the view id of another variant",
        ),
        (
            event(json!(other_views[1])),
            Some(SHOP),
            "the view id of another prompt",
        ),
        (
            event(json!(signed_view(&relay, id, 1, unix_seconds() - 9 * day))),
            Some(SHOP),
            "a view id nine days old",
        ),
        (
            event(json!(signed_view(&relay, id, 1, unix_seconds() + day))),
            Some(SHOP),
            "a view id from tomorrow",
        ),
    ];
    for (body, origin, what) in &forgeries {
        let response = send(&relay, id, body, *origin).await;
        assert_refused(&response, 403, "forbidden", what);
        assert!(
            !response.body.contains("p1.") && !response.body.contains("SQL"),
            "{what}: {}",
            response.body
        );
    }
    let nothing = vec![(0, 0, 0, 0, 0, 0.0); 2];
    assert_eq!(counters(&stats(&relay, &jana, id).await), nothing);
    assert_eq!(counters(&stats(&relay, &jana, other).await), nothing);

    // What the relay signed (a week ago, for an order on a thank-you page) counts.
    let old = signed_view(&relay, id, 1, unix_seconds() - 7 * day);
    let order =
        json!({ "site": "default", "variant": 1, "event": "order", "total": 25, "view": old });
    let response = send(&relay, id, &order.to_string(), Some(SHOP)).await;
    assert_eq!(response.status, 204, "{}", response.body);
    let response = send(&relay, id, &event(json!(views[1])), Some(SHOP)).await;
    assert_eq!(response.status, 204, "{}", response.body);
    assert_eq!(
        counters(&stats(&relay, &jana, id).await),
        vec![(0, 0, 0, 0, 0, 0.0), (1, 0, 0, 0, 1, 25.0)]
    );
}

#[tokio::test]
async fn each_event_counts_once_per_page_view() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = create(&relay, &jana, &jackets()).await;
    let views = page_view(&relay, id).await;
    let body = |variant: u32, event: &str| {
        json!({ "site": "default", "variant": variant, "event": event,
                "view": views[variant as usize] })
        .to_string()
    };
    let response = send(&relay, id, &body(0, "shown"), Some(SHOP)).await;
    assert_eq!(response.status, 204, "{}", response.body);
    for _ in 0..3 {
        assert_refused(
            &send(&relay, id, &body(0, "shown"), Some(SHOP)).await,
            409,
            "conflict",
            "the same report again",
        );
    }
    // The page view's id for the other variant is the same page view.
    assert_refused(
        &send(&relay, id, &body(1, "shown"), Some(SHOP)).await,
        409,
        "conflict",
        "the page view again, as the other variant",
    );
    // Other events of the page view count, each once.
    for event in ["dismissed", "conversation", "order"] {
        let response = send(&relay, id, &body(0, event), Some(SHOP)).await;
        assert_eq!(response.status, 204, "{event}: {}", response.body);
        assert_eq!(
            send(&relay, id, &body(0, event), Some(SHOP)).await.status,
            409,
            "{event} again"
        );
    }
    // A new page view counts again.
    assert_eq!(
        report(
            &relay,
            id,
            json!({ "site": "default", "variant": 0, "event": "shown" })
        )
        .await,
        204
    );
    assert_eq!(
        counters(&stats(&relay, &jana, id).await),
        vec![(2, 1, 0, 1, 1, 0.0), (0, 0, 0, 0, 0, 0.0)]
    );
}

#[tokio::test]
async fn reports_past_the_rate_are_refused_with_429() {
    let relay = TestRelay::start_with(|config| config.prompt_events_per_minute = 5).await;
    let jana = relay.login(JANA).await;
    let id = create(&relay, &jana, &jackets()).await;
    let mut views = Vec::new();
    for _ in 0..7 {
        views.push(page_view(&relay, id).await.remove(0));
    }
    // A forged report uses up the rate as well.
    let forged = json!({ "site": "default", "variant": 0, "event": "shown", "view": "forged" });
    assert_eq!(
        send(&relay, id, &forged.to_string(), Some(SHOP))
            .await
            .status,
        403
    );
    for (index, view) in views.iter().enumerate() {
        let body = json!({ "site": "default", "variant": 0, "event": "shown", "view": view });
        let response = send(&relay, id, &body.to_string(), Some(SHOP)).await;
        if index < 4 {
            assert_eq!(response.status, 204, "report {index}: {}", response.body);
        } else {
            assert_refused(&response, 429, "rate_limited", "past the rate");
        }
    }
    assert_eq!(counters(&stats(&relay, &jana, id).await)[0].0, 4);
}

#[tokio::test]
async fn order_totals_must_be_sane_amounts() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = create(&relay, &jana, &jackets()).await;
    let order = |view: &str, total: &str| {
        format!(
            r#"{{"site":"default","variant":0,"event":"order","view":"{view}","total":{total}}}"#
        )
    };
    // Two totals of 1.7e308 would add up to infinity; the rest are not amounts either.
    for total in [
        "1.7e308",
        "1.7e308",
        "1e999",
        "Infinity",
        "-Infinity",
        "NaN",
        "-5",
        "-0.01",
        "1e9",
        "\"12\"",
        "null",
    ] {
        let view = page_view(&relay, id).await.remove(0);
        let response = send(&relay, id, &order(&view, total), Some(SHOP)).await;
        if total == "null" {
            // No total: an order of unknown amount, counted with 0.
            assert_eq!(response.status, 204, "{}", response.body);
        } else {
            assert_refused(&response, 400, "bad_request", total);
        }
    }
    let shown = page_view(&relay, id).await.remove(0);
    let with_total =
        json!({ "site": "default", "variant": 0, "event": "shown", "total": 5, "view": shown });
    assert_refused(
        &send(&relay, id, &with_total.to_string(), Some(SHOP)).await,
        400,
        "bad_request",
        "a total on a shown prompt",
    );
    let view = page_view(&relay, id).await.remove(0);
    let response = send(&relay, id, &order(&view, "999999999.5"), Some(SHOP)).await;
    assert_eq!(response.status, 204, "{}", response.body);
    let figures = counters(&stats(&relay, &jana, id).await);
    assert_eq!(figures[0], (0, 0, 0, 0, 2, 999_999_999.5));
}

#[tokio::test]
async fn figures_stay_numbers_even_over_damaged_totals_in_the_database() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let id = create(&relay, &jana, &jackets()).await;
    // Rows written straight into the database, past every check: an honest order, then huge,
    // infinite, negative and non-numeric totals, and counts that overflow a sum in SQL. Each
    // store spells infinity its own way; a text total fits only SQLite's loose typing, so on
    // PostgreSQL the non-number is NaN.
    let postgres = beseda_tests::on_postgres();
    let (infinity, minus_infinity, not_a_number) = if postgres {
        ("'Infinity'", "'-Infinity'", "'NaN'")
    } else {
        ("9e999", "-9e999", "'a lot'")
    };
    let rows: [(u32, &str, i64, &str); 9] = [
        (1, "order", 1, "99.5"),
        (0, "order", 1, "1.7e308"),
        (0, "order", 1, "1.7e308"),
        (1, "order", 2, infinity),
        (1, "order", 1, minus_infinity),
        (1, "order", 1, "-50.0"),
        (1, "order", 1, not_a_number),
        (0, "shown", i64::MAX, "0.0"),
        (0, "shown", i64::MAX, "0.0"),
    ];
    for (day, (variant, event, count, total)) in rows.into_iter().enumerate() {
        beseda_tests::database::execute(
            &relay.db,
            &format!(
                "INSERT INTO prompt_counts (prompt_id, variant, event, day, count, total) \
                 VALUES ({id}, {variant}, '{event}', {}, {count}, {total})",
                day + 1
            ),
        );
    }
    let response = get(relay.addr, &format!("/api/prompts/{id}/stats"), Some(&jana)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let stats = response.json();
    for variant in stats["variants"].as_array().unwrap() {
        for figure in ["orderTotal", "conversion"] {
            let number = variant[figure].as_f64();
            assert!(
                number.is_some_and(f64::is_finite),
                "{figure} is a number: {variant}"
            );
        }
    }
    let figures = counters(&stats);
    // Only the honest total is added; the damaged rows still count their orders.
    assert_eq!((figures[0].4, figures[0].5), (2, 0.0));
    assert_eq!((figures[1].4, figures[1].5), (6, 99.5));
    assert!(
        figures[0].0 >= i64::MAX as u64,
        "counts add up without overflowing"
    );
}
