//! API keys: credentials for machines (`/api/keys`). A key is a bearer token on `/api/`, within
//! its scope and, when it names one, its site.

use serde::{Deserialize, Serialize};

/// What a key may do: read (`GET`) only, or read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KeyScope {
    #[serde(rename = "read")]
    Read,
    #[serde(rename = "read-write")]
    ReadWrite,
}

/// `POST /api/keys`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiKey {
    pub name: String,
    pub scope: KeyScope,
    /// The one site the key may see; none: every site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// A key as `GET /api/keys` lists it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    pub scope: KeyScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The key's first characters (`bsk_` and eight more), to tell keys apart.
    pub prefix: String,
    /// The admin who created it; the key acts as them, within its scope.
    pub created_by: String,
    pub created_at: String,
    /// Recorded at most about once a minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
}

/// `201` to `POST /api/keys`: the key, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub info: ApiKeyInfo,
    pub key: String,
}

/// The text every key starts with.
pub const KEY_PREFIX: &str = "bsk_";

/// The longest name a key may have, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 100;
