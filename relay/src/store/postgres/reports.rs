//! The SQL of the reports' facts on PostgreSQL (see `store/reports.rs`), twin of SQLite's
//! `reports.rs`: one function per cause, each called once in its cause's transaction, and the
//! read of a span's facts.
//!
//! A message costs one statement: the episode's insert (for the first message of a new or
//! reopened conversation), its first visitor message or first answer (only while not yet known)
//! and the hour's counter are parts of one statement, so that the write path waits for one
//! round trip more, not three.

use super::sql::Sql;
use crate::store::StoreError;
use crate::store::reports::{
    AnswerEvent, AvailabilityChange, DEFAULT_MISSED_AFTER_SECONDS, Episode, FactKinds, HourCount,
    PromptDayCount, ReportFacts, Tallies, Tally, TimedWait, WAIT_FIRST_RESPONSE, WAIT_RESOLUTION,
    Wait, hour_author, hour_of,
};
use beseda_protocol::{Author, ConversationId, OperatorId};

/// A message was stored: starts an episode when it opened or reopened the conversation
/// (`started`), marks the episode's first visitor message or first answer, and counts the
/// message in its hour. System messages (the automatic message among them) count nowhere.
pub async fn message_stored(
    client: &impl Sql,
    conversation_id: ConversationId,
    site: &str,
    author: Author,
    operator_id: Option<OperatorId>,
    started: bool,
    at: i64,
) -> Result<(), StoreError> {
    if !crate::store::reports::recording_messages() {
        return Ok(());
    }
    let author = match author {
        Author::Visitor => "visitor",
        Author::Operator => "operator",
        Author::System => return Ok(()),
    };
    // The parts of one statement do not see each other's rows, so a new episode is inserted
    // with its first visitor message already set, and the updates touch only an older episode.
    client
        .execute(
            "WITH due AS (
                 SELECT $3 + 1000 * COALESCE(
                     (SELECT NULLIF(auto_message_delay, 0) FROM sites WHERE name = $2), $7) AS at
             ), started AS (
                 INSERT INTO report_episodes (conversation_id, site, reopened, started_at,
                     first_visitor_at, response_due_at)
                 SELECT $1, $2, EXISTS (SELECT 1 FROM report_episodes WHERE conversation_id = $1),
                     $3, CASE WHEN $5 = 'visitor' THEN $3 END,
                     CASE WHEN $5 = 'visitor' THEN (SELECT at FROM due) END
                 WHERE $4
             ), visitor AS (
                 UPDATE report_episodes SET first_visitor_at = $3,
                     response_due_at = (SELECT at FROM due)
                 WHERE NOT $4 AND $5 = 'visitor' AND first_visitor_at IS NULL
                   AND id = (SELECT max(id) FROM report_episodes WHERE conversation_id = $1)
             ), answer AS (
                 UPDATE report_episodes SET first_response_at = $3, operator_id = $6
                 WHERE NOT $4 AND $5 = 'operator' AND first_response_at IS NULL
                   AND first_visitor_at IS NOT NULL
                   AND id = (SELECT max(id) FROM report_episodes WHERE conversation_id = $1)
             )
             INSERT INTO report_hours (site, hour, operator_id, messages) VALUES ($2, $8, $9, 1)
             ON CONFLICT (site, hour, operator_id)
             DO UPDATE SET messages = report_hours.messages + 1",
            &[
                &conversation_id.0,
                &site,
                &at,
                &started,
                &author,
                &operator_id.map(|id| id.0),
                &DEFAULT_MISSED_AFTER_SECONDS,
                &hour_of(at),
                &hour_author(operator_id),
            ],
        )
        .await?;
    Ok(())
}

/// The message came through the contact form.
pub async fn contact_form(
    client: &impl Sql,
    conversation_id: ConversationId,
) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE report_episodes SET contact = TRUE
             WHERE id = (SELECT max(id) FROM report_episodes WHERE conversation_id = $1)",
            &[&conversation_id.0],
        )
        .await?;
    Ok(())
}

/// A conversation was resolved (`resolved`) or reopened by an operator: ends the episode, or
/// starts a new one.
pub async fn status_changed(
    client: &impl Sql,
    conversation_id: ConversationId,
    resolved: bool,
    at: i64,
) -> Result<(), StoreError> {
    let sql = if resolved {
        "UPDATE report_episodes SET resolved_at = $2,
         operator_id = COALESCE(operator_id, (SELECT assigned_to FROM conversations WHERE id = $1))
         WHERE id = (SELECT max(id) FROM report_episodes WHERE conversation_id = $1)
           AND resolved_at IS NULL"
    } else {
        "INSERT INTO report_episodes (conversation_id, site, reopened, started_at)
         SELECT id, site, TRUE, $2 FROM conversations WHERE id = $1"
    };
    client.execute(sql, &[&conversation_id.0, &at]).await?;
    Ok(())
}

/// The visitor rated the conversation: the rating belongs to its latest episode.
pub async fn rated(
    client: &impl Sql,
    conversation_id: ConversationId,
    rating: &str,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE report_episodes SET rating = $2, rating_comment = $3
             WHERE id = (SELECT max(id) FROM report_episodes WHERE conversation_id = $1)",
            &[&conversation_id.0, &rating, &comment],
        )
        .await?;
    Ok(())
}

/// An operator's availability was set: recorded when it differs from their last recorded state
/// (an operator never recorded counts as unavailable).
pub async fn availability_set(
    client: &impl Sql,
    operator_id: OperatorId,
    online: bool,
    at: i64,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO report_availability (operator_id, online, at)
             SELECT $1, $2, $3 WHERE COALESCE((SELECT online FROM report_availability
                 WHERE operator_id = $1 ORDER BY id DESC LIMIT 1), FALSE) != $2",
            &[&operator_id.0, &online, &at],
        )
        .await?;
    Ok(())
}

/// A visitor opened an answer (`answer_id`) or searched and found nothing (`None`).
pub async fn answer_event(
    client: &impl Sql,
    site: &str,
    visitor_id: Option<&str>,
    answer_id: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO report_answer_events (site, visitor_id, answer_id, at) VALUES ($1, $2, $3, $4)",
            &[&site, &visitor_id, &answer_id, &at],
        )
        .await?;
    Ok(())
}

/// The facts of `[from, to)`, of one site or of all.
pub async fn facts(
    client: &impl Sql,
    from: i64,
    to: i64,
    site: Option<&str>,
    kinds: FactKinds,
) -> Result<ReportFacts, StoreError> {
    let episodes = if kinds.episodes {
        episodes_where(
            client,
            "id IN (
                 SELECT id FROM report_episodes WHERE started_at >= $1 AND started_at < $2
                 UNION SELECT id FROM report_episodes WHERE resolved_at >= $1 AND resolved_at < $2)",
            from,
            to,
            site,
        )
        .await?
    } else {
        Vec::new()
    };
    let tallies = if kinds.tallies {
        Some(tallies(client, from, to, site).await?)
    } else {
        None
    };
    let availability = if kinds.availability {
        client
            .query(
                "SELECT operator_id, online, at FROM report_availability
                 WHERE id IN (SELECT max(id) FROM report_availability WHERE at < $1 GROUP BY operator_id)
                    OR (at >= $1 AND at < $2)
                 ORDER BY at, id",
                &[&from, &to],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(AvailabilityChange {
                    operator_id: row.try_get(0)?,
                    online: row.try_get(1)?,
                    at: row.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?
    } else {
        Vec::new()
    };
    let hours = if kinds.hours {
        client
            .query(
                "SELECT site, hour, operator_id, messages FROM report_hours
                 WHERE hour >= $1 AND hour < $2 AND ($3::TEXT IS NULL OR site = $3)
                 ORDER BY site, hour, operator_id",
                &[&hour_of(from), &(hour_of(to - 1) + 1), &site],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(HourCount {
                    site: row.try_get(0)?,
                    hour: row.try_get(1)?,
                    operator_id: row.try_get(2)?,
                    messages: row.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?
    } else {
        Vec::new()
    };
    let day = crate::store::prompts::DAY_MILLIS;
    let prompt_days = if kinds.prompt_days {
        client
            .query(
                "SELECT c.prompt_id, c.variant, c.event, c.day, c.count, c.total
                 FROM prompt_counts c JOIN prompts p ON p.id = c.prompt_id
                 WHERE c.day >= $1 AND c.day < $2 AND ($3::TEXT IS NULL OR p.site = $3)
                 ORDER BY c.prompt_id, c.variant, c.day",
                &[
                    &from.div_euclid(day),
                    &((to - 1).div_euclid(day) + 1),
                    &site,
                ],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(PromptDayCount {
                    prompt_id: row.try_get(0)?,
                    variant: row.try_get(1)?,
                    event: row.try_get(2)?,
                    day: row.try_get(3)?,
                    count: row.try_get(4)?,
                    total: row.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?
    } else {
        Vec::new()
    };
    let answer_events = if kinds.answer_events {
        client
            .query(
                "SELECT e.site, e.answer_id, e.at, EXISTS (
                     SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
                     WHERE c.site = e.site AND c.visitor_id = e.visitor_id AND m.author = 'visitor'
                       AND m.sent_at >= e.at AND m.sent_at < e.at + 600000)
                 FROM report_answer_events e
                 WHERE e.at >= $1 AND e.at < $2 AND ($3::TEXT IS NULL OR e.site = $3)
                 ORDER BY e.id",
                &[&from, &to, &site],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(AnswerEvent {
                    site: row.try_get(0)?,
                    answer_id: row.try_get(1)?,
                    at: row.try_get(2)?,
                    followed_by_message: row.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?
    } else {
        Vec::new()
    };
    let waits = if kinds.waits {
        Some(waits(client, from, to, site).await?)
    } else {
        None
    };
    Ok(ReportFacts {
        episodes,
        availability,
        hours,
        prompt_days,
        answer_events,
        tallies,
        waits,
    })
}

/// The waits of the episodes started (first responses) or resolved (resolutions) within
/// `[from, to)`, read from the indexes that include their columns, in no particular order.
async fn waits(
    client: &impl Sql,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Vec<TimedWait>, StoreError> {
    let mut waits = Vec::new();
    for (measure, sql) in [
        (
            WAIT_FIRST_RESPONSE,
            "SELECT site, operator_id, started_at, first_visitor_at, first_response_at
             FROM report_episodes
             WHERE started_at >= $1 AND started_at < $2 AND ($3::TEXT IS NULL OR site = $3)
               AND first_visitor_at IS NOT NULL AND first_response_at IS NOT NULL",
        ),
        (
            WAIT_RESOLUTION,
            "SELECT site, operator_id, resolved_at, coalesce(first_visitor_at, started_at),
                    resolved_at
             FROM report_episodes
             WHERE resolved_at >= $1 AND resolved_at < $2 AND ($3::TEXT IS NULL OR site = $3)",
        ),
    ] {
        for row in client.query(sql, &[&from, &to, &site]).await? {
            waits.push(TimedWait {
                site: row.try_get(0)?,
                operator_id: row.try_get(1)?,
                measure,
                at: row.try_get(2)?,
                from: row.try_get(3)?,
                to: row.try_get(4)?,
            });
        }
    }
    Ok(waits)
}

/// The episodes that match `condition` (on `$1` and `$2`, the span), of one site or of all.
async fn episodes_where(
    client: &impl Sql,
    condition: &str,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Vec<Episode>, StoreError> {
    client
        .query(
            &format!(
                "SELECT conversation_id, site, reopened, started_at, first_visitor_at,
                        response_due_at, first_response_at, operator_id, resolved_at, rating,
                        rating_comment, contact
                 FROM report_episodes
                 WHERE {condition} AND ($3::TEXT IS NULL OR site = $3)
                 ORDER BY id"
            ),
            &[&from, &to, &site],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Episode {
                conversation_id: row.try_get(0)?,
                site: row.try_get(1)?,
                reopened: row.try_get(2)?,
                started_at: row.try_get(3)?,
                first_visitor_at: row.try_get(4)?,
                response_due_at: row.try_get(5)?,
                first_response_at: row.try_get(6)?,
                operator_id: row.try_get(7)?,
                resolved_at: row.try_get(8)?,
                rating: row.try_get(9)?,
                rating_comment: row.try_get(10)?,
                contact: row.try_get(11)?,
            })
        })
        .collect()
}

/// The tallies of the hours that `[from, to)` touches, and the episodes they cannot stand for.
async fn tallies(
    client: &impl Sql,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Tallies, StoreError> {
    let (first, end) = (hour_of(from), hour_of(to - 1) + 1);
    let counts = client
        .query(
            "SELECT site, hour, operator_id, started_new, started_reopened, contacts, missed,
                    resolved, satisfied, neutral, dissatisfied
             FROM report_tallies
             WHERE hour >= $1 AND hour < $2 AND ($3::TEXT IS NULL OR site = $3)",
            &[&first, &end, &site],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Tally {
                site: row.try_get(0)?,
                hour: row.try_get(1)?,
                operator_id: row.try_get(2)?,
                started_new: row.try_get(3)?,
                started_reopened: row.try_get(4)?,
                contacts: row.try_get(5)?,
                missed: row.try_get(6)?,
                resolved: row.try_get(7)?,
                satisfied: row.try_get(8)?,
                neutral: row.try_get(9)?,
                dissatisfied: row.try_get(10)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let waits = client
        .query(
            "SELECT site, hour, operator_id, measure, seconds, count FROM report_waits
             WHERE hour >= $1 AND hour < $2 AND ($3::TEXT IS NULL OR site = $3) AND count != 0",
            &[&first, &end, &site],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Wait {
                site: row.try_get(0)?,
                hour: row.try_get(1)?,
                operator_id: row.try_get(2)?,
                measure: row.try_get(3)?,
                seconds: row.try_get(4)?,
                count: row.try_get(5)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let waiting = episodes_where(
        client,
        "started_at >= $1 AND started_at < $2 AND first_response_at IS NULL
         AND resolved_at IS NULL AND first_visitor_at IS NOT NULL",
        from,
        to,
        site,
    )
    .await?;
    let commented = episodes_where(
        client,
        "resolved_at >= $1 AND resolved_at < $2 AND resolved_at IS NOT NULL
         AND rating_comment IS NOT NULL",
        from,
        to,
        site,
    )
    .await?;
    Ok(Tallies {
        counts,
        waits,
        waiting,
        commented,
    })
}
