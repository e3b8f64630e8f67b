//! The store's tests of the reports' facts, each run on SQLite and on PostgreSQL: episodes
//! (new, reopened by the visitor and by an operator), first answers that the automatic message
//! does not give, resolutions, ratings, contact forms, messages per hour and author,
//! availability changes recorded once each, and answers opened with or without a message after.

use crate::store::reports::{AvailabilityChange, Episode, FactKinds};
use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::answers::AnswerInput;
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, Message, OperatorId, Rating, VisitorId,
};
use std::time::{Duration, Instant};

fn millis(message: &Message) -> i64 {
    message
        .sent_at
        .parse::<jiff::Timestamp>()
        .expect("a stored time")
        .as_millisecond()
}

async fn visitor_writes(store: &dyn Store, visitor: &str, text: &str, contact: bool) -> Message {
    let notices = Notices {
        email: None,
        contact,
    };
    store
        .append_message(
            NewMessage {
                files: Vec::new(),
                target: MessageTarget::Visitor {
                    site: "default".into(),
                    visitor_id: VisitorId(visitor.into()),
                },
                author: Author::Visitor,
                operator_id: None,
                client_id: None,
                text: text.into(),
                origin: None,
            },
            VisitorDetails::default(),
            notices,
        )
        .await
        .unwrap()
        .message
}

async fn operator_writes(
    store: &dyn Store,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    text: &str,
) -> Message {
    store
        .append_message(
            NewMessage {
                files: Vec::new(),
                target: MessageTarget::Conversation(conversation_id),
                author: Author::Operator,
                operator_id: Some(operator_id),
                client_id: None,
                text: text.into(),
                origin: None,
            },
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
        .message
}

/// Everything recorded so far.
async fn all_facts(store: &dyn Store) -> crate::store::reports::ReportFacts {
    store
        .report_facts(0, i64::MAX / 2, None, FactKinds::ALL)
        .await
        .expect("read the facts")
}

/// The tallies the store keeps are those its episodes add up to, row for row (rows whose
/// counters all went back to zero aside), and the waits it reads from its indexes are the
/// episodes' own; returns the tallies.
async fn tallies_match_the_episodes(store: &dyn Store) -> crate::store::reports::Tallies {
    let facts = all_facts(store).await;
    let mut read = facts.waits.clone().expect("the waits were asked for");
    let mut worked_out = crate::store::reports::TimedWait::of_episodes(&facts.episodes);
    for waits in [&mut read, &mut worked_out] {
        waits.sort_by_key(|wait| (wait.measure, wait.at, wait.from, wait.to, wait.operator_id));
    }
    assert_eq!(read, worked_out);
    let mut kept = facts.tallies.expect("the tallies were asked for");
    let mut expected = crate::reports::tallies::from_episodes(&facts.episodes);
    for tallies in [&mut kept, &mut expected] {
        tallies.counts.retain(|tally| {
            [
                tally.started_new,
                tally.started_reopened,
                tally.contacts,
                tally.missed,
                tally.resolved,
                tally.satisfied,
                tally.neutral,
                tally.dissatisfied,
            ] != [0; 8]
        });
        tallies.counts.sort_by(|a, b| {
            (&a.site, a.hour, a.operator_id).cmp(&(&b.site, b.hour, b.operator_id))
        });
        tallies.waits.retain(|wait| wait.count != 0);
        tallies.waits.sort_by(|a, b| {
            (&a.site, a.hour, a.operator_id, a.measure, a.seconds).cmp(&(
                &b.site,
                b.hour,
                b.operator_id,
                b.measure,
                b.seconds,
            ))
        });
    }
    assert_eq!(kept, expected);
    kept
}

async fn episodes_and_figures_follow_what_happens_to_a_conversation(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let mut site = store.sites().await.unwrap().remove(0);
    site.auto_message_delay_secs = 1;
    store.update_site("default", site).await.unwrap();
    let anna = store
        .add_operator("anna@shop.example", "Anna", "hash", false)
        .await
        .unwrap()
        .id;
    store.set_operator_online(anna, true).await.unwrap();

    let first = visitor_writes(store, "v1", "Dobrý den, kde je má objednávka?", false).await;
    let conversation_id = first.conversation_id;
    visitor_writes(store, "v1", "Haló?", false).await;
    // The automatic message comes once the site's delay has passed: it is no answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    let automatic = loop {
        if let Some(message) = store.post_auto_message(conversation_id).await.unwrap() {
            break message;
        }
        assert!(
            Instant::now() < deadline,
            "the automatic message never came"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(automatic.author, Author::System);
    let facts = all_facts(store).await;
    assert_eq!(facts.episodes.len(), 1);
    assert_eq!(facts.episodes[0].first_response_at, None);

    let reply = operator_writes(store, conversation_id, anna, "Dobrý den, hned se podívám").await;
    operator_writes(store, conversation_id, anna, "Je na cestě.").await;
    store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();
    store
        .rate(
            "default",
            &VisitorId("v1".into()),
            Rating::Satisfied,
            Some("Rychlé, díky".into()),
        )
        .await
        .unwrap();
    // The rating came after the resolve: it moved the resolve's tally.
    let tallies = tallies_match_the_episodes(store).await;
    assert_eq!(
        tallies
            .counts
            .iter()
            .map(|tally| tally.satisfied)
            .sum::<i64>(),
        1
    );
    assert_eq!(tallies.commented.len(), 1);
    // Resolving again changes nothing.
    store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();

    // The visitor writes again: a reopened episode, resolved without an answer.
    let again = visitor_writes(store, "v1", "Ještě jedna věc", false).await;
    store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();
    let tallies = tallies_match_the_episodes(store).await;
    assert_eq!(
        tallies
            .counts
            .iter()
            .map(|tally| tally.started_reopened)
            .sum::<i64>(),
        1
    );
    assert_eq!(
        tallies.counts.iter().map(|tally| tally.missed).sum::<i64>(),
        2,
        "answered late, then resolved without an answer"
    );
    // An operator reopens it: a third episode, in which the visitor has not written.
    store
        .set_status(conversation_id, ConversationStatus::Open)
        .await
        .unwrap();
    // Another visitor leaves a message through the contact form.
    let contact = visitor_writes(store, "v2", "Zavolejte mi prosím", true).await;
    let tallies = tallies_match_the_episodes(store).await;
    assert_eq!(
        tallies
            .counts
            .iter()
            .map(|tally| tally.contacts)
            .sum::<i64>(),
        1
    );
    assert_eq!(
        tallies.waiting.len(),
        1,
        "the contact form waits for an answer"
    );

    let facts = all_facts(store).await;
    let detail = store.conversation(conversation_id).await.unwrap();
    let episodes: Vec<&Episode> = facts
        .episodes
        .iter()
        .filter(|episode| episode.conversation_id == conversation_id.0)
        .collect();
    assert_eq!(episodes.len(), 3, "{episodes:#?}");
    let first_episode = episodes[0];
    assert!(!first_episode.reopened);
    assert_eq!(first_episode.site, "default");
    assert_eq!(first_episode.started_at, millis(&first));
    assert_eq!(first_episode.first_visitor_at, Some(millis(&first)));
    assert_eq!(first_episode.response_due_at, Some(millis(&first) + 1000));
    assert_eq!(first_episode.first_response_at, Some(millis(&reply)));
    assert_eq!(first_episode.operator_id, Some(anna.0));
    assert_eq!(first_episode.rating.as_deref(), Some("satisfied"));
    assert_eq!(
        first_episode.rating_comment.as_deref(),
        Some("Rychlé, díky")
    );
    let first_resolved = first_episode.resolved_at.expect("resolved");
    assert!(first_resolved >= millis(&reply) && first_resolved <= millis(&again));
    // Answered only after the automatic message's delay: missed.
    assert!(crate::reports::missed(first_episode, i64::MAX));

    let second = episodes[1];
    assert!(second.reopened);
    assert_eq!(second.started_at, millis(&again));
    assert_eq!(second.first_visitor_at, Some(millis(&again)));
    assert_eq!(second.first_response_at, None);
    assert!(second.resolved_at.is_some());
    assert_eq!(second.operator_id, Some(anna.0), "who had it when resolved");
    assert_eq!(second.rating, None);
    assert!(
        crate::reports::missed(second, millis(&again)),
        "resolved without an answer"
    );

    let third = episodes[2];
    assert!(third.reopened);
    assert_eq!(third.first_visitor_at, None);
    assert_eq!(third.resolved_at, None);
    assert!(!crate::reports::missed(third, i64::MAX));

    let contact_episode = facts
        .episodes
        .iter()
        .find(|episode| episode.conversation_id == contact.conversation_id.0)
        .expect("the contact form's episode");
    assert!(contact_episode.contact);
    assert!(!first_episode.contact);

    // Messages per author: the visitors' four, Anna's two; the automatic message nowhere.
    let count = |operator: i64| -> i64 {
        facts
            .hours
            .iter()
            .filter(|count| count.operator_id == operator)
            .map(|count| count.messages)
            .sum()
    };
    assert_eq!((count(0), count(anna.0)), (4, 2));
    assert_eq!(
        detail
            .messages
            .iter()
            .filter(|message| message.author == Author::System)
            .count(),
        1
    );
    for count in &facts.hours {
        assert_eq!(count.site, "default");
        assert!(
            (millis(&first).div_euclid(3_600_000)..=millis(&contact).div_euclid(3_600_000))
                .contains(&count.hour)
        );
    }
}

async fn availability_is_recorded_when_it_changes(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let anna = store
        .add_operator("anna@shop.example", "Anna", "hash", false)
        .await
        .unwrap()
        .id;
    let petr = store
        .add_operator("petr@shop.example", "Petr", "hash", false)
        .await
        .unwrap()
        .id;
    // Off while already off, on twice: one change each.
    store.set_operator_online(anna, false).await.unwrap();
    store.set_operator_online(anna, true).await.unwrap();
    store.set_operator_online(anna, true).await.unwrap();
    store.set_operator_online(petr, true).await.unwrap();
    store.set_operator_online(anna, false).await.unwrap();
    // Disabling sets Petr offline.
    store.set_operator_disabled(petr, true).await.unwrap();
    let changes: Vec<(i64, bool)> = all_facts(store)
        .await
        .availability
        .iter()
        .map(|change| (change.operator_id, change.online))
        .collect();
    assert_eq!(
        changes,
        [
            (anna.0, true),
            (petr.0, true),
            (anna.0, false),
            (petr.0, false)
        ]
    );

    // A span that starts after the changes holds each operator's last state before it.
    let later = all_facts(store).await.availability.last().unwrap().at + 1;
    let state: Vec<AvailabilityChange> = store
        .report_facts(later, later + 1000, None, FactKinds::ALL)
        .await
        .unwrap()
        .availability;
    assert_eq!(state.len(), 2);
    assert!(state.iter().all(|change| !change.online));
}

async fn answers_opened_are_told_apart_by_whether_a_message_followed(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let answer = store
        .create_answer(AnswerInput {
            site: "default".into(),
            language: "cs".into(),
            question: "Jak vrátit zboží?".into(),
            keywords: Vec::new(),
            answer: "Do 14 dnů bez udání důvodu.".into(),
        })
        .await
        .unwrap();
    store
        .answer_opened_by("default", Some(&VisitorId("v1".into())), answer.id)
        .await
        .unwrap();
    store
        .answer_opened_by("default", Some(&VisitorId("v2".into())), answer.id)
        .await
        .unwrap();
    store
        .answer_missed("default", "cs", "reklamace", "reklamace")
        .await
        .unwrap();
    visitor_writes(store, "v2", "Nepomohlo to", false).await;
    let events = all_facts(store).await.answer_events;
    let seen: Vec<(Option<i64>, bool)> = events
        .iter()
        .map(|event| (event.answer_id, event.followed_by_message))
        .collect();
    assert_eq!(
        seen,
        [
            (Some(answer.id.0), false),
            (Some(answer.id.0), true),
            (None, false)
        ]
    );
    // Another site's answer is refused and recorded nowhere.
    assert!(matches!(
        store
            .answer_opened_by("eshop", Some(&VisitorId("v1".into())), answer.id)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(all_facts(store).await.answer_events.len(), 3);
}

on_both_stores!(
    episodes_and_figures_follow_what_happens_to_a_conversation,
    availability_is_recorded_when_it_changes,
    answers_opened_are_told_apart_by_whether_a_message_followed,
);
