//! Sites, operators' accounts and sessions, and relay settings; [`AccountStore`].

use super::StoreFuture;
use beseda_protocol::api::OperatorInfo;
use beseda_protocol::{OperatorId, OperatorProfile};

/// An operator with the hash to check a password against.
#[derive(Clone, Debug)]
pub struct OperatorCredentials {
    pub profile: OperatorProfile,
    pub password_hash: String,
}

/// A session that may be used: its operator, and when it was last recorded as used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveSession {
    pub operator: OperatorProfile,
    /// Milliseconds since the Unix epoch; recorded at most about once a minute.
    pub last_used_at: i64,
}

/// Persistence of sites, accounts, sessions and relay settings.
pub trait AccountStore: Send + Sync {
    /// The title of a site, if the site exists.
    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>>;
    /// Creates a site unless one of that name exists; true when it was created.
    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool>;
    /// How many operators there are.
    fn operator_count(&self) -> StoreFuture<'_, u64>;
    /// Adds an operator (`EmailTaken` when another has the email).
    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile>;
    /// The operator with this email and their password hash, if any.
    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>>;
    /// Records a new session of an operator, valid until `expires_at_millis`.
    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()>;
    /// The session a token opens, if it exists, has not expired, was used after `used_since`
    /// (milliseconds since the Unix epoch) and its operator is not disabled.
    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>>;
    /// Records that a session was used at `now` (milliseconds since the Unix epoch).
    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()>;
    /// Ends one session (sign out); false when there was none.
    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool>;
    /// The password hash of an operator who is not disabled.
    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>>;
    /// Sets a new password hash and ends the operator's sessions but `keep`; returns the token
    /// hashes of the sessions ended.
    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>>;
    /// Disables an operator (ending their sessions, setting them offline and putting their open
    /// conversations back in the queue) or enables them again; returns the operator and the token
    /// hashes of the sessions ended.
    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)>;
    /// Sets the availability switch; an operator coming online is given waiting conversations.
    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()>;
    /// The ids of the operators whose availability switch is on.
    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>>;
    /// A relay setting, created with `create` on first use and the same forever after.
    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>>;
}
