//! Every report on a small history whose right answers are worked out by hand below: a shop in
//! Prague (UTC+1 in December) open Monday to Friday 09:00–17:00, closed on Christmas Eve
//! (Thursday 2026-12-24); the week of Monday 2026-12-21 to Sunday 2026-12-27 asked for, and the
//! week before it beside it. Two operators: Anna (1) and Petr (2).
//!
//! Episodes (local times):
//! - E1 conversation 1, Mon 21 10:00 visitor, 10:00:30 Anna answers, resolved 10:10, satisfied
//!   "Výborně". First response 30 s (business 30 s); resolution 600 s (business 600 s).
//! - E5 conversation 6, Mon 21 00:30 (Sunday 23:30 in UTC: counts on Monday in the shop's zone),
//!   Petr answers after 40 s (business 0: closed at night), resolved 00:35 (300 s, business 0).
//! - E6 conversation 4, Tue 22 20:00 through the contact form, never answered: missed.
//! - E2 conversation 2, Wed 23 16:50, Petr answers on Mon 28 09:10: wall 4 d 16 h 20 min =
//!   404,400 s; business Wed 10 min + Fri 8 h (Thursday the holiday, the weekend closed) + Mon
//!   10 min = 30,000 s; missed (after the 45 s delay). Resolved on the 28th: outside the week.
//! - E3 conversation 1 reopened, Sat 26 12:00, no answer, resolved 12:30 by Anna's hand
//!   (1,800 s, business 0), dissatisfied: missed.
//! - E4 conversation 3, Mon 28 00:30 (Sunday 23:30 in UTC): outside the week.
//! - E7 conversation 5, Tue 15 09:00, Anna answers at 09:02 (missed: after the delay),
//!   resolved 09:30, neutral: the week before.

use super::*;
use crate::store::reports::{AnswerEvent, AvailabilityChange, HourCount, PromptDayCount};
use beseda_protocol::api::{BusinessHours, HoursException, OpeningSpan};
use beseda_protocol::prompts::{PromptTrigger, PromptVariant};
use jiff::civil::Date;

const ZONE: &str = "Europe/Prague";

fn at(local: &str) -> i64 {
    local
        .parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(TimeZone::get(ZONE).unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn hours_of_the_shop() -> BusinessHours {
    BusinessHours {
        time_zone: ZONE.into(),
        weekly: ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(|day| OpeningSpan {
                day: day.into(),
                open: "09:00".into(),
                close: "17:00".into(),
            })
            .collect(),
        exceptions: vec![HoursException {
            date: "2026-12-24".into(),
            open: None,
            close: None,
        }],
    }
}

#[allow(clippy::too_many_arguments)]
fn episode(
    conversation_id: i64,
    reopened: bool,
    visitor_at: &str,
    response: Option<(&str, i64)>,
    operator_id: Option<i64>,
    resolved: Option<&str>,
    rating: Option<(&str, Option<&str>)>,
    contact: bool,
) -> Episode {
    let first_visitor_at = at(visitor_at);
    Episode {
        conversation_id,
        site: "shop".into(),
        reopened,
        started_at: first_visitor_at,
        first_visitor_at: Some(first_visitor_at),
        response_due_at: Some(first_visitor_at + 45_000),
        first_response_at: response.map(|(when, _)| at(when)),
        operator_id: response.map(|(_, by)| by).or(operator_id),
        resolved_at: resolved.map(at),
        rating: rating.map(|(rating, _)| rating.to_owned()),
        rating_comment: rating.and_then(|(_, comment)| comment.map(str::to_owned)),
        contact,
    }
}

fn hour(site: &str, local: &str, operator_id: i64, messages: i64) -> HourCount {
    HourCount {
        site: site.into(),
        hour: at(local).div_euclid(3_600_000),
        operator_id,
        messages,
    }
}

fn history() -> (ReportFacts, Context) {
    let episodes = vec![
        episode(
            1,
            false,
            "2026-12-21T10:00:00",
            Some(("2026-12-21T10:00:30", 1)),
            None,
            Some("2026-12-21T10:10:00"),
            Some(("satisfied", Some("Výborně"))),
            false,
        ),
        episode(
            6,
            false,
            "2026-12-21T00:30:00",
            Some(("2026-12-21T00:30:40", 2)),
            None,
            Some("2026-12-21T00:35:00"),
            None,
            false,
        ),
        episode(
            4,
            false,
            "2026-12-22T20:00:00",
            None,
            None,
            None,
            None,
            true,
        ),
        episode(
            2,
            false,
            "2026-12-23T16:50:00",
            Some(("2026-12-28T09:10:00", 2)),
            None,
            Some("2026-12-28T09:20:00"),
            None,
            false,
        ),
        episode(
            1,
            true,
            "2026-12-26T12:00:00",
            None,
            Some(1),
            Some("2026-12-26T12:30:00"),
            Some(("dissatisfied", None)),
            false,
        ),
        episode(
            3,
            false,
            "2026-12-28T00:30:00",
            None,
            None,
            None,
            None,
            false,
        ),
        episode(
            5,
            false,
            "2026-12-15T09:00:00",
            Some(("2026-12-15T09:02:00", 1)),
            None,
            Some("2026-12-15T09:30:00"),
            Some(("neutral", None)),
            false,
        ),
    ];
    let availability = vec![
        AvailabilityChange {
            operator_id: 2,
            online: true,
            at: at("2026-12-18T08:00:00"),
        },
        AvailabilityChange {
            operator_id: 1,
            online: true,
            at: at("2026-12-21T09:00:00"),
        },
        AvailabilityChange {
            operator_id: 1,
            online: false,
            at: at("2026-12-21T17:00:00"),
        },
        AvailabilityChange {
            operator_id: 2,
            online: false,
            at: at("2026-12-22T08:00:00"),
        },
        AvailabilityChange {
            operator_id: 1,
            online: true,
            at: at("2026-12-26T11:30:00"),
        },
        AvailabilityChange {
            operator_id: 1,
            online: false,
            at: at("2026-12-26T12:15:00"),
        },
    ];
    let hours = vec![
        hour("shop", "2026-12-21T10:00:00", 0, 2),
        hour("shop", "2026-12-21T10:00:00", 1, 3),
        hour("shop", "2026-12-21T00:00:00", 0, 1),
        hour("shop", "2026-12-28T00:00:00", 0, 5),
        hour("shop", "2026-12-28T09:00:00", 2, 1),
    ];
    let day = |text: &str| at(&format!("{text}T12:00:00")).div_euclid(86_400_000);
    let counter = |variant: i64, event: &str, on: &str, count: i64, total: f64| PromptDayCount {
        prompt_id: 9,
        variant,
        event: event.into(),
        day: day(on),
        count,
        total,
    };
    let prompt_days = vec![
        counter(0, "shown", "2026-12-21", 100, 0.0),
        counter(0, "conversation", "2026-12-21", 10, 0.0),
        counter(1, "shown", "2026-12-22", 100, 0.0),
        counter(1, "conversation", "2026-12-22", 20, 0.0),
        counter(1, "order", "2026-12-23", 2, 1500.0),
        counter(0, "shown", "2026-12-15", 50, 0.0),
    ];
    let answer_event = |answer_id: Option<i64>, local: &str, followed: bool| AnswerEvent {
        site: "shop".into(),
        answer_id,
        at: at(local),
        followed_by_message: followed,
    };
    let answer_events = vec![
        answer_event(Some(7), "2026-12-21T10:00:00", false),
        answer_event(Some(7), "2026-12-22T10:00:00", true),
        answer_event(None, "2026-12-23T10:00:00", false),
        answer_event(Some(7), "2026-12-28T10:00:00", false),
    ];
    let facts = ReportFacts {
        episodes,
        availability,
        hours,
        prompt_days,
        answer_events,
        tallies: None,
        waits: None,
    };
    let prompt = Prompt {
        id: 9,
        site: "shop".into(),
        name: "Doprava zdarma".into(),
        variants: vec![
            PromptVariant {
                text: "Poradíme".into(),
                weight: 1.0,
            },
            PromptVariant {
                text: "Doprava zdarma nad 1 500 Kč".into(),
                weight: 1.0,
            },
        ],
        trigger: PromptTrigger::default(),
        dismiss_for_days: 7,
        max_per_session: 1,
        enabled: true,
        views: Vec::new(),
    };
    let context = Context {
        sites: HashMap::from([("shop".to_owned(), SiteTime::of(Some(&hours_of_the_shop())))]),
        zone: TimeZone::get(ZONE).unwrap(),
        operators: vec![(1, "Anna".into()), (2, "Petr".into())],
        prompts: vec![prompt],
        answers: vec![(7, "Jak vrátit zboží?".into())],
        now: at("2027-01-31T00:00:00"),
    };
    (facts, context)
}

fn week() -> Period {
    Period {
        from: date("2026-12-21"),
        to: date("2026-12-27"),
    }
}

fn run(name: &str) -> Value {
    let (facts, context) = history();
    report(name, &facts, &context, week()).expect("a known report")
}

#[test]
fn business_time_skips_the_night_the_weekend_and_the_holiday() {
    let time = SiteTime::of(Some(&hours_of_the_shop()));
    let schedule = time.schedule.clone().unwrap();
    let calendar = Calendar::new(
        time.zone.clone(),
        time.schedule.clone(),
        at("2026-12-19T00:00:00"),
        at("2026-12-30T00:00:00"),
    );
    // The schedule's own count and the report's calendar agree.
    let business = |from: &str, to: &str| {
        let counted = schedule.open_millis_between(at(from), at(to));
        assert_eq!(counted, calendar.business(at(from), at(to)), "{from}–{to}");
        counted / 1000
    };
    assert_eq!(
        business("2026-12-23T16:50:00", "2026-12-28T09:10:00"),
        30_000
    );
    assert_eq!(business("2026-12-21T00:30:00", "2026-12-21T00:30:40"), 0);
    assert_eq!(business("2026-12-26T12:00:00", "2026-12-26T12:30:00"), 0);
    assert_eq!(business("2026-12-21T08:59:00", "2026-12-21T09:01:00"), 60);
    assert_eq!(business("2026-12-24T08:00:00", "2026-12-24T18:00:00"), 0);
}

#[test]
fn a_day_of_the_clock_change_has_twenty_three_hours() {
    // Prague moves to summer time on Sunday 2027-03-28: that day has 23 hours.
    let zone = TimeZone::get(ZONE).unwrap();
    let day = Period {
        from: date("2027-03-28"),
        to: date("2027-03-28"),
    };
    let (start, end) = day.millis_in(&zone);
    assert_eq!(end - start, 23 * 3_600_000);
    let facts = ReportFacts::default();
    let (_, mut context) = history();
    context.zone = zone;
    let heat = report("hours", &facts, &context, day).unwrap();
    let cells = heat["current"]["cells"].as_array().unwrap();
    let in_range: u64 = cells
        .iter()
        .map(|cell| cell["hoursInRange"].as_u64().unwrap())
        .sum();
    assert_eq!(in_range, 23);
    let two_oclock = cells
        .iter()
        .find(|cell| cell["weekday"] == "sun" && cell["hour"] == 2)
        .unwrap();
    assert_eq!(
        two_oclock["hoursInRange"], 0,
        "02:00 does not happen that day"
    );
}

#[test]
fn volume_counts_each_day_in_the_shops_zone() {
    let volume = run("volume");
    let days = volume["current"]["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    let row = |index: usize| {
        let day = &days[index];
        (
            day["date"].as_str().unwrap().to_owned(),
            [
                day["new"].as_u64().unwrap(),
                day["reopened"].as_u64().unwrap(),
                day["resolved"].as_u64().unwrap(),
                day["missed"].as_u64().unwrap(),
                day["contactForms"].as_u64().unwrap(),
            ],
        )
    };
    assert_eq!(row(0), ("2026-12-21".into(), [2, 0, 2, 0, 0]));
    assert_eq!(row(1), ("2026-12-22".into(), [1, 0, 0, 1, 1]));
    assert_eq!(row(2), ("2026-12-23".into(), [1, 0, 0, 1, 0]));
    assert_eq!(row(3).1, [0; 5]);
    assert_eq!(row(4).1, [0; 5]);
    assert_eq!(row(5), ("2026-12-26".into(), [0, 1, 1, 1, 0]));
    assert_eq!(row(6).1, [0; 5], "Monday 00:30 is not Sunday in Prague");
    assert_eq!(
        volume["current"]["totals"],
        json!({"new": 4, "reopened": 1, "resolved": 3, "missed": 3, "contactForms": 1})
    );
    assert_eq!(
        volume["previous"]["totals"],
        json!({"new": 1, "reopened": 0, "resolved": 1, "missed": 1, "contactForms": 0})
    );
    assert_eq!(volume["previous"]["from"], "2026-12-14");
    assert_eq!(volume["previous"]["to"], "2026-12-20");
}

#[test]
fn first_response_and_resolution_in_wall_clock_and_business_time() {
    let response = run("response");
    let current = &response["current"];
    let first = &current["firstResponse"];
    assert_eq!(first["wallClock"]["count"], 3);
    assert_eq!(first["wallClock"]["medianSeconds"], 40);
    assert_eq!(first["wallClock"]["p90Seconds"], 404_400);
    assert_eq!(first["businessTime"]["medianSeconds"], 30);
    assert_eq!(first["businessTime"]["p90Seconds"], 30_000);
    let buckets = |value: &Value| -> Vec<u64> {
        value["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|bucket| bucket["count"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(buckets(&first["wallClock"]), [0, 2, 0, 0, 0, 0, 0, 1]);
    assert_eq!(buckets(&first["businessTime"]), [1, 1, 0, 0, 0, 0, 0, 1]);
    let resolution = &current["resolution"];
    assert_eq!(resolution["wallClock"]["count"], 3);
    assert_eq!(resolution["wallClock"]["medianSeconds"], 600);
    assert_eq!(resolution["wallClock"]["p90Seconds"], 1800);
    assert_eq!(resolution["businessTime"]["medianSeconds"], 0);
    assert_eq!(resolution["businessTime"]["p90Seconds"], 600);
    let operators = current["operators"].as_array().unwrap();
    assert_eq!(operators.len(), 2);
    assert_eq!(
        (
            &operators[0]["name"],
            &operators[0]["count"],
            &operators[0]["medianSeconds"]
        ),
        (&json!("Anna"), &json!(1), &json!(30))
    );
    assert_eq!(operators[1]["name"], "Petr");
    assert_eq!(operators[1]["medianSeconds"], 40);
    assert_eq!(operators[1]["p90Seconds"], 404_400);
    assert_eq!(operators[1]["businessMedianSeconds"], 0);
    assert_eq!(operators[1]["businessP90Seconds"], 30_000);
    // The week before: E7 alone, two minutes.
    assert_eq!(
        response["previous"]["firstResponse"]["wallClock"]["medianSeconds"],
        120
    );
}

#[test]
fn satisfaction_is_satisfied_per_rated_and_rated_per_resolved() {
    let satisfaction = run("satisfaction");
    let current = &satisfaction["current"];
    assert_eq!(current["resolved"], 3);
    assert_eq!(current["rated"], 2);
    assert_eq!(current["satisfied"], 1);
    assert_eq!(current["neutral"], 0);
    assert_eq!(current["dissatisfied"], 1);
    assert_eq!(current["score"], 0.5);
    assert!((current["responseRate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let operators = current["operators"].as_array().unwrap();
    assert_eq!(operators[0]["name"], "Anna");
    assert_eq!(operators[0]["resolved"], 2);
    assert_eq!(operators[0]["score"], 0.5);
    assert_eq!(operators[0]["responseRate"], 1.0);
    assert_eq!(operators[1]["name"], "Petr");
    assert_eq!(operators[1]["resolved"], 1);
    assert_eq!(operators[1]["score"], Value::Null);
    assert_eq!(operators[1]["responseRate"], 0.0);
    assert_eq!(
        current["comments"],
        json!([{"conversationId": 1, "rating": "satisfied", "comment": "Výborně", "operatorId": 1}])
    );
    assert_eq!(satisfaction["previous"]["neutral"], 1);
    assert_eq!(satisfaction["previous"]["score"], 0.0);
}

#[test]
fn operators_have_their_conversations_messages_ratings_and_time_available() {
    let operators = run("operators");
    let rows = operators["current"]["operators"].as_array().unwrap();
    let anna = &rows[0];
    assert_eq!(anna["name"], "Anna");
    assert_eq!(anna["conversations"], 2);
    assert_eq!(anna["messages"], 3);
    assert_eq!(anna["medianFirstResponseSeconds"], 30);
    assert_eq!(anna["ratings"]["rated"], 2);
    // 09:00–17:00 on Monday and 11:30–12:15 on Saturday.
    assert_eq!(anna["availableSeconds"], 8 * 3600 + 45 * 60);
    let petr = &rows[1];
    assert_eq!(petr["conversations"], 2);
    assert_eq!(
        petr["messages"], 0,
        "his message of the 28th is outside the week"
    );
    assert_eq!(petr["medianFirstResponseSeconds"], 40);
    assert_eq!(petr["ratings"]["rated"], 0);
    // Online since before the week, until Tuesday 08:00.
    assert_eq!(petr["availableSeconds"], 32 * 3600);
    assert_eq!(
        operators["previous"]["operators"][1]["availableSeconds"],
        (2 * 24 + 16) * 3600,
        "from Friday 08:00 to the end of Sunday"
    );
}

#[test]
fn the_heat_map_puts_conversations_messages_and_coverage_in_their_hours() {
    let heat = run("hours");
    let cells = heat["current"]["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 7 * 24);
    let cell = |weekday: &str, hour: u64| {
        cells
            .iter()
            .find(|cell| cell["weekday"] == weekday && cell["hour"] == hour)
            .unwrap()
    };
    let conversations: u64 = cells
        .iter()
        .map(|cell| cell["conversations"].as_u64().unwrap())
        .sum();
    assert_eq!(conversations, 5);
    assert_eq!(cell("mon", 10)["conversations"], 1);
    assert_eq!(cell("mon", 0)["conversations"], 1);
    assert_eq!(cell("tue", 20)["conversations"], 1);
    assert_eq!(cell("wed", 16)["conversations"], 1);
    assert_eq!(cell("sat", 12)["conversations"], 1);
    assert_eq!(cell("sun", 23)["conversations"], 0);
    assert_eq!(cell("mon", 10)["visitorMessages"], 2);
    assert_eq!(cell("mon", 0)["visitorMessages"], 1);
    let messages: u64 = cells
        .iter()
        .map(|cell| cell["visitorMessages"].as_u64().unwrap())
        .sum();
    assert_eq!(messages, 3);
    // Covered: all of Monday, Tuesday until 08:00, Saturday 11:30–12:15.
    let covered: Vec<(String, u64)> = cells
        .iter()
        .filter(|cell| cell["hoursAvailable"] == 1)
        .map(|cell| {
            (
                cell["weekday"].as_str().unwrap().to_owned(),
                cell["hour"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, u64)> = (0..24).map(|hour| ("mon".to_owned(), hour)).collect();
    expected.extend((0..8).map(|hour| ("tue".to_owned(), hour)));
    expected.extend([("sat".to_owned(), 11), ("sat".to_owned(), 12)]);
    assert_eq!(covered, expected);
    assert!(cells.iter().all(|cell| cell["hoursInRange"] == 1));
    assert_eq!(heat["current"]["zone"], ZONE);
}

#[test]
fn prompts_count_the_days_in_range_with_their_significance() {
    let prompts = run("prompts");
    let variants = prompts["current"]["prompts"][0]["variants"]
        .as_array()
        .unwrap();
    assert_eq!(variants[0]["shown"], 100);
    assert_eq!(variants[0]["conversations"], 10);
    assert_eq!(variants[1]["shown"], 100);
    assert_eq!(variants[1]["conversations"], 20);
    assert_eq!(variants[1]["orders"], 2);
    assert_eq!(variants[1]["orderTotal"], 1500.0);
    // Pooled 0.15; standard error √(0.15 · 0.85 · (1/100 + 1/100)) = 0.050498; z = 0.1 / it.
    let z = variants[1]["zScore"].as_f64().unwrap();
    let p = variants[1]["pValue"].as_f64().unwrap();
    assert!((z - 1.980_3).abs() < 1e-3, "{z}");
    assert!((p - 0.047_7).abs() < 1e-3, "{p}");
    assert_eq!(
        prompts["previous"]["prompts"][0]["variants"][0]["shown"],
        50
    );
}

#[test]
fn answers_opened_searches_that_found_nothing_and_conversations_avoided() {
    let answers = run("answers");
    let current = &answers["current"];
    assert_eq!(current["opened"], 2);
    assert_eq!(current["searchesWithoutResult"], 1);
    assert_eq!(current["conversationsAvoided"], 1);
    assert_eq!(
        current["answers"],
        json!([{"answerId": 7, "question": "Jak vrátit zboží?", "opened": 2, "conversationsAvoided": 1}])
    );
    assert_eq!(answers["previous"]["opened"], 0);
}

#[test]
fn percentiles_are_nearest_rank() {
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[5], 90), Some(5));
    assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
    assert_eq!(
        percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90),
        Some(10)
    );
}

#[test]
fn the_csv_of_a_report_is_its_table_with_a_byte_order_mark() {
    let text = csv::report_csv("volume", &run("volume"));
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}Date,New,Reopened,Resolved,Missed,Contact forms"
    );
    assert_eq!(lines.next().unwrap(), "2026-12-21,2,0,2,0,0");
    let comments = csv::report_csv("satisfaction", &run("satisfaction"));
    assert_eq!(
        comments,
        "\u{feff}Conversation,Rating,Comment,Operator\r\n1,satisfied,Výborně,1\r\n"
    );
}

#[test]
fn hourly_tallies_fit_the_days_of_zones_a_whole_number_of_hours_from_utc() {
    let zone = |name: &str| TimeZone::get(name).expect("a known zone");
    let (prague, kolkata) = (zone("Europe/Prague"), zone("Asia/Kolkata"));
    // Across both clock changes of the year.
    let (from, to) = (date("2026-01-01"), date("2026-12-31"));
    assert!(days_begin_on_hours(&[&prague, &TimeZone::UTC], from, to));
    assert!(!days_begin_on_hours(&[&prague, &kolkata], from, to));
}

#[test]
fn percentiles_of_counted_values_are_those_of_the_values() {
    let values = [3, 3, 5, 8, 8, 8, 13, 21, 21, 34, 55];
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_insert(0u64) += 1;
    }
    for p in [1, 10, 50, 89, 90, 91, 100] {
        assert_eq!(
            tallies::percentile_of_counts(&counts, p),
            percentile(&values, p),
            "{p}"
        );
    }
    assert_eq!(tallies::percentile_of_counts(&BTreeMap::new(), 50), None);
}
