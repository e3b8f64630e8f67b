//! Opening hours against the real relay: outside them the widget is offline and told when the
//! shop is back, whoever is online; bad hours are refused and change nothing.

use beseda_tests::http::{assert_refused, put_json};
use beseda_tests::workflow::{change_default_site, default_site, hours_closed_on, set_available};
use beseda_tests::{JANA, TestRelay};
use serde_json::{Value, json};

#[tokio::test]
async fn outside_the_hours_visitors_are_offline_and_told_when_the_shop_is_back() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    set_available(&relay, &jana, true).await;
    let (mut visitor, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], true, "{welcome}");
    assert!(welcome.get("backAt").is_none(), "{welcome}");

    // Closed today and tomorrow (UTC): back the day after at midnight.
    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().expect("a date");
    let back = tomorrow.next_day().expect("a date");
    let saved = change_default_site(
        &relay,
        &jana,
        json!({ "hours": hours_closed_on(&[today, tomorrow]) }),
    )
    .await;
    assert_eq!(saved["hours"]["timeZone"], "UTC");
    let expected_back = format!("{back}T00:00:00.000Z");
    let frame = visitor.recv_type("availability").await;
    assert_eq!(
        frame,
        json!({ "type": "availability", "online": false, "backAt": expected_back })
    );
    let (_, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], false, "{welcome}");
    assert_eq!(welcome["backAt"], expected_back.as_str());

    // An operator coming online does not open a closed shop.
    set_available(&relay, &jana, false).await;
    set_available(&relay, &jana, true).await;
    let (_, welcome) = relay.visitor().await;
    assert_eq!(welcome["online"], false, "{welcome}");

    // Bad hours are refused and change nothing.
    let settings = default_site(&relay, &jana).await;
    let with_hours = |hours: Value| {
        let mut body = settings.clone();
        body["hours"] = hours;
        body
    };
    let mut bad_zone = hours_closed_on(&[]);
    bad_zone["timeZone"] = json!("Mars/Olympus");
    let mut bad_time = hours_closed_on(&[]);
    bad_time["weekly"][0]["close"] = json!("25:00");
    let mut backwards = hours_closed_on(&[]);
    backwards["weekly"][0] = json!({ "day": "mon", "open": "17:00", "close": "09:00" });
    let mut bad_day = hours_closed_on(&[]);
    bad_day["weekly"][0]["day"] = json!("monday");
    let mut bad_date = hours_closed_on(&[]);
    bad_date["exceptions"] = json!([{ "date": "24.12.2026" }]);
    for hours in [
        bad_zone,
        bad_time,
        backwards,
        bad_day,
        bad_date,
        json!("9-17"),
    ] {
        let response = put_json(
            relay.addr,
            "/api/sites/default",
            Some(&jana),
            &with_hours(hours.clone()),
        )
        .await;
        assert_refused(&response, 400, "bad_request", &hours.to_string());
    }
    assert_eq!(
        default_site(&relay, &jana).await,
        settings,
        "refusals change nothing"
    );

    // Without hours the shop is open again whenever someone is available.
    change_default_site(&relay, &jana, json!({ "hours": null })).await;
    let frame = visitor.recv_type("availability").await;
    assert_eq!(frame, json!({ "type": "availability", "online": true }));
    relay.stop().await;
}
