//! The SQL of what the relay knows about a visit, on PostgreSQL: the pages of the session and
//! the widget's language, kept with a visitor's first message. A plain twin of the part of
//! SQLite's `visits.rs` that storing a message needs; the workflow's own version of this file
//! replaces it.

use super::Tx;
use super::rows::visitor_changed;
use super::sql::to_json;
use crate::clock::now_millis;
use crate::store::StoreError;
use beseda_protocol::VisitorId;
use beseda_protocol::api::{MAX_PAGES_PER_VISIT, PageView};

/// A visit ends after this long without a page view; the next page starts a new list.
const SESSION_GAP_MILLIS: i64 = 30 * 60 * 1000;

/// Adds `pages` (each with its time already set) to the visitor's current visit and keeps
/// their language; `first_seen` is used only when the visitor has no row yet.
async fn keep_pages(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    new_pages: &[PageView],
    locale: Option<&str>,
    first_seen: i64,
) -> Result<(), StoreError> {
    let now = now_millis();
    let existing = tx
        .query_opt(
            "SELECT last_seen, pages FROM visitors WHERE site = $1 AND visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?;
    let mut pages: Vec<PageView> = match &existing {
        Some(row) if now - row.try_get::<_, i64>(0)? < SESSION_GAP_MILLIS => {
            serde_json::from_str(row.try_get(1)?).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    pages.extend_from_slice(new_pages);
    if pages.len() > MAX_PAGES_PER_VISIT {
        pages.drain(..pages.len() - MAX_PAGES_PER_VISIT);
    }
    tx.execute(
        "INSERT INTO visitors (site, visitor_id, first_seen, last_seen, locale, pages)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (site, visitor_id) DO UPDATE SET last_seen = excluded.last_seen,
             locale = COALESCE(excluded.locale, visitors.locale), pages = excluded.pages",
        &[
            &site,
            &visitor_id.0,
            &first_seen.min(now),
            &now,
            &locale,
            &to_json(&pages)?,
        ],
    )
    .await?;
    Ok(())
}

/// Stores what a visitor's session kept before their first message (the pages viewed and the
/// widget's language), in the transaction of that message. Consoles hear of it through the
/// conversation (or, when it already existed, through the whole context).
pub async fn keep_visit(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    pages: &[PageView],
    locale: Option<&str>,
    first_seen: Option<i64>,
) -> Result<(), StoreError> {
    let first_seen = first_seen.unwrap_or_else(now_millis);
    keep_pages(tx, site, visitor_id, pages, locale, first_seen).await?;
    visitor_changed(tx, site, visitor_id).await
}
