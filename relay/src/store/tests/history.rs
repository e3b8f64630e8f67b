//! [`HistoryStore`](crate::store::HistoryStore) on both stores: searching without case and
//! diacritics, by prefixes, by several words; hostile queries; the filters together; keyset
//! pages that neither repeat nor skip while conversations are added; notes and reviews. Every
//! expected answer is written out here, so both stores must find exactly the same.

use crate::store::history::query_words;
use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::history::Verdict;
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, Rating, VisitorId,
};
use std::sync::Arc;

fn on_site(site: &str, visitor: &str, client_id: &str, text: &str) -> NewMessage {
    NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: site.into(),
            visitor_id: VisitorId(visitor.into()),
        },
        author: Author::Visitor,
        operator_id: None,
        client_id: Some(ClientMessageId(client_id.into())),
        text: text.into(),
        origin: None,
    }
}

/// Stores a visitor's message; answers its conversation.
async fn write(store: &Arc<dyn Store>, site: &str, visitor: &str, text: &str) -> ConversationId {
    let client_id = format!("{visitor}-{}", text.len());
    store
        .append_message(
            on_site(site, visitor, &client_id, text),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
        .message
        .conversation_id
}

async fn search(store: &Arc<dyn Store>, query: &str) -> Vec<ConversationId> {
    let filter = HistoryFilter {
        words: Some(query_words(query)),
        limit: 50,
        ..HistoryFilter::default()
    };
    store
        .history(filter)
        .await
        .unwrap()
        .into_iter()
        .map(|hit| hit.summary.id)
        .collect()
}

async fn search_finds_words_without_case_and_diacritics_by_prefix(backend: Backend) {
    let (store, _events) = open(backend).await;
    let refund = write(&store, "default", "v1", "Chci vrácení peněz, prosím.").await;
    let goods = write(&store, "default", "v2", "VRÁCENÍ zboží: jak na to?").await;
    let delivery = write(&store, "default", "v3", "Kdy dorazí objednávka?").await;
    let back = write(&store, "default", "v4", "Vracím se zítra").await;
    // A later message of the first conversation: the newest match is the snippet's message.
    write(&store, "default", "v1", "A vrácení poštovného?").await;

    assert_eq!(search(&store, "vraceni").await, [goods, refund]);
    assert_eq!(search(&store, "VRÁCENÍ").await, [goods, refund]);
    assert_eq!(search(&store, "vrac").await, [back, goods, refund]);
    assert_eq!(search(&store, "vraceni penez").await, [refund]);
    assert_eq!(search(&store, "PENEZ vrác").await, [refund]);
    assert_eq!(search(&store, "vraceni zbozi").await, [goods]);
    assert_eq!(search(&store, "doraz objednavk").await, [delivery]);
    assert!(search(&store, "raceni").await.is_empty(), "not a prefix");
    assert!(
        search(&store, "vraceni doraz").await.is_empty(),
        "not in one message"
    );

    let filter = HistoryFilter {
        words: Some(query_words("vrácení")),
        limit: 50,
        ..HistoryFilter::default()
    };
    let hits = store.history(filter).await.unwrap();
    let matched: Vec<String> = hits
        .iter()
        .map(|hit| hit.matched.as_ref().unwrap().text.clone())
        .collect();
    assert_eq!(
        matched,
        ["VRÁCENÍ zboží: jak na to?", "A vrácení poštovného?"]
    );
}

async fn hostile_queries_are_words_not_syntax(backend: Backend) {
    let (store, _events) = open(backend).await;
    let and = write(&store, "default", "v1", "Jablka AND hrušky").await;
    let quoted = write(&store, "default", "v2", "Řekl \"ne\" a odešel: konec").await;
    for hostile in [
        "a AND",
        "AND",
        "OR",
        "NOT",
        "\"",
        "\"ne",
        "*",
        "-",
        ":",
        "a:b",
        "ne*",
        "NEAR(a b)",
        "' OR 1=1 --",
        "\\",
        "(",
        ")",
        "&|!",
        "'':*",
        "^x",
        "{x}",
        "ab & cd | !ef",
        "NULL",
    ] {
        store
            .history(HistoryFilter {
                words: Some(query_words(hostile)),
                limit: 50,
                ..HistoryFilter::default()
            })
            .await
            .unwrap_or_else(|error| panic!("{hostile:?} failed: {error}"));
    }
    assert_eq!(search(&store, "hrusky AND").await, [and]);
    assert_eq!(search(&store, "\"ne\"").await, [quoted]);
    assert_eq!(search(&store, "konec:").await, [quoted]);
    assert_eq!(search(&store, "-odesel*").await, [quoted]);
    assert!(search(&store, "***").await.is_empty(), "no word, no match");
    // The word SQLite keeps each message's site as (`_s` and the name in hexadecimal) is never
    // matched by what a person types, spelt with or without its underscore.
    for spelt in [
        "_s64656661756c74",
        "s64656661756c74",
        "_s",
        "64656661756c74",
    ] {
        assert!(search(&store, spelt).await.is_empty(), "{spelt:?} matched");
    }
}

async fn filters_combine(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("second", "Second shop").await.unwrap();
    let jana = store
        .add_operator("jana@example.com", "Jana", "hash", false)
        .await
        .unwrap();
    let boss = store
        .add_operator("boss@example.com", "Boss", "hash", true)
        .await
        .unwrap();
    let first = write(&store, "default", "v1", "Reklamace bot").await;
    let second = write(&store, "second", "v2", "Reklamace kabátu").await;
    let third = write(&store, "second", "v3", "Reklamace čepice").await;
    let other = write(&store, "second", "v4", "Dotaz na velikost").await;
    for id in [first, second, third, other] {
        store.assign(id, jana.id).await.unwrap();
    }
    store
        .set_tags(third, vec!["reklamace".into()])
        .await
        .unwrap();
    store
        .set_tags(second, vec!["reklamace".into(), "vip".into()])
        .await
        .unwrap();
    store
        .set_status(second, ConversationStatus::Resolved)
        .await
        .unwrap();
    store
        .set_status(third, ConversationStatus::Resolved)
        .await
        .unwrap();
    store
        .rate(
            "second",
            &VisitorId("v2".into()),
            Rating::Dissatisfied,
            None,
        )
        .await
        .unwrap();
    store
        .rate("second", &VisitorId("v3".into()), Rating::Satisfied, None)
        .await
        .unwrap();
    store
        .set_review(third, boss.id, Verdict::Good, String::new())
        .await
        .unwrap();

    let list = |filter: HistoryFilter| {
        let store = store.clone();
        async move {
            store
                .history(HistoryFilter {
                    limit: 50,
                    ..filter
                })
                .await
                .unwrap()
                .into_iter()
                .map(|hit| hit.summary.id)
                .collect::<Vec<_>>()
        }
    };
    let words = || Some(query_words("reklam"));
    assert_eq!(
        list(HistoryFilter::default()).await,
        [other, third, second, first]
    );
    assert_eq!(
        list(HistoryFilter {
            words: words(),
            site: Some("second".into()),
            ..HistoryFilter::default()
        })
        .await,
        [third, second]
    );
    assert_eq!(
        list(HistoryFilter {
            words: words(),
            site: Some("second".into()),
            tag: Some("reklamace".into()),
            status: Some(ConversationStatus::Resolved),
            reviewed: Some(false),
            ..HistoryFilter::default()
        })
        .await,
        [second]
    );
    assert_eq!(
        list(HistoryFilter {
            rating: Some(Rating::Satisfied),
            reviewed: Some(true),
            operator: Some(jana.id),
            ..HistoryFilter::default()
        })
        .await,
        [third]
    );
    assert_eq!(
        list(HistoryFilter {
            tag: Some("vip".into()),
            status: Some(ConversationStatus::Open),
            ..HistoryFilter::default()
        })
        .await,
        []
    );
    assert_eq!(
        list(HistoryFilter {
            operator: Some(boss.id),
            ..HistoryFilter::default()
        })
        .await,
        []
    );
    let now = crate::clock::now_millis();
    assert_eq!(
        list(HistoryFilter {
            from: Some(now - 60_000),
            to: Some(now + 60_000),
            site: Some("default".into()),
            ..HistoryFilter::default()
        })
        .await,
        [first]
    );
    assert_eq!(
        list(HistoryFilter {
            to: Some(now - 60_000),
            ..HistoryFilter::default()
        })
        .await,
        []
    );
    let mut unreviewed = store
        .unreviewed(jana.id, now - 60_000, now + 60_000)
        .await
        .unwrap();
    unreviewed.sort();
    assert_eq!(unreviewed, [first, second, other]);
}

async fn pages_neither_repeat_nor_skip_while_conversations_are_added(backend: Backend) {
    let (store, _events) = open(backend).await;
    let mut before_paging = Vec::new();
    for index in 0..7 {
        before_paging.push(write(&store, "default", &format!("v{index}"), "objednávka").await);
    }
    let mut seen: Vec<ConversationId> = Vec::new();
    let mut before = None;
    let mut added = 0;
    loop {
        let page = store
            .history(HistoryFilter {
                words: Some(query_words("objedn")),
                before,
                limit: 3,
                ..HistoryFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.summary.id);
        seen.extend(page.iter().map(|hit| hit.summary.id));
        // New conversations, and new messages in old ones, arrive between pages.
        write(&store, "default", &format!("new{added}"), "objednávka").await;
        write(&store, "default", "v0", "ještě jedna objednávka").await;
        added += 1;
    }
    before_paging.reverse();
    assert_eq!(seen, before_paging);
}

async fn notes_and_reviews(backend: Backend) {
    let (store, events) = open(backend).await;
    let jana = store
        .add_operator("jana@example.com", "Jana", "hash", false)
        .await
        .unwrap();
    let boss = store
        .add_operator("boss@example.com", "Boss", "hash", true)
        .await
        .unwrap();
    let id = write(&store, "default", "v1", "Dobrý den").await;
    while events.try_recv().is_ok() {}
    let note = store
        .add_note(id, jana.id, "Zákazník volal, pozor".into())
        .await
        .unwrap();
    assert_eq!((note.author.as_str(), note.operator_id), ("Jana", jana.id));
    let batch = events.recv().unwrap();
    assert!(
        matches!(&batch[..], [Event::NoteAdded { note: heard }] if *heard == note),
        "{batch:?}"
    );
    store.add_note(id, boss.id, "Druhá".into()).await.unwrap();
    let notes = store.notes(id).await.unwrap();
    let texts: Vec<&str> = notes.iter().map(|note| note.text.as_str()).collect();
    assert_eq!(texts, ["Zákazník volal, pozor", "Druhá"]);
    assert!(matches!(
        store
            .add_note(ConversationId(999), jana.id, "x".into())
            .await,
        Err(StoreError::NotFound)
    ));
    // Notes are not messages: the conversation's messages and its search are unchanged.
    assert_eq!(store.conversation(id).await.unwrap().messages.len(), 1);
    assert!(search(&store, "pozor").await.is_empty());

    assert_eq!(store.review(id).await.unwrap(), None);
    let review = store
        .set_review(id, boss.id, Verdict::Coaching, "Pozdravit jménem".into())
        .await
        .unwrap();
    assert_eq!(
        (
            review.verdict,
            review.comment.as_str(),
            review.reviewer.as_str()
        ),
        (Verdict::Coaching, "Pozdravit jménem", "Boss")
    );
    let again = store
        .set_review(id, boss.id, Verdict::Good, String::new())
        .await
        .unwrap();
    assert_eq!(store.review(id).await.unwrap(), Some(again));
    assert!(store.clear_review(id).await.unwrap());
    assert!(!store.clear_review(id).await.unwrap());
    assert!(matches!(
        store
            .set_review(ConversationId(999), boss.id, Verdict::Good, String::new())
            .await,
        Err(StoreError::NotFound)
    ));
}

/// A search's page: each conversation once however many of its messages match, newest
/// first, the ones another filter excludes skipped, and the newest matching message as the
/// hit's message (the one the snippet shows).
async fn a_page_of_a_search_holds_each_conversation_once_with_its_newest_match(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("obuv", "Obuv").await.unwrap();
    let mut on_obuv = Vec::new();
    for index in 0..6 {
        let site = if index % 2 == 0 { "default" } else { "obuv" };
        let visitor = format!("v{index}");
        let mut conversation = None;
        for turn in 0..3 {
            let text = format!("Reklamace {index}, potřetí {turn}");
            let client_id = format!("{visitor}-{turn}");
            let stored = store
                .append_message(
                    on_site(site, &visitor, &client_id, &text),
                    VisitorDetails::default(),
                    Notices::default(),
                )
                .await
                .unwrap();
            conversation = Some(stored.message.conversation_id);
        }
        if site == "obuv" {
            on_obuv.push((
                conversation.unwrap(),
                format!("Reklamace {index}, potřetí 2"),
            ));
        }
    }
    on_obuv.reverse();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .history(HistoryFilter {
                words: Some(query_words("reklam")),
                site: Some("obuv".into()),
                before,
                limit: 2,
                ..HistoryFilter::default()
            })
            .await
            .unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        before = Some(last.summary.id);
        seen.extend(page.into_iter().map(|hit| {
            let matched = hit.matched.expect("a search's hit carries its message");
            (hit.summary.id, matched.text)
        }));
    }
    assert_eq!(seen, on_obuv);
}

on_both_stores!(
    a_page_of_a_search_holds_each_conversation_once_with_its_newest_match,
    search_finds_words_without_case_and_diacritics_by_prefix,
    hostile_queries_are_words_not_syntax,
    filters_combine,
    pages_neither_repeat_nor_skip_while_conversations_are_added,
    notes_and_reviews,
);

/// A database from before the history is indexed by the migration that adds it.
#[test]
fn the_migration_indexes_the_messages_already_stored() {
    use crate::store::sqlite::schema;
    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    schema::migrate(&mut connection).unwrap();
    // Back to version 10 (the tables of 11 and later gone), with messages stored meanwhile.
    connection
        .execute_batch(
            "DROP TABLE message_search; DROP TABLE notes; DROP TABLE reviews;
             DROP INDEX conversations_by_operator;
             DROP TABLE report_episodes; DROP TABLE report_hours;
             DROP TABLE report_availability; DROP TABLE report_answer_events;
             DROP TABLE report_tallies; DROP TABLE report_waits;
             DROP TABLE audit_log; DROP TABLE address_blocks; DROP INDEX conversations_blocked;
             ALTER TABLE conversations DROP COLUMN blocked_at;
             ALTER TABLE conversations DROP COLUMN blocked_by;
             ALTER TABLE conversations DROP COLUMN blocked_address_until;
             ALTER TABLE sites DROP COLUMN retention_days;
             ALTER TABLE sites DROP COLUMN visitor_erase;
             ALTER TABLE operators DROP COLUMN language;
             DROP TABLE files; ALTER TABLE messages DROP COLUMN files;
             DROP TABLE webhook_deliveries; DROP TABLE webhooks; DROP TABLE webhook_assignees;
             DROP TABLE api_keys;
             PRAGMA user_version = 10;
             INSERT INTO conversations (id, site, visitor_id, status, created_at, updated_at, last_seq)
                 VALUES (5, 'default', 'v', 'open', 0, 0, 2);
             INSERT INTO messages (conversation_id, seq, author, text, sent_at)
                 VALUES (5, 1, 'visitor', 'Chci VRÁCENÍ', 0), (5, 2, 'visitor', 'Děkuji', 0);",
        )
        .unwrap();
    schema::migrate(&mut connection).unwrap();
    let found: Vec<i64> = connection
        .prepare("SELECT rowid FROM message_search WHERE message_search MATCH '\"vrac\"*'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(found, [(5 << 24) | 1]);
}

/// PostgreSQL: a note added through one relay reaches the other relay's consoles, through the
/// cluster's event log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_added_on_one_relay_is_heard_on_the_other() {
    use crate::store::postgres::PgStore;
    use std::sync::{Mutex, mpsc};
    use std::time::{Duration, Instant};
    let url = crate::store::test_stores::fresh_database().await;
    let open_relay = |name: &'static str| {
        let url = url.clone();
        async move {
            let (sender, receiver) = mpsc::channel::<Vec<Event>>();
            let sender = Mutex::new(sender);
            let store = PgStore::open(
                &url,
                name.to_owned(),
                Box::new(move |batch| {
                    let _ = sender
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .send(batch);
                }),
            )
            .await
            .unwrap();
            (Arc::new(store), receiver)
        }
    };
    let (first, _first_events) = open_relay("relay-a").await;
    let (second, second_events) = open_relay("relay-b").await;
    let jana = first
        .add_operator("jana@example.com", "Jana", "hash", false)
        .await
        .unwrap();
    let first_store: Arc<dyn Store> = first.clone();
    let id = write(&first_store, "default", "v1", "Dobrý den").await;
    let note = first
        .add_note(id, jana.id, "Jen pro tým".into())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the other relay never heard the note");
        if let Ok(batch) = second_events.recv_timeout(left)
            && batch
                .iter()
                .any(|event| matches!(event, Event::NoteAdded { note: heard } if *heard == note))
        {
            break;
        }
    }
    assert_eq!(second.notes(id).await.unwrap(), [note]);
}
