//! [`AccountStore`](crate::store::AccountStore) on both stores: operators' accounts (one per
//! email whatever its case), sessions, passwords, availability and disabling.

use crate::clock::now_millis;
use crate::store::StoreError;
use crate::store::test_stores::{Backend, on_both_stores, open};
use beseda_protocol::OperatorId;

async fn an_email_has_one_operator_whatever_its_case(backend: Backend) {
    let (store, _events) = open(backend).await;
    assert_eq!(store.operator_count().await.unwrap(), 0);
    let ada = store
        .add_operator("Ada@Example.com", "Ada", "hash-a", true)
        .await
        .unwrap();
    assert_eq!(ada.email, "Ada@Example.com");
    assert_eq!(ada.name, "Ada");
    assert!(ada.admin);
    assert_eq!(ada.photo_url, None);
    assert!(matches!(
        store
            .add_operator("ada@example.COM", "Other", "hash-b", false)
            .await,
        Err(StoreError::EmailTaken(email)) if email == "ada@example.COM"
    ));
    let bob = store
        .add_operator("bob@example.com", "Bob", "hash-b", false)
        .await
        .unwrap();
    assert_ne!(bob.id, ada.id);
    assert_eq!(store.operator_count().await.unwrap(), 2);

    // Signing in finds the operator by email without case.
    let credentials = store
        .operator_credentials("ADA@example.com")
        .await
        .unwrap()
        .expect("found without case");
    assert_eq!(credentials.profile, ada);
    assert_eq!(credentials.password_hash, "hash-a");
    assert!(
        store
            .operator_credentials("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .operator_password_hash(bob.id)
            .await
            .unwrap()
            .as_deref(),
        Some("hash-b")
    );
    assert_eq!(
        store
            .operator_password_hash(OperatorId(bob.id.0 + 100))
            .await
            .unwrap(),
        None
    );
}

async fn sessions_open_expire_idle_and_end(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    let now = now_millis();
    store
        .create_session([1; 32], ada.id, now + 60_000)
        .await
        .unwrap();
    store
        .create_session([2; 32], ada.id, now - 1)
        .await
        .unwrap();
    let session = store
        .session_operator([1; 32], now - 60_000)
        .await
        .unwrap()
        .expect("a fresh session");
    assert_eq!(session.operator, ada);
    assert!(session.last_used_at >= now, "created now: {session:?}");
    // Expired, unknown, or unused since the given time: no session.
    assert_eq!(
        store.session_operator([2; 32], now - 60_000).await.unwrap(),
        None
    );
    assert_eq!(
        store.session_operator([3; 32], now - 60_000).await.unwrap(),
        None
    );
    let later = session.last_used_at + 5_000;
    assert_eq!(store.session_operator([1; 32], later).await.unwrap(), None);
    // Using it again moves its last use.
    store.touch_session([1; 32], later + 1).await.unwrap();
    let touched = store
        .session_operator([1; 32], later)
        .await
        .unwrap()
        .expect("used again");
    assert_eq!(touched.last_used_at, later + 1);
    // Touching an unknown session changes nothing and is no error.
    store.touch_session([9; 32], later).await.unwrap();

    assert!(store.end_session([1; 32]).await.unwrap());
    assert!(!store.end_session([1; 32]).await.unwrap());
    assert_eq!(store.session_operator([1; 32], 0).await.unwrap(), None);
    // A session of an operator who does not exist is refused, and nothing is kept.
    assert!(
        store
            .create_session([4; 32], OperatorId(ada.id.0 + 100), now + 60_000)
            .await
            .is_err()
    );
    assert_eq!(store.session_operator([4; 32], 0).await.unwrap(), None);
}

async fn a_new_password_ends_every_other_session(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "old", false)
        .await
        .unwrap();
    let bob = store
        .add_operator("bob@example.com", "Bob", "bob", false)
        .await
        .unwrap();
    let until = now_millis() + 60_000;
    for hash in [[1; 32], [2; 32], [3; 32]] {
        store.create_session(hash, ada.id, until).await.unwrap();
    }
    store.create_session([4; 32], bob.id, until).await.unwrap();
    let mut ended = store
        .change_password(ada.id, "new".into(), [2; 32])
        .await
        .unwrap();
    ended.sort();
    assert_eq!(ended, vec![[1; 32], [3; 32]]);
    assert_eq!(
        store
            .operator_password_hash(ada.id)
            .await
            .unwrap()
            .as_deref(),
        Some("new")
    );
    assert!(store.session_operator([2; 32], 0).await.unwrap().is_some());
    assert!(store.session_operator([1; 32], 0).await.unwrap().is_none());
    assert!(store.session_operator([4; 32], 0).await.unwrap().is_some());
    assert!(matches!(
        store
            .change_password(OperatorId(bob.id.0 + 100), "x".into(), [2; 32])
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_disabled_operator_cannot_sign_in_until_enabled(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    let until = now_millis() + 60_000;
    store.create_session([1; 32], ada.id, until).await.unwrap();
    store.create_session([2; 32], ada.id, until).await.unwrap();
    store.set_operator_online(ada.id, true).await.unwrap();

    let (info, mut ended) = store.set_operator_disabled(ada.id, true).await.unwrap();
    ended.sort();
    assert_eq!(ended, vec![[1; 32], [2; 32]]);
    assert_eq!(info.profile, ada);
    assert!(info.disabled);
    assert!(!info.online, "disabling sets them offline");
    assert_eq!(info.open_chats, 0);
    assert!(store.online_operators().await.unwrap().is_empty());
    assert!(store.session_operator([1; 32], 0).await.unwrap().is_none());
    assert!(
        store
            .operator_credentials("ada@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.operator_password_hash(ada.id).await.unwrap(), None);
    assert!(matches!(
        store.change_password(ada.id, "new".into(), [1; 32]).await,
        Err(StoreError::NotFound)
    ));
    // A session created for them while disabled is not theirs to use either.
    store.create_session([3; 32], ada.id, until).await.unwrap();
    assert!(store.session_operator([3; 32], 0).await.unwrap().is_none());

    let (info, ended) = store.set_operator_disabled(ada.id, false).await.unwrap();
    assert!(!info.disabled);
    assert!(!info.online, "enabling leaves them offline");
    assert!(ended.is_empty());
    assert!(
        store
            .operator_credentials("ada@example.com")
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.session_operator([3; 32], 0).await.unwrap().is_some());
    assert!(matches!(
        store
            .set_operator_disabled(OperatorId(ada.id.0 + 100), true)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn availability_is_kept_per_operator(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", false)
        .await
        .unwrap();
    let bob = store
        .add_operator("bob@example.com", "Bob", "hash", false)
        .await
        .unwrap();
    assert!(store.online_operators().await.unwrap().is_empty());
    store.set_operator_online(bob.id, true).await.unwrap();
    store.set_operator_online(ada.id, true).await.unwrap();
    assert_eq!(
        store.online_operators().await.unwrap(),
        vec![ada.id, bob.id]
    );
    store.set_operator_online(ada.id, false).await.unwrap();
    assert_eq!(store.online_operators().await.unwrap(), vec![bob.id]);
    assert!(matches!(
        store
            .set_operator_online(OperatorId(bob.id.0 + 100), true)
            .await,
        Err(StoreError::NotFound)
    ));
}

on_both_stores!(
    an_email_has_one_operator_whatever_its_case,
    sessions_open_expire_idle_and_end,
    a_new_password_ends_every_other_session,
    a_disabled_operator_cannot_sign_in_until_enabled,
    availability_is_kept_per_operator,
);
