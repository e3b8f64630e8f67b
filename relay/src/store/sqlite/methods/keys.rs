//! [`KeyStore`](crate::store::KeyStore) for [`SqliteStore`]: API keys.

use super::super::{SqliteStore, keys};
use crate::store::{KeyGrant, NewKey, StoreFuture, StoredKey};

impl crate::store::KeyStore for SqliteStore {
    fn create_key(&self, key: NewKey) -> StoreFuture<'_, StoredKey> {
        self.write(move |connection, _| keys::create_key(connection, &key))
    }

    fn keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        self.read(keys::keys)
    }

    fn revoke_key(&self, id: i64) -> StoreFuture<'_, bool> {
        self.write(move |connection, _| keys::revoke_key(connection, id))
    }

    fn key_grant(&self, hash: [u8; 32]) -> StoreFuture<'_, Option<KeyGrant>> {
        self.read(move |connection| keys::key_grant(connection, hash))
    }

    fn touch_key(&self, id: i64, now: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| keys::touch_key(connection, id, now))
    }
}
