//! Self-service answers: the SQL of [`AnswerStore`](crate::store::AnswerStore) on PostgreSQL —
//! the entries per site and language, how often each was opened, and the searches that found
//! nothing. A question is unique per site and language whatever its case (`lower()` in the
//! unique index, where SQLite compares `NOCASE`); text is ordered byte by byte (`COLLATE "C"`),
//! as SQLite orders it, whatever the database's collation.

use super::accounts::site_title;
use super::sql::{Sql, to_json, unique_violation};
use crate::clock::{iso8601, now_millis};
use crate::store::StoreError;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerMiss, AnswerStats, AnswerUse};
use tokio_postgres::Row;

/// The most searches-that-found-nothing kept per site; past it the least searched go first.
const MAX_MISSES_PER_SITE: i64 = 1000;
/// The most of them `answer_stats` lists.
const MISSES_LISTED: i64 = 200;

/// The columns [`answer_from_row`] reads.
const ANSWER_COLUMNS: &str = "id, site, language, question, keywords, answer";

/// The unique index that keeps one answer per site, language and question.
const QUESTION_INDEX: &str = "answers_by_question";

fn answer_from_row(row: &Row) -> Result<Answer, StoreError> {
    Ok(Answer {
        id: AnswerId(row.try_get(0)?),
        site: row.try_get(1)?,
        language: row.try_get(2)?,
        question: row.try_get(3)?,
        // A value that cannot be read counts as no keywords, as on SQLite.
        keywords: serde_json::from_str(row.try_get(4)?).unwrap_or_default(),
        answer: row.try_get(5)?,
    })
}

async fn ensure_site(client: &impl Sql, site: &str) -> Result<(), StoreError> {
    if site_title(client, site).await?.is_none() {
        return Err(StoreError::NoSuchSite(site.to_owned()));
    }
    Ok(())
}

/// A site's answers, in one language or all, by language and question.
pub async fn answers(
    client: &impl Sql,
    site: &str,
    language: Option<&str>,
) -> Result<Vec<Answer>, StoreError> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM answers WHERE site = $1 AND ($2::text IS NULL OR language = $2)
         ORDER BY language COLLATE \"C\", lower(question) COLLATE \"C\", id"
    );
    client
        .query(&sql, &[&site, &language])
        .await?
        .iter()
        .map(answer_from_row)
        .collect()
}

pub async fn answer(client: &impl Sql, id: AnswerId) -> Result<Answer, StoreError> {
    let sql = format!("SELECT {ANSWER_COLUMNS} FROM answers WHERE id = $1");
    match client.query_opt(&sql, &[&id.0]).await? {
        Some(row) => answer_from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

/// Creates (`id` None) or replaces an answer. The input is checked and trimmed by the caller.
pub async fn save_answer(
    client: &impl Sql,
    id: Option<AnswerId>,
    input: &AnswerInput,
) -> Result<Answer, StoreError> {
    ensure_site(client, &input.site).await?;
    let keywords = to_json(&input.keywords)?;
    let result = match id {
        None => {
            let sql = format!(
                "INSERT INTO answers (site, language, question, keywords, answer, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ANSWER_COLUMNS}"
            );
            client
                .query_opt(
                    &sql,
                    &[
                        &input.site,
                        &input.language,
                        &input.question,
                        &keywords,
                        &input.answer,
                        &now_millis(),
                    ],
                )
                .await
        }
        Some(id) => {
            let sql = format!(
                "UPDATE answers SET site = $2, language = $3, question = $4, keywords = $5,
                 answer = $6 WHERE id = $1 RETURNING {ANSWER_COLUMNS}"
            );
            client
                .query_opt(
                    &sql,
                    &[
                        &id.0,
                        &input.site,
                        &input.language,
                        &input.question,
                        &keywords,
                        &input.answer,
                    ],
                )
                .await
        }
    };
    match result {
        Ok(Some(row)) => answer_from_row(&row),
        Ok(None) => Err(StoreError::NotFound),
        Err(error) if unique_violation(&error) == Some(QUESTION_INDEX) => {
            Err(StoreError::QuestionAnswered(input.question.clone()))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn delete_answer(client: &impl Sql, id: AnswerId) -> Result<(), StoreError> {
    let deleted = client
        .execute("DELETE FROM answers WHERE id = $1", &[&id.0])
        .await?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Adds each answer to `site`, or replaces the keywords and text of the one with the same
/// language and question: importing the same file twice changes nothing. With `if_empty`, only
/// into a site without answers. Answers (added, updated).
pub async fn import_answers(
    client: &impl Sql,
    site: &str,
    inputs: &[AnswerInput],
    if_empty: bool,
) -> Result<(u32, u32), StoreError> {
    ensure_site(client, site).await?;
    if if_empty {
        let any: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM answers WHERE site = $1)",
                &[&site],
            )
            .await?
            .try_get(0)?;
        if any {
            return Ok((0, 0));
        }
    }
    let now = now_millis();
    let (mut added, mut updated) = (0, 0);
    // One statement per answer, in the file's order, so that a question the file holds twice
    // is added by the first and updated by the second, as on SQLite (one statement for all
    // could not touch a row twice). `xmax = 0` holds for a row this statement inserted and not
    // for one it updated.
    let statement = "INSERT INTO answers (site, language, question, keywords, answer, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (site, language, lower(question))
             DO UPDATE SET keywords = excluded.keywords, answer = excluded.answer
             RETURNING xmax = 0";
    for input in inputs {
        let keywords = to_json(&input.keywords)?;
        let inserted: bool = client
            .query_one(
                statement,
                &[
                    &site,
                    &input.language,
                    &input.question,
                    &keywords,
                    &input.answer,
                    &now,
                ],
            )
            .await?
            .try_get(0)?;
        if inserted {
            added += 1;
        } else {
            updated += 1;
        }
    }
    Ok((added, updated))
}

/// Counts an opening of the site's answer.
pub async fn answer_opened(
    client: &impl Sql,
    site: &str,
    visitor_id: Option<&str>,
    id: AnswerId,
) -> Result<(), StoreError> {
    let changed = client
        .execute(
            "UPDATE answers SET opened = opened + 1, last_opened_at = $3 WHERE id = $1 AND site = $2",
            &[&id.0, &site, &now_millis()],
        )
        .await?;
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        super::reports::answer_event(client, site, visitor_id, Some(id.0), now_millis()).await
    }
}

/// Counts a search that found nothing, under its normalised `query`; `text` is kept as the
/// latest wording. Past [`MAX_MISSES_PER_SITE`] the least searched (and oldest) are forgotten.
pub async fn answer_missed(
    client: &impl Sql,
    site: &str,
    language: &str,
    query: &str,
    text: &str,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO answer_misses (site, language, query, text, count, last_at)
             VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (site, language, query)
             DO UPDATE SET count = answer_misses.count + 1, text = excluded.text,
                 last_at = excluded.last_at",
            &[&site, &language, &query, &text, &now_millis()],
        )
        .await?;
    super::reports::answer_event(client, site, None, None, now_millis()).await?;
    client
        .execute(
            "DELETE FROM answer_misses WHERE site = $1 AND (language, query) IN (
                 SELECT language, query FROM answer_misses WHERE site = $1
                 ORDER BY count, last_at
                 LIMIT GREATEST(0, (SELECT COUNT(*) FROM answer_misses WHERE site = $1) - $2))",
            &[&site, &MAX_MISSES_PER_SITE],
        )
        .await?;
    Ok(())
}

pub async fn answer_stats(client: &impl Sql, site: &str) -> Result<AnswerStats, StoreError> {
    let answers = client
        .query(
            "SELECT id, language, question, opened, last_opened_at FROM answers WHERE site = $1
             ORDER BY opened DESC, language COLLATE \"C\", lower(question) COLLATE \"C\", id",
            &[&site],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(AnswerUse {
                id: AnswerId(row.try_get(0)?),
                language: row.try_get(1)?,
                question: row.try_get(2)?,
                opened: u64::try_from(row.try_get::<_, i64>(3)?).unwrap_or(0),
                last_opened_at: row.try_get::<_, Option<i64>>(4)?.map(iso8601),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let misses = client
        .query(
            "SELECT language, query, text, count, last_at FROM answer_misses WHERE site = $1
             ORDER BY count DESC, last_at DESC LIMIT $2",
            &[&site, &MISSES_LISTED],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(AnswerMiss {
                language: row.try_get(0)?,
                query: row.try_get(1)?,
                text: row.try_get(2)?,
                count: u64::try_from(row.try_get::<_, i64>(3)?).unwrap_or(0),
                last_at: iso8601(row.try_get(4)?),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(AnswerStats { answers, misses })
}
