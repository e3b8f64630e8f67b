//! API keys: created, listed and revoked by admins in person, and checked on every request that
//! presents one. A key acts as the admin who created it, within its scope (`read`: `GET` only)
//! and its site; it never manages operators, keys or webhooks, never signs in or out, and never
//! opens the console's socket (its hash is not a session's).

use crate::App;
use crate::auth::{random_bytes, session_token_hash, to_hex};
use crate::clock::{iso8601, now_millis};
use crate::error::ApiError;
use crate::store::{KeyGrant, NewKey, StoredKey};
use beseda_protocol::keys::{
    ApiKeyInfo, CreatedApiKey, KEY_PREFIX, KeyScope, MAX_KEY_NAME_CHARS, NewApiKey,
};
use beseda_protocol::{ConversationId, ErrorCode, OperatorProfile};

/// The paths no key may use, whatever its scope: the team's accounts and the credentials.
const PERSONAL_PATHS: &[&str] = &[
    "/api/login",
    "/api/logout",
    "/api/me",
    "/api/operators",
    "/api/keys",
    "/api/webhooks",
];

fn info(key: StoredKey) -> ApiKeyInfo {
    ApiKeyInfo {
        id: key.id,
        name: key.name,
        scope: key.scope,
        site: key.site,
        prefix: key.prefix,
        created_by: key.created_by,
        created_at: iso8601(key.created_at),
        last_used_at: key.last_used_at.map(iso8601),
    }
}

/// Every key, oldest first.
pub async fn list(app: &App) -> Result<Vec<ApiKeyInfo>, ApiError> {
    Ok(app.store.keys().await?.into_iter().map(info).collect())
}

/// A new key for `admin` to give a machine; its text is in the answer and nowhere else.
pub async fn create(
    app: &App,
    admin: &OperatorProfile,
    request: NewApiKey,
) -> Result<CreatedApiKey, ApiError> {
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(ApiError::Invalid(
            ErrorCode::BadRequest,
            format!("a key's name has 1 to {MAX_KEY_NAME_CHARS} characters"),
        ));
    }
    let site = request.site.map(|site| site.trim().to_owned());
    let key = format!("{KEY_PREFIX}{}", to_hex(&random_bytes::<32>()));
    let stored = app
        .store
        .create_key(NewKey {
            name,
            scope: request.scope,
            site,
            hash: session_token_hash(&key),
            prefix: key[..KEY_PREFIX.len() + 8].to_owned(),
            created_by: admin.id,
        })
        .await
        .map_err(ApiError::store("site"))?;
    Ok(CreatedApiKey {
        info: info(stored),
        key,
    })
}

/// Revokes a key at once: the next request with it is refused.
pub async fn revoke(app: &App, id: i64) -> Result<(), ApiError> {
    if app.store.revoke_key(id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("key"))
    }
}

/// Whether a bearer token is an API key rather than a session token.
pub fn is_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// A request as a key's checks see it.
pub struct KeyRequest<'a> {
    pub method: &'a http::Method,
    pub path: &'a str,
    /// The query's `site`, if it names one.
    pub site: Option<&'a str>,
}

/// The operator a key acts as, if the key exists, its admin is not disabled and the request is
/// within what it grants (401 for an unknown key, 403 beyond its grant). Records its use at
/// most about once a minute.
pub async fn authenticate(
    app: &App,
    key: &str,
    request: KeyRequest<'_>,
) -> Result<OperatorProfile, ApiError> {
    let grant = grant(app, key).await?;
    allows(&grant, &request)?;
    if let Some(site) = &grant.site
        && let Some(id) = conversation_in_path(request.path)
    {
        let conversation = app
            .store
            .conversation_summary(id)
            .await
            .map_err(ApiError::store("conversation"))?;
        if &conversation.site != site {
            // Another site's conversation does not exist for this key.
            return Err(ApiError::NotFound("conversation"));
        }
    }
    Ok(grant.operator)
}

/// What a key grants, if it exists and its admin is not disabled (401 otherwise); records its
/// use at most about once a minute.
pub async fn grant(app: &App, key: &str) -> Result<KeyGrant, ApiError> {
    let grant = app
        .store
        .key_grant(session_token_hash(key))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let now = now_millis();
    if now - grant.last_used_at.unwrap_or(0) >= crate::sessions::touch_interval_millis(app)
        && let Err(error) = app.store.touch_key(grant.key_id, now).await
    {
        tracing::warn!(%error, "recording a key's use failed");
    }
    Ok(grant)
}

/// Whether a key's grant covers a request, by its method, path and site (a conversation named in
/// the path is checked against the key's site by the caller, which can read it).
pub fn allows(grant: &KeyGrant, request: &KeyRequest<'_>) -> Result<(), ApiError> {
    let under = |prefix: &str| {
        request.path == prefix
            || request
                .path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    if PERSONAL_PATHS.iter().any(|prefix| under(prefix)) {
        return Err(ApiError::Forbidden(
            "an API key cannot sign in, manage operators, keys or webhooks: sign in as an admin",
        ));
    }
    let reads = matches!(*request.method, http::Method::GET | http::Method::HEAD);
    if grant.scope == KeyScope::Read && !reads {
        return Err(ApiError::Forbidden("this API key may only read"));
    }
    let Some(site) = &grant.site else {
        return Ok(());
    };
    if conversation_in_path(request.path).is_some() {
        return Ok(());
    }
    let site_path = format!("/api/sites/{site}");
    let by_query = request.path == "/api/conversations"
        || under("/api/reports")
        || request.path == "/api/reviews/sample";
    if (by_query && request.site == Some(site.as_str())) || request.path == site_path {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "this API key is for one site: it may read that site's conversations and reports (with \
         `site=` naming it) and change that site's settings",
    ))
}

/// The conversation a path under `/api/conversations/{id}` names.
fn conversation_in_path(path: &str) -> Option<ConversationId> {
    let rest = path.strip_prefix("/api/conversations/")?;
    let id = rest.split('/').next()?;
    id.parse().ok().map(ConversationId)
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::OperatorId;

    fn grant(scope: KeyScope, site: Option<&str>) -> KeyGrant {
        KeyGrant {
            key_id: 1,
            scope,
            site: site.map(str::to_owned),
            operator: OperatorProfile {
                id: OperatorId(1),
                name: "Admin".into(),
                email: "admin@example.com".into(),
                admin: true,
                photo_url: None,
                language: None,
            },
            last_used_at: None,
        }
    }

    fn check(grant: &KeyGrant, method: http::Method, path: &str, site: Option<&str>) -> bool {
        allows(
            grant,
            &KeyRequest {
                method: &method,
                path,
                site,
            },
        )
        .is_ok()
    }

    #[test]
    fn a_read_key_only_reads() {
        let key = grant(KeyScope::Read, None);
        assert!(check(&key, http::Method::GET, "/api/conversations", None));
        assert!(check(&key, http::Method::GET, "/api/reports/volume", None));
        assert!(!check(
            &key,
            http::Method::POST,
            "/api/conversations/3/messages",
            None
        ));
        assert!(!check(&key, http::Method::PUT, "/api/settings", None));
        let writer = grant(KeyScope::ReadWrite, None);
        assert!(check(
            &writer,
            http::Method::POST,
            "/api/conversations/3/messages",
            None
        ));
        assert!(check(&writer, http::Method::PUT, "/api/settings", None));
    }

    #[test]
    fn no_key_manages_people_or_credentials() {
        let key = grant(KeyScope::ReadWrite, None);
        for path in [
            "/api/operators",
            "/api/operators/4/disable",
            "/api/me",
            "/api/me/password",
            "/api/logout",
            "/api/keys",
            "/api/keys/2",
            "/api/webhooks",
            "/api/webhooks/1/rotate",
        ] {
            assert!(!check(&key, http::Method::GET, path, None), "{path}");
            assert!(!check(&key, http::Method::POST, path, None), "{path}");
        }
        // A path that merely begins like one of them is not one of them.
        assert!(check(&key, http::Method::GET, "/api/meetings", None));
    }

    #[test]
    fn a_site_key_stays_within_its_site() {
        let key = grant(KeyScope::ReadWrite, Some("shop"));
        assert!(check(
            &key,
            http::Method::GET,
            "/api/conversations",
            Some("shop")
        ));
        assert!(!check(&key, http::Method::GET, "/api/conversations", None));
        assert!(!check(
            &key,
            http::Method::GET,
            "/api/conversations",
            Some("other")
        ));
        assert!(check(
            &key,
            http::Method::GET,
            "/api/reports/hours",
            Some("shop")
        ));
        assert!(!check(&key, http::Method::GET, "/api/reports/hours", None));
        assert!(check(&key, http::Method::GET, "/api/conversations/7", None));
        assert!(check(&key, http::Method::PUT, "/api/sites/shop", None));
        assert!(!check(&key, http::Method::PUT, "/api/sites/other", None));
        assert!(!check(&key, http::Method::GET, "/api/settings", None));
        assert!(!check(&key, http::Method::GET, "/api/rules", None));
    }

    #[test]
    fn the_conversation_in_a_path_is_read() {
        assert_eq!(
            conversation_in_path("/api/conversations/12/messages"),
            Some(ConversationId(12))
        );
        assert_eq!(
            conversation_in_path("/api/conversations/12"),
            Some(ConversationId(12))
        );
        assert_eq!(conversation_in_path("/api/conversations"), None);
        assert_eq!(conversation_in_path("/api/conversations/x"), None);
    }
}
