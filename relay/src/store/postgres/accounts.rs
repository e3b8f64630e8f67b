//! Sites, operators' accounts, sessions and settings: the SQL of
//! [`AccountStore`](crate::store::AccountStore) on PostgreSQL.

use super::Tx;
use crate::clock::now_millis;
use crate::store::StoreError;
use tokio_postgres::Client;

pub async fn site_title(client: &Client, name: &str) -> Result<Option<String>, StoreError> {
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
