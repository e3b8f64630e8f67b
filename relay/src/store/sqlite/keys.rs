//! The SQL for API keys.

use super::rows::profile_from_row;
use crate::clock::now_millis;
use crate::store::keys::{scope_from_text, scope_text};
use crate::store::{KeyGrant, NewKey, StoreError, StoredKey};
use rusqlite::{Connection, OptionalExtension, Row, params};

const KEY_COLUMNS: &str =
    "k.id, k.name, k.scope, k.site, k.prefix, o.name, k.created_at, k.last_used_at
     FROM api_keys k JOIN operators o ON o.id = k.operator_id";

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        id: row.get(0)?,
        name: row.get(1)?,
        scope: scope_from_text(&row.get::<_, String>(2)?),
        site: row.get(3)?,
        prefix: row.get(4)?,
        created_by: row.get(5)?,
        created_at: row.get(6)?,
        last_used_at: row.get(7)?,
    })
}

pub fn create_key(connection: &Connection, key: &NewKey) -> Result<StoredKey, StoreError> {
    if let Some(site) = &key.site {
        let exists = connection
            .query_row("SELECT 1 FROM sites WHERE name = ?1", [site], |_| Ok(()))
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    connection.execute(
        "INSERT INTO api_keys (name, scope, site, key_hash, prefix, operator_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key.name,
            scope_text(key.scope),
            key.site,
            key.hash.as_slice(),
            key.prefix,
            key.created_by.0,
            now_millis()
        ],
    )?;
    let id = connection.last_insert_rowid();
    Ok(connection.query_row(
        &format!("SELECT {KEY_COLUMNS} WHERE k.id = ?1"),
        [id],
        key_from_row,
    )?)
}

pub fn keys(connection: &Connection) -> Result<Vec<StoredKey>, StoreError> {
    let mut statement =
        connection.prepare_cached(&format!("SELECT {KEY_COLUMNS} ORDER BY k.id"))?;
    let keys = statement
        .query_map([], key_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(keys)
}

pub fn revoke_key(connection: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(connection.execute("DELETE FROM api_keys WHERE id = ?1", [id])? > 0)
}

pub fn key_grant(connection: &Connection, hash: [u8; 32]) -> Result<Option<KeyGrant>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT o.id, o.name, o.email, o.admin, o.photo_url, o.language,
                    k.id, k.scope, k.site, k.last_used_at
             FROM api_keys k JOIN operators o ON o.id = k.operator_id
             WHERE k.key_hash = ?1 AND o.disabled = 0",
        )?
        .query_row([hash.as_slice()], |row| {
            Ok(KeyGrant {
                operator: profile_from_row(row)?,
                key_id: row.get(6)?,
                scope: scope_from_text(&row.get::<_, String>(7)?),
                site: row.get(8)?,
                last_used_at: row.get(9)?,
            })
        })
        .optional()?)
}

pub fn touch_key(connection: &Connection, id: i64, now: i64) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}
