//! A site's retention, with a moved clock: conversations resolved longer ago than the site keeps
//! them are erased by the relay's own task once the retention is set, with an audit entry and the
//! reports' counts kept; newer ones and open ones stay. Its own test binary: the clock is the
//! process's.

use beseda_relay::clock::{now_millis, set_fixed_now};
use beseda_tests::http::{assert_refused, get, post_json};
use beseda_tests::workflow::{change_default_site, visitor_writes};
use beseda_tests::{JANA, TestRelay};
use serde_json::{Value, json};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn written_at(relay: &TestRelay, at: i64, text: &str, resolve: bool) -> i64 {
    set_fixed_now(Some(at));
    let jana = relay.login(JANA).await;
    let id = visitor_writes(relay, json!({}), text).await.conversation_id;
    if resolve {
        let path = format!("/api/conversations/{id}/resolve");
        let resolved = post_json(relay.addr, &path, Some(&jana), &json!({})).await;
        assert_eq!(resolved.status, 200, "{}", resolved.body);
    }
    set_fixed_now(None);
    id
}

async fn json_of(relay: &TestRelay, token: &str, path: &str) -> Value {
    let response = get(relay.addr, path, Some(token)).await;
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    response.json()
}

#[tokio::test]
async fn conversations_resolved_longer_ago_than_the_site_keeps_them_are_erased() {
    let relay = TestRelay::start().await;
    let now = now_millis();
    let old = written_at(&relay, now - 40 * DAY, "An old ocelot question", true).await;
    let recent = written_at(&relay, now - 10 * DAY, "A recent lemur question", true).await;
    let open = written_at(&relay, now - 40 * DAY, "An open gecko question", false).await;
    let jana = relay.login(JANA).await;
    let from = (time::OffsetDateTime::now_utc() - time::Duration::days(60)).date();
    let volume = format!("/api/reports/volume?from={from}");
    let before = json_of(&relay, &jana, &volume).await;

    // Kept until the shop sets a retention: nothing goes by default.
    json_of(&relay, &jana, &format!("/api/conversations/{old}")).await;
    change_default_site(&relay, &jana, json!({ "retentionDays": 30 })).await;

    // The task wakes for the change; no frame announces its work, the API shows it.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let response = get(
            relay.addr,
            &format!("/api/conversations/{old}"),
            Some(&jana),
        )
        .await;
        if response.status == 404 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old conversation was not erased"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_refused(
        &get(
            relay.addr,
            &format!("/api/conversations/{old}"),
            Some(&jana),
        )
        .await,
        404,
        "not_found",
        "past its retention",
    );
    json_of(&relay, &jana, &format!("/api/conversations/{recent}")).await;
    json_of(&relay, &jana, &format!("/api/conversations/{open}")).await;
    assert_eq!(
        json_of(&relay, &jana, &volume).await,
        before,
        "the counts stay"
    );
    let audit = json_of(&relay, &jana, "/api/audit").await;
    assert_eq!(audit[0]["action"], "retention_erase");
    assert_eq!(audit[0]["target"], "site default");
    assert_eq!(audit[0]["detail"], "1 conversations");
    assert!(audit[0].get("operator").is_none(), "{audit}");
    assert_eq!(audit[1]["action"], "retention_change");
}
