//! The reports' tallies (see `store/reports.rs`): conversations started, resolved, missed and
//! rated, and the seconds waited for a first answer and for a resolve, per site, hour (UTC) and
//! operator, kept by a trigger on the episodes in the transaction of whatever changed an episode
//! (a message, a resolve or reopen, a rating, a contact form): each change takes the episode's old
//! contribution out and puts its new one in, so a reopened conversation or a late rating moves
//! the figures it belongs to; a change that moves no figure (the first visitor message of an
//! episode not yet answered or resolved) skips the work. The migration back-fills them from the
//! episodes already kept.

/// The migration that adds the tallies, their trigger and their back-fill.
pub(super) const TALLIES: &str = "
    CREATE TABLE report_tallies (
        site TEXT NOT NULL,
        hour BIGINT NOT NULL,
        operator_id BIGINT NOT NULL,
        started_new BIGINT NOT NULL,
        started_reopened BIGINT NOT NULL,
        contacts BIGINT NOT NULL,
        missed BIGINT NOT NULL,
        resolved BIGINT NOT NULL,
        satisfied BIGINT NOT NULL,
        neutral BIGINT NOT NULL,
        dissatisfied BIGINT NOT NULL,
        PRIMARY KEY (site, hour, operator_id)
    );
    CREATE TABLE report_waits (
        site TEXT NOT NULL,
        hour BIGINT NOT NULL,
        operator_id BIGINT NOT NULL,
        measure BIGINT NOT NULL,
        seconds BIGINT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (site, hour, operator_id, measure, seconds)
    );
    CREATE INDEX report_episodes_waiting ON report_episodes (started_at)
        WHERE first_response_at IS NULL AND resolved_at IS NULL AND first_visitor_at IS NOT NULL;
    CREATE INDEX report_episodes_commented ON report_episodes (resolved_at)
        WHERE rating_comment IS NOT NULL AND resolved_at IS NOT NULL;
    CREATE FUNCTION report_tally(episode report_episodes, delta BIGINT) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        VALUES (episode.site, episode.started_at / 3600000, COALESCE(episode.operator_id, 0),
            delta * (CASE WHEN NOT (episode.reopened) THEN 1 ELSE 0 END), delta * (CASE WHEN episode.reopened THEN 1 ELSE 0 END), delta * (CASE WHEN episode.contact THEN 1 ELSE 0 END),
            delta * (CASE WHEN episode.first_visitor_at IS NOT NULL AND episode.response_due_at IS NOT NULL AND (episode.first_response_at > episode.response_due_at OR (episode.first_response_at IS NULL AND episode.resolved_at IS NOT NULL)) THEN 1 ELSE 0 END), 0, 0, 0, 0)
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = report_tallies.started_new + excluded.started_new, started_reopened = report_tallies.started_reopened + excluded.started_reopened, contacts = report_tallies.contacts + excluded.contacts, missed = report_tallies.missed + excluded.missed, resolved = report_tallies.resolved + excluded.resolved, satisfied = report_tallies.satisfied + excluded.satisfied, neutral = report_tallies.neutral + excluded.neutral, dissatisfied = report_tallies.dissatisfied + excluded.dissatisfied;
        INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
        SELECT episode.site, episode.resolved_at / 3600000, COALESCE(episode.operator_id, 0), 0, 0, 0, 0, delta,
            delta * (CASE WHEN episode.rating = 'satisfied' THEN 1 ELSE 0 END), delta * (CASE WHEN episode.rating = 'neutral' THEN 1 ELSE 0 END), delta * (CASE WHEN episode.rating = 'dissatisfied' THEN 1 ELSE 0 END)
        WHERE episode.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id) DO UPDATE SET started_new = report_tallies.started_new + excluded.started_new, started_reopened = report_tallies.started_reopened + excluded.started_reopened, contacts = report_tallies.contacts + excluded.contacts, missed = report_tallies.missed + excluded.missed, resolved = report_tallies.resolved + excluded.resolved, satisfied = report_tallies.satisfied + excluded.satisfied, neutral = report_tallies.neutral + excluded.neutral, dissatisfied = report_tallies.dissatisfied + excluded.dissatisfied;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT episode.site, episode.started_at / 3600000, COALESCE(episode.operator_id, 0), 0,
            (episode.first_response_at - episode.first_visitor_at) / 1000, delta
        WHERE episode.first_visitor_at IS NOT NULL AND episode.first_response_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = report_waits.count + excluded.count;
        INSERT INTO report_waits (site, hour, operator_id, measure, seconds, count)
        SELECT episode.site, episode.resolved_at / 3600000, COALESCE(episode.operator_id, 0), 1,
            (episode.resolved_at - COALESCE(episode.first_visitor_at, episode.started_at)) / 1000, delta
        WHERE episode.resolved_at IS NOT NULL
        ON CONFLICT (site, hour, operator_id, measure, seconds) DO UPDATE SET count = report_waits.count + excluded.count;
    END
    $$;
    CREATE FUNCTION report_episode_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF NOT (OLD.site IS DISTINCT FROM NEW.site OR OLD.reopened IS DISTINCT FROM NEW.reopened OR OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at OR OLD.operator_id IS DISTINCT FROM NEW.operator_id OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.rating IS DISTINCT FROM NEW.rating OR OLD.contact IS DISTINCT FROM NEW.contact
                OR ((OLD.first_visitor_at IS DISTINCT FROM NEW.first_visitor_at OR OLD.response_due_at IS DISTINCT FROM NEW.response_due_at)
                    AND (NEW.first_response_at IS NOT NULL OR NEW.resolved_at IS NOT NULL))) THEN
                RETURN NULL;
            END IF;
            PERFORM report_tally(OLD, -1);
        END IF;
        PERFORM report_tally(NEW, 1);
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER report_episode_tallies AFTER INSERT OR UPDATE ON report_episodes
        FOR EACH ROW EXECUTE FUNCTION report_episode_changed();
    INSERT INTO report_tallies (site, hour, operator_id, started_new, started_reopened, contacts, missed, resolved, satisfied, neutral, dissatisfied)
    SELECT site, hour, operator_id, sum(started_new), sum(started_reopened), sum(contacts),
        sum(missed), sum(resolved), sum(satisfied), sum(neutral), sum(dissatisfied)
    FROM (
        SELECT site, started_at / 3600000 AS hour, COALESCE(operator_id, 0) AS operator_id,
            (CASE WHEN NOT (reopened) THEN 1 ELSE 0 END) AS started_new, (CASE WHEN reopened THEN 1 ELSE 0 END) AS started_reopened,
            (CASE WHEN contact THEN 1 ELSE 0 END) AS contacts, (CASE WHEN first_visitor_at IS NOT NULL AND response_due_at IS NOT NULL AND (first_response_at > response_due_at OR (first_response_at IS NULL AND resolved_at IS NOT NULL)) THEN 1 ELSE 0 END) AS missed,
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

";
