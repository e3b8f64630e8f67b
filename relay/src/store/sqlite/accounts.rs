//! The SQL for sites, operators, sessions and relay settings.

use super::rows::profile_from_row;
use crate::clock::now_millis;
use crate::store::{ActiveSession, OperatorCredentials, StoreError};
use beseda_protocol::{OperatorId, OperatorProfile};
use rusqlite::{Connection, OptionalExtension, params};

pub fn ensure_site(connection: &Connection, name: &str, title: &str) -> Result<bool, StoreError> {
    let inserted = connection.execute(
        "INSERT OR IGNORE INTO sites (name, title, created_at) VALUES (?1, ?2, ?3)",
        params![name, title, now_millis()],
    )?;
    Ok(inserted > 0)
}

pub fn operator_count(connection: &Connection) -> Result<u64, StoreError> {
    let count: i64 =
        connection.query_row("SELECT COUNT(*) FROM operators", [], |row| row.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub fn add_operator(
    connection: &Connection,
    email: &str,
    name: &str,
    password_hash: &str,
    admin: bool,
) -> Result<OperatorProfile, StoreError> {
    let inserted = connection.execute(
        "INSERT OR IGNORE INTO operators (email, name, password_hash, admin, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![email, name, password_hash, admin, now_millis()],
    )?;
    if inserted == 0 {
        return Err(StoreError::EmailTaken(email.to_owned()));
    }
    Ok(OperatorProfile {
        id: OperatorId(connection.last_insert_rowid()),
        name: name.to_owned(),
        email: email.to_owned(),
        admin,
        photo_url: None,
        language: None,
    })
}

pub fn operator_credentials(
    connection: &Connection,
    email: &str,
) -> Result<Option<OperatorCredentials>, StoreError> {
    Ok(connection
        .query_row(
            // A disabled operator is not found, so that signing in as them fails exactly as
            // with an unknown email (the same answer, after the same time).
            "SELECT id, name, email, admin, photo_url, password_hash, language FROM operators
             WHERE email = ?1 AND disabled = 0",
            [email],
            |row| {
                Ok(OperatorCredentials {
                    profile: profile_from_row(row)?,
                    password_hash: row.get(5)?,
                })
            },
        )
        .optional()?)
}

pub fn create_session(
    connection: &Connection,
    token_hash: [u8; 32],
    operator_id: OperatorId,
    expires_at: i64,
) -> Result<(), StoreError> {
    let now = now_millis();
    connection.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
    connection.execute(
        "INSERT INTO sessions (token_hash, operator_id, created_at, expires_at, last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?3)",
        params![token_hash.as_slice(), operator_id.0, now, expires_at],
    )?;
    Ok(())
}

/// The operator of a session that has neither expired nor gone unused since `used_since`, and
/// is not disabled.
pub fn session_operator(
    connection: &Connection,
    token_hash: [u8; 32],
    used_since: i64,
) -> Result<Option<ActiveSession>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT o.id, o.name, o.email, o.admin, o.photo_url, s.last_used_at, o.language
             FROM sessions s JOIN operators o ON o.id = s.operator_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_used_at > ?3
             AND o.disabled = 0",
        )?
        .query_row(
            params![token_hash.as_slice(), now_millis(), used_since],
            |row| {
                Ok(ActiveSession {
                    operator: profile_from_row(row)?,
                    last_used_at: row.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Records that a session was used at `now`.
pub fn touch_session(
    connection: &Connection,
    token_hash: [u8; 32],
    now: i64,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash.as_slice(), now])?;
    Ok(())
}

/// Ends one session; false when there was no such session.
pub fn end_session(connection: &Connection, token_hash: [u8; 32]) -> Result<bool, StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash.as_slice()])?;
    Ok(deleted > 0)
}

/// Ends every session of an operator but `keep`; returns the token hashes of those ended.
pub(super) fn end_operator_sessions(
    connection: &Connection,
    operator_id: OperatorId,
    keep: Option<[u8; 32]>,
) -> Result<Vec<[u8; 32]>, StoreError> {
    let keep = keep.map(|hash| hash.to_vec()).unwrap_or_default();
    let ended: Vec<Vec<u8>> = connection
        .prepare_cached(
            "DELETE FROM sessions WHERE operator_id = ?1 AND token_hash != ?2 RETURNING token_hash",
        )?
        .query_map(params![operator_id.0, keep], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ended
        .into_iter()
        .filter_map(|hash| hash.try_into().ok())
        .collect())
}

/// The password hash of an operator who is not disabled.
pub fn operator_password_hash(
    connection: &Connection,
    operator_id: OperatorId,
) -> Result<Option<String>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT password_hash FROM operators WHERE id = ?1 AND disabled = 0")?
        .query_row([operator_id.0], |row| row.get(0))
        .optional()?)
}

/// Sets a new password hash and ends every other session of the operator (whoever may have
/// learnt the old password is signed out); returns the token hashes of the sessions ended.
pub fn change_password(
    connection: &Connection,
    operator_id: OperatorId,
    password_hash: &str,
    keep: [u8; 32],
) -> Result<Vec<[u8; 32]>, StoreError> {
    let changed = connection
        .prepare_cached("UPDATE operators SET password_hash = ?2 WHERE id = ?1 AND disabled = 0")?
        .execute(params![operator_id.0, password_hash])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    end_operator_sessions(connection, operator_id, Some(keep))
}

/// Sets an operator's availability; one who comes online takes waiting conversations at once.
pub fn set_operator_online(
    connection: &Connection,
    operator_id: OperatorId,
    online: bool,
    events: &mut Vec<crate::store::Event>,
) -> Result<(), StoreError> {
    let changed = connection.execute(
        "UPDATE operators SET online = ?2 WHERE id = ?1",
        params![operator_id.0, online],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    super::reports::availability_set(connection, operator_id, online, now_millis())?;
    events.push(crate::store::Event::OperatorAvailability {
        operator_id,
        online,
    });
    if online {
        super::queue::assign_queue(connection, events)?;
    }
    Ok(())
}

pub fn online_operators(connection: &Connection) -> Result<Vec<OperatorId>, StoreError> {
    let mut statement =
        connection.prepare_cached("SELECT id FROM operators WHERE online = 1 ORDER BY id")?;
    let rows = statement.query_map([], |row| Ok(OperatorId(row.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn setting_or_insert(
    connection: &Connection,
    key: &str,
    create: &[u8],
) -> Result<Vec<u8>, StoreError> {
    connection.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
        params![key, create],
    )?;
    Ok(
        connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })?,
    )
}
