//! The SQL for API keys.

use super::rows::profile_from_row;
use super::sql::Sql;
use crate::clock::now_millis;
use crate::store::keys::{scope_from_text, scope_text};
use crate::store::{KeyGrant, NewKey, StoreError, StoredKey};
use tokio_postgres::Row;

const KEYS: &str =
    "SELECT k.id, k.name, k.scope, k.site, k.prefix, o.name, k.created_at, k.last_used_at
     FROM api_keys k JOIN operators o ON o.id = k.operator_id";

fn key_from_row(row: &Row) -> Result<StoredKey, StoreError> {
    Ok(StoredKey {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        scope: scope_from_text(row.try_get(2)?),
        site: row.try_get(3)?,
        prefix: row.try_get(4)?,
        created_by: row.try_get(5)?,
        created_at: row.try_get(6)?,
        last_used_at: row.try_get(7)?,
    })
}

pub async fn create_key(client: &impl Sql, key: &NewKey) -> Result<StoredKey, StoreError> {
    if let Some(site) = &key.site {
        let exists = client
            .query_opt("SELECT 1 FROM sites WHERE name = $1", &[site])
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    let id: i64 = client
        .query_one(
            "INSERT INTO api_keys (name, scope, site, key_hash, prefix, operator_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                &key.name,
                &scope_text(key.scope),
                &key.site,
                &key.hash.as_slice(),
                &key.prefix,
                &key.created_by.0,
                &now_millis(),
            ],
        )
        .await?
        .try_get(0)?;
    let row = client
        .query_one(&format!("{KEYS} WHERE k.id = $1"), &[&id])
        .await?;
    key_from_row(&row)
}

pub async fn keys(client: &impl Sql) -> Result<Vec<StoredKey>, StoreError> {
    client
        .query(&format!("{KEYS} ORDER BY k.id"), &[])
        .await?
        .iter()
        .map(key_from_row)
        .collect()
}

pub async fn revoke_key(client: &impl Sql, id: i64) -> Result<bool, StoreError> {
    Ok(client
        .execute("DELETE FROM api_keys WHERE id = $1", &[&id])
        .await?
        > 0)
}

pub async fn key_grant(client: &impl Sql, hash: [u8; 32]) -> Result<Option<KeyGrant>, StoreError> {
    let Some(row) = client
        .query_opt(
            "SELECT o.id, o.name, o.email, o.admin, o.photo_url, o.language,
                    k.id, k.scope, k.site, k.last_used_at
             FROM api_keys k JOIN operators o ON o.id = k.operator_id
             WHERE k.key_hash = $1 AND NOT o.disabled",
            &[&hash.as_slice()],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(KeyGrant {
        operator: profile_from_row(&row)?,
        key_id: row.try_get(6)?,
        scope: scope_from_text(row.try_get(7)?),
        site: row.try_get(8)?,
        last_used_at: row.try_get(9)?,
    }))
}

pub async fn touch_key(client: &impl Sql, id: i64, now: i64) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE api_keys SET last_used_at = $2 WHERE id = $1",
            &[&id, &now],
        )
        .await?;
    Ok(())
}
