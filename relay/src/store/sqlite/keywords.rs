//! The SQL of keyword rules at work: reads the rules that apply to a visitor's message, asks
//! `chat::rules` what they make of the conversation, and writes that (queueing again when a
//! waiting conversation's priority rose).

use super::queue::assign_queue;
use super::rows::{conversation_changed, conversation_summary};
use crate::chat::rules::{self, KeywordRule, Marking};
use crate::store::{Event, StoreError};
use beseda_protocol::{ConversationId, ConversationStatus};
use rusqlite::{Connection, params};

/// Tags the conversation and raises its priority for every rule (of all sites, or of this one)
/// whose keyword the visitor wrote, as [`rules::apply`] decides; a waiting conversation whose
/// priority rose may now go first.
pub fn apply_rules(
    connection: &Connection,
    conversation_id: ConversationId,
    site: &str,
    text: &str,
    events: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let keyword_rules: Vec<KeywordRule> = connection
        .prepare_cached("SELECT keyword, tag, priority FROM rules WHERE site IS NULL OR site = ?1")?
        .query_map([site], |row| {
            Ok(KeywordRule {
                keyword: row.get(0)?,
                tag: row.get(1)?,
                priority: row.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    if keyword_rules.is_empty() {
        return Ok(());
    }
    let summary = conversation_summary(connection, conversation_id)?;
    let current = Marking {
        tags: summary.tags,
        priority: summary.priority,
    };
    let Some(marking) = rules::apply(&keyword_rules, text, &current) else {
        return Ok(());
    };
    connection
        .prepare_cached("UPDATE conversations SET tags = ?2, priority = ?3 WHERE id = ?1")?
        .execute(params![
            conversation_id.0,
            serde_json::to_string(&marking.tags).unwrap_or_else(|_| "[]".into()),
            marking.priority
        ])?;
    conversation_changed(connection, conversation_id, events)?;
    if summary.assigned_to.is_none() && summary.status == ConversationStatus::Open {
        assign_queue(connection, events)?;
    }
    Ok(())
}
