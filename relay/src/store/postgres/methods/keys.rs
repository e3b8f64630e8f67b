//! [`KeyStore`](crate::store::KeyStore) for [`PgStore`]: API keys.

use super::super::{PgStore, keys};
use crate::store::{KeyGrant, NewKey, StoreFuture, StoredKey};

impl crate::store::KeyStore for PgStore {
    fn create_key(&self, key: NewKey) -> StoreFuture<'_, StoredKey> {
        self.write(move |tx| async move { keys::create_key(&tx, &key).await })
    }

    fn keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        self.read(move |client| async move { keys::keys(&client).await })
    }

    fn revoke_key(&self, id: i64) -> StoreFuture<'_, bool> {
        self.write(move |tx| async move { keys::revoke_key(&tx, id).await })
    }

    fn key_grant(&self, hash: [u8; 32]) -> StoreFuture<'_, Option<KeyGrant>> {
        self.read(move |client| async move { keys::key_grant(&client, hash).await })
    }

    fn touch_key(&self, id: i64, now: i64) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { keys::touch_key(&tx, id, now).await })
    }
}
