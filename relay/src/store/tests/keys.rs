//! [`KeyStore`](crate::store::KeyStore) on both stores: keys recorded by their hash, listed with
//! their admin and last use, granting nothing once revoked or once their admin is disabled.

use crate::store::test_stores::{Backend, on_both_stores, open};
use crate::store::{NewKey, StoreError};
use beseda_protocol::OperatorId;
use beseda_protocol::keys::KeyScope;

fn new_key(name: &str, scope: KeyScope, site: Option<&str>, hash: u8, by: OperatorId) -> NewKey {
    NewKey {
        name: name.to_owned(),
        scope,
        site: site.map(str::to_owned),
        hash: [hash; 32],
        prefix: format!("bsk_{hash:08}"),
        created_by: by,
    }
}

async fn a_key_grants_its_scope_and_site_until_revoked(backend: Backend) {
    let (store, _events) = open(backend).await;
    store.ensure_site("shop", "Shop").await.unwrap();
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", true)
        .await
        .unwrap();
    let crm = store
        .create_key(new_key("CRM", KeyScope::Read, None, 1, ada.id))
        .await
        .unwrap();
    assert_eq!(crm.name, "CRM");
    assert_eq!(crm.scope, KeyScope::Read);
    assert_eq!(crm.site, None);
    assert_eq!(crm.created_by, "Ada");
    assert_eq!(crm.last_used_at, None);
    let orders = store
        .create_key(new_key(
            "Orders",
            KeyScope::ReadWrite,
            Some("shop"),
            2,
            ada.id,
        ))
        .await
        .unwrap();
    assert_eq!(orders.site.as_deref(), Some("shop"));
    assert!(matches!(
        store
            .create_key(new_key(
                "Nowhere",
                KeyScope::Read,
                Some("missing"),
                3,
                ada.id
            ))
            .await,
        Err(StoreError::NotFound)
    ));
    let listed = store.keys().await.unwrap();
    assert_eq!(listed, vec![crm.clone(), orders.clone()]);

    let grant = store
        .key_grant([2; 32])
        .await
        .unwrap()
        .expect("the key grants");
    assert_eq!(grant.key_id, orders.id);
    assert_eq!(grant.scope, KeyScope::ReadWrite);
    assert_eq!(grant.site.as_deref(), Some("shop"));
    assert_eq!(grant.operator, ada);
    assert_eq!(store.key_grant([9; 32]).await.unwrap(), None);

    store.touch_key(orders.id, 1_700_000_000_000).await.unwrap();
    let grant = store.key_grant([2; 32]).await.unwrap().unwrap();
    assert_eq!(grant.last_used_at, Some(1_700_000_000_000));
    assert_eq!(
        store.keys().await.unwrap()[1].last_used_at,
        Some(1_700_000_000_000)
    );

    assert!(store.revoke_key(orders.id).await.unwrap());
    assert!(!store.revoke_key(orders.id).await.unwrap());
    assert_eq!(store.key_grant([2; 32]).await.unwrap(), None);
    assert_eq!(store.keys().await.unwrap(), vec![crm]);
}

async fn a_disabled_admins_keys_grant_nothing(backend: Backend) {
    let (store, _events) = open(backend).await;
    let ada = store
        .add_operator("ada@example.com", "Ada", "hash", true)
        .await
        .unwrap();
    store
        .create_key(new_key("CRM", KeyScope::Read, None, 1, ada.id))
        .await
        .unwrap();
    store.set_operator_disabled(ada.id, true).await.unwrap();
    assert_eq!(store.key_grant([1; 32]).await.unwrap(), None);
    store.set_operator_disabled(ada.id, false).await.unwrap();
    assert!(store.key_grant([1; 32]).await.unwrap().is_some());
}

on_both_stores!(
    a_key_grants_its_scope_and_site_until_revoked,
    a_disabled_admins_keys_grant_nothing,
);
