//! API keys: [`KeyStore`]. A key is stored as the SHA-256 of its text, with its scope, its site
//! and the admin it acts as.

use super::StoreFuture;
use beseda_protocol::keys::KeyScope;
use beseda_protocol::{OperatorId, OperatorProfile};

/// A key to record (its text is never stored).
#[derive(Clone, Debug)]
pub struct NewKey {
    pub name: String,
    pub scope: KeyScope,
    pub site: Option<String>,
    pub hash: [u8; 32],
    /// `bsk_` and the key's next eight characters, to tell keys apart in the list.
    pub prefix: String,
    pub created_by: OperatorId,
}

/// A key as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub id: i64,
    pub name: String,
    pub scope: KeyScope,
    pub site: Option<String>,
    pub prefix: String,
    /// The name of the admin who created it.
    pub created_by: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What a presented key grants: the admin it acts as (not disabled), within its scope and site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyGrant {
    pub key_id: i64,
    pub scope: KeyScope,
    pub site: Option<String>,
    pub operator: OperatorProfile,
    pub last_used_at: Option<i64>,
}

/// Persistence of API keys.
pub trait KeyStore: Send + Sync {
    /// Records a key; `NotFound` when its site does not exist.
    fn create_key(&self, key: NewKey) -> StoreFuture<'_, StoredKey>;
    /// Every key, oldest first.
    fn keys(&self) -> StoreFuture<'_, Vec<StoredKey>>;
    /// Deletes a key at once; false when there was none.
    fn revoke_key(&self, id: i64) -> StoreFuture<'_, bool>;
    /// What the key with this hash grants, if it exists and its admin is not disabled.
    fn key_grant(&self, hash: [u8; 32]) -> StoreFuture<'_, Option<KeyGrant>>;
    /// Records that a key was used at `now` (milliseconds since the Unix epoch).
    fn touch_key(&self, id: i64, now: i64) -> StoreFuture<'_, ()>;
}

/// The scope as stored.
pub(crate) fn scope_text(scope: KeyScope) -> &'static str {
    match scope {
        KeyScope::Read => "read",
        KeyScope::ReadWrite => "read-write",
    }
}

/// The scope a stored text names; anything else reads as the narrower `read`.
pub(crate) fn scope_from_text(text: &str) -> KeyScope {
    if text == "read-write" {
        KeyScope::ReadWrite
    } else {
        KeyScope::Read
    }
}
