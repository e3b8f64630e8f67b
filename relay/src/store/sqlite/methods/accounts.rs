//! [`AccountStore`](crate::store::AccountStore) for [`SqliteStore`]: sites, accounts, sessions, settings.

use super::super::{SqliteStore, accounts, rows, team};
use crate::store::{ActiveSession, OperatorCredentials, StoreFuture};
use beseda_protocol::api::OperatorInfo;
use beseda_protocol::{OperatorId, OperatorProfile};

impl crate::store::AccountStore for SqliteStore {
    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>> {
        let name = name.to_owned();
        self.read(move |connection| rows::site_title(connection, &name))
    }

    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool> {
        let (name, title) = (name.to_owned(), title.to_owned());
        self.write(move |connection, _| accounts::ensure_site(connection, &name, &title))
    }

    fn operator_count(&self) -> StoreFuture<'_, u64> {
        self.read(accounts::operator_count)
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
        self.write(move |connection, _| {
            accounts::add_operator(connection, &email, &name, &password_hash, admin)
        })
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        let email = email.to_owned();
        self.read(move |connection| accounts::operator_credentials(connection, &email))
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            accounts::create_session(connection, token_hash, operator_id, expires_at_millis)
        })
    }

    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>> {
        self.read(move |connection| accounts::session_operator(connection, token_hash, used_since))
    }

    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| accounts::touch_session(connection, token_hash, now))
    }

    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool> {
        self.write(move |connection, _| accounts::end_session(connection, token_hash))
    }

    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>> {
        self.read(move |connection| accounts::operator_password_hash(connection, operator_id))
    }

    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>> {
        self.write(move |connection, _| {
            accounts::change_password(connection, operator_id, &password_hash, keep)
        })
    }

    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)> {
        self.write(move |connection, events| {
            team::set_operator_disabled(connection, operator_id, disabled, events)
        })
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        self.write(move |connection, events| {
            accounts::set_operator_online(connection, operator_id, online, events)
        })
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        self.read(accounts::online_operators)
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |connection, _| accounts::setting_or_insert(connection, &key, &create))
    }
}
