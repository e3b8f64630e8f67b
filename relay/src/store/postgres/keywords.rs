//! The SQL of keyword rules at work on PostgreSQL: reads the rules that apply to a visitor's
//! message, asks `chat::rules` what they make of the conversation, and writes that (queueing
//! again when a waiting conversation's priority rose). A plain twin of SQLite's `keywords.rs`,
//! written for storing messages; the rules' own version of this file replaces it.

use super::Tx;
use super::queue::assign_queue;
use super::rows::{conversation_changed, conversation_summary};
use super::sql::Sql;
use super::sql::to_json;
use crate::chat::rules::{self, KeywordRule, Marking};
use crate::store::StoreError;
use beseda_protocol::{ConversationId, ConversationStatus};

/// The keyword rules that apply on `site` (its own and those of all sites).
pub async fn keyword_rules(tx: &Tx, site: &str) -> Result<Vec<KeywordRule>, StoreError> {
    tx.query(
        "SELECT keyword, tag, priority FROM rules WHERE site IS NULL OR site = $1",
        &[&site],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(KeywordRule {
            keyword: row.try_get(0)?,
            tag: row.try_get(1)?,
            priority: i32::try_from(row.try_get::<_, i64>(2)?).unwrap_or(0),
        })
    })
    .collect()
}

/// Tags the conversation and raises its priority for every rule of `keyword_rules` (read by
/// [`keyword_rules`]) whose keyword the visitor wrote, as [`rules::apply`] decides; a waiting
/// conversation whose priority rose may now go first.
pub async fn apply_rules(
    tx: &Tx,
    conversation_id: ConversationId,
    keyword_rules: &[KeywordRule],
    text: &str,
) -> Result<(), StoreError> {
    if keyword_rules.is_empty() {
        return Ok(());
    }
    let summary = conversation_summary(tx, conversation_id).await?;
    let current = Marking {
        tags: summary.tags,
        priority: summary.priority,
    };
    let Some(marking) = rules::apply(keyword_rules, text, &current) else {
        return Ok(());
    };
    tx.execute(
        "UPDATE conversations SET tags = $2, priority = $3 WHERE id = $1",
        &[
            &conversation_id.0,
            &to_json(&marking.tags)?,
            &i64::from(marking.priority),
        ],
    )
    .await?;
    conversation_changed(tx, conversation_id).await?;
    if summary.assigned_to.is_none() && summary.status == ConversationStatus::Open {
        assign_queue(tx).await?;
    }
    Ok(())
}
