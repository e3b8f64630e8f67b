//! The reports' tallies (see `store/reports.rs`): conversations started, resolved, missed and
//! rated, and the seconds waited for a first answer and for a resolve, per site, hour (UTC) and
//! operator, kept by a trigger on the episodes in the transaction of whatever changed an episode
//! (a message, a resolve or reopen, a rating, a contact form): each change takes the episode's old
//! contribution out and puts its new one in, so a reopened conversation or a late rating moves
//! the figures it belongs to; a change that moves no figure (the first visitor message of an
//! episode not yet answered or resolved) skips the work. The migration back-fills them from the
//! episodes already kept.

/// The trigger that keeps the tallies, on the episodes (created again when the episodes' table is
/// rebuilt, migration 20).
macro_rules! tally_triggers {
    () => {
        "
    CREATE TRIGGER report_episode_added AFTER INSERT ON report_episodes BEGIN
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        VALUES (NEW.site, NEW.started_at / 3600000, COALESCE(NEW.operator_id, 0),
            1 * (CASE WHEN NOT (NEW.reopened != 0) THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.reopened != 0 THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.contact != 0 THEN 1 ELSE 0 END),
            1 * (CASE WHEN NEW.first_visitor_at IS NOT NULL AND NEW.response_due_at IS NOT NULL AND (NEW.first_response_at > NEW.response_due_at OR (NEW.first_response_at IS NULL AND NEW.resolved_at IS NOT NULL)) THEN 1 ELSE 0 END), 0, 0, 0, 0)
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        SELECT NEW.site, NEW.resolved_at / 3600000, COALESCE(NEW.operator_id, 0), 0, 0, 0, 0, 1,
            1 * (CASE WHEN NEW.rating = 'satisfied' THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.rating = 'neutral' THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END)
        WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT NEW.site, NEW.started_at / 3600000, COALESCE(NEW.operator_id, 0), 0,
            (NEW.first_response_at - NEW.first_visitor_at) / 1000, 1
        WHERE NEW.first_visitor_at IS NOT NULL AND NEW.first_response_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT NEW.site, NEW.resolved_at / 3600000, COALESCE(NEW.operator_id, 0), 1,
            (NEW.resolved_at - COALESCE(NEW.first_visitor_at, NEW.started_at)) / 1000, 1
        WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
    END;
    CREATE TRIGGER report_episode_changed AFTER UPDATE ON report_episodes
    WHEN OLD.site IS NOT NEW.site OR OLD.reopened IS NOT NEW.reopened OR OLD.started_at IS NOT NEW.started_at OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.operator_id IS NOT NEW.operator_id OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.rating IS NOT NEW.rating OR OLD.contact IS NOT NEW.contact
        OR ((OLD.first_visitor_at IS NOT NEW.first_visitor_at OR OLD.response_due_at IS NOT NEW.response_due_at)
            AND (NEW.first_response_at IS NOT NULL OR NEW.resolved_at IS NOT NULL))
    BEGIN
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        VALUES (OLD.site, OLD.started_at / 3600000, COALESCE(OLD.operator_id, 0),
            -1 * (CASE WHEN NOT (OLD.reopened != 0) THEN 1 ELSE 0 END), -1 * (CASE WHEN OLD.reopened != 0 THEN 1 ELSE 0 END), -1 * (CASE WHEN OLD.contact != 0 THEN 1 ELSE 0 END),
            -1 * (CASE WHEN OLD.first_visitor_at IS NOT NULL AND OLD.response_due_at IS NOT NULL AND (OLD.first_response_at > OLD.response_due_at OR (OLD.first_response_at IS NULL AND OLD.resolved_at IS NOT NULL)) THEN 1 ELSE 0 END), 0, 0, 0, 0)
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        SELECT OLD.site, OLD.resolved_at / 3600000, COALESCE(OLD.operator_id, 0), 0, 0, 0, 0, -1,
            -1 * (CASE WHEN OLD.rating = 'satisfied' THEN 1 ELSE 0 END), -1 * (CASE WHEN OLD.rating = 'neutral' THEN 1 ELSE 0 END), -1 * (CASE WHEN OLD.rating = 'dissatisfied' THEN 1 ELSE 0 END)
        WHERE OLD.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT OLD.site, OLD.started_at / 3600000, COALESCE(OLD.operator_id, 0), 0,
            (OLD.first_response_at - OLD.first_visitor_at) / 1000, -1
        WHERE OLD.first_visitor_at IS NOT NULL AND OLD.first_response_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT OLD.site, OLD.resolved_at / 3600000, COALESCE(OLD.operator_id, 0), 1,
            (OLD.resolved_at - COALESCE(OLD.first_visitor_at, OLD.started_at)) / 1000, -1
        WHERE OLD.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        VALUES (NEW.site, NEW.started_at / 3600000, COALESCE(NEW.operator_id, 0),
            1 * (CASE WHEN NOT (NEW.reopened != 0) THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.reopened != 0 THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.contact != 0 THEN 1 ELSE 0 END),
            1 * (CASE WHEN NEW.first_visitor_at IS NOT NULL AND NEW.response_due_at IS NOT NULL AND (NEW.first_response_at > NEW.response_due_at OR (NEW.first_response_at IS NULL AND NEW.resolved_at IS NOT NULL)) THEN 1 ELSE 0 END), 0, 0, 0, 0)
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        SELECT NEW.site, NEW.resolved_at / 3600000, COALESCE(NEW.operator_id, 0), 0, 0, 0, 0, 1,
            1 * (CASE WHEN NEW.rating = 'satisfied' THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.rating = 'neutral' THEN 1 ELSE 0 END), 1 * (CASE WHEN NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END)
        WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = started_new + excluded.started_new, started_reopened = started_reopened + excluded.started_reopened, contacts = contacts + excluded.contacts, missed = missed + excluded.missed, resolved = resolved + excluded.resolved, satisfied = satisfied + excluded.satisfied, neutral = neutral + excluded.neutral, dissatisfied = dissatisfied + excluded.dissatisfied;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT NEW.site, NEW.started_at / 3600000, COALESCE(NEW.operator_id, 0), 0,
            (NEW.first_response_at - NEW.first_visitor_at) / 1000, 1
        WHERE NEW.first_visitor_at IS NOT NULL AND NEW.first_response_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT NEW.site, NEW.resolved_at / 3600000, COALESCE(NEW.operator_id, 0), 1,
            (NEW.resolved_at - COALESCE(NEW.first_visitor_at, NEW.started_at)) / 1000, 1
        WHERE NEW.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = count + excluded.count;
    END;
"
    };
}

pub(super) use tally_triggers;

/// The migration that adds the tallies, their trigger and their back-fill.
pub(super) const TALLIES: &str = concat!(
    "
    CREATE TABLE report_tallies (
        site TEXT NOT NULL,
        hour INTEGER NOT NULL,
        operator_id INTEGER NOT NULL,
        started_new INTEGER NOT NULL,
        started_reopened INTEGER NOT NULL,
        contacts INTEGER NOT NULL,
        missed INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        satisfied INTEGER NOT NULL,
        neutral INTEGER NOT NULL,
        dissatisfied INTEGER NOT NULL,
        PRIMARY KEY (site, hour, operator_id)
    ) WITHOUT ROWID;
    CREATE TABLE report_waits (
        site TEXT NOT NULL,
        hour INTEGER NOT NULL,
        operator_id INTEGER NOT NULL,
        measure INTEGER NOT NULL,
        seconds INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (site, hour, operator_id, measure, seconds)
    ) WITHOUT ROWID;
    CREATE INDEX report_episodes_waiting ON report_episodes (started_at)
        WHERE first_response_at IS NULL AND resolved_at IS NULL AND first_visitor_at IS NOT NULL;
    CREATE INDEX report_episodes_commented ON report_episodes (resolved_at)
        WHERE rating_comment IS NOT NULL AND resolved_at IS NOT NULL;
",
    tally_triggers!(),
    "    INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
    SELECT site, hour, operator_id, sum(started_new), sum(started_reopened), sum(contacts),
        sum(missed), sum(resolved), sum(satisfied), sum(neutral), sum(dissatisfied)
    FROM (
        SELECT site, started_at / 3600000 AS hour, COALESCE(operator_id, 0) AS operator_id,
            (CASE WHEN NOT (reopened != 0) THEN 1 ELSE 0 END) AS started_new, (CASE WHEN reopened != 0 THEN 1 ELSE 0 END) AS started_reopened,
            (CASE WHEN contact != 0 THEN 1 ELSE 0 END) AS contacts, (CASE WHEN first_visitor_at IS NOT NULL AND response_due_at IS NOT NULL AND (first_response_at > response_due_at OR (first_response_at IS NULL AND resolved_at IS NOT NULL)) THEN 1 ELSE 0 END) AS missed,
            0 AS resolved, 0 AS satisfied, 0 AS neutral, 0 AS dissatisfied
        FROM report_episodes
        UNION ALL
        SELECT site, resolved_at / 3600000, COALESCE(operator_id, 0), 0, 0, 0, 0, 1,
            (CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN rating = 'neutral' THEN 1 ELSE 0 END), (CASE WHEN rating = 'dissatisfied' THEN 1 ELSE 0 END)
        FROM report_episodes WHERE resolved_at IS NOT NULL
    ) AS parts
    GROUP BY site, hour, operator_id;
    INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
    SELECT site, hour, operator_id, measure, seconds, count(*)
    FROM (
        SELECT site, started_at / 3600000 AS hour, COALESCE(operator_id, 0) AS operator_id,
            0 AS measure, (first_response_at - first_visitor_at) / 1000 AS seconds
        FROM report_episodes
        WHERE first_visitor_at IS NOT NULL AND first_response_at IS NOT NULL
        UNION ALL
        SELECT site, resolved_at / 3600000, COALESCE(operator_id, 0), 1,
            (resolved_at - COALESCE(first_visitor_at, started_at)) / 1000
        FROM report_episodes WHERE resolved_at IS NOT NULL
    ) AS parts
    GROUP BY site, hour, operator_id, measure, seconds;

"
);
