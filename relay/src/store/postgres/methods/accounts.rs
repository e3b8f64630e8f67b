//! [`AccountStore`](crate::store::AccountStore) for [`PgStore`]: sites, accounts, sessions, settings.

use super::super::{PgStore, accounts, team};

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
        self.read(move |client| async move { accounts::operator_count(&client).await })
    }

    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile> {
        let (email, name, password_hash) =
            (email.to_owned(), name.to_owned(), password_hash.to_owned());
        self.write(move |tx| async move {
            accounts::add_operator(&tx, &email, &name, &password_hash, admin).await
        })
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        let email = email.to_owned();
        self.read(
            move |client| async move { accounts::operator_credentials(&client, &email).await },
        )
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move {
            accounts::create_session(&tx, token_hash, operator_id, expires_at_millis).await
        })
    }

    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>> {
        self.read(move |client| async move {
            accounts::session_operator(&client, token_hash, used_since).await
        })
    }

    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { accounts::touch_session(&tx, token_hash, now).await })
    }

    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool> {
        self.write(move |tx| async move { accounts::end_session(&tx, token_hash).await })
    }

    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>> {
        self.read(move |client| async move {
            accounts::operator_password_hash(&client, operator_id).await
        })
    }

    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>> {
        self.write(move |tx| async move {
            accounts::change_password(&tx, operator_id, &password_hash, keep).await
        })
    }

    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)> {
        self.write(move |tx| async move {
            team::set_operator_disabled(&tx, operator_id, disabled).await
        })
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move {
            accounts::set_operator_online(&tx, operator_id, online).await
        })
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        self.read(move |client| async move { accounts::online_operators(&client).await })
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |tx| async move { accounts::setting_or_insert(&tx, &key, &create).await })
    }
}
