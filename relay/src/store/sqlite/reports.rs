//! The SQL of the reports' facts (see `store/reports.rs`): one function per cause, each called
//! once in its cause's transaction, and the read of a span's facts. Twin of PostgreSQL's
//! `reports.rs`.
//!
//! A message costs at most two short statements on indexed rows: a new episode (only for the
//! first message of a new or reopened conversation) and the episode's first visitor message or
//! first answer (only while it is not yet known). Its hour's counter is moved once per batch
//! for all the batch's messages of that site, hour and author ([`count_hours`]).

use crate::store::reports::{
    AnswerEvent, AvailabilityChange, DEFAULT_MISSED_AFTER_SECONDS, Episode, FactKinds, HourCount,
    PromptDayCount, ReportFacts, Tallies, Tally, TimedWait, WAIT_FIRST_RESPONSE, WAIT_RESOLUTION,
    Wait, hour_author, hour_of,
};
use crate::store::{Event, StoreError};
use beseda_protocol::{Author, ConversationId, OperatorId};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// The current (newest) episode of a conversation, as a subquery on `?1`.
const CURRENT: &str = "(SELECT max(id) FROM report_episodes WHERE conversation_id = ?1)";

/// A message was stored: starts an episode when it opened or reopened the conversation
/// (`started`), marks the episode's first visitor message or first answer, and counts the
/// message in its hour. System messages (the automatic message among them) count nowhere.
pub fn message_stored(
    connection: &Connection,
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
    if started {
        connection
            .prepare_cached(
                "INSERT INTO report_episodes (conversation_id, site, reopened, started_at)
                 VALUES (?1, ?2, EXISTS (SELECT 1 FROM report_episodes WHERE conversation_id = ?1), ?3)",
            )?
            .execute(params![conversation_id.0, site, at])?;
    }
    match author {
        Author::Visitor => {
            connection
                .prepare_cached(&format!(
                    "UPDATE report_episodes SET first_visitor_at = ?2,
                     response_due_at = ?2 + 1000 * COALESCE(
                         (SELECT NULLIF(auto_message_delay, 0) FROM sites WHERE name = ?3), ?4)
                     WHERE id = {CURRENT} AND first_visitor_at IS NULL"
                ))?
                .execute(params![
                    conversation_id.0,
                    at,
                    site,
                    DEFAULT_MISSED_AFTER_SECONDS
                ])?;
        }
        Author::Operator => {
            connection
                .prepare_cached(&format!(
                    "UPDATE report_episodes SET first_response_at = ?2, operator_id = ?3
                     WHERE id = {CURRENT} AND first_response_at IS NULL
                       AND first_visitor_at IS NOT NULL"
                ))?
                .execute(params![conversation_id.0, at, operator_id.map(|id| id.0)])?;
        }
        Author::System => {}
    }
    Ok(())
}

/// Counts a batch's stored messages in their hours, in the batch's transaction just before it
/// commits: one statement per site, hour and author however many messages the batch holds
/// (under load, a batch of hundreds of messages moves two or three counters). Only the events
/// of jobs that were kept reach here; a resend (`duplicate`) and system messages count nowhere.
pub fn count_hours(connection: &Connection, events: &[Event]) -> Result<(), StoreError> {
    if !crate::store::reports::recording_messages() {
        return Ok(());
    }
    let mut counts: BTreeMap<(&str, i64, i64), i64> = BTreeMap::new();
    for event in events {
        let Event::MessageStored {
            message,
            site,
            duplicate: false,
            ..
        } = event
        else {
            continue;
        };
        if message.author == Author::System {
            continue;
        }
        let Ok(at) = message.sent_at.parse::<jiff::Timestamp>() else {
            continue;
        };
        let key = (
            site.as_str(),
            hour_of(at.as_millisecond()),
            hour_author(message.operator_id),
        );
        *counts.entry(key).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let mut upsert = connection.prepare_cached(
        "INSERT INTO report_hours (site, hour, operator_id, messages) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (site, hour, operator_id) DO UPDATE SET messages = messages + excluded.messages",
    )?;
    for ((site, hour, author), messages) in counts {
        upsert.execute(params![site, hour, author, messages])?;
    }
    Ok(())
}

/// The message came through the contact form.
pub fn contact_form(
    connection: &Connection,
    conversation_id: ConversationId,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(&format!(
            "UPDATE report_episodes SET contact = 1 WHERE id = {CURRENT}"
        ))?
        .execute(params![conversation_id.0])?;
    Ok(())
}

/// A conversation was resolved (`resolved`) or reopened by an operator: ends the episode, or
/// starts a new one.
pub fn status_changed(
    connection: &Connection,
    conversation_id: ConversationId,
    resolved: bool,
    at: i64,
) -> Result<(), StoreError> {
    if resolved {
        connection
            .prepare_cached(&format!(
                "UPDATE report_episodes SET resolved_at = ?2,
                 operator_id = COALESCE(operator_id, (SELECT assigned_to FROM conversations WHERE id = ?1))
                 WHERE id = {CURRENT} AND resolved_at IS NULL"
            ))?
            .execute(params![conversation_id.0, at])?;
    } else {
        connection
            .prepare_cached(
                "INSERT INTO report_episodes (conversation_id, site, reopened, started_at)
                 SELECT id, site, 1, ?2 FROM conversations WHERE id = ?1",
            )?
            .execute(params![conversation_id.0, at])?;
    }
    Ok(())
}

/// The visitor rated the conversation: the rating belongs to its latest episode.
pub fn rated(
    connection: &Connection,
    conversation_id: ConversationId,
    rating: &str,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(&format!(
            "UPDATE report_episodes SET rating = ?2, rating_comment = ?3 WHERE id = {CURRENT}"
        ))?
        .execute(params![conversation_id.0, rating, comment])?;
    Ok(())
}

/// An operator's availability was set: recorded when it differs from their last recorded state
/// (an operator never recorded counts as unavailable).
pub fn availability_set(
    connection: &Connection,
    operator_id: OperatorId,
    online: bool,
    at: i64,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO report_availability (operator_id, online, at)
             SELECT ?1, ?2, ?3 WHERE COALESCE((SELECT online FROM report_availability
                 WHERE operator_id = ?1 ORDER BY id DESC LIMIT 1), 0) != ?2",
        )?
        .execute(params![operator_id.0, online, at])?;
    Ok(())
}

/// A visitor opened an answer (`answer_id`) or searched and found nothing (`None`).
pub fn answer_event(
    connection: &Connection,
    site: &str,
    visitor_id: Option<&str>,
    answer_id: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO report_answer_events (site, visitor_id, answer_id, at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![site, visitor_id, answer_id, at])?;
    Ok(())
}

/// The facts of `[from, to)`, of one site or of all.
pub fn facts(
    connection: &Connection,
    from: i64,
    to: i64,
    site: Option<&str>,
    kinds: FactKinds,
) -> Result<ReportFacts, StoreError> {
    let episodes = if kinds.episodes {
        episodes_where(
            connection,
            "id IN (
                 SELECT id FROM report_episodes WHERE started_at >= ?1 AND started_at < ?2
                 UNION SELECT id FROM report_episodes WHERE resolved_at >= ?1 AND resolved_at < ?2)",
            from,
            to,
            site,
        )?
    } else {
        Vec::new()
    };
    let tallies = if kinds.tallies {
        Some(tallies(connection, from, to, site)?)
    } else {
        None
    };
    let availability = if kinds.availability {
        connection
            .prepare_cached(
                "SELECT operator_id, online, at FROM report_availability
                 WHERE id IN (SELECT max(id) FROM report_availability WHERE at < ?1 GROUP BY operator_id)
                    OR (at >= ?1 AND at < ?2)
                 ORDER BY at, id",
            )?
            .query_map(params![from, to], |row| {
                Ok(AvailabilityChange {
                    operator_id: row.get(0)?,
                    online: row.get(1)?,
                    at: row.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let hours = if kinds.hours {
        connection
            .prepare_cached(
                "SELECT site, hour, operator_id, messages FROM report_hours
                 WHERE hour >= ?1 AND hour < ?2 AND (?3 IS NULL OR site = ?3)
                 ORDER BY site, hour, operator_id",
            )?
            .query_map(params![hour_of(from), hour_of(to - 1) + 1, site], |row| {
                Ok(HourCount {
                    site: row.get(0)?,
                    hour: row.get(1)?,
                    operator_id: row.get(2)?,
                    messages: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let day = crate::store::prompts::DAY_MILLIS;
    let prompt_days = if kinds.prompt_days {
        connection
            .prepare_cached(
                "SELECT c.prompt_id, c.variant, c.event, c.day, c.count, c.total
                 FROM prompt_counts c JOIN prompts p ON p.id = c.prompt_id
                 WHERE c.day >= ?1 AND c.day < ?2 AND (?3 IS NULL OR p.site = ?3)
                 ORDER BY c.prompt_id, c.variant, c.day",
            )?
            .query_map(
                params![from.div_euclid(day), (to - 1).div_euclid(day) + 1, site],
                |row| {
                    Ok(PromptDayCount {
                        prompt_id: row.get(0)?,
                        variant: row.get(1)?,
                        event: row.get(2)?,
                        day: row.get(3)?,
                        count: row.get(4)?,
                        total: row.get(5)?,
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let answer_events = if kinds.answer_events {
        connection
            .prepare_cached(
                "SELECT e.site, e.answer_id, e.at, EXISTS (
                     SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
                     WHERE c.site = e.site AND c.visitor_id = e.visitor_id AND m.author = 'visitor'
                       AND m.sent_at >= e.at AND m.sent_at < e.at + 600000)
                 FROM report_answer_events e
                 WHERE e.at >= ?1 AND e.at < ?2 AND (?3 IS NULL OR e.site = ?3)
                 ORDER BY e.id",
            )?
            .query_map(params![from, to, site], |row| {
                Ok(AnswerEvent {
                    site: row.get(0)?,
                    answer_id: row.get(1)?,
                    at: row.get(2)?,
                    followed_by_message: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let waits = if kinds.waits {
        Some(waits(connection, from, to, site)?)
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
/// `[from, to)`: each read from an index that holds its columns, in no particular order.
fn waits(
    connection: &Connection,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Vec<TimedWait>, StoreError> {
    let mut waits = Vec::new();
    for (measure, sql) in [
        (
            WAIT_FIRST_RESPONSE,
            "SELECT site, operator_id, started_at, first_visitor_at, first_response_at
             FROM report_episodes INDEXED BY report_episodes_by_start
             WHERE started_at >= ?1 AND started_at < ?2 AND (?3 IS NULL OR site = ?3)
               AND first_visitor_at IS NOT NULL AND first_response_at IS NOT NULL",
        ),
        (
            WAIT_RESOLUTION,
            "SELECT site, operator_id, resolved_at, coalesce(first_visitor_at, started_at),
                    resolved_at
             FROM report_episodes INDEXED BY report_episodes_by_resolution
             WHERE resolved_at >= ?1 AND resolved_at < ?2 AND (?3 IS NULL OR site = ?3)",
        ),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query(params![from, to, site])?;
        while let Some(row) = rows.next()? {
            waits.push(TimedWait {
                site: row.get(0)?,
                operator_id: row.get(1)?,
                measure,
                at: row.get(2)?,
                from: row.get(3)?,
                to: row.get(4)?,
            });
        }
    }
    Ok(waits)
}

/// The episodes that match `condition` (on `?1` and `?2`, the span), of one site or of all.
fn episodes_where(
    connection: &Connection,
    condition: &str,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Vec<Episode>, StoreError> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT conversation_id, site, reopened, started_at, first_visitor_at, response_due_at,
                    first_response_at, operator_id, resolved_at, rating, rating_comment, contact
             FROM report_episodes
             WHERE {condition} AND (?3 IS NULL OR site = ?3)
             ORDER BY id"
        ))?
        .query_map(params![from, to, site], |row| {
            Ok(Episode {
                conversation_id: row.get(0)?,
                site: row.get(1)?,
                reopened: row.get(2)?,
                started_at: row.get(3)?,
                first_visitor_at: row.get(4)?,
                response_due_at: row.get(5)?,
                first_response_at: row.get(6)?,
                operator_id: row.get(7)?,
                resolved_at: row.get(8)?,
                rating: row.get(9)?,
                rating_comment: row.get(10)?,
                contact: row.get(11)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The tallies of the hours that `[from, to)` touches, and the episodes they cannot stand for.
fn tallies(
    connection: &Connection,
    from: i64,
    to: i64,
    site: Option<&str>,
) -> Result<Tallies, StoreError> {
    let hours = params![hour_of(from), hour_of(to - 1) + 1, site];
    let counts = connection
        .prepare_cached(
            "SELECT site, hour, operator_id, started_new, started_reopened, contacts, missed,
                    resolved, satisfied, neutral, dissatisfied
             FROM report_tallies
             WHERE hour >= ?1 AND hour < ?2 AND (?3 IS NULL OR site = ?3)",
        )?
        .query_map(hours, |row| {
            Ok(Tally {
                site: row.get(0)?,
                hour: row.get(1)?,
                operator_id: row.get(2)?,
                started_new: row.get(3)?,
                started_reopened: row.get(4)?,
                contacts: row.get(5)?,
                missed: row.get(6)?,
                resolved: row.get(7)?,
                satisfied: row.get(8)?,
                neutral: row.get(9)?,
                dissatisfied: row.get(10)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let waits = connection
        .prepare_cached(
            "SELECT site, hour, operator_id, measure, seconds, count FROM report_waits
             WHERE hour >= ?1 AND hour < ?2 AND (?3 IS NULL OR site = ?3) AND count != 0",
        )?
        .query_map(hours, |row| {
            Ok(Wait {
                site: row.get(0)?,
                hour: row.get(1)?,
                operator_id: row.get(2)?,
                measure: row.get(3)?,
                seconds: row.get(4)?,
                count: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let waiting = episodes_where(
        connection,
        "started_at >= ?1 AND started_at < ?2 AND first_response_at IS NULL
         AND resolved_at IS NULL AND first_visitor_at IS NOT NULL",
        from,
        to,
        site,
    )?;
    let commented = episodes_where(
        connection,
        "resolved_at >= ?1 AND resolved_at < ?2 AND resolved_at IS NOT NULL
         AND rating_comment IS NOT NULL",
        from,
        to,
        site,
    )?;
    Ok(Tallies {
        counts,
        waits,
        waiting,
        commented,
    })
}
