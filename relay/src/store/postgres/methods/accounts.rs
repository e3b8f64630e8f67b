//! [`AccountStore`](crate::store::AccountStore) for [`PgStore`]: sites, accounts, sessions, settings.

use super::super::{PgStore, accounts};
use super::pending;

use crate::store::{ActiveSession, OperatorCredentials, StoreFuture};
use beseda_protocol::api::OperatorInfo;
use beseda_protocol::{OperatorId, OperatorProfile};

impl crate::store::AccountStore for PgStore {
    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>> {
        let name = name.to_owned();
        self.read(move |client| async move { accounts::site_title(&client, &name).await })
    }

    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool> {
        let (name, title) = (name.to_owned(), title.to_owned());
        self.write(move |tx| async move { accounts::ensure_site(&tx, &name, &title).await })
    }

    fn operator_count(&self) -> StoreFuture<'_, u64> {
        pending()
    }

    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile> {
        pending()
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        pending()
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        pending()
    }

    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>> {
        pending()
    }

    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()> {
        pending()
    }

    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool> {
        pending()
    }

    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>> {
        pending()
    }

    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>> {
        pending()
    }

    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)> {
        pending()
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        pending()
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        pending()
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |tx| async move { accounts::setting_or_insert(&tx, &key, &create).await })
    }
}
