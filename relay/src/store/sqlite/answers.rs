//! The SQL for self-service answers: the entries per site and language, how often each was
//! opened, and the searches that found nothing.

use super::rows::{is_unique_violation, site_title};
use crate::clock::{iso8601, now_millis};
use crate::store::StoreError;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerMiss, AnswerStats, AnswerUse};
use rusqlite::{Connection, Row, params};

/// The most searches-that-found-nothing kept per site; past it the least searched go first.
const MAX_MISSES_PER_SITE: i64 = 1000;
/// The most of them `answer_stats` lists.
const MISSES_LISTED: i64 = 200;

const ANSWER_SELECT: &str = "SELECT id, site, language, question, keywords, answer FROM answers";

fn answer_from_row(row: &Row<'_>) -> rusqlite::Result<Answer> {
    Ok(Answer {
        id: AnswerId(row.get(0)?),
        site: row.get(1)?,
        language: row.get(2)?,
        question: row.get(3)?,
        // A value that cannot be read counts as no keywords.
        keywords: serde_json::from_str(&row.get::<_, String>(4)?).unwrap_or_default(),
        answer: row.get(5)?,
    })
}

fn keywords_json(input: &AnswerInput) -> String {
    serde_json::to_string(&input.keywords).unwrap_or_else(|_| "[]".to_owned())
}

fn ensure_site(connection: &Connection, site: &str) -> Result<(), StoreError> {
    if site_title(connection, site)?.is_none() {
        return Err(StoreError::NoSuchSite(site.to_owned()));
    }
    Ok(())
}

fn duplicate(input: &AnswerInput) -> StoreError {
    StoreError::QuestionAnswered(input.question.clone())
}

/// A site's answers, in one language or all, by language and question.
pub fn answers(
    connection: &Connection,
    site: &str,
    language: Option<&str>,
) -> Result<Vec<Answer>, StoreError> {
    let sql = format!(
        "{ANSWER_SELECT} WHERE site = ?1 AND (?2 IS NULL OR language = ?2)
         ORDER BY language, question COLLATE NOCASE, id"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params![site, language], answer_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn answer(connection: &Connection, id: AnswerId) -> Result<Answer, StoreError> {
    let sql = format!("{ANSWER_SELECT} WHERE id = ?1");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row([id.0], answer_from_row)?)
}

/// Creates (`id` None) or replaces an answer. The input is checked and trimmed by the caller.
pub fn save_answer(
    connection: &Connection,
    id: Option<AnswerId>,
    input: &AnswerInput,
) -> Result<Answer, StoreError> {
    ensure_site(connection, &input.site)?;
    let keywords = keywords_json(input);
    let result = match id {
        None => connection
            .prepare_cached(
                "INSERT INTO answers (site, language, question, keywords, answer, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                input.site,
                input.language,
                input.question,
                keywords,
                input.answer,
                now_millis()
            ])
            .map(|_| AnswerId(connection.last_insert_rowid())),
        Some(id) => connection
            .prepare_cached(
                "UPDATE answers SET site = ?2, language = ?3, question = ?4, keywords = ?5,
                 answer = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                input.site,
                input.language,
                input.question,
                keywords,
                input.answer
            ])
            .and_then(|changed| {
                if changed == 0 {
                    Err(rusqlite::Error::QueryReturnedNoRows)
                } else {
                    Ok(id)
                }
            }),
    };
    match result {
        Ok(id) => answer(connection, id),
        Err(error) if is_unique_violation(&error) => Err(duplicate(input)),
        Err(error) => Err(error.into()),
    }
}

pub fn delete_answer(connection: &Connection, id: AnswerId) -> Result<(), StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM answers WHERE id = ?1")?
        .execute([id.0])?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Adds each answer to `site`, or replaces the keywords and text of the one with the same
/// language and question: importing the same file twice changes nothing. With `if_empty`, only
/// into a site without answers. Answers (added, updated).
pub fn import_answers(
    connection: &Connection,
    site: &str,
    inputs: &[AnswerInput],
    if_empty: bool,
) -> Result<(u32, u32), StoreError> {
    ensure_site(connection, site)?;
    if if_empty && !answers(connection, site, None)?.is_empty() {
        return Ok((0, 0));
    }
    let (mut added, mut updated) = (0, 0);
    for input in inputs {
        let keywords = keywords_json(input);
        let changed = connection
            .prepare_cached(
                "UPDATE answers SET keywords = ?4, answer = ?5
                 WHERE site = ?1 AND language = ?2 AND question = ?3 COLLATE NOCASE",
            )?
            .execute(params![
                site,
                input.language,
                input.question,
                keywords,
                input.answer
            ])?;
        if changed > 0 {
            updated += 1;
            continue;
        }
        connection
            .prepare_cached(
                "INSERT INTO answers (site, language, question, keywords, answer, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                site,
                input.language,
                input.question,
                keywords,
                input.answer,
                now_millis()
            ])
            .map_err(|error| {
                if is_unique_violation(&error) {
                    duplicate(input)
                } else {
                    error.into()
                }
            })?;
        added += 1;
    }
    Ok((added, updated))
}

/// Counts an opening of the site's answer.
pub fn answer_opened(
    connection: &Connection,
    site: &str,
    visitor_id: Option<&str>,
    id: AnswerId,
) -> Result<(), StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE answers SET opened = opened + 1, last_opened_at = ?3 WHERE id = ?1 AND site = ?2",
        )?
        .execute(params![id.0, site, now_millis()])?;
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        super::reports::answer_event(connection, site, visitor_id, Some(id.0), now_millis())
    }
}

/// Counts a search that found nothing, under its normalised `query`; `text` is kept as the
/// latest wording. Past [`MAX_MISSES_PER_SITE`] the least searched (and oldest) are forgotten.
pub fn answer_missed(
    connection: &Connection,
    site: &str,
    language: &str,
    query: &str,
    text: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO answer_misses (site, language, query, text, count, last_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT (site, language, query)
             DO UPDATE SET count = count + 1, text = excluded.text, last_at = excluded.last_at",
        )?
        .execute(params![site, language, query, text, now_millis()])?;
    super::reports::answer_event(connection, site, None, None, now_millis())?;
    connection
        .prepare_cached(
            "DELETE FROM answer_misses WHERE site = ?1 AND (language, query) IN (
                 SELECT language, query FROM answer_misses WHERE site = ?1
                 ORDER BY count, last_at
                 LIMIT max(0, (SELECT COUNT(*) FROM answer_misses WHERE site = ?1) - ?2))",
        )?
        .execute(params![site, MAX_MISSES_PER_SITE])?;
    Ok(())
}

pub fn answer_stats(connection: &Connection, site: &str) -> Result<AnswerStats, StoreError> {
    let answers = connection
        .prepare_cached(
            "SELECT id, language, question, opened, last_opened_at FROM answers WHERE site = ?1
             ORDER BY opened DESC, language, question COLLATE NOCASE, id",
        )?
        .query_map([site], |row| {
            Ok(AnswerUse {
                id: AnswerId(row.get(0)?),
                language: row.get(1)?,
                question: row.get(2)?,
                opened: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                last_opened_at: row.get::<_, Option<i64>>(4)?.map(iso8601),
            })
        })?
        .collect::<Result<_, _>>()?;
    let misses = connection
        .prepare_cached(
            "SELECT language, query, text, count, last_at FROM answer_misses WHERE site = ?1
             ORDER BY count DESC, last_at DESC LIMIT ?2",
        )?
        .query_map(params![site, MISSES_LISTED], |row| {
            Ok(AnswerMiss {
                language: row.get(0)?,
                query: row.get(1)?,
                text: row.get(2)?,
                count: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                last_at: iso8601(row.get(4)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(AnswerStats { answers, misses })
}
