//! The SQL of the history on SQLite: the words of each message in the FTS5 table
//! `message_search` (row id: `store::history::search_rowid`), the filtered and searched listing,
//! notes and reviews. The words are cut and folded by `store::history`, as on PostgreSQL.

use super::rows::{
    MESSAGE_COLUMNS, MESSAGE_FROM, SUMMARY_SELECT, message_from_row, summary_from_row,
};
use crate::clock::{iso8601, now_millis};
use crate::store::history::{
    HistoryFilter, HistoryHit, SEARCH_SEQ_BITS, fts5_query, indexed_words, search_rowid,
};
use crate::store::{Event, StoreError};
use beseda_protocol::history::{Note, Review, Verdict};
use beseda_protocol::{ConversationId, Message, OperatorId};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// Keeps a stored message's words for searching, in the message's own transaction, with its
/// conversation's site as one more word ([`site_word`]).
pub fn index_message(connection: &Connection, message: &Message) -> Result<(), StoreError> {
    let Some(rowid) = search_rowid(message.conversation_id, message.seq.0) else {
        return Ok(());
    };
    connection
        .prepare_cached(&format!(
            "INSERT INTO message_search (rowid, words)
             SELECT ?1, ?2 || ' ' || {SITE_WORD_SQL} FROM conversations WHERE id = ?3"
        ))?
        .execute(params![
            rowid,
            indexed_words(&crate::store::history::searchable_text(message)),
            message.conversation_id.0
        ])?;
    Ok(())
}

/// The word a message's site is kept as in the index, in SQL, of a conversation's `site`: the
/// same as [`site_word`].
const SITE_WORD_SQL: &str = "'_s' || lower(hex(site))";

/// The word a site is kept as in the index: `_s` and the hexadecimal of its name's bytes. The
/// index's tokenizer keeps `_` within a word, and the words of messages and queries never hold
/// one, so no search can match it but the site filter's. A site filter is then one more word of
/// the search, which the index answers by skipping along both lists, instead of a look at the
/// conversation of every match: a site with few or no matches no longer reads all of them.
pub fn site_word(site: &str) -> String {
    let mut word = String::from("_s");
    for byte in site.bytes() {
        word.push_str(&format!("{byte:02x}"));
    }
    word
}

/// Indexes every message already stored: run by the migrations that (re)create the index.
pub fn index_existing(connection: &Connection) -> rusqlite::Result<()> {
    let mut read = connection.prepare(&format!(
        "SELECT m.conversation_id, m.seq, m.text, m.files, {SITE_WORD_SQL}
         FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    ))?;
    let mut insert =
        connection.prepare("INSERT INTO message_search (rowid, words) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let conversation_id = ConversationId(row.get(0)?);
        let seq = u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
        let mut text: String = row.get(2)?;
        for file in
            crate::store::files::files_from_json(row.get::<_, Option<String>>(3)?.as_deref())
        {
            text.push(' ');
            text.push_str(&file.name);
        }
        let site: String = row.get(4)?;
        if let Some(rowid) = search_rowid(conversation_id, seq) {
            insert.execute(params![rowid, format!("{} {site}", indexed_words(&text))])?;
        }
    }
    Ok(())
}

/// Conversations matching the filter, newest first.
pub fn history(
    connection: &Connection,
    filter: &HistoryFilter,
) -> Result<Vec<HistoryHit>, StoreError> {
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut add = |condition: &'static str, value: Value| {
        conditions.push(condition);
        values.push(value);
    };
    let query = filter.words.as_ref().map(|words| match &filter.site {
        Some(site) => format!("{} \"{}\"", fts5_query(words), site_word(site)),
        None => fts5_query(words),
    });
    if let Some(words) = &filter.words
        && words.is_empty()
    {
        // A query without a single word matches nothing.
        return Ok(Vec::new());
    }
    if let Some(status) = filter.status {
        add("c.status = ?", Value::Text(status.as_str().to_owned()));
    }
    if let Some(site) = &filter.site {
        add("c.site = ?", Value::Text(site.clone()));
    }
    if let Some(operator) = filter.operator {
        add("c.assigned_to = ?", Value::Integer(operator.0));
    }
    if let Some(tag) = &filter.tag {
        add(
            "EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ?)",
            Value::Text(tag.clone()),
        );
    }
    if let Some(rating) = filter.rating {
        add("c.rating = ?", Value::Text(rating.as_str().to_owned()));
    }
    if let Some(reviewed) = filter.reviewed {
        add(
            "EXISTS (SELECT 1 FROM reviews r WHERE r.conversation_id = c.id) = ?",
            Value::Integer(i64::from(reviewed)),
        );
    }
    if let Some(from) = filter.from {
        add("c.created_at >= ?", Value::Integer(from));
    }
    if let Some(to) = filter.to {
        add("c.created_at < ?", Value::Integer(to));
    }
    if let Some(before) = filter.before {
        add("c.id < ?", Value::Integer(before.0));
    }
    if let Some(query) = &query {
        return search(connection, filter, query, &conditions, values);
    }
    let mut sql = format!("{SUMMARY_SELECT} WHERE 1");
    for condition in &conditions {
        sql.push_str(" AND ");
        sql.push_str(condition);
    }
    sql.push_str(" ORDER BY c.id DESC LIMIT ?");
    values.push(Value::Integer(i64::from(filter.limit)));
    let summaries = {
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), |row| {
            summary_from_row(connection, row)
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let mut hits = Vec::with_capacity(summaries.len());
    for summary in summaries {
        let review = review(connection, summary.id)?;
        hits.push(HistoryHit {
            summary,
            matched: None,
            review,
        });
    }
    Ok(hits)
}

/// A search: the index's matches walked newest first (a search row's id orders by
/// conversation, then by message), each conversation met checked against the other filters,
/// until a page is full. The first match met in a conversation is its newest, the one the
/// snippet shows. Walking the matches in order, instead of collecting every matching
/// conversation and sorting them, keeps a frequent word's first page as cheap as a rare one's:
/// FTS5 reads its postings newest first and stops when the page is full.
fn search(
    connection: &Connection,
    filter: &HistoryFilter,
    query: &str,
    conditions: &[&str],
    values: Vec<Value>,
) -> Result<Vec<HistoryHit>, StoreError> {
    // The matches joined with their conversations in one statement, the index outside (CROSS
    // JOIN keeps that order): a filter that rejects most matches (a small site, a rating) then
    // costs a primary-key probe per match inside SQLite, not a statement per conversation.
    let mut sql = format!(
        "SELECT s.rowid FROM message_search s CROSS JOIN conversations c
         ON c.id = (s.rowid >> {SEARCH_SEQ_BITS})
         WHERE s.message_search MATCH ? AND s.rowid < ?"
    );
    for condition in conditions {
        sql.push_str(" AND ");
        sql.push_str(condition);
    }
    sql.push_str(" ORDER BY s.rowid DESC");
    let below = filter
        .before
        .and_then(|before| search_rowid(before, 0))
        .unwrap_or(i64::MAX);
    let parameters = [Value::Text(query.to_owned()), Value::Integer(below)]
        .into_iter()
        .chain(values);
    let mut matches = connection.prepare_cached(&sql)?;
    let mut rows = matches.query(params_from_iter(parameters))?;
    let mut summary = connection.prepare_cached(&format!("{SUMMARY_SELECT} WHERE c.id = ?1"))?;
    let mut message = connection.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.conversation_id = ?1 AND m.seq = ?2"
    ))?;
    let limit = usize::try_from(filter.limit).unwrap_or(usize::MAX);
    let mut hits = Vec::new();
    let mut last_conversation = None;
    while hits.len() < limit {
        let Some(row) = rows.next()? else {
            break;
        };
        let rowid: i64 = row.get(0)?;
        let conversation_id = ConversationId(rowid >> SEARCH_SEQ_BITS);
        if last_conversation == Some(conversation_id) {
            continue;
        }
        last_conversation = Some(conversation_id);
        let summary =
            summary.query_row([conversation_id.0], |row| summary_from_row(connection, row))?;
        let seq = rowid - (conversation_id.0 << SEARCH_SEQ_BITS);
        let matched = message
            .query_row(params![conversation_id.0, seq], message_from_row)
            .optional()?;
        let review = review(connection, conversation_id)?;
        hits.push(HistoryHit {
            summary,
            matched,
            review,
        });
    }
    Ok(hits)
}

const NOTE_SELECT: &str =
    "SELECT n.id, n.conversation_id, o.name, n.operator_id, n.text, n.created_at
     FROM notes n JOIN operators o ON o.id = n.operator_id";

fn note_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: row.get(0)?,
        conversation_id: ConversationId(row.get(1)?),
        author: row.get(2)?,
        operator_id: OperatorId(row.get(3)?),
        text: row.get(4)?,
        created_at: iso8601(row.get(5)?),
    })
}

/// Adds a note; the consoles hear of it.
pub fn add_note(
    connection: &Connection,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    text: &str,
    events: &mut Vec<Event>,
) -> Result<Note, StoreError> {
    let exists = connection
        .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")?
        .query_row([conversation_id.0], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    connection
        .prepare_cached(
            "INSERT INTO notes (conversation_id, operator_id, text, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![conversation_id.0, operator_id.0, text, now_millis()])?;
    let sql = format!("{NOTE_SELECT} WHERE n.id = ?1");
    let note = connection
        .prepare_cached(&sql)?
        .query_row([connection.last_insert_rowid()], note_from_row)?;
    events.push(Event::NoteAdded { note: note.clone() });
    Ok(note)
}

/// A conversation's notes, oldest first.
pub fn notes(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<Vec<Note>, StoreError> {
    let sql = format!("{NOTE_SELECT} WHERE n.conversation_id = ?1 ORDER BY n.id");
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([conversation_id.0], note_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records or replaces a conversation's review.
pub fn set_review(
    connection: &Connection,
    conversation_id: ConversationId,
    reviewer: OperatorId,
    verdict: Verdict,
    comment: &str,
) -> Result<Review, StoreError> {
    let exists = connection
        .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")?
        .query_row([conversation_id.0], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    connection
        .prepare_cached(
            "INSERT INTO reviews (conversation_id, verdict, comment, reviewer_id, reviewed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (conversation_id) DO UPDATE SET verdict = excluded.verdict,
                 comment = excluded.comment, reviewer_id = excluded.reviewer_id,
                 reviewed_at = excluded.reviewed_at",
        )?
        .execute(params![
            conversation_id.0,
            verdict.as_str(),
            comment,
            reviewer.0,
            now_millis()
        ])?;
    review(connection, conversation_id)?.ok_or(StoreError::NotFound)
}

/// Removes a conversation's review; false when it had none.
pub fn clear_review(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<bool, StoreError> {
    let removed = connection
        .prepare_cached("DELETE FROM reviews WHERE conversation_id = ?1")?
        .execute([conversation_id.0])?;
    Ok(removed > 0)
}

/// A conversation's review, if any.
pub fn review(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<Option<Review>, StoreError> {
    Ok(connection
        .prepare_cached(
            "SELECT r.verdict, r.comment, r.reviewer_id, o.name, r.reviewed_at
             FROM reviews r JOIN operators o ON o.id = r.reviewer_id WHERE r.conversation_id = ?1",
        )?
        .query_row([conversation_id.0], |row| {
            Ok(Review {
                verdict: Verdict::from_name(&row.get::<_, String>(0)?).unwrap_or(Verdict::Good),
                comment: row.get(1)?,
                reviewer_id: OperatorId(row.get(2)?),
                reviewer: row.get(3)?,
                reviewed_at: iso8601(row.get(4)?),
            })
        })
        .optional()?)
}

/// The operator's conversations started in `[from, to)` without a review.
pub fn unreviewed(
    connection: &Connection,
    operator: OperatorId,
    from: i64,
    to: i64,
) -> Result<Vec<ConversationId>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT c.id FROM conversations c WHERE c.assigned_to = ?1
         AND c.created_at >= ?2 AND c.created_at < ?3
         AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.conversation_id = c.id)",
    )?;
    let rows = statement.query_map(params![operator.0, from, to], |row| {
        Ok(ConversationId(row.get(0)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
