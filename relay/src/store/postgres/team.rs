//! What the team manages: the SQL of [`TeamStore`](crate::store::TeamStore) on PostgreSQL —
//! operators' profiles, shortcuts, keyword rules, the team's and the sites' settings. Names
//! are ordered without case and byte by byte (`lower(…) COLLATE "C"`), as SQLite's `NOCASE`
//! orders them, whatever the database's collation.

use super::Tx;
use super::accounts::{end_operator_sessions, site_title};
use super::queue::{assign_queue, max_chats};
use super::rows::{conversation_summary, profile_from_row, questions_from_json};
use super::sql::Sql;
use super::sql::unique_violation;
use crate::clock::now_millis;
use crate::store::sqlite::queue::MAX_CHATS_KEY;
use crate::store::{Event, StoreError};
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, ShortcutScope,
    SiteSettings, TeamSettings,
};
use beseda_protocol::{ConversationId, OperatorId, OperatorProfile, RuleId, ShortcutId};
use tokio_postgres::Row;

/// The columns [`info_from_row`] reads, from `operators o`.
const INFO_COLUMNS: &str = "o.id, o.name, o.email, o.admin, o.photo_url, o.online,
    (SELECT COUNT(*) FROM conversations c WHERE c.assigned_to = o.id AND c.status = 'open'),
    o.disabled, o.language";

/// The unique index that keeps one shortcut of a name per owner (and one of the team's).
const SHORTCUT_INDEX: &str = "shortcuts_by_name";

fn info_from_row(row: &Row) -> Result<OperatorInfo, StoreError> {
    Ok(OperatorInfo {
        profile: profile_from_row(row)?,
        online: row.try_get(5)?,
        open_chats: u64::try_from(row.try_get::<_, i64>(6)?).unwrap_or(0),
        disabled: row.try_get(7)?,
    })
}

pub async fn operators(client: &impl Sql) -> Result<Vec<OperatorInfo>, StoreError> {
    let sql = format!(
        "SELECT {INFO_COLUMNS} FROM operators o ORDER BY lower(o.name) COLLATE \"C\", o.id"
    );
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(info_from_row)
        .collect()
}

/// Disables an operator (or enables them again). Disabling ends all their sessions, sets them
/// offline and puts their open conversations back in the queue, where the operators still
/// available take them. Returns the operator and the token hashes of the sessions ended.
pub async fn set_operator_disabled(
    tx: &Tx,
    operator_id: OperatorId,
    disabled: bool,
) -> Result<(OperatorInfo, Vec<[u8; 32]>), StoreError> {
    let changed = tx
        .execute(
            "UPDATE operators SET disabled = $2, online = CASE WHEN $2 THEN FALSE ELSE online END
             WHERE id = $1",
            &[&operator_id.0, &disabled],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        super::reports::availability_set(tx, operator_id, false, now_millis()).await?;
    }
    let mut ended = Vec::new();
    if disabled {
        ended = end_operator_sessions(tx, operator_id, None).await?;
        let released = tx
            .query(
                "UPDATE conversations SET assigned_to = NULL
                 WHERE assigned_to = $1 AND status = 'open' RETURNING id",
                &[&operator_id.0],
            )
            .await?;
        // In id order, as SQLite happens to return them, so that the events come in one order.
        let mut released: Vec<i64> = released
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()?;
        released.sort_unstable();
        for id in released {
            let summary = conversation_summary(tx, ConversationId(id)).await?;
            tx.emit(Event::ConversationChanged {
                visitor_id: summary.visitor.id.clone(),
                conversation: summary,
                created: false,
                status_changed: false,
            });
        }
        assign_queue(tx).await?;
    }
    let sql = format!("SELECT {INFO_COLUMNS} FROM operators o WHERE o.id = $1");
    let info = info_from_row(&tx.query_one(&sql, &[&operator_id.0]).await?)?;
    Ok((info, ended))
}

pub async fn update_operator(
    client: &impl Sql,
    operator_id: OperatorId,
    update: &OperatorUpdate,
) -> Result<OperatorProfile, StoreError> {
    // An empty photo address removes the photo, an empty language the choice of one.
    let name = update.name.as_deref().map(str::trim);
    let photo = update.photo_url.as_deref().map(str::trim);
    let language = update.language.as_deref().map(str::trim);
    let row = client
        .query_opt(
            "UPDATE operators SET name = COALESCE($2, name),
             photo_url = CASE WHEN $3::text IS NULL THEN photo_url WHEN $3 = '' THEN NULL ELSE $3 END,
             admin = COALESCE($4, admin),
             language = CASE WHEN $5::text IS NULL THEN language WHEN $5 = '' THEN NULL ELSE $5 END
             WHERE id = $1
             RETURNING id, name, email, admin, photo_url, language",
            &[&operator_id.0, &name, &photo, &update.admin, &language],
        )
        .await?;
    match row {
        Some(row) => profile_from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

/// The columns [`shortcut_from_row`] reads.
const SHORTCUT_COLUMNS: &str = "id, owner_id, name, text";

fn shortcut_from_row(row: &Row) -> Result<Shortcut, StoreError> {
    let owner: Option<i64> = row.try_get(1)?;
    Ok(Shortcut {
        id: ShortcutId(row.try_get(0)?),
        name: row.try_get(2)?,
        text: row.try_get(3)?,
        scope: if owner.is_some() {
            ShortcutScope::Personal
        } else {
            ShortcutScope::Team
        },
        owner_id: owner.map(OperatorId),
    })
}

/// The operator's personal shortcuts and the team's, by name.
pub async fn shortcuts(
    client: &impl Sql,
    operator_id: OperatorId,
) -> Result<Vec<Shortcut>, StoreError> {
    let sql = format!(
        "SELECT {SHORTCUT_COLUMNS} FROM shortcuts WHERE owner_id IS NULL OR owner_id = $1
         ORDER BY lower(name) COLLATE \"C\", owner_id IS NULL, id"
    );
    client
        .query(&sql, &[&operator_id.0])
        .await?
        .iter()
        .map(shortcut_from_row)
        .collect()
}

pub async fn shortcut(client: &impl Sql, id: ShortcutId) -> Result<Shortcut, StoreError> {
    let sql = format!("SELECT {SHORTCUT_COLUMNS} FROM shortcuts WHERE id = $1");
    match client.query_opt(&sql, &[&id.0]).await? {
        Some(row) => shortcut_from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

/// Creates (`id` None) or replaces a shortcut; `owner` None makes it the team's.
/// `ShortcutTaken` when its owner (or the team) has one of that name, whatever its case.
pub async fn save_shortcut(
    client: &impl Sql,
    id: Option<ShortcutId>,
    owner: Option<OperatorId>,
    input: &ShortcutInput,
) -> Result<Shortcut, StoreError> {
    let owner = owner.map(|owner| owner.0);
    let result = match id {
        None => {
            let sql = format!(
                "INSERT INTO shortcuts (owner_id, name, text, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING {SHORTCUT_COLUMNS}"
            );
            client
                .query_opt(&sql, &[&owner, &input.name, &input.text, &now_millis()])
                .await
        }
        Some(id) => {
            let sql = format!(
                "UPDATE shortcuts SET owner_id = $2, name = $3, text = $4 WHERE id = $1
                 RETURNING {SHORTCUT_COLUMNS}"
            );
            client
                .query_opt(&sql, &[&id.0, &owner, &input.name, &input.text])
                .await
        }
    };
    match result {
        Ok(Some(row)) => shortcut_from_row(&row),
        Ok(None) => Err(StoreError::NotFound),
        Err(error) if unique_violation(&error) == Some(SHORTCUT_INDEX) => {
            Err(StoreError::ShortcutTaken(input.name.clone()))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn delete_shortcut(client: &impl Sql, id: ShortcutId) -> Result<(), StoreError> {
    let deleted = client
        .execute("DELETE FROM shortcuts WHERE id = $1", &[&id.0])
        .await?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The columns [`rule_from_row`] reads.
const RULE_COLUMNS: &str = "id, keyword, tag, priority, site";

fn rule_from_row(row: &Row) -> Result<PriorityRule, StoreError> {
    Ok(PriorityRule {
        id: RuleId(row.try_get(0)?),
        keyword: row.try_get(1)?,
        tag: row.try_get(2)?,
        priority: i32::try_from(row.try_get::<_, i64>(3)?)
            .map_err(|_| StoreError::Database("a stored rule's priority is out of range".into()))?,
        site: row.try_get(4)?,
    })
}

pub async fn rules(client: &impl Sql) -> Result<Vec<PriorityRule>, StoreError> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM rules ORDER BY priority DESC, id");
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(rule_from_row)
        .collect()
}

pub async fn save_rule(
    client: &impl Sql,
    id: Option<RuleId>,
    input: &RuleInput,
) -> Result<PriorityRule, StoreError> {
    if let Some(site) = &input.site
        && site_title(client, site).await?.is_none()
    {
        return Err(StoreError::NoSuchSite(site.clone()));
    }
    let priority = i64::from(input.priority);
    let row = match id {
        None => {
            let sql = format!(
                "INSERT INTO rules (keyword, tag, priority, site) VALUES ($1, $2, $3, $4)
                 RETURNING {RULE_COLUMNS}"
            );
            client
                .query_opt(&sql, &[&input.keyword, &input.tag, &priority, &input.site])
                .await?
        }
        Some(id) => {
            let sql = format!(
                "UPDATE rules SET keyword = $2, tag = $3, priority = $4, site = $5 WHERE id = $1
                 RETURNING {RULE_COLUMNS}"
            );
            client
                .query_opt(
                    &sql,
                    &[&id.0, &input.keyword, &input.tag, &priority, &input.site],
                )
                .await?
        }
    };
    match row {
        Some(row) => rule_from_row(&row),
        None => Err(StoreError::NotFound),
    }
}

pub async fn delete_rule(client: &impl Sql, id: RuleId) -> Result<(), StoreError> {
    let deleted = client
        .execute("DELETE FROM rules WHERE id = $1", &[&id.0])
        .await?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn team_settings(client: &impl Sql) -> Result<TeamSettings, StoreError> {
    Ok(TeamSettings {
        max_chats_per_operator: max_chats(client).await?,
    })
}

/// Saves the team's settings; a higher maximum hands waiting conversations out at once.
pub async fn set_team_settings(
    tx: &Tx,
    settings: &TeamSettings,
) -> Result<TeamSettings, StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[
            &MAX_CHATS_KEY,
            &settings.max_chats_per_operator.to_string().into_bytes(),
        ],
    )
    .await?;
    assign_queue(tx).await?;
    team_settings(tx).await
}

/// The columns [`site_from_row`] reads.
const SITE_COLUMNS: &str = "name, title, auto_message_delay, auto_message_text, rating_enabled,
    suggested_questions, hours, notify_email, retention_days, visitor_erase";

fn site_from_row(row: &Row) -> Result<SiteSettings, StoreError> {
    Ok(SiteSettings {
        name: row.try_get(0)?,
        title: row.try_get(1)?,
        auto_message_delay_secs: u32::try_from(row.try_get::<_, i64>(2)?).map_err(|_| {
            StoreError::Database("a stored automatic message delay is out of range".into())
        })?,
        auto_message_text: row.try_get(3)?,
        rating_enabled: row.try_get(4)?,
        suggested_questions: questions_from_json(row.try_get(5)?),
        // Opening hours that cannot be read count as none, as on SQLite.
        hours: row
            .try_get::<_, Option<&str>>(6)?
            .and_then(|json| serde_json::from_str(json).ok()),
        notify_email: row.try_get(7)?,
        retention_days: row
            .try_get::<_, Option<i64>>(8)?
            .and_then(|days| u32::try_from(days).ok()),
        visitor_erase: row.try_get(9)?,
    })
}

pub async fn sites(client: &impl Sql) -> Result<Vec<SiteSettings>, StoreError> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY name COLLATE \"C\"");
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(site_from_row)
        .collect()
}

pub async fn update_site(
    client: &impl Sql,
    name: &str,
    settings: &SiteSettings,
) -> Result<SiteSettings, StoreError> {
    let questions = serde_json::to_string(
        &settings
            .suggested_questions
            .iter()
            .map(|question| question.trim())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".to_owned());
    let hours = settings
        .hours
        .as_ref()
        .and_then(|hours| serde_json::to_string(hours).ok());
    let sql = format!(
        "UPDATE sites SET title = $2, auto_message_delay = $3, auto_message_text = $4,
         rating_enabled = $5, suggested_questions = $6, hours = $7, notify_email = $8,
         retention_days = $9, visitor_erase = $10
         WHERE name = $1 RETURNING {SITE_COLUMNS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &name,
                &settings.title.trim(),
                &i64::from(settings.auto_message_delay_secs),
                &settings.auto_message_text.trim(),
                &settings.rating_enabled,
                &questions,
                &hours,
                &settings.notify_email.trim(),
                &settings.retention_days.map(i64::from),
                &settings.visitor_erase,
            ],
        )
        .await?;
    match row {
        Some(row) => site_from_row(&row),
        None => Err(StoreError::NotFound),
    }
}
