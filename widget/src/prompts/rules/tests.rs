//! The rules and the memory, in both modes: without consent and with it.

use super::*;

fn rule() -> Rule {
    Rule {
        id: 1,
        variants: vec![("A".into(), 1.0), ("B".into(), 3.0)],
        dismiss_days: 7.0,
        per_session: 1.0,
        ..Rule::default()
    }
}

const T0: f64 = 1_800_000_000_000.0;

#[test]
fn patterns_match_with_stars_only() {
    assert!(url_matches("/products/*", "/products/jacket?c=red"));
    assert!(!url_matches("/products/*", "/cart"));
    assert!(url_matches("/cart", "/cart"));
    assert!(!url_matches("/cart", "/cart/checkout"));
    assert!(url_matches("*jacket*", "/products/winter-jacket-2"));
    assert!(url_matches("/*/checkout", "/eshop/checkout"));
    assert!(!url_matches("/*/checkout", "/eshop/checkout/done"));
    assert!(url_matches("*", "/anything"));
    assert!(url_matches("*", ""));
    assert!(!url_matches("/a", ""));
    assert!(url_matches("/a*b*c", "/aXbYbZc"));
    assert!(!url_matches("/a*b*c", "/aXbYbZ"));
    assert!(url_matches("/ž*", "/žluťoučký"));
}

#[test]
fn every_given_trigger_must_hold() {
    let mut memory = Memory::default();
    memory.visit(T0);
    let page = Page {
        path: "/products/jacket".into(),
        seconds: 30.0,
        cart_total: 1200.0,
        ..Page::default()
    };
    assert!(
        eligible(&rule(), &memory, &page, T0, true),
        "no triggers: at once"
    );
    let timed = Rule {
        url_pattern: Some("/products/*".into()),
        seconds_on_page: Some(20.0),
        cart_min_total: Some(1000.0),
        ..rule()
    };
    assert!(eligible(&timed, &memory, &page, T0, true));
    let early = Page {
        seconds: 19.0,
        ..page.clone()
    };
    assert!(!eligible(&timed, &memory, &early, T0, true));
    let small_cart = Page {
        cart_total: 999.0,
        ..page.clone()
    };
    assert!(!eligible(&timed, &memory, &small_cart, T0, true));
    let elsewhere = Page {
        path: "/cart".into(),
        ..page.clone()
    };
    assert!(!eligible(&timed, &memory, &elsewhere, T0, true));
    let leaving = Rule {
        exit_intent: true,
        ..rule()
    };
    assert!(!eligible(&leaving, &memory, &page, T0, true));
    let exit = Page {
        exit: true,
        ..page.clone()
    };
    assert!(eligible(&leaving, &memory, &exit, T0, true));
    let browsing = Rule {
        min_pages: Some(3.0),
        ..rule()
    };
    assert!(!eligible(&browsing, &memory, &page, T0, true));
    memory.visit(T0 + 1000.0);
    memory.visit(T0 + 2000.0);
    assert!(eligible(&browsing, &memory, &page, T0, true));
}

#[test]
fn visits_dwell_and_returning_visitors() {
    let mut memory = Memory::default();
    memory.visit(T0);
    let returning = Rule {
        returning: Some(true),
        ..rule()
    };
    let new_only = Rule {
        returning: Some(false),
        ..rule()
    };
    let page = Page::default();
    assert!(!eligible(&returning, &memory, &page, T0, true));
    assert!(eligible(&new_only, &memory, &page, T0, true));
    let dwell = Rule {
        url_pattern: Some("*".into()),
        min_dwell: Some(60.0),
        ..rule()
    };
    memory.add_dwell(1, 59.0);
    assert!(!eligible(&dwell, &memory, &page, T0, true));
    memory.add_dwell(1, 1.0);
    assert!(eligible(&dwell, &memory, &page, T0, true));
    // Half an hour later a new visit starts: pages and dwell start again, and the visitor
    // is a returning one.
    memory.visit(T0 + SESSION_GAP_MS + 1.0);
    assert_eq!(memory.pages, 1.0);
    assert!(!eligible(&dwell, &memory, &page, T0, true));
    assert!(eligible(&returning, &memory, &page, T0, true));
    assert!(!eligible(&new_only, &memory, &page, T0, true));
}

#[test]
fn dismissal_lasts_its_days_and_shows_are_capped_per_visit() {
    let mut memory = Memory::default();
    memory.visit(T0);
    let page = Page::default();
    memory.dismiss(1, 7.0, T0);
    assert!(!eligible(&rule(), &memory, &page, T0 + 6.9 * DAY_MS, true));
    assert!(eligible(&rule(), &memory, &page, T0 + 7.0 * DAY_MS, true));
    let mut memory = Memory::default();
    memory.visit(T0);
    memory.shown(1, 0, "p1.1.0", T0);
    assert!(!eligible(&rule(), &memory, &page, T0, true));
    let twice = Rule {
        per_session: 2.0,
        ..rule()
    };
    assert!(eligible(&twice, &memory, &page, T0, true));
    memory.visit(T0 + SESSION_GAP_MS + 1.0);
    assert!(eligible(&rule(), &memory, &page, T0, true));
}

#[test]
fn the_memory_reads_back_as_it_was_written() {
    let mut memory = Memory::default();
    memory.visit(T0);
    memory.add_dwell(3, 12.0);
    memory.shown(3, 1, "p1.3.1", T0 + 5.0);
    memory.dismiss(4, 7.0, T0);
    memory.variant(&rule(), 0.9);
    let mut read = Memory::from_numbers(&memory.to_numbers());
    assert_eq!(read.view, "", "the view id is kept apart, as text");
    read.view = memory.view.clone();
    assert_eq!(read, memory);
    assert_eq!(Memory::from_numbers(&[]), Memory::default());
    // A cut-off record gives what it holds and nothing made up.
    let cut = Memory::from_numbers(&memory.to_numbers()[..10]);
    assert_eq!((cut.first, cut.pages, cut.dwell.len()), (T0, 1.0, 1));
}

#[test]
fn variants_are_drawn_by_weight_and_kept() {
    let mut memory = Memory::default();
    assert_eq!(
        memory.variant(&rule(), 0.2),
        0,
        "A covers the first quarter"
    );
    assert_eq!(memory.variant(&rule(), 0.9), 0, "kept");
    let mut memory = Memory::default();
    assert_eq!(memory.variant(&rule(), 0.25), 1);
    assert_eq!(memory.variant(&rule(), 0.0), 1, "kept");
}

#[test]
fn a_conversation_counts_once_and_orders_within_a_week() {
    let mut memory = Memory::default();
    assert_eq!(memory.talked(T0), None);
    memory.shown(1, 1, "p1.1.1", T0);
    assert_eq!(memory.view, "p1.1.1");
    assert_eq!(memory.talked(T0 + 1000.0), Some((1, 1)));
    assert_eq!(memory.talked(T0 + 2000.0), None, "once");
    assert_eq!(memory.ordered(T0 + 6.0 * DAY_MS), Some((1, 1)));
    assert_eq!(memory.ordered(T0 + 8.0 * DAY_MS), None);
    let mut late = Memory::default();
    late.shown(2, 0, "p1.2.0", T0);
    assert_eq!(late.talked(T0 + 2.0 * DAY_MS), None);
}

#[test]
fn without_consent_only_this_page_view_counts() {
    // A visitor with a long history kept from an earlier consent, and one closed prompt.
    let mut stored = Memory::default();
    stored.visit(T0);
    stored.visit(T0 + 1000.0);
    stored.add_dwell(1, 500.0);
    stored.dismiss(2, 7.0, T0);
    let now = T0 + SESSION_GAP_MS * 10.0;
    let memory = Memory::page_view(now, stored.clone());
    assert_eq!(memory.pages, 1.0, "this page view only");
    assert!(memory.dwell.is_empty());
    assert!(
        memory.dismissed(2, now),
        "what the visitor closed stays closed"
    );
    let page = Page {
        path: "/products/jacket".into(),
        seconds: 30.0,
        cart_total: 1500.0,
        exit: true,
        ..Page::default()
    };
    // What the page view knows: the URL, seconds on the page, exit intent, the cart.
    let here = Rule {
        url_pattern: Some("/products/*".into()),
        seconds_on_page: Some(20.0),
        exit_intent: true,
        cart_min_total: Some(1000.0),
        ..rule()
    };
    assert!(eligible(&here, &memory, &page, now, false));
    // Memory across pages and visits: never.
    for needs_memory in [
        Rule {
            min_pages: Some(2.0),
            ..rule()
        },
        Rule {
            returning: Some(true),
            ..rule()
        },
        Rule {
            returning: Some(false),
            ..rule()
        },
    ] {
        assert!(!eligible(&needs_memory, &memory, &page, now, false));
    }
    // Time on matching pages counts within this page view.
    let dwell = Rule {
        url_pattern: Some("/products/*".into()),
        min_dwell: Some(10.0),
        ..rule()
    };
    let mut memory = memory;
    assert!(!eligible(&dwell, &memory, &page, now, false));
    memory.add_dwell(1, 10.0);
    assert!(eligible(&dwell, &memory, &page, now, false));
    let closed = Rule { id: 2, ..rule() };
    assert!(!eligible(&closed, &memory, &page, now, false));
}

#[test]
fn only_dismissals_are_stored_without_consent() {
    let mut memory = Memory::page_view(T0, Memory::default());
    memory.add_dwell(1, 12.0);
    memory.shown(1, 0, "p1.1.0", T0);
    memory.variant(&rule(), 0.5);
    memory.dismiss(1, 7.0, T0);
    let record = memory.dismissals_only();
    assert_eq!(
        record.to_numbers(),
        [
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            1.0,
            T0 + 7.0 * DAY_MS
        ],
        "no time, page, variant or shown prompt: the closed prompt and until when"
    );
    assert_eq!(record.view, "");
    assert_eq!(Memory::default().dismissals_only(), Memory::default());
}

#[test]
fn consent_keeps_this_page_view_as_one_more_of_the_visit() {
    let mut kept = Memory::default();
    kept.visit(T0);
    kept.visit(T0 + 1000.0);
    kept.add_dwell(1, 20.0);
    kept.variant(&rule(), 0.9);
    kept.dismiss(3, 1.0, T0);
    let mut page = Memory::page_view(T0 + 5000.0, kept.clone());
    page.add_dwell(1, 15.0);
    page.variant(&rule(), 0.1);
    page.shown(1, 0, "p1.1.0", T0 + 6000.0);
    page.dismiss(3, 7.0, T0 + 7000.0);
    // A dismissal is stored at once, without consent as with it.
    kept.dismiss(3, 7.0, T0 + 7000.0);
    kept.keep(&page);
    assert_eq!(kept.pages, 3.0, "the third page of the visit");
    assert_eq!(get(&kept.dwell, 1), Some(35.0));
    assert_eq!(get(&kept.shown, 1), Some(1.0));
    assert_eq!(get(&kept.variants, 1), Some(1.0), "the kept variant stays");
    assert_eq!(get(&kept.dismissed, 3), Some(T0 + 7000.0 + 7.0 * DAY_MS));
    assert_eq!(
        (kept.last, kept.view.as_str()),
        (Some((1, 0, T0 + 6000.0, false)), "p1.1.0")
    );
    let browsing = Rule {
        min_pages: Some(3.0),
        per_session: 2.0,
        ..rule()
    };
    assert!(eligible(
        &browsing,
        &kept,
        &Page::default(),
        T0 + 8000.0,
        true
    ));
    // A first consent: the page view starts the memory.
    let mut first = Memory::default();
    first.keep(&Memory::page_view(T0, Memory::default()));
    assert_eq!((first.first, first.start, first.pages), (T0, T0, 1.0));
    assert!(!first.returning());
}
