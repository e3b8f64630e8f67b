//! Sites, operators' accounts, sessions and settings: the SQL of
//! [`AccountStore`](crate::store::AccountStore) on PostgreSQL.

use super::Tx;
use super::queue::assign_queue;
use super::rows::profile_from_row;
use super::sql::Sql;
use crate::clock::now_millis;
use crate::store::{ActiveSession, Event, OperatorCredentials, StoreError};
use beseda_protocol::{OperatorId, OperatorProfile};

pub async fn site_title(client: &impl Sql, name: &str) -> Result<Option<String>, StoreError> {
    Ok(client
        .query_opt("SELECT title FROM sites WHERE name = $1", &[&name])
        .await?
        .map(|row| row.get(0)))
}

pub async fn ensure_site(tx: &Tx, name: &str, title: &str) -> Result<bool, StoreError> {
    let inserted = tx
        .execute(
            "INSERT INTO sites (name, title, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
            &[&name, &title, &now_millis()],
        )
        .await?;
    Ok(inserted > 0)
}

pub async fn setting_or_insert(tx: &Tx, key: &str, create: &[u8]) -> Result<Vec<u8>, StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&key, &create],
    )
    .await?;
    Ok(tx
        .query_one("SELECT value FROM settings WHERE key = $1", &[&key])
        .await?
        .get(0))
}

/// The columns [`profile_from_row`] reads, from `operators`.
const PROFILE_COLUMNS: &str = "id, name, email, admin, photo_url";

pub async fn operator_count(client: &impl Sql) -> Result<u64, StoreError> {
    let count: i64 = client
        .query_one("SELECT COUNT(*) FROM operators", &[])
        .await?
        .try_get(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Adds an operator; `EmailTaken` when another has the email, whatever its case.
pub async fn add_operator(
    client: &impl Sql,
    email: &str,
    name: &str,
    password_hash: &str,
    admin: bool,
) -> Result<OperatorProfile, StoreError> {
    let inserted = client
        .query_opt(
            "INSERT INTO operators (email, name, password_hash, admin, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
            &[&email, &name, &password_hash, &admin, &now_millis()],
        )
        .await?;
    let Some(row) = inserted else {
        return Err(StoreError::EmailTaken(email.to_owned()));
    };
    Ok(OperatorProfile {
        id: OperatorId(row.try_get(0)?),
        name: name.to_owned(),
        email: email.to_owned(),
        admin,
        photo_url: None,
        language: None,
    })
}

pub async fn operator_credentials(
    client: &impl Sql,
    email: &str,
) -> Result<Option<OperatorCredentials>, StoreError> {
    // A disabled operator is not found, so that signing in as them fails exactly as with an
    // unknown email (the same answer, after the same time). Emails compare without case, as
    // their unique index does.
    let sql = format!(
        "SELECT {PROFILE_COLUMNS}, password_hash, language FROM operators
         WHERE lower(email) = lower($1) AND NOT disabled"
    );
    let Some(row) = client.query_opt(&sql, &[&email]).await? else {
        return Ok(None);
    };
    Ok(Some(OperatorCredentials {
        profile: profile_from_row(&row)?,
        password_hash: row.try_get(5)?,
    }))
}

pub async fn create_session(
    client: &impl Sql,
    token_hash: [u8; 32],
    operator_id: OperatorId,
    expires_at: i64,
) -> Result<(), StoreError> {
    // The expired sessions go in the same statement (and round trip).
    client
        .execute(
            "WITH expired AS (DELETE FROM sessions WHERE expires_at < $3)
             INSERT INTO sessions (token_hash, operator_id, created_at, expires_at, last_used_at)
             VALUES ($1, $2, $3, $4, $3)",
            &[
                &token_hash.as_slice(),
                &operator_id.0,
                &now_millis(),
                &expires_at,
            ],
        )
        .await?;
    Ok(())
}

/// The operator of a session that has neither expired nor gone unused since `used_since`, and
/// is not disabled.
pub async fn session_operator(
    client: &impl Sql,
    token_hash: [u8; 32],
    used_since: i64,
) -> Result<Option<ActiveSession>, StoreError> {
    let row = client
        .query_opt(
            "SELECT o.id, o.name, o.email, o.admin, o.photo_url, s.last_used_at, o.language
             FROM sessions s JOIN operators o ON o.id = s.operator_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_used_at > $3
             AND NOT o.disabled",
            &[&token_hash.as_slice(), &now_millis(), &used_since],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(ActiveSession {
        operator: profile_from_row(&row)?,
        last_used_at: row.try_get(5)?,
    }))
}

/// Records that a session was used at `now`.
pub async fn touch_session(
    client: &impl Sql,
    token_hash: [u8; 32],
    now: i64,
) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE sessions SET last_used_at = $2 WHERE token_hash = $1",
            &[&token_hash.as_slice(), &now],
        )
        .await?;
    Ok(())
}

/// Ends one session; false when there was no such session.
pub async fn end_session(client: &impl Sql, token_hash: [u8; 32]) -> Result<bool, StoreError> {
    let deleted = client
        .execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[&token_hash.as_slice()],
        )
        .await?;
    Ok(deleted > 0)
}

/// Ends every session of an operator but `keep`; returns the token hashes of those ended.
pub(super) async fn end_operator_sessions(
    client: &impl Sql,
    operator_id: OperatorId,
    keep: Option<[u8; 32]>,
) -> Result<Vec<[u8; 32]>, StoreError> {
    let keep = keep.map(|hash| hash.to_vec()).unwrap_or_default();
    let ended = client
        .query(
            "DELETE FROM sessions WHERE operator_id = $1 AND token_hash <> $2 RETURNING token_hash",
            &[&operator_id.0, &keep],
        )
        .await?;
    ended
        .iter()
        .map(|row| Ok(row.try_get::<_, Vec<u8>>(0)?.try_into().ok()))
        .filter_map(Result::transpose)
        .collect()
}

/// The password hash of an operator who is not disabled.
pub async fn operator_password_hash(
    client: &impl Sql,
    operator_id: OperatorId,
) -> Result<Option<String>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT password_hash FROM operators WHERE id = $1 AND NOT disabled",
            &[&operator_id.0],
        )
        .await?
        .map(|row| row.try_get(0))
        .transpose()?)
}

/// Sets a new password hash and ends every other session of the operator (whoever may have
/// learnt the old password is signed out); returns the token hashes of the sessions ended.
pub async fn change_password(
    client: &impl Sql,
    operator_id: OperatorId,
    password_hash: &str,
    keep: [u8; 32],
) -> Result<Vec<[u8; 32]>, StoreError> {
    let changed = client
        .execute(
            "UPDATE operators SET password_hash = $2 WHERE id = $1 AND NOT disabled",
            &[&operator_id.0, &password_hash],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    end_operator_sessions(client, operator_id, Some(keep)).await
}

/// Sets an operator's availability and tells every relay; one who comes online takes waiting
/// conversations at once.
pub async fn set_operator_online(
    tx: &Tx,
    operator_id: OperatorId,
    online: bool,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE operators SET online = $2 WHERE id = $1",
            &[&operator_id.0, &online],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    super::reports::availability_set(tx, operator_id, online, now_millis()).await?;
    tx.emit(Event::OperatorAvailability {
        operator_id,
        online,
    });
    if online {
        assign_queue(tx).await?;
    }
    Ok(())
}

pub async fn online_operators(client: &impl Sql) -> Result<Vec<OperatorId>, StoreError> {
    client
        .query("SELECT id FROM operators WHERE online ORDER BY id", &[])
        .await?
        .iter()
        .map(|row| Ok(OperatorId(row.try_get(0)?)))
        .collect()
}
