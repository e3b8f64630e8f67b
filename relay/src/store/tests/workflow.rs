//! The store's tests of the operators' workflow, each run on SQLite and on PostgreSQL: the order
//! of the queue and the load of operators, keyword rules per site, ratings, the pages of a
//! visit, the automatic message's due times and read marks; and on PostgreSQL, two relays on
//! one database that never give an operator more than the team's maximum.

use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::*;
use beseda_protocol::api::{PageView, RuleInput, TeamSettings};
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, OperatorId, Rating, Seq, VisitorId,
};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Every message a test writes has its own client id.
static NEXT_CLIENT_ID: AtomicU64 = AtomicU64::new(1);

fn on_site(site: &str, visitor: &str, text: &str) -> NewMessage {
    NewMessage {
        files: Vec::new(),
        target: MessageTarget::Visitor {
            site: site.into(),
            visitor_id: VisitorId(visitor.into()),
        },
        author: Author::Visitor,
        operator_id: None,
        client_id: Some(ClientMessageId(format!(
            "c{}",
            NEXT_CLIENT_ID.fetch_add(1, Relaxed)
        ))),
        text: text.into(),
        origin: None,
    }
}

/// A visitor of the default site writes; answers their conversation.
async fn writes(store: &dyn Store, visitor: &str, text: &str) -> ConversationId {
    store
        .append_message(
            on_site("default", visitor, text),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
        .message
        .conversation_id
}

async fn operator(store: &dyn Store, name: &str) -> OperatorId {
    let email = format!("{}@shop.example", name.to_lowercase());
    store
        .add_operator(&email, name, "hash", false)
        .await
        .unwrap()
        .id
}

async fn place(store: &dyn Store, visitor: &str) -> Option<u32> {
    store
        .welcome_extras("default", &VisitorId(visitor.into()))
        .await
        .unwrap()
        .queue_position
}

async fn assignee(store: &dyn Store, conversation_id: ConversationId) -> Option<OperatorId> {
    store
        .conversation_summary(conversation_id)
        .await
        .unwrap()
        .assigned_to
}

async fn the_queue_goes_by_priority_then_by_wait_and_chats_go_to_the_least_loaded(
    backend: Backend,
) {
    let (store, events) = open(backend).await;
    let store = &*store;
    let (anna, boris, cyril) = (
        operator(store, "Anna").await,
        operator(store, "Boris").await,
        operator(store, "Cyril").await,
    );
    store
        .set_team_settings(TeamSettings {
            max_chats_per_operator: 2,
        })
        .await
        .unwrap();
    store.set_operator_online(anna, true).await.unwrap();
    store.set_operator_online(boris, true).await.unwrap();
    let mut served = Vec::new();
    for visitor in ["v1", "v2", "v3", "v4"] {
        served.push(writes(store, visitor, "Dobrý den").await);
    }
    let mut assigned = Vec::new();
    for conversation_id in &served {
        assigned.push(assignee(store, *conversation_id).await);
    }
    let (a, b) = (Some(anna), Some(boris));
    assert_eq!(assigned, [a, b, a, b], "Cyril is offline and gets nothing");

    writes(store, "v5", "Haló").await;
    writes(store, "v6", "Haló").await;
    assert_eq!(
        (place(store, "v5").await, place(store, "v6").await),
        (Some(1), Some(2))
    );
    let rule = RuleInput {
        keyword: "reklamace".into(),
        tag: "complaint".into(),
        priority: 5,
        site: None,
    };
    store.create_rule(rule).await.unwrap();
    let urgent = writes(store, "v7", "REKLAMACE zboží").await;
    let summary = store.conversation_summary(urgent).await.unwrap();
    assert_eq!(
        (summary.priority, summary.tags),
        (5, vec!["complaint".to_owned()])
    );
    let places = [
        place(store, "v7").await,
        place(store, "v5").await,
        place(store, "v6").await,
    ];
    assert_eq!(places, [Some(1), Some(2), Some(3)]);

    // Cyril comes online and takes the two first in line; the third is now first.
    while events.try_recv().is_ok() {}
    store.set_operator_online(cyril, true).await.unwrap();
    assert_eq!(assignee(store, urgent).await, Some(cyril));
    assert_eq!(
        (place(store, "v5").await, place(store, "v6").await),
        (None, Some(1))
    );
    let batch = events.try_recv().unwrap();
    let waiting = batch.iter().find_map(|event| match event {
        Event::QueueChanged { waiting } => Some(waiting.clone()),
        _ => None,
    });
    assert_eq!(
        waiting,
        Some(vec![("default".to_owned(), VisitorId("v6".into()))])
    );
}

async fn a_rule_for_one_site_leaves_the_others_alone_and_rules_add_up(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    store.ensure_site("outlet", "Outlet").await.unwrap();
    let rule = |keyword: &str, tag: &str, priority: i32, site: Option<&str>| RuleInput {
        keyword: keyword.into(),
        tag: tag.into(),
        priority,
        site: site.map(str::to_owned),
    };
    store
        .create_rule(rule("faktura", "billing", 3, Some("outlet")))
        .await
        .unwrap();
    store
        .create_rule(rule("nedorazilo", "late", 7, None))
        .await
        .unwrap();
    let unknown = store.create_rule(rule("x", "y", 0, Some("nowhere"))).await;
    assert!(
        matches!(unknown, Err(StoreError::NoSuchSite(_))),
        "{unknown:?}"
    );

    let text = "Faktura ok, ale zboží nedorazilo";
    let here = writes(store, "v1", text).await;
    let there = store
        .append_message(
            on_site("outlet", "v1", text),
            VisitorDetails::default(),
            Notices::default(),
        )
        .await
        .unwrap()
        .message
        .conversation_id;
    let here = store.conversation_summary(here).await.unwrap();
    let there = store.conversation_summary(there).await.unwrap();
    assert_eq!((here.tags, here.priority), (vec!["late".to_owned()], 7));
    assert_eq!(
        (there.tags, there.priority),
        (vec!["billing".to_owned(), "late".to_owned()], 7)
    );
}

/// A keyword in a later message of a conversation counts like one in its first, and a rule added
/// while the conversation runs applies to its next message (PostgreSQL stores a message to a
/// running conversation in one statement only where no rule could apply).
async fn a_keyword_in_a_later_message_marks_the_running_conversation(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let conversation_id = writes(store, "v1", "Dobrý den").await;
    writes(store, "v1", "Kde je balík?").await;
    store
        .create_rule(RuleInput {
            keyword: "reklamace".into(),
            tag: "claim".into(),
            priority: 5,
            site: None,
        })
        .await
        .unwrap();
    let summary = store.conversation_summary(conversation_id).await.unwrap();
    assert_eq!((summary.tags.len(), summary.priority), (0, 0));
    assert_eq!(writes(store, "v1", "Chci reklamace").await, conversation_id);
    let summary = store.conversation_summary(conversation_id).await.unwrap();
    assert_eq!(
        (summary.tags, summary.priority),
        (vec!["claim".to_owned()], 5)
    );
    let messages = store
        .messages_after_seq(conversation_id, Seq(0))
        .await
        .unwrap();
    let seqs: Vec<u64> = messages.iter().map(|message| message.seq.0).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

async fn ratings_are_for_resolved_conversations_of_shops_that_ask(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let visitor = VisitorId("v1".into());
    let rate = |comment: Option<&str>| {
        store.rate(
            "default",
            &visitor,
            Rating::Neutral,
            comment.map(str::to_owned),
        )
    };
    assert!(matches!(rate(None).await, Err(StoreError::NotFound)));
    let conversation_id = writes(store, "v1", "Dobrý den").await;
    let open = rate(None).await;
    assert!(matches!(&open, Err(StoreError::NotResolved)), "{open:?}");
    store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();
    rate(Some("Šlo to")).await.unwrap();
    let detail = store.conversation(conversation_id).await.unwrap();
    assert_eq!(
        (detail.rating, detail.rating_comment.as_deref()),
        (Some(Rating::Neutral), Some("Šlo to"))
    );

    let mut site = store.sites().await.unwrap().remove(0);
    site.rating_enabled = false;
    store.update_site("default", site).await.unwrap();
    let off = rate(None).await;
    assert!(matches!(&off, Err(StoreError::RatingOff)), "{off:?}");
    let extras = store.welcome_extras("default", &visitor).await.unwrap();
    assert!(!extras.rating_enabled);
    assert_eq!(extras.rating, Some(Rating::Neutral));
}

async fn a_visit_keeps_its_last_fifty_pages_and_its_language(backend: Backend) {
    let (store, events) = open(backend).await;
    let store = &*store;
    let visitor = VisitorId("v1".into());
    for index in 0..55 {
        let page = PageView {
            url: format!("https://shop.example/{index}"),
            title: format!("Page {index}"),
            at: String::new(),
        };
        let locale = (index == 0).then(|| "cs".to_owned());
        store
            .visit("default", &visitor, Some(page), locale)
            .await
            .unwrap();
    }
    // No conversation yet: the consoles hear nothing of the pages.
    let told = events
        .try_iter()
        .flatten()
        .any(|event| matches!(event, Event::VisitorChanged { .. }));
    assert!(!told);
    let conversation_id = writes(store, "v1", "Dobrý den").await;
    let context = store.conversation(conversation_id).await.unwrap().context;
    assert_eq!(context.pages.len(), 50);
    assert_eq!(context.pages[0].url, "https://shop.example/5");
    let current = context.current_page.unwrap();
    assert_eq!(
        (current.url.as_str(), current.title.as_str()),
        ("https://shop.example/54", "Page 54")
    );
    assert!(current.at.ends_with('Z'));
    assert_eq!(
        context.locale.as_deref(),
        Some("cs"),
        "a hello without one keeps it"
    );
    assert!(context.first_seen.is_some());
}

async fn the_automatic_message_is_due_the_sites_delay_after_the_wait_began(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let conversation_id = writes(store, "v1", "Haló?").await;
    let waiting_since = store.conversation(conversation_id).await.unwrap().messages[0]
        .sent_at
        .clone();
    let summary = store.conversation_summary(conversation_id).await.unwrap();
    assert_eq!(
        summary.waiting_since.as_deref(),
        Some(waiting_since.as_str())
    );
    let due = store.auto_messages_due().await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].0, conversation_id);
    let default_delay = due[0].1;

    // A second visitor message does not move the wait; a delay of 2 s makes it due earlier.
    writes(store, "v1", "Jste tam?").await;
    let mut site = store.sites().await.unwrap().remove(0);
    site.auto_message_delay_secs = 2;
    store.update_site("default", site.clone()).await.unwrap();
    let due = store.auto_messages_due().await.unwrap();
    assert_eq!(
        due,
        [(
            conversation_id,
            default_delay - 43_000,
            "default".to_owned()
        )]
    );
    // Not due yet: nothing is posted or marked.
    assert!(
        store
            .post_auto_message(conversation_id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.auto_messages_due().await.unwrap().len(), 1);

    // An operator's reply ends the wait; a delay of 0 switches the message off.
    let reply = NewMessage {
        files: Vec::new(),
        target: MessageTarget::Conversation(conversation_id),
        author: Author::Operator,
        operator_id: Some(operator(store, "Anna").await),
        client_id: None,
        text: "Dobrý den".into(),
        origin: None,
    };
    store
        .append_message(reply, VisitorDetails::default(), Notices::default())
        .await
        .unwrap();
    assert_eq!(store.auto_messages_due().await.unwrap(), []);
    writes(store, "v1", "Děkuji, ještě jedna věc").await;
    assert_eq!(store.auto_messages_due().await.unwrap().len(), 1);
    site.auto_message_delay_secs = 0;
    store.update_site("default", site).await.unwrap();
    assert_eq!(store.auto_messages_due().await.unwrap(), []);
}

async fn read_marks_never_move_back_and_count_only_visitor_messages(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let anna = operator(store, "Anna").await;
    let conversation_id = writes(store, "v1", "one").await;
    for text in ["two!", "three!!", "four!!!"] {
        writes(store, "v1", text).await;
    }
    let unread = || async { store.conversations(None, Some(anna)).await.unwrap()[0].unread };
    assert_eq!(unread().await, Some(4));
    store
        .mark_read(conversation_id, anna, Seq(3))
        .await
        .unwrap();
    store
        .mark_read(conversation_id, anna, Seq(1))
        .await
        .unwrap();
    assert_eq!(unread().await, Some(1));
    assert_eq!(
        store.conversations(None, None).await.unwrap()[0].unread,
        None
    );
    let missing = store.set_tags(ConversationId(999), vec![]).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn consoles_hear_a_page_view_as_that_page_and_a_new_language_as_the_whole_context(
    backend: Backend,
) {
    let (store, events) = open(backend).await;
    let store = &*store;
    let visitor = VisitorId("v1".into());
    let page = |index: usize| PageView {
        url: format!("https://shop.example/{index}"),
        title: format!("Page {index}"),
        at: String::new(),
    };
    let conversation_id = writes(store, "v1", "Dobrý den").await;
    let _ = events.try_iter().count();
    store
        .visit("default", &visitor, Some(page(1)), Some("cs".into()))
        .await
        .unwrap();
    store
        .visit("default", &visitor, Some(page(2)), None)
        .await
        .unwrap();
    store
        .visit("default", &visitor, None, Some("cs".into()))
        .await
        .unwrap();
    let told: Vec<Event> = events.try_iter().flatten().collect();
    let [
        Event::VisitorChanged { context, .. },
        Event::PageViewed {
            conversation_id: viewed_in,
            page: viewed,
        },
    ] = told.as_slice()
    else {
        panic!("the language changed, then one page; the same language is no news: {told:?}");
    };
    assert_eq!(context.pages.len(), 1);
    assert_eq!(*viewed_in, conversation_id);
    assert_eq!(viewed.url, "https://shop.example/2");
    assert!(viewed.at.ends_with('Z'));
}

async fn what_a_session_kept_is_stored_with_the_first_message(backend: Backend) {
    let (store, _events) = open(backend).await;
    let store = &*store;
    let visitor = VisitorId("v1".into());
    let details = VisitorDetails {
        name: Some("Petr".into()),
        pages: vec![PageView {
            url: "https://shop.example/".into(),
            title: "Obchod".into(),
            at: "2026-01-01T10:00:00.000Z".into(),
        }],
        locale: Some("cs".into()),
        first_seen: Some(1_767_261_600_000),
        ..VisitorDetails::default()
    };
    let appended = store
        .append_message(
            on_site("default", "v1", "Dobrý den"),
            details,
            Notices::email(None),
        )
        .await
        .unwrap();
    let detail = store
        .conversation(appended.message.conversation_id)
        .await
        .unwrap();
    assert_eq!(detail.visitor.name.as_deref(), Some("Petr"));
    assert_eq!(detail.context.pages.len(), 1);
    assert_eq!(detail.context.pages[0].at, "2026-01-01T10:00:00.000Z");
    assert_eq!(detail.context.locale.as_deref(), Some("cs"));
    assert_eq!(
        detail.context.first_seen.as_deref(),
        Some("2026-01-01T10:00:00.000Z")
    );
    assert!(
        store
            .visitor_conversation("default", &visitor)
            .await
            .unwrap()
            .is_some()
    );
}

/// Joining tells the visitor who is there once per operator and takes a conversation nobody
/// had; a transfer moves it and frees the queue; unknown operators and conversations, and
/// resolved conversations, are refused without a change.
async fn joining_announces_each_operator_once_and_transfers_move_the_conversation(
    backend: Backend,
) {
    let (store, events) = open(backend).await;
    let store = &*store;
    let (anna, boris) = (
        operator(store, "Anna").await,
        operator(store, "Boris").await,
    );
    let conversation_id = writes(store, "v1", "Dobrý den").await;
    assert_eq!(assignee(store, conversation_id).await, None);
    let _ = events.try_iter().count();

    let joined = store.join(conversation_id, anna).await.unwrap();
    assert_eq!(joined.assigned_to, Some(anna));
    let told: Vec<Event> = events.try_iter().flatten().collect();
    let agents: Vec<&str> = told
        .iter()
        .filter_map(|event| match event {
            Event::AgentJoined { agent, .. } => Some(agent.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(agents, ["Anna"]);
    store.join(conversation_id, anna).await.unwrap();
    let again = events
        .try_iter()
        .flatten()
        .any(|event| matches!(event, Event::AgentJoined { .. }));
    assert!(!again, "the visitor is told of Anna once");
    let detail = store.conversation(conversation_id).await.unwrap();
    let system: Vec<&str> = detail
        .messages
        .iter()
        .filter(|message| message.author == Author::System)
        .map(|message| message.text.as_str())
        .collect();
    assert_eq!(system.len(), 1, "{system:?}");
    assert!(system[0].contains("Anna"), "{system:?}");

    // Boris joins a conversation Anna has: he is announced, and it stays hers until a transfer.
    let joined = store.join(conversation_id, boris).await.unwrap();
    assert_eq!(joined.assigned_to, Some(anna));
    let moved = store.assign(conversation_id, boris).await.unwrap();
    assert_eq!(moved.assigned_to, Some(boris));
    assert_eq!(assignee(store, conversation_id).await, Some(boris));
    let tagged = store
        .set_tags(conversation_id, vec!["vip".into(), "late".into()])
        .await
        .unwrap();
    assert_eq!(tagged.tags, ["vip", "late"]);

    let nobody = store.assign(conversation_id, OperatorId(999)).await;
    assert!(
        matches!(nobody, Err(StoreError::NoSuchOperator(OperatorId(999)))),
        "{nobody:?}"
    );
    let missing = store.assign(ConversationId(999), anna).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let missing = store.join(ConversationId(999), anna).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(assignee(store, conversation_id).await, Some(boris));

    store
        .set_status(conversation_id, ConversationStatus::Resolved)
        .await
        .unwrap();
    let resolved = store.join(conversation_id, anna).await;
    assert!(matches!(resolved, Err(StoreError::NotOpen)), "{resolved:?}");
    assert_eq!(assignee(store, conversation_id).await, Some(boris));
}

on_both_stores!(
    joining_announces_each_operator_once_and_transfers_move_the_conversation,
    the_queue_goes_by_priority_then_by_wait_and_chats_go_to_the_least_loaded,
    a_rule_for_one_site_leaves_the_others_alone_and_rules_add_up,
    a_keyword_in_a_later_message_marks_the_running_conversation,
    ratings_are_for_resolved_conversations_of_shops_that_ask,
    a_visit_keeps_its_last_fifty_pages_and_its_language,
    the_automatic_message_is_due_the_sites_delay_after_the_wait_began,
    read_marks_never_move_back_and_count_only_visitor_messages,
    consoles_hear_a_page_view_as_that_page_and_a_new_language_as_the_whole_context,
    what_a_session_kept_is_stored_with_the_first_message,
);

/// Two relays on one database: many visitors write through both at once while operators with a
/// maximum of one conversation each are online. Each relay plans the queue in its own
/// transactions; nobody may ever get a second conversation, and the queue's news of both relays
/// must agree with what was stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_relays_on_one_database_never_give_an_operator_more_than_the_maximum() {
    use crate::store::postgres::PgStore;
    use crate::store::test_stores::fresh_database;
    use std::collections::HashMap;
    use std::sync::Arc;

    const VISITORS: usize = 40;
    let url = fresh_database().await;
    let open_relay = |name: &str| {
        let (url, name) = (url.clone(), name.to_owned());
        async move {
            let (sender, events) = std::sync::mpsc::channel();
            let sender = std::sync::Mutex::new(sender);
            let store = PgStore::open(
                &url,
                name,
                Box::new(move |batch| {
                    let _ = sender
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .send(batch);
                }),
            )
            .await
            .expect("open a PostgreSQL store");
            (Arc::new(store), events)
        }
    };
    let (first, first_events) = open_relay("relay-a").await;
    let (second, _second_events) = open_relay("relay-b").await;
    first
        .set_team_settings(TeamSettings {
            max_chats_per_operator: 1,
        })
        .await
        .unwrap();
    let mut operators = Vec::new();
    for name in ["Anna", "Boris", "Cyril"] {
        let id = operator(&*first, name).await;
        operators.push(id);
    }
    // The operators come online through both relays while the visitors write through both.
    let mut writers = tokio::task::JoinSet::new();
    for (index, operator_id) in operators.iter().copied().enumerate() {
        let store = if index % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        writers.spawn(async move {
            store.set_operator_online(operator_id, true).await.unwrap();
        });
    }
    for index in 0..VISITORS {
        let store = if index % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        writers.spawn(async move {
            let visitor = format!("visitor-{index}");
            writes(&*store, &visitor, "Dobrý den").await;
            writes(&*store, &visitor, "Jste tam?").await;
        });
    }
    while let Some(finished) = writers.join_next().await {
        finished.unwrap();
    }

    let conversations = second.conversations(None, None).await.unwrap();
    assert_eq!(conversations.len(), VISITORS);
    let mut loads: HashMap<OperatorId, usize> = HashMap::new();
    for conversation in &conversations {
        if let Some(operator_id) = conversation.assigned_to {
            *loads.entry(operator_id).or_default() += 1;
        }
    }
    for operator_id in &operators {
        assert_eq!(
            loads.get(operator_id),
            Some(&1),
            "every operator has exactly one conversation: {loads:?}"
        );
    }
    assert_eq!(loads.len(), operators.len(), "{loads:?}");

    // The first relay heard the whole cluster's events in one order: replayed in that order,
    // the assignments never give anyone a second conversation. One more plan (an operator
    // switched on again) ends the stream with the queue as it stands.
    first.set_operator_online(operators[0], true).await.unwrap();
    let mut assigned: HashMap<ConversationId, OperatorId> = HashMap::new();
    let mut last_waiting = None;
    for event in first_events.try_iter().flatten() {
        match event {
            Event::ConversationChanged { conversation, .. } => {
                if let Some(operator_id) = conversation.assigned_to {
                    assigned.insert(conversation.id, operator_id);
                    let mut per_operator: HashMap<OperatorId, usize> = HashMap::new();
                    for owner in assigned.values() {
                        *per_operator.entry(*owner).or_default() += 1;
                    }
                    assert!(
                        per_operator.values().all(|count| *count <= 1),
                        "an operator got a second conversation: {per_operator:?}"
                    );
                }
            }
            Event::QueueChanged { waiting } => last_waiting = Some(waiting),
            _ => {}
        }
    }
    assert_eq!(assigned.len(), operators.len(), "{assigned:?}");
    let mut told: Vec<VisitorId> = last_waiting
        .expect("the queue's news")
        .into_iter()
        .map(|(_, visitor_id)| visitor_id)
        .collect();
    let mut stored: Vec<VisitorId> = conversations
        .iter()
        .filter(|conversation| conversation.assigned_to.is_none())
        .map(|conversation| conversation.visitor.id.clone())
        .collect();
    told.sort_by(|a, b| a.0.cmp(&b.0));
    stored.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(told, stored);
    tokio::task::block_in_place(|| {
        first.close();
        second.close();
    });
}
