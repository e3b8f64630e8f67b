//! The tables `migrate` copies: every table of the SQLite schema, in an order that satisfies the
//! foreign keys, each with its columns in the PostgreSQL schema's order, their kinds, and the
//! key that orders its rows the same way on both sides.

/// What a column holds, and so how it is read on each side and written to PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `INTEGER` on SQLite, `BIGINT` on PostgreSQL.
    Integer,
    /// `INTEGER` 0 or 1 on SQLite, `BOOLEAN` on PostgreSQL.
    Boolean,
    /// `TEXT` on both.
    Text,
    /// `BLOB` on SQLite, `BYTEA` on PostgreSQL.
    Bytes,
    /// `REAL` on SQLite, `DOUBLE PRECISION` on PostgreSQL.
    Real,
}

impl Kind {
    /// The PostgreSQL type a binary `COPY` carries this kind as.
    pub fn postgres_type(self) -> tokio_postgres::types::Type {
        use tokio_postgres::types::Type;
        match self {
            Kind::Integer => Type::INT8,
            Kind::Boolean => Type::BOOL,
            Kind::Text => Type::TEXT,
            Kind::Bytes => Type::BYTEA,
            Kind::Real => Type::FLOAT8,
        }
    }
}

/// One copied table.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// The columns of its primary key, which order the rows for the digest.
    pub key: &'static [&'static str],
    /// Whether `id` is an identity column, whose sequence must move past the copied ids.
    pub identity: bool,
}

impl Table {
    /// The column list, quoted, for `SELECT` and `COPY`.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The kinds of the columns, in order.
    pub fn kinds(&self) -> Vec<Kind> {
        self.columns.iter().map(|(_, kind)| *kind).collect()
    }

    /// The `ORDER BY` list. Text keys compare byte by byte on both sides (SQLite's `BINARY`,
    /// PostgreSQL's `"C"`), so that a database's locale cannot change the order of the rows.
    pub fn order_by(&self, text_collation: &str) -> String {
        self.key
            .iter()
            .map(|key| {
                let text = self
                    .columns
                    .iter()
                    .any(|(name, kind)| name == key && *kind == Kind::Text);
                if text {
                    format!("\"{key}\" COLLATE {text_collation}")
                } else {
                    format!("\"{key}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use Kind::{Boolean, Bytes, Integer, Real, Text};

/// Every table of the SQLite schema, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "settings",
        columns: &[("key", Text), ("value", Bytes)],
        key: &["key"],
        identity: false,
    },
    Table {
        name: "sites",
        columns: &[
            ("name", Text),
            ("title", Text),
            ("created_at", Integer),
            ("auto_message_delay", Integer),
            ("auto_message_text", Text),
            ("rating_enabled", Boolean),
            ("suggested_questions", Text),
            ("hours", Text),
            ("notify_email", Text),
            ("retention_days", Integer),
            ("visitor_erase", Boolean),
        ],
        key: &["name"],
        identity: false,
    },
    Table {
        name: "operators",
        columns: &[
            ("id", Integer),
            ("email", Text),
            ("name", Text),
            ("password_hash", Text),
            ("admin", Boolean),
            ("online", Boolean),
            ("created_at", Integer),
            ("photo_url", Text),
            ("disabled", Boolean),
            ("language", Text),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Bytes),
            ("operator_id", Integer),
            ("created_at", Integer),
            ("expires_at", Integer),
            ("last_used_at", Integer),
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "api_keys",
        columns: &[
            ("id", Integer),
            ("name", Text),
            ("scope", Text),
            ("site", Text),
            ("key_hash", Bytes),
            ("prefix", Text),
            ("operator_id", Integer),
            ("created_at", Integer),
            ("last_used_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "conversations",
        columns: &[
            ("id", Integer),
            ("site", Text),
            ("visitor_id", Text),
            ("status", Text),
            ("visitor_name", Text),
            ("visitor_email", Text),
            ("last_seq", Integer),
            ("created_at", Integer),
            ("updated_at", Integer),
            ("cart", Text),
            ("assigned_to", Integer),
            ("agent_id", Integer),
            ("queued_at", Integer),
            ("priority", Integer),
            ("tags", Text),
            ("waiting_since", Integer),
            ("auto_message_sent", Integer),
            ("rating", Text),
            ("rating_comment", Text),
            ("blocked_at", Integer),
            ("blocked_by", Integer),
            ("blocked_address_until", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Integer),
            ("conversation_id", Integer),
            ("seq", Integer),
            ("client_id", Text),
            ("author", Text),
            ("operator_id", Integer),
            ("text", Text),
            ("sent_at", Integer),
            ("files", Text),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "files",
        columns: &[
            ("id", Text),
            ("conversation_id", Integer),
            ("message_id", Integer),
            ("name", Text),
            ("content_type", Text),
            ("size", Integer),
            ("bytes", Bytes),
            ("thumbnail", Bytes),
            ("thumbnail_type", Text),
            ("created_at", Integer),
            ("uploader", Text),
        ],
        key: &["id"],
        identity: false,
    },
    Table {
        name: "visitors",
        columns: &[
            ("site", Text),
            ("visitor_id", Text),
            ("first_seen", Integer),
            ("last_seen", Integer),
            ("locale", Text),
            ("pages", Text),
        ],
        key: &["site", "visitor_id"],
        identity: false,
    },
    Table {
        name: "reads",
        columns: &[
            ("conversation_id", Integer),
            ("operator_id", Integer),
            ("seq", Integer),
        ],
        key: &["conversation_id", "operator_id"],
        identity: false,
    },
    Table {
        name: "shortcuts",
        columns: &[
            ("id", Integer),
            ("owner_id", Integer),
            ("name", Text),
            ("text", Text),
            ("created_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "rules",
        columns: &[
            ("id", Integer),
            ("site", Text),
            ("keyword", Text),
            ("tag", Text),
            ("priority", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "prompts",
        columns: &[
            ("id", Integer),
            ("site", Text),
            ("name", Text),
            ("variants", Text),
            ("trigger", Text),
            ("dismiss_for_days", Integer),
            ("max_per_session", Integer),
            ("enabled", Boolean),
            ("created_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "prompt_counts",
        columns: &[
            ("prompt_id", Integer),
            ("variant", Integer),
            ("event", Text),
            ("day", Integer),
            ("count", Integer),
            ("total", Real),
        ],
        key: &["prompt_id", "variant", "event", "day"],
        identity: false,
    },
    Table {
        name: "answers",
        columns: &[
            ("id", Integer),
            ("site", Text),
            ("language", Text),
            ("question", Text),
            ("keywords", Text),
            ("answer", Text),
            ("opened", Integer),
            ("last_opened_at", Integer),
            ("created_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "answer_misses",
        columns: &[
            ("site", Text),
            ("language", Text),
            ("query", Text),
            ("text", Text),
            ("count", Integer),
            ("last_at", Integer),
        ],
        key: &["site", "language", "query"],
        identity: false,
    },
    Table {
        name: "mail_outbox",
        columns: &[
            ("id", Integer),
            ("kind", Text),
            ("conversation_id", Integer),
            ("recipient", Text),
            ("created_at", Integer),
            ("due_at", Integer),
            ("attempts", Integer),
            ("last_error", Text),
            ("sent_at", Integer),
            ("failed_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "mail_messages",
        columns: &[("mail_id", Integer), ("message_id", Integer)],
        key: &["mail_id", "message_id"],
        identity: false,
    },
    Table {
        name: "prompt_views_counted",
        columns: &[
            ("prompt_id", Integer),
            ("view", Text),
            ("event", Text),
            ("day", Integer),
        ],
        key: &["prompt_id", "view", "event"],
        identity: false,
    },
    Table {
        name: "notes",
        columns: &[
            ("id", Integer),
            ("conversation_id", Integer),
            ("operator_id", Integer),
            ("text", Text),
            ("created_at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "report_episodes",
        columns: &[
            ("id", Integer),
            ("conversation_id", Integer),
            ("site", Text),
            ("reopened", Boolean),
            ("started_at", Integer),
            ("first_visitor_at", Integer),
            ("response_due_at", Integer),
            ("first_response_at", Integer),
            ("operator_id", Integer),
            ("resolved_at", Integer),
            ("rating", Text),
            ("rating_comment", Text),
            ("contact", Boolean),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "reviews",
        columns: &[
            ("conversation_id", Integer),
            ("verdict", Text),
            ("comment", Text),
            ("reviewer_id", Integer),
            ("reviewed_at", Integer),
        ],
        key: &["conversation_id"],
        identity: false,
    },
    Table {
        name: "report_hours",
        columns: &[
            ("site", Text),
            ("hour", Integer),
            ("operator_id", Integer),
            ("messages", Integer),
        ],
        key: &["site", "hour", "operator_id"],
        identity: false,
    },
    Table {
        name: "report_availability",
        columns: &[
            ("id", Integer),
            ("operator_id", Integer),
            ("online", Boolean),
            ("at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "report_answer_events",
        columns: &[
            ("id", Integer),
            ("site", Text),
            ("visitor_id", Text),
            ("answer_id", Integer),
            ("at", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "webhooks",
        columns: &[
            ("id", Integer),
            ("url", Text),
            ("events", Text),
            ("enabled", Boolean),
            ("secret", Text),
            ("previous_secret", Text),
            ("previous_until", Integer),
            ("created_at", Integer),
            ("disabled_reason", Text),
            ("failing_since", Integer),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "webhook_deliveries",
        columns: &[
            ("id", Integer),
            ("webhook_id", Integer),
            ("event_id", Text),
            ("kind", Text),
            ("conversation_id", Integer),
            ("body", Text),
            ("status", Text),
            ("attempts", Integer),
            ("due_at", Integer),
            ("created_at", Integer),
            ("last_attempt_at", Integer),
            ("response_status", Integer),
            ("response_ms", Integer),
            ("response_snippet", Text),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "webhook_assignees",
        columns: &[("conversation_id", Integer), ("operator_id", Integer)],
        key: &["conversation_id"],
        identity: false,
    },
    Table {
        name: "address_blocks",
        columns: &[
            ("hash", Bytes),
            ("conversation_id", Integer),
            ("until", Integer),
        ],
        key: &["hash"],
        identity: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Integer),
            ("at", Integer),
            ("operator_id", Integer),
            ("action", Text),
            ("target", Text),
            ("detail", Text),
        ],
        key: &["id"],
        identity: true,
    },
];

/// The SQLite search index (`message_search`, an FTS5 table, and the tables FTS5 keeps it in):
/// not copied, since it is derived from the messages; `migrate` builds PostgreSQL's own from the
/// copied messages in the same transaction (`postgres::history::index_existing`).
pub const DERIVED_PREFIX: &str = "message_search";

/// The reports' tallies: not copied either, since they are derived from the episodes; on
/// PostgreSQL, the episodes' trigger fills them as the episodes are copied.
pub const DERIVED_TALLIES: [&str; 2] = ["report_tallies", "report_waits"];
