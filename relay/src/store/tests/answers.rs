//! [`AnswerStore`](crate::store::AnswerStore) on both stores: answers saved, listed, replaced,
//! deleted and imported, one per question whatever its case, and their figures.

use crate::store::StoreError;
use crate::store::test_stores::{Backend, on_both_stores, open};
use beseda_protocol::AnswerId;
use beseda_protocol::answers::AnswerInput;

fn input(site: &str, language: &str, question: &str, answer: &str) -> AnswerInput {
    AnswerInput {
        site: site.to_owned(),
        language: language.to_owned(),
        question: question.to_owned(),
        keywords: vec!["ship".into(), "deliver".into()],
        answer: answer.to_owned(),
    }
}

fn questions(answers: &[beseda_protocol::answers::Answer]) -> Vec<&str> {
    answers
        .iter()
        .map(|answer| answer.question.as_str())
        .collect()
}

async fn answers_are_saved_listed_replaced_and_deleted(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    let shipping = store
        .create_answer(input("default", "en", "how long is shipping?", "Two days."))
        .await
        .unwrap();
    assert_eq!(shipping.keywords, vec!["ship", "deliver"]);
    assert_eq!(shipping.answer, "Two days.");
    store
        .create_answer(input("default", "en", "Can I return?", "Yes."))
        .await
        .unwrap();
    store
        .create_answer(input("default", "cs", "Kolik stojí doprava?", "Nic."))
        .await
        .unwrap();
    store
        .create_answer(input("eshop", "en", "Elsewhere?", "Yes."))
        .await
        .unwrap();
    assert_eq!(store.answer(shipping.id).await.unwrap(), shipping);
    // By language, then question without case.
    assert_eq!(
        questions(&store.answers("default", None).await.unwrap()),
        vec![
            "Kolik stojí doprava?",
            "Can I return?",
            "how long is shipping?"
        ]
    );
    assert_eq!(
        questions(&store.answers("default", Some("en")).await.unwrap()),
        vec!["Can I return?", "how long is shipping?"]
    );
    assert!(store.answers("nowhere", None).await.unwrap().is_empty());

    let mut changed = input("eshop", "de", "Wie lange?", "Zwei Tage.");
    changed.keywords = Vec::new();
    let replaced = store.replace_answer(shipping.id, changed).await.unwrap();
    assert_eq!(replaced.id, shipping.id);
    assert_eq!(
        (replaced.site.as_str(), replaced.language.as_str()),
        ("eshop", "de")
    );
    assert!(replaced.keywords.is_empty());
    assert_eq!(store.answer(shipping.id).await.unwrap(), replaced);

    store.delete_answer(shipping.id).await.unwrap();
    assert!(matches!(
        store.answer(shipping.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_answer(shipping.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .replace_answer(shipping.id, input("default", "en", "Gone?", "Yes."))
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_question_is_answered_once_whatever_its_case(backend: Backend) {
    let (store, _events) = open(backend).await;
    let first = store
        .create_answer(input("default", "en", "Can I return?", "Yes."))
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_answer(input("default", "en", "CAN I RETURN?", "No."))
            .await,
        Err(StoreError::QuestionAnswered(question)) if question == "CAN I RETURN?"
    ));
    // The same question in another language or on another site is another answer.
    store
        .create_answer(input("default", "de", "Can I return?", "Ja."))
        .await
        .unwrap();
    let other = store
        .create_answer(input("default", "en", "Other?", "Yes."))
        .await
        .unwrap();
    assert!(matches!(
        store
            .replace_answer(other.id, input("default", "en", "can i return?", "No."))
            .await,
        Err(StoreError::QuestionAnswered(_))
    ));
    assert!(matches!(
        store
            .create_answer(input("nowhere", "en", "Where?", "Here."))
            .await,
        Err(StoreError::NoSuchSite(site)) if site == "nowhere"
    ));
    assert!(matches!(
        store
            .replace_answer(first.id, input("nowhere", "en", "Where?", "Here."))
            .await,
        Err(StoreError::NoSuchSite(_))
    ));
    // Nothing of the refused writes was kept.
    assert_eq!(store.answer(first.id).await.unwrap(), first);
    assert_eq!(store.answer(other.id).await.unwrap().question, "Other?");
    assert_eq!(store.answers("default", None).await.unwrap().len(), 3);
}

async fn importing_adds_new_questions_and_updates_known_ones(backend: Backend) {
    let (store, _events) = open(backend).await;
    let kept = store
        .create_answer(input("default", "en", "Can I return?", "Yes."))
        .await
        .unwrap();
    let file = vec![
        input("ignored", "en", "can I RETURN?", "Within 30 days."),
        input("ignored", "en", "Do you ship abroad?", "Yes."),
        input("ignored", "en", "Do you ship ABROAD?", "Yes, everywhere."),
    ];
    assert_eq!(
        store
            .import_answers("default", file.clone(), false)
            .await
            .unwrap(),
        (1, 2)
    );
    let answers = store.answers("default", Some("en")).await.unwrap();
    assert_eq!(
        questions(&answers),
        vec!["Can I return?", "Do you ship abroad?"]
    );
    // The known question keeps its id and wording, with the file's answer.
    assert_eq!(answers[0].id, kept.id);
    assert_eq!(answers[0].answer, "Within 30 days.");
    assert_eq!(answers[1].answer, "Yes, everywhere.");
    assert_eq!(answers[1].site, "default");
    // Importing the same file again adds nothing.
    assert_eq!(
        store
            .import_answers("default", file.clone(), false)
            .await
            .unwrap(),
        (0, 3)
    );
    assert_eq!(store.answers("default", None).await.unwrap().len(), 2);
    // `if_empty` imports only into a site without answers.
    assert_eq!(
        store
            .import_answers("default", file.clone(), true)
            .await
            .unwrap(),
        (0, 0)
    );
    store.ensure_site("eshop", "E-shop").await.unwrap();
    assert_eq!(
        store
            .import_answers("eshop", file.clone(), true)
            .await
            .unwrap(),
        (2, 1)
    );
    assert!(matches!(
        store.import_answers("nowhere", file, false).await,
        Err(StoreError::NoSuchSite(site)) if site == "nowhere"
    ));
}

async fn openings_and_misses_are_counted(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    let returns = store
        .create_answer(input("default", "en", "Can I return?", "Yes."))
        .await
        .unwrap();
    let shipping = store
        .create_answer(input("default", "en", "Shipping?", "Two days."))
        .await
        .unwrap();
    store.answer_opened("default", shipping.id).await.unwrap();
    store.answer_opened("default", shipping.id).await.unwrap();
    // Another site's answer, or none, is not found.
    assert!(matches!(
        store.answer_opened("eshop", shipping.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .answer_opened("default", AnswerId(shipping.id.0 + 100))
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .answer_missed("default", "en", "gift card", "Gift cards?")
        .await
        .unwrap();
    store
        .answer_missed("default", "en", "gift card", "gift CARDS")
        .await
        .unwrap();
    store
        .answer_missed("default", "en", "voucher", "Voucher")
        .await
        .unwrap();
    store
        .answer_missed("eshop", "en", "elsewhere", "Elsewhere")
        .await
        .unwrap();

    let stats = store.answer_stats("default").await.unwrap();
    let uses: Vec<(AnswerId, u64, bool)> = stats
        .answers
        .iter()
        .map(|answer| (answer.id, answer.opened, answer.last_opened_at.is_some()))
        .collect();
    assert_eq!(uses, vec![(shipping.id, 2, true), (returns.id, 0, false)]);
    let misses: Vec<(&str, &str, u64)> = stats
        .misses
        .iter()
        .map(|miss| (miss.query.as_str(), miss.text.as_str(), miss.count))
        .collect();
    assert_eq!(
        misses,
        vec![("gift card", "gift CARDS", 2), ("voucher", "Voucher", 1)]
    );
    assert_eq!(store.answer_stats("eshop").await.unwrap().misses.len(), 1);
}

async fn forgetting_misses_keeps_the_most_searched_and_the_newest(backend: Backend) {
    let (store, _events) = open(backend).await;
    // Searched twice, so that it outlives the thousand searched once.
    for _ in 0..2 {
        store
            .answer_missed("default", "en", "popular", "Popular")
            .await
            .unwrap();
    }
    // A thousand more at once (one batch or a few), each searched once.
    let misses = (0..1000).map(|index| {
        let query = format!("query {index:04}");
        let store = store.clone();
        async move { store.answer_missed("default", "en", &query, &query).await }
    });
    for outcome in futures_util::future::join_all(misses).await {
        outcome.unwrap();
    }
    let stats = store.answer_stats("default").await.unwrap();
    // 200 are listed, the most searched first.
    assert_eq!(stats.misses.len(), 200);
    assert_eq!(
        (stats.misses[0].query.as_str(), stats.misses[0].count),
        ("popular", 2)
    );
    // Searches past the thousand forget the oldest searched once: never the popular one, nor
    // the newest (a millisecond later than the thousand, so that it is the newest by its time).
    let batch_done = crate::clock::now_millis();
    while crate::clock::now_millis() <= batch_done {
        tokio::task::yield_now().await;
    }
    store
        .answer_missed("default", "en", "latest", "Latest")
        .await
        .unwrap();
    let stats = store.answer_stats("default").await.unwrap();
    let first: Vec<&str> = stats.misses[..2]
        .iter()
        .map(|miss| miss.query.as_str())
        .collect();
    assert_eq!(first, vec!["popular", "latest"]);
    let other_site_untouched = store.answer_stats("eshop").await.unwrap();
    assert!(other_site_untouched.misses.is_empty());
}

on_both_stores!(
    forgetting_misses_keeps_the_most_searched_and_the_newest,
    answers_are_saved_listed_replaced_and_deleted,
    a_question_is_answered_once_whatever_its_case,
    importing_adds_new_questions_and_updates_known_ones,
    openings_and_misses_are_counted,
);
