//! The console's language is part of the operator's profile: `PUT /api/me` `{ language }` keeps
//! it on the relay, signing in anywhere returns it, a language the console does not speak is
//! refused with a clear error and changes nothing, and an empty one removes the choice.

use beseda_tests::http::{assert_refused, get, post_json, put_json};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::json;

#[tokio::test]
async fn the_console_language_is_kept_with_the_profile_and_follows_a_new_sign_in() {
    let relay = TestRelay::start().await;
    let petr = relay.login(PETR).await;
    let me = get(relay.addr, "/api/me", Some(&petr)).await.json();
    assert_eq!(me.get("language"), None, "no choice yet: {me}");

    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&petr),
        &json!({ "language": "de" }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["language"], "de");
    assert_eq!(response.json()["name"], me["name"]);

    // Another computer: signing in returns the profile with its language.
    let login = post_json(
        relay.addr,
        "/api/login",
        None,
        &json!({ "email": PETR.0, "password": PETR.1 }),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["operator"]["language"], "de");

    // A language the console does not speak, or not written as its tag, changes nothing.
    for language in ["fr", "DE", "de-AT", "<script>", "cs,de"] {
        let response = put_json(
            relay.addr,
            "/api/me",
            Some(&petr),
            &json!({ "language": language }),
        )
        .await;
        assert_refused(&response, 400, "bad_request", language);
        assert!(
            response.body.contains("cs, sk, pl, ru, en, de"),
            "a clear reason: {}",
            response.body
        );
    }
    let kept = get(relay.addr, "/api/me", Some(&petr)).await.json();
    assert_eq!(kept["language"], "de");

    // The team's list shows each operator's choice; an empty one removes it.
    let jana = relay.login(JANA).await;
    let team = get(relay.addr, "/api/operators", Some(&jana)).await.json();
    let listed = team
        .as_array()
        .unwrap()
        .iter()
        .find(|operator| operator["email"] == PETR.0)
        .unwrap();
    assert_eq!(listed["language"], "de");
    let response = put_json(
        relay.addr,
        "/api/me",
        Some(&petr),
        &json!({ "language": "" }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json().get("language"), None);
    relay.stop().await;
}
