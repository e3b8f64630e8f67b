//! [`TeamStore`](crate::store::TeamStore) on both stores: operators' profiles, shortcuts (one
//! name per owner whatever its case), keyword rules, the team's and the sites' settings.

use crate::store::StoreError;
use crate::store::test_stores::{Backend, on_both_stores, open};
use beseda_protocol::api::{
    BusinessHours, OpeningSpan, OperatorUpdate, RuleInput, ShortcutInput, ShortcutScope,
    SiteSettings, TeamSettings,
};
use beseda_protocol::{OperatorId, RuleId, ShortcutId};

fn shortcut(name: &str, text: &str, scope: ShortcutScope) -> ShortcutInput {
    ShortcutInput {
        name: name.to_owned(),
        text: text.to_owned(),
        scope,
    }
}

fn rule(keyword: &str, priority: i32, site: Option<&str>) -> RuleInput {
    RuleInput {
        keyword: keyword.to_owned(),
        tag: format!("{keyword}-tag"),
        priority,
        site: site.map(str::to_owned),
    }
}

async fn operators_are_listed_by_name_and_updated(backend: Backend) {
    let (store, _events) = open(backend).await;
    let zed = store
        .add_operator("zed@example.com", "zed", "hash", false)
        .await
        .unwrap();
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", true)
        .await
        .unwrap();
    let bob = store
        .add_operator("bob@example.com", "bob", "hash", false)
        .await
        .unwrap();
    store.set_operator_online(bob.id, true).await.unwrap();
    let operators = store.operators().await.unwrap();
    let listed: Vec<(OperatorId, bool, u64, bool)> = operators
        .iter()
        .map(|info| (info.profile.id, info.online, info.open_chats, info.disabled))
        .collect();
    assert_eq!(
        listed,
        vec![
            (ada.id, false, 0, false),
            (bob.id, true, 0, false),
            (zed.id, false, 0, false)
        ]
    );
    assert_eq!(operators[0].profile, ada);

    let updated = store
        .update_operator(
            zed.id,
            OperatorUpdate {
                name: Some("  Zed Z  ".into()),
                photo_url: Some(" https://example.com/zed.png ".into()),
                admin: Some(true),
                language: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Zed Z");
    assert_eq!(
        updated.photo_url.as_deref(),
        Some("https://example.com/zed.png")
    );
    assert!(updated.admin);
    assert_eq!(updated.email, "zed@example.com");
    // Nothing given changes nothing; an empty photo address removes the photo.
    let same = store
        .update_operator(zed.id, OperatorUpdate::default())
        .await
        .unwrap();
    assert_eq!(same, updated);
    let no_photo = store
        .update_operator(
            zed.id,
            OperatorUpdate {
                photo_url: Some(" ".into()),
                ..OperatorUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(no_photo.photo_url, None);
    assert_eq!(no_photo.name, "Zed Z");
    assert!(matches!(
        store
            .update_operator(OperatorId(zed.id.0 + 100), OperatorUpdate::default())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn shortcut_names_are_unique_per_owner_whatever_their_case(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    let bob = store
        .add_operator("bob@example.com", "Bob", "hash", false)
        .await
        .unwrap();
    let team_hello = store
        .create_shortcut(None, shortcut("hello", "Hello!", ShortcutScope::Team))
        .await
        .unwrap();
    assert_eq!(team_hello.scope, ShortcutScope::Team);
    assert_eq!(team_hello.owner_id, None);
    let ada_hello = store
        .create_shortcut(
            Some(ada.id),
            shortcut("Hello", "Hi, I am Ada.", ShortcutScope::Personal),
        )
        .await
        .unwrap();
    assert_eq!(ada_hello.scope, ShortcutScope::Personal);
    assert_eq!(ada_hello.owner_id, Some(ada.id));
    let ada_bye = store
        .create_shortcut(
            Some(ada.id),
            shortcut("bye", "Bye!", ShortcutScope::Personal),
        )
        .await
        .unwrap();
    let bob_hello = store
        .create_shortcut(
            Some(bob.id),
            shortcut("HELLO", "Bob here.", ShortcutScope::Personal),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_shortcut(Some(ada.id), shortcut("HeLLo", "Again", ShortcutScope::Personal))
            .await,
        Err(StoreError::ShortcutTaken(name)) if name == "HeLLo"
    ));
    assert!(matches!(
        store
            .create_shortcut(None, shortcut("HELLO", "Again", ShortcutScope::Team))
            .await,
        Err(StoreError::ShortcutTaken(_))
    ));

    // Ada sees hers and the team's, by name without case, hers first on the same name.
    let ids: Vec<ShortcutId> = store
        .shortcuts(ada.id)
        .await
        .unwrap()
        .iter()
        .map(|shortcut| shortcut.id)
        .collect();
    assert_eq!(ids, vec![ada_bye.id, ada_hello.id, team_hello.id]);
    let ids: Vec<ShortcutId> = store
        .shortcuts(bob.id)
        .await
        .unwrap()
        .iter()
        .map(|shortcut| shortcut.id)
        .collect();
    assert_eq!(ids, vec![bob_hello.id, team_hello.id]);
    assert_eq!(store.shortcut(ada_hello.id).await.unwrap(), ada_hello);

    // Replacing: a free name, a taken one, a missing shortcut.
    let renamed = store
        .replace_shortcut(
            ada_bye.id,
            Some(ada.id),
            shortcut("goodbye", "Goodbye!", ShortcutScope::Personal),
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.text.as_str()),
        ("goodbye", "Goodbye!")
    );
    assert_eq!(store.shortcut(ada_bye.id).await.unwrap(), renamed);
    assert!(matches!(
        store
            .replace_shortcut(
                ada_bye.id,
                Some(ada.id),
                shortcut("hello", "Clash", ShortcutScope::Personal)
            )
            .await,
        Err(StoreError::ShortcutTaken(_))
    ));
    assert_eq!(store.shortcut(ada_bye.id).await.unwrap(), renamed);
    let to_team = store
        .replace_shortcut(
            ada_bye.id,
            None,
            shortcut("goodbye", "Bye all", ShortcutScope::Team),
        )
        .await
        .unwrap();
    assert_eq!(to_team.scope, ShortcutScope::Team);
    let missing = ShortcutId(ada_bye.id.0 + 100);
    assert!(matches!(
        store
            .replace_shortcut(missing, None, shortcut("x", "y", ShortcutScope::Team))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.shortcut(missing).await,
        Err(StoreError::NotFound)
    ));

    store.delete_shortcut(team_hello.id).await.unwrap();
    assert!(matches!(
        store.delete_shortcut(team_hello.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.shortcut(team_hello.id).await,
        Err(StoreError::NotFound)
    ));
    // The team's name is free again.
    store
        .create_shortcut(None, shortcut("Hello", "Hello again", ShortcutScope::Team))
        .await
        .unwrap();
}

async fn rules_are_saved_by_priority_and_refuse_unknown_sites(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    let refund = store.create_rule(rule("refund", 5, None)).await.unwrap();
    assert_eq!(refund.keyword, "refund");
    assert_eq!(refund.tag, "refund-tag");
    assert_eq!((refund.priority, refund.site.as_deref()), (5, None));
    let broken = store
        .create_rule(rule("broken", 10, Some("eshop")))
        .await
        .unwrap();
    let late = store.create_rule(rule("late", 5, None)).await.unwrap();
    let low = store.create_rule(rule("price", -3, None)).await.unwrap();
    assert!(matches!(
        store.create_rule(rule("lost", 1, Some("nowhere"))).await,
        Err(StoreError::NoSuchSite(site)) if site == "nowhere"
    ));
    let rules = store.rules().await.unwrap();
    let ids: Vec<RuleId> = rules.iter().map(|rule| rule.id).collect();
    assert_eq!(ids, vec![broken.id, refund.id, late.id, low.id]);
    assert_eq!(rules[0], broken);

    let replaced = store
        .replace_rule(refund.id, rule("money back", 20, Some("eshop")))
        .await
        .unwrap();
    assert_eq!(replaced.id, refund.id);
    assert_eq!(replaced.keyword, "money back");
    assert_eq!(replaced.priority, 20);
    assert_eq!(replaced.site.as_deref(), Some("eshop"));
    assert_eq!(store.rules().await.unwrap()[0], replaced);
    assert!(matches!(
        store
            .replace_rule(refund.id, rule("x", 1, Some("nowhere")))
            .await,
        Err(StoreError::NoSuchSite(_))
    ));
    let missing = RuleId(refund.id.0 + 100);
    assert!(matches!(
        store.replace_rule(missing, rule("x", 1, None)).await,
        Err(StoreError::NotFound)
    ));
    store.delete_rule(late.id).await.unwrap();
    assert!(matches!(
        store.delete_rule(late.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.rules().await.unwrap().len(), 3);
}

async fn team_settings_start_at_three_and_are_kept(backend: Backend) {
    let (store, _events) = open(backend).await;
    assert_eq!(
        store.team_settings().await.unwrap(),
        TeamSettings {
            max_chats_per_operator: 3
        }
    );
    let five = TeamSettings {
        max_chats_per_operator: 5,
    };
    assert_eq!(store.set_team_settings(five).await.unwrap(), five);
    assert_eq!(store.team_settings().await.unwrap(), five);
    let one = TeamSettings {
        max_chats_per_operator: 1,
    };
    assert_eq!(store.set_team_settings(one).await.unwrap(), one);
    assert_eq!(store.team_settings().await.unwrap(), one);
}

async fn sites_are_listed_by_name_and_updated_trimmed(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("eshop", "E-shop").await.unwrap();
    store.ensure_site("Books", "Books").await.unwrap();
    let sites = store.sites().await.unwrap();
    let names: Vec<&str> = sites.iter().map(|site| site.name.as_str()).collect();
    assert_eq!(names, vec!["Books", "default", "eshop"]);
    let eshop = &sites[2];
    assert_eq!(eshop.title, "E-shop");
    assert_eq!(eshop.auto_message_delay_secs, 45);
    assert!(eshop.rating_enabled);
    assert!(eshop.suggested_questions.is_empty());
    assert_eq!(eshop.hours, None);
    assert_eq!(eshop.notify_email, "");

    let hours = BusinessHours {
        time_zone: "Europe/Prague".into(),
        weekly: vec![OpeningSpan {
            day: "mon".into(),
            open: "09:00".into(),
            close: "17:00".into(),
        }],
        exceptions: Vec::new(),
    };
    let wanted = SiteSettings {
        name: "ignored".into(),
        title: "  The E-shop ".into(),
        auto_message_delay_secs: 90,
        auto_message_text: " We are coming. ".into(),
        rating_enabled: false,
        suggested_questions: vec![" Shipping? ".into(), "Returns?".into()],
        hours: Some(hours.clone()),
        notify_email: " shop@example.com ".into(),
        retention_days: Some(30),
        visitor_erase: true,
    };
    let updated = store.update_site("eshop", wanted.clone()).await.unwrap();
    let expected = SiteSettings {
        name: "eshop".into(),
        title: "The E-shop".into(),
        auto_message_delay_secs: 90,
        auto_message_text: "We are coming.".into(),
        rating_enabled: false,
        suggested_questions: vec!["Shipping?".into(), "Returns?".into()],
        hours: Some(hours),
        notify_email: "shop@example.com".into(),
        retention_days: Some(30),
        visitor_erase: true,
    };
    assert_eq!(updated, expected);
    assert_eq!(store.sites().await.unwrap()[2], expected);
    assert_eq!(
        store.site_title("eshop").await.unwrap().as_deref(),
        Some("The E-shop")
    );
    // Without hours the chat is open whenever someone is available.
    let no_hours = store
        .update_site(
            "eshop",
            SiteSettings {
                hours: None,
                ..expected.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(no_hours.hours, None);
    assert!(matches!(
        store.update_site("nowhere", wanted).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.sites().await.unwrap().len(), 3);
}

/// The console's language is kept with the operator's profile, so that it follows them to
/// another computer: every way the relay reads a profile (signing in, a session, the team's
/// list) carries it, and an empty one removes the choice.
async fn an_operators_console_language_is_kept_with_the_profile(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    assert_eq!(ada.language, None);
    let german = store
        .update_operator(
            ada.id,
            OperatorUpdate {
                language: Some(" de ".into()),
                ..OperatorUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(german.language.as_deref(), Some("de"));
    assert_eq!(german.name, "Ada");
    // A change of something else leaves the language as it is.
    let renamed = store
        .update_operator(
            ada.id,
            OperatorUpdate {
                name: Some("Ada L".into()),
                ..OperatorUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.language.as_deref(), Some("de"));
    let credentials = store
        .operator_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.profile, renamed);
    let token_hash = [7u8; 32];
    store
        .create_session(token_hash, ada.id, i64::MAX / 2)
        .await
        .unwrap();
    let session = store
        .session_operator(token_hash, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.operator, renamed);
    let listed = store.operators().await.unwrap();
    assert_eq!(listed[0].profile, renamed);
    let cleared = store
        .update_operator(
            ada.id,
            OperatorUpdate {
                language: Some(String::new()),
                ..OperatorUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cleared.language, None);
    let session = store
        .session_operator(token_hash, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.operator.language, None);
}

on_both_stores!(
    an_operators_console_language_is_kept_with_the_profile,
    operators_are_listed_by_name_and_updated,
    shortcut_names_are_unique_per_owner_whatever_their_case,
    rules_are_saved_by_priority_and_refuse_unknown_sites,
    team_settings_start_at_three_and_are_kept,
    sites_are_listed_by_name_and_updated_trimmed,
);
