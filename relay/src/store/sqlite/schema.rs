//! The database schema as an append-only list of migrations, tracked by `pragma user_version`.
//!
//! Never edit a migration that has shipped: add a new one at the end.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: sites, operators, sessions, conversations, messages, settings.
    "
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE sites (
        name TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE operators (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        admin INTEGER NOT NULL DEFAULT 0,
        online INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        operator_id INTEGER NOT NULL REFERENCES operators(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL REFERENCES sites(name),
        visitor_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        visitor_name TEXT,
        visitor_email TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (site, visitor_id)
    );
    CREATE INDEX conversations_by_status ON conversations (status, updated_at);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        seq INTEGER NOT NULL,
        client_id TEXT,
        author TEXT NOT NULL CHECK (author IN ('visitor', 'operator', 'system')),
        operator_id INTEGER REFERENCES operators(id),
        text TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        UNIQUE (conversation_id, seq)
    );
    CREATE UNIQUE INDEX messages_by_client_id
        ON messages (conversation_id, author, client_id) WHERE client_id IS NOT NULL;
    INSERT INTO sites (name, title, created_at) VALUES ('default', 'Shop', 0);
    ",
    // 2: the visitor's cart on their conversation, as JSON.
    "
    ALTER TABLE conversations ADD COLUMN cart TEXT;
    ",
    // 3: the operators' workflow: assignment and queue, priority and tags, rating, the automatic
    // message, read marks, the visitor's pages, shortcuts and keyword rules.
    "
    ALTER TABLE operators ADD COLUMN photo_url TEXT;
    ALTER TABLE conversations ADD COLUMN assigned_to INTEGER REFERENCES operators(id);
    ALTER TABLE conversations ADD COLUMN agent_id INTEGER REFERENCES operators(id);
    ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
    ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE conversations ADD COLUMN waiting_since INTEGER;
    ALTER TABLE conversations ADD COLUMN auto_message_sent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN rating TEXT
        CHECK (rating IN ('satisfied', 'neutral', 'dissatisfied'));
    ALTER TABLE conversations ADD COLUMN rating_comment TEXT;
    CREATE INDEX conversations_queue ON conversations (status, assigned_to, priority, queued_at);
    ALTER TABLE sites ADD COLUMN auto_message_delay INTEGER NOT NULL DEFAULT 45;
    ALTER TABLE sites ADD COLUMN auto_message_text TEXT NOT NULL DEFAULT '';
    ALTER TABLE sites ADD COLUMN rating_enabled INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE visitors (
        site TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        locale TEXT,
        pages TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (site, visitor_id)
    ) WITHOUT ROWID;
    CREATE TABLE reads (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        operator_id INTEGER NOT NULL REFERENCES operators(id),
        seq INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, operator_id)
    ) WITHOUT ROWID;
    CREATE TABLE shortcuts (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER REFERENCES operators(id),
        name TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX shortcuts_by_name ON shortcuts (COALESCE(owner_id, 0), name COLLATE NOCASE);
    CREATE TABLE rules (
        id INTEGER PRIMARY KEY,
        site TEXT REFERENCES sites(name),
        keyword TEXT NOT NULL,
        tag TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0
    );
    UPDATE conversations SET queued_at = created_at;
    ",
    // 4: suggested questions per site (a JSON array of strings).
    "
    ALTER TABLE sites ADD COLUMN suggested_questions TEXT NOT NULL DEFAULT '[]';
    ",
    // 5: opening hours per site (JSON, as the REST API gives them; NULL: none).
    "
    ALTER TABLE sites ADD COLUMN hours TEXT;
    ",
    // 6: proactive prompts (variants and trigger as JSON, as the REST API gives them) and their
    // figures, counted per variant, event and day.
    "
    CREATE TABLE prompts (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL REFERENCES sites(name),
        name TEXT NOT NULL,
        variants TEXT NOT NULL,
        trigger TEXT NOT NULL,
        dismiss_for_days INTEGER NOT NULL,
        max_per_session INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX prompts_by_site ON prompts (site);
    CREATE TABLE prompt_counts (
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        variant INTEGER NOT NULL,
        event TEXT NOT NULL,
        day INTEGER NOT NULL,
        count INTEGER NOT NULL,
        total REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (prompt_id, variant, event, day)
    ) WITHOUT ROWID;
    ",
    // 7: self-service answers per site and language (keywords as a JSON array), how often each was
    // opened, and the searches that found nothing.
    "
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL REFERENCES sites(name),
        language TEXT NOT NULL,
        question TEXT NOT NULL,
        keywords TEXT NOT NULL DEFAULT '[]',
        answer TEXT NOT NULL,
        opened INTEGER NOT NULL DEFAULT 0,
        last_opened_at INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX answers_by_question ON answers (site, language, question COLLATE NOCASE);
    CREATE TABLE answer_misses (
        site TEXT NOT NULL REFERENCES sites(name),
        language TEXT NOT NULL,
        query TEXT NOT NULL,
        text TEXT NOT NULL,
        count INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (site, language, query)
    ) WITHOUT ROWID;
    ",
    // 8: email: where a site's notifications go (empty: its admins), and the outbox of emails,
    // each with the messages it carries.
    "
    ALTER TABLE sites ADD COLUMN notify_email TEXT NOT NULL DEFAULT '';
    CREATE TABLE mail_outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('shop', 'visitor')),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        recipient TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at INTEGER,
        failed_at INTEGER
    );
    CREATE INDEX mail_outbox_due ON mail_outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
    CREATE INDEX mail_outbox_by_conversation ON mail_outbox (conversation_id, kind, recipient);
    CREATE TABLE mail_messages (
        mail_id INTEGER NOT NULL REFERENCES mail_outbox(id),
        message_id INTEGER NOT NULL REFERENCES messages(id),
        PRIMARY KEY (mail_id, message_id)
    ) WITHOUT ROWID;
    ",
    // 9: the prompt events counted per page view (its signed view id's random part), so that a
    // report sent again counts nothing; rows go once their view ids have expired.
    "
    CREATE TABLE prompt_views_counted (
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        view TEXT NOT NULL,
        event TEXT NOT NULL,
        day INTEGER NOT NULL,
        PRIMARY KEY (prompt_id, view, event)
    ) WITHOUT ROWID;
    CREATE INDEX prompt_views_counted_by_day ON prompt_views_counted (day);
    ",
    // 10: sessions end after a time without use (the last use is recorded at most once a minute
    // per session), operators can be disabled, and an operator's sessions are found at once.
    "
    ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET last_used_at = created_at;
    CREATE INDEX sessions_by_operator ON sessions (operator_id);
    ALTER TABLE operators ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    ",
    // 11: the history: every message's words for searching (folded by the relay; the row id is
    // the conversation's id and the message's seq, `store::history::search_rowid`), replaced by
    // migration 15, which fills it; internal notes; a manager's review per conversation.
    "
    CREATE VIRTUAL TABLE message_search USING fts5(
        words, content = '', contentless_delete = 1, detail = none,
        tokenize = 'unicode61 remove_diacritics 0'
    );
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        operator_id INTEGER NOT NULL REFERENCES operators(id),
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX notes_by_conversation ON notes (conversation_id, id);
    CREATE TABLE reviews (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
        verdict TEXT NOT NULL CHECK (verdict IN ('good', 'coaching')),
        comment TEXT NOT NULL,
        reviewer_id INTEGER NOT NULL REFERENCES operators(id),
        reviewed_at INTEGER NOT NULL
    );
    CREATE INDEX conversations_by_operator ON conversations (assigned_to, created_at);
    ",
    // 12: what the reports read (see `store/reports.rs`): each conversation's episodes, messages
    // per site, hour and author, every change of an operator's availability, and the answers
    // opened and searches that found nothing. Existing conversations become one episode each
    // (resolved at their last change when resolved) and their messages are counted.
    "
    CREATE TABLE report_episodes (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        site TEXT NOT NULL,
        reopened INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL,
        first_visitor_at INTEGER,
        response_due_at INTEGER,
        first_response_at INTEGER,
        operator_id INTEGER,
        resolved_at INTEGER,
        rating TEXT,
        rating_comment TEXT,
        contact INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX report_episodes_by_conversation ON report_episodes (conversation_id, id);
    CREATE INDEX report_episodes_by_start ON report_episodes (started_at);
    CREATE INDEX report_episodes_by_resolution ON report_episodes (resolved_at)
        WHERE resolved_at IS NOT NULL;
    CREATE TABLE report_hours (
        site TEXT NOT NULL,
        hour INTEGER NOT NULL,
        operator_id INTEGER NOT NULL,
        messages INTEGER NOT NULL,
        PRIMARY KEY (site, hour, operator_id)
    ) WITHOUT ROWID;
    CREATE TABLE report_availability (
        id INTEGER PRIMARY KEY,
        operator_id INTEGER NOT NULL REFERENCES operators(id),
        online INTEGER NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX report_availability_by_operator ON report_availability (operator_id, id);
    CREATE INDEX report_availability_by_time ON report_availability (at);
    CREATE TABLE report_answer_events (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        visitor_id TEXT,
        answer_id INTEGER,
        at INTEGER NOT NULL
    );
    CREATE INDEX report_answer_events_by_time ON report_answer_events (at);
    INSERT INTO report_episodes (conversation_id, site, started_at, first_visitor_at,
        response_due_at, first_response_at, operator_id, resolved_at, rating, rating_comment)
    SELECT c.id, c.site, c.created_at, f.first_visitor_at,
        f.first_visitor_at + 1000 * COALESCE(NULLIF(s.auto_message_delay, 0), 45),
        (SELECT min(m.sent_at) FROM messages m WHERE m.conversation_id = c.id
            AND m.author = 'operator' AND m.sent_at >= f.first_visitor_at),
        COALESCE((SELECT m.operator_id FROM messages m WHERE m.conversation_id = c.id
            AND m.author = 'operator' AND m.sent_at >= f.first_visitor_at
            ORDER BY m.sent_at, m.id LIMIT 1), c.assigned_to),
        CASE c.status WHEN 'resolved' THEN c.updated_at END, c.rating, c.rating_comment
    FROM conversations c JOIN sites s ON s.name = c.site
    LEFT JOIN (SELECT conversation_id, min(sent_at) AS first_visitor_at FROM messages
               WHERE author = 'visitor' GROUP BY conversation_id) f ON f.conversation_id = c.id
    ORDER BY c.id;
    INSERT INTO report_hours (site, hour, operator_id, messages)
    SELECT c.site, m.sent_at / 3600000, COALESCE(m.operator_id, 0), count(*)
    FROM messages m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.author != 'system'
    GROUP BY c.site, m.sent_at / 3600000, COALESCE(m.operator_id, 0);
    INSERT INTO report_availability (operator_id, online, at)
    SELECT id, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM operators WHERE online = 1;
    ",
    // 13: the language each operator's console speaks (none: the browser's).
    "
    ALTER TABLE operators ADD COLUMN language TEXT;
    ",
    // 14: files sent in the chat. A file's bytes are stored first, in their own transaction,
    // without a message (`message_id` NULL); the message that carries them attaches them in its
    // own transaction and keeps their descriptions (JSON) in `messages.files`, so that every
    // read of a message has them. Files never attached are swept after an hour.
    "
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
        message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        thumbnail BLOB,
        thumbnail_type TEXT,
        created_at INTEGER NOT NULL,
        uploader TEXT NOT NULL
    );
    CREATE INDEX files_by_message ON files (message_id);
    CREATE INDEX files_by_conversation ON files (conversation_id);
    CREATE INDEX files_unattached ON files (created_at) WHERE message_id IS NULL;
    ALTER TABLE messages ADD COLUMN files TEXT;
    ",
    // 15: the search index again, rebuilt from the messages right after this migration
    // (`SEARCH_MIGRATION`): with indexes of the words' first 2 to 10 characters, so that a
    // word taken as a prefix is one list to walk, newest first, and not every list of the
    // words it begins merged before the first match; with `_` kept within a word, for each
    // message's site word (`history::site_word`); and with the names of the files the messages
    // carry, which the first index left out of the messages stored before it.
    "
    DROP TABLE message_search;
    CREATE VIRTUAL TABLE message_search USING fts5(
        words, content = '', contentless_delete = 1, detail = none,
        prefix = '2 3 4 5 6 7 8 9 10',
        tokenize = 'unicode61 remove_diacritics 0 tokenchars ''_'''
    );
    ",
    // 16: the reports' tallies per site, hour and operator, kept by a trigger on the episodes and
    // back-filled from them (see `tallies.rs`).
    super::tallies::TALLIES,
    // 17: the episodes' start and resolve indexes hold what the response report reads of each
    // episode, so that it reads the indexes alone.
    "
    DROP INDEX report_episodes_by_start;
    CREATE INDEX report_episodes_by_start
        ON report_episodes (started_at, site, operator_id, first_visitor_at, first_response_at);
    DROP INDEX report_episodes_by_resolution;
    CREATE INDEX report_episodes_by_resolution
        ON report_episodes (resolved_at, site, operator_id, first_visitor_at, started_at)
        WHERE resolved_at IS NOT NULL;
    ",
    // 18: API keys, stored as the SHA-256 of the key (a copy of the database opens nothing),
    // each acting as the admin who created it, within its scope and site.
    "
    CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        site TEXT REFERENCES sites(name),
        key_hash BLOB NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        operator_id INTEGER NOT NULL REFERENCES operators(id),
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
    );
    ",
    // 19: webhooks: the endpoints, one row per event to deliver to one endpoint (recorded in the
    // transaction of its cause), and the last assignee each conversation's webhooks told of.
    WEBHOOKS,
    // 20: privacy: each site's retention and whether its visitors may erase their conversation;
    // blocked visitors (on their conversation) and addresses (a keyed hash, for some days); the
    // admins' audit log. The episodes lose their foreign key to the conversations, so that an
    // erased conversation's anonymous figures stay (`privacy.rs`), which means building their
    // table again, with its indexes and the tallies' trigger. The search index removes every
    // trace of a deleted message at once (FTS5's `secure-delete`), as `secure_delete` does for
    // the rest of the file.
    PRIVACY,
];

/// Migration 20's tables, and the episodes' table built again without the foreign key.
const PRIVACY: &str = concat!(
    "
    ALTER TABLE sites ADD COLUMN retention_days INTEGER;
    ALTER TABLE sites ADD COLUMN visitor_erase INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN blocked_at INTEGER;
    ALTER TABLE conversations ADD COLUMN blocked_by INTEGER REFERENCES operators(id);
    ALTER TABLE conversations ADD COLUMN blocked_address_until INTEGER;
    CREATE INDEX conversations_blocked ON conversations (blocked_at) WHERE blocked_at IS NOT NULL;
    CREATE TABLE address_blocks (
        hash BLOB PRIMARY KEY,
        conversation_id INTEGER,
        until INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        operator_id INTEGER REFERENCES operators(id),
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE report_episodes_new (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL,
        site TEXT NOT NULL,
        reopened INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL,
        first_visitor_at INTEGER,
        response_due_at INTEGER,
        first_response_at INTEGER,
        operator_id INTEGER,
        resolved_at INTEGER,
        rating TEXT,
        rating_comment TEXT,
        contact INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO report_episodes_new SELECT id, conversation_id, site, reopened, started_at,
        first_visitor_at, response_due_at, first_response_at, operator_id, resolved_at, rating,
        rating_comment, contact FROM report_episodes;
    DROP TABLE report_episodes;
    ALTER TABLE report_episodes_new RENAME TO report_episodes;
    CREATE INDEX report_episodes_by_conversation ON report_episodes (conversation_id, id);
    CREATE INDEX report_episodes_by_start
        ON report_episodes (started_at, site, operator_id, first_visitor_at, first_response_at);
    CREATE INDEX report_episodes_by_resolution
        ON report_episodes (resolved_at, site, operator_id, first_visitor_at, started_at)
        WHERE resolved_at IS NOT NULL;
    CREATE INDEX report_episodes_waiting ON report_episodes (started_at)
        WHERE first_response_at IS NULL AND resolved_at IS NULL AND first_visitor_at IS NOT NULL;
    CREATE INDEX report_episodes_commented ON report_episodes (resolved_at)
        WHERE rating_comment IS NOT NULL AND resolved_at IS NOT NULL;
    INSERT INTO message_search (message_search, rank) VALUES ('secure-delete', 1);
    ",
    super::tallies::tally_triggers!()
);

/// The webhooks' tables.
const WEBHOOKS: &str = "
    CREATE TABLE webhooks (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        secret TEXT NOT NULL,
        previous_secret TEXT,
        previous_until INTEGER,
        created_at INTEGER NOT NULL,
        disabled_reason TEXT,
        failing_since INTEGER
    );
    CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        conversation_id INTEGER,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_attempt_at INTEGER,
        response_status INTEGER,
        response_ms INTEGER,
        response_snippet TEXT
    );
    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, conversation_id, id)
        WHERE status = 'pending';
    CREATE TABLE webhook_assignees (
        conversation_id INTEGER PRIMARY KEY,
        operator_id INTEGER NOT NULL
    );
";

/// The migration after which the messages already stored are indexed for searching (in the same
/// transaction): the words are folded by the relay, which SQL alone cannot do. The index first
/// came with migration 11, which left it empty since the last one rebuilds it.
const SEARCH_MIGRATION: usize = 15;

/// Brings the database up to the newest schema; each migration runs in its own transaction.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let current = usize::try_from(current).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let transaction =
            connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute_batch(migration)?;
        if index + 1 == SEARCH_MIGRATION {
            super::history::index_existing(&transaction)?;
        }
        transaction.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        transaction.commit()?;
    }
    Ok(())
}

/// The schema version this build writes.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}
