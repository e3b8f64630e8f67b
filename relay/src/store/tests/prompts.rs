//! [`PromptStore`](crate::store::PromptStore) on both stores: prompts saved, listed, replaced
//! and deleted, and their events counted once per page view.

use crate::store::StoreError;
use crate::store::test_stores::{Backend, on_both_stores, open};
use beseda_protocol::prompts::{PromptEvent, PromptInput, PromptTrigger, PromptVariant};

fn input(site: &str, name: &str, enabled: bool) -> PromptInput {
    PromptInput {
        site: Some(site.to_owned()),
        name: name.to_owned(),
        variants: vec![
            PromptVariant {
                text: "Need help?".into(),
                weight: 1.0,
            },
            PromptVariant {
                text: "Questions?".into(),
                weight: 2.0,
            },
        ],
        trigger: PromptTrigger {
            url_pattern: Some("/cart*".into()),
            seconds_on_page: Some(20),
            ..PromptTrigger::default()
        },
        dismiss_for_days: 3,
        max_per_session: 2,
        enabled,
    }
}

async fn prompts_are_saved_listed_replaced_and_deleted(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    let cart = store
        .create_prompt(input("eshop", "Cart", true))
        .await
        .unwrap();
    assert_eq!(cart.site, "eshop");
    assert_eq!(cart.name, "Cart");
    assert_eq!(cart.variants, input("eshop", "Cart", true).variants);
    assert_eq!(cart.trigger, input("eshop", "Cart", true).trigger);
    assert_eq!((cart.dismiss_for_days, cart.max_per_session), (3, 2));
    assert!(cart.enabled);
    let off = store
        .create_prompt(input("default", "Off", false))
        .await
        .unwrap();
    assert_eq!(store.prompt(cart.id).await.unwrap(), cart);

    // Every prompt by site, then id; a site's; the enabled ones only.
    let all: Vec<i64> = store
        .prompts(None, false)
        .await
        .unwrap()
        .iter()
        .map(|prompt| prompt.id)
        .collect();
    assert_eq!(all, vec![off.id, cart.id]);
    let default = store.prompts(Some("default".into()), false).await.unwrap();
    assert_eq!(default, vec![off.clone()]);
    assert!(
        store
            .prompts(Some("default".into()), true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.prompts(None, true).await.unwrap(), vec![cart.clone()]);

    let mut changed = input("default", "Cart again", false);
    changed.dismiss_for_days = 10;
    let replaced = store.replace_prompt(cart.id, changed).await.unwrap();
    assert_eq!(replaced.id, cart.id);
    assert_eq!(replaced.site, "default");
    assert_eq!(replaced.name, "Cart again");
    assert_eq!(replaced.dismiss_for_days, 10);
    assert!(!replaced.enabled);
    assert_eq!(store.prompt(cart.id).await.unwrap(), replaced);

    store.delete_prompt(cart.id).await.unwrap();
    assert!(matches!(
        store.prompt(cart.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.prompts(None, false).await.unwrap(), vec![off]);
}

async fn prompts_refuse_unknown_sites_and_missing_ids(backend: Backend) {
    let (store, _events) = open(backend).await;
    assert!(matches!(
        store.create_prompt(input("nowhere", "Cart", true)).await,
        Err(StoreError::NoSuchSite(site)) if site == "nowhere"
    ));
    let mut no_site = input("default", "Cart", true);
    no_site.site = None;
    assert!(matches!(
        store.create_prompt(no_site).await,
        Err(StoreError::NoSuchSite(_))
    ));
    let prompt = store
        .create_prompt(input("default", "Cart", true))
        .await
        .unwrap();
    assert!(matches!(
        store
            .replace_prompt(prompt.id, input("nowhere", "Cart", true))
            .await,
        Err(StoreError::NoSuchSite(_))
    ));
    assert!(matches!(
        store
            .replace_prompt(prompt.id + 100, input("default", "Cart", true))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_prompt(prompt.id + 100).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.prompt_stats(prompt.id + 100).await,
        Err(StoreError::NotFound)
    ));
    // Nothing of the refused writes was kept.
    assert_eq!(store.prompts(None, false).await.unwrap(), vec![prompt]);
}

async fn prompt_events_are_counted_once_per_view(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    let prompt = store
        .create_prompt(input("default", "Cart", true))
        .await
        .unwrap();
    let count = |variant: u32, view: &str, event: PromptEvent, total: f64| {
        store.count_prompt_event(
            prompt.id,
            "default".into(),
            variant,
            view.into(),
            event,
            total,
        )
    };
    for view in ["a", "b", "c", "d"] {
        count(0, view, PromptEvent::Shown, 0.0).await.unwrap();
    }
    count(0, "a", PromptEvent::Conversation, 0.0).await.unwrap();
    count(0, "b", PromptEvent::Dismissed, 0.0).await.unwrap();
    count(1, "e", PromptEvent::Shown, 0.0).await.unwrap();
    count(1, "f", PromptEvent::Shown, 0.0).await.unwrap();
    count(1, "e", PromptEvent::Opened, 0.0).await.unwrap();
    count(1, "e", PromptEvent::Conversation, 0.0).await.unwrap();
    count(1, "f", PromptEvent::Conversation, 0.0).await.unwrap();
    count(1, "e", PromptEvent::Order, 40.5).await.unwrap();
    count(1, "f", PromptEvent::Order, 9.5).await.unwrap();

    // The same view's event again, another site's report, a variant it lacks, no such prompt.
    assert!(matches!(
        count(0, "a", PromptEvent::Shown, 0.0).await,
        Err(StoreError::EventCounted("shown"))
    ));
    assert!(matches!(
        store
            .count_prompt_event(
                prompt.id,
                "eshop".into(),
                0,
                "g".into(),
                PromptEvent::Shown,
                0.0
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        count(2, "g", PromptEvent::Shown, 0.0).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .count_prompt_event(
                prompt.id + 100,
                "default".into(),
                0,
                "g".into(),
                PromptEvent::Shown,
                0.0
            )
            .await,
        Err(StoreError::NotFound)
    ));

    let stats = store.prompt_stats(prompt.id).await.unwrap();
    assert_eq!(stats.id, prompt.id);
    let [first, second] = stats.variants.as_slice() else {
        panic!("two variants expected: {stats:?}");
    };
    assert_eq!(
        (
            first.shown,
            first.dismissed,
            first.opened,
            first.conversations,
            first.orders
        ),
        (4, 1, 0, 1, 0)
    );
    assert_eq!(first.conversion, 0.25);
    assert_eq!((first.z_score, first.p_value), (None, None));
    assert_eq!(
        (
            second.shown,
            second.opened,
            second.conversations,
            second.orders
        ),
        (2, 1, 2, 2)
    );
    assert_eq!(second.order_total, 50.0);
    assert_eq!(second.conversion, 1.0);
    assert_eq!(second.text, "Questions?");
    assert!(second.z_score.is_some() && second.p_value.is_some());

    // Deleting the prompt deletes its figures.
    store.delete_prompt(prompt.id).await.unwrap();
    let again = store
        .create_prompt(input("default", "Cart", true))
        .await
        .unwrap();
    let fresh = store.prompt_stats(again.id).await.unwrap();
    assert!(fresh.variants.iter().all(|variant| variant.shown == 0));
}

on_both_stores!(
    prompts_are_saved_listed_replaced_and_deleted,
    prompts_refuse_unknown_sites_and_missing_ids,
    prompt_events_are_counted_once_per_view,
);
