//! The SQL of the history on PostgreSQL, twin of SQLite's `history.rs`: each message's words in
//! `message_search` (a GIN index over them as lexemes, `array_to_tsvector`, matched by a
//! `tsquery` of prefixes cast without a parser), the filtered and searched listing, notes and
//! reviews. The words are cut and folded by `store::history`, as on SQLite.

use super::Tx;
use super::rows::{
    MESSAGE_COLUMNS, MESSAGE_FROM, SUMMARY_SELECT, message_from_row, summary_from_row,
};
use super::sql::Sql;
use crate::clock::{iso8601, now_millis};
use crate::store::history::{HistoryFilter, HistoryHit, indexed_words, tsquery};
use crate::store::{Event, StoreError};
use beseda_protocol::history::{Note, Review, Verdict};
use beseda_protocol::{ConversationId, Message, OperatorId};
use tokio_postgres::Row;

/// The search condition on a row `s` of `message_search`, for a `tsquery` text parameter.
macro_rules! words_match {
    ($parameter:literal) => {
        concat!(
            "array_to_tsvector(string_to_array(s.words, ' ')) @@ ",
            $parameter,
            "::text::tsquery"
        )
    };
}

/// Keeps a stored message's words for searching, in the message's own transaction: recorded
/// with the job and written with the rest of its batch ([`write_index`]).
pub fn index_message(tx: &Tx, message: &Message) {
    tx.index(message);
}

/// The search index's rows of a batch's messages, as columns.
#[derive(Default)]
pub struct Indexed {
    conversations: Vec<i64>,
    seqs: Vec<i64>,
    words: Vec<String>,
}

impl Indexed {
    pub fn add(&mut self, message: &Message) {
        self.conversations.push(message.conversation_id.0);
        self.seqs
            .push(i64::try_from(message.seq.0).unwrap_or(i64::MAX));
        self.words
            .push(indexed_words(&crate::store::history::searchable_text(
                message,
            )));
    }

    pub fn append(&mut self, other: &mut Indexed) {
        self.conversations.append(&mut other.conversations);
        self.seqs.append(&mut other.seqs);
        self.words.append(&mut other.words);
    }
}

/// Writes a batch's search rows in one statement.
pub async fn write_index(client: &impl Sql, indexed: &Indexed) -> Result<(), StoreError> {
    if indexed.conversations.is_empty() {
        return Ok(());
    }
    client
        .execute(
            "INSERT INTO message_search (conversation_id, seq, words)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[])",
            &[&indexed.conversations, &indexed.seqs, &indexed.words],
        )
        .await?;
    Ok(())
}

/// Indexes every message not yet indexed: by the migration that adds the index, and by
/// `migrate` after copying the messages.
pub async fn index_existing(
    transaction: &tokio_postgres::Transaction<'_>,
) -> Result<(), StoreError> {
    let mut after: (i64, i64) = (0, 0);
    loop {
        let rows = transaction
            .query(
                "SELECT m.conversation_id, m.seq, m.text FROM messages m
                 WHERE (m.conversation_id, m.seq) > ($1, $2)
                   AND NOT EXISTS (SELECT 1 FROM message_search s
                                   WHERE s.conversation_id = m.conversation_id AND s.seq = m.seq)
                 ORDER BY m.conversation_id, m.seq LIMIT 1000",
                &[&after.0, &after.1],
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = (last.try_get(0)?, last.try_get(1)?);
        let mut conversations = Vec::with_capacity(rows.len());
        let mut seqs = Vec::with_capacity(rows.len());
        let mut words = Vec::with_capacity(rows.len());
        for row in &rows {
            conversations.push(row.try_get::<_, i64>(0)?);
            seqs.push(row.try_get::<_, i64>(1)?);
            words.push(indexed_words(row.try_get(2)?));
        }
        transaction
            .execute(
                "INSERT INTO message_search (conversation_id, seq, words)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[])",
                &[&conversations, &seqs, &words],
            )
            .await?;
    }
}

/// Conversations matching the filter, newest first.
pub async fn history(
    client: &impl Sql,
    filter: &HistoryFilter,
) -> Result<Vec<HistoryHit>, StoreError> {
    if let Some(words) = &filter.words
        && words.is_empty()
    {
        // A query without a single word matches nothing.
        return Ok(Vec::new());
    }
    let query = filter.words.as_ref().map(|words| tsquery(words));
    let sql = format!(
        "{SUMMARY_SELECT}
         WHERE ($1::text IS NULL OR c.status = $1)
           AND ($2::text IS NULL OR c.site = $2)
           AND ($3::bigint IS NULL OR c.assigned_to = $3)
           AND ($4::text IS NULL OR c.tags::jsonb @> jsonb_build_array($4::text))
           AND ($5::text IS NULL OR c.rating = $5)
           AND ($6::boolean IS NULL
                OR EXISTS (SELECT 1 FROM reviews r WHERE r.conversation_id = c.id) = $6)
           AND ($7::bigint IS NULL OR c.created_at >= $7)
           AND ($8::bigint IS NULL OR c.created_at < $8)
           AND ($9::bigint IS NULL OR c.id < $9)
           AND ($10::text IS NULL OR c.id IN (
                SELECT s.conversation_id FROM message_search s WHERE {}))
         ORDER BY c.id DESC LIMIT $11",
        words_match!("$10")
    );
    let status = filter.status.map(|status| status.as_str());
    let rating = filter.rating.map(|rating| rating.as_str());
    let operator = filter.operator.map(|operator| operator.0);
    let before = filter.before.map(|before| before.0);
    let limit = i64::from(filter.limit);
    let rows = client
        .query(
            &sql,
            &[
                &status,
                &filter.site,
                &operator,
                &filter.tag,
                &rating,
                &filter.reviewed,
                &filter.from,
                &filter.to,
                &before,
                &query,
                &limit,
            ],
        )
        .await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        let summary = summary_from_row(row)?;
        let matched = match &query {
            Some(query) => newest_match(client, summary.id, query).await?,
            None => None,
        };
        let review = review(client, summary.id).await?;
        hits.push(HistoryHit {
            summary,
            matched,
            review,
        });
    }
    Ok(hits)
}

/// The newest message of a conversation that matches a `tsquery`.
async fn newest_match(
    client: &impl Sql,
    conversation_id: ConversationId,
    query: &str,
) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM message_search s
         JOIN {MESSAGE_FROM} ON m.conversation_id = s.conversation_id AND m.seq = s.seq
         WHERE s.conversation_id = $1 AND {}
         ORDER BY s.seq DESC LIMIT 1",
        words_match!("$2")
    );
    let row = client
        .query_opt(&sql, &[&conversation_id.0, &query])
        .await?;
    row.as_ref().map(message_from_row).transpose()
}

const NOTE_SELECT: &str =
    "SELECT n.id, n.conversation_id, o.name, n.operator_id, n.text, n.created_at
     FROM notes n JOIN operators o ON o.id = n.operator_id";

fn note_from_row(row: &Row) -> Result<Note, StoreError> {
    Ok(Note {
        id: row.try_get(0)?,
        conversation_id: ConversationId(row.try_get(1)?),
        author: row.try_get(2)?,
        operator_id: OperatorId(row.try_get(3)?),
        text: row.try_get(4)?,
        created_at: iso8601(row.try_get(5)?),
    })
}

async fn conversation_exists(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<(), StoreError> {
    client
        .query_opt(
            "SELECT 1 FROM conversations WHERE id = $1",
            &[&conversation_id.0],
        )
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// Adds a note; the consoles hear of it.
pub async fn add_note(
    tx: &Tx,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    text: &str,
) -> Result<Note, StoreError> {
    conversation_exists(tx, conversation_id).await?;
    let row = tx
        .query_one(
            "INSERT INTO notes (conversation_id, operator_id, text, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[&conversation_id.0, &operator_id.0, &text, &now_millis()],
        )
        .await?;
    let id: i64 = row.try_get(0)?;
    let sql = format!("{NOTE_SELECT} WHERE n.id = $1");
    let note = note_from_row(&tx.query_one(&sql, &[&id]).await?)?;
    tx.emit(Event::NoteAdded { note: note.clone() });
    Ok(note)
}

/// A conversation's notes, oldest first.
pub async fn notes(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<Vec<Note>, StoreError> {
    let sql = format!("{NOTE_SELECT} WHERE n.conversation_id = $1 ORDER BY n.id");
    client
        .query(&sql, &[&conversation_id.0])
        .await?
        .iter()
        .map(note_from_row)
        .collect()
}

/// Records or replaces a conversation's review.
pub async fn set_review(
    tx: &Tx,
    conversation_id: ConversationId,
    reviewer: OperatorId,
    verdict: Verdict,
    comment: &str,
) -> Result<Review, StoreError> {
    conversation_exists(tx, conversation_id).await?;
    tx.execute(
        "INSERT INTO reviews (conversation_id, verdict, comment, reviewer_id, reviewed_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id) DO UPDATE SET verdict = excluded.verdict,
             comment = excluded.comment, reviewer_id = excluded.reviewer_id,
             reviewed_at = excluded.reviewed_at",
        &[
            &conversation_id.0,
            &verdict.as_str(),
            &comment,
            &reviewer.0,
            &now_millis(),
        ],
    )
    .await?;
    review(tx, conversation_id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Removes a conversation's review; false when it had none.
pub async fn clear_review(tx: &Tx, conversation_id: ConversationId) -> Result<bool, StoreError> {
    let removed = tx
        .execute(
            "DELETE FROM reviews WHERE conversation_id = $1",
            &[&conversation_id.0],
        )
        .await?;
    Ok(removed > 0)
}

/// A conversation's review, if any.
pub async fn review(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<Option<Review>, StoreError> {
    let row = client
        .query_opt(
            "SELECT r.verdict, r.comment, r.reviewer_id, o.name, r.reviewed_at
             FROM reviews r JOIN operators o ON o.id = r.reviewer_id WHERE r.conversation_id = $1",
            &[&conversation_id.0],
        )
        .await?;
    row.map(|row| {
        Ok(Review {
            verdict: Verdict::from_name(row.try_get(0)?).unwrap_or(Verdict::Good),
            comment: row.try_get(1)?,
            reviewer_id: OperatorId(row.try_get(2)?),
            reviewer: row.try_get(3)?,
            reviewed_at: iso8601(row.try_get(4)?),
        })
    })
    .transpose()
}

/// The operator's conversations started in `[from, to)` without a review.
pub async fn unreviewed(
    client: &impl Sql,
    operator: OperatorId,
    from: i64,
    to: i64,
) -> Result<Vec<ConversationId>, StoreError> {
    client
        .query(
            "SELECT c.id FROM conversations c WHERE c.assigned_to = $1
             AND c.created_at >= $2 AND c.created_at < $3
             AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.conversation_id = c.id)",
            &[&operator.0, &from, &to],
        )
        .await?
        .iter()
        .map(|row| Ok(ConversationId(row.try_get(0)?)))
        .collect()
}
