//! The SQL for what the team manages: operators' profiles, shortcuts, keyword rules, the team's
//! and the sites' settings.

use super::queue::{MAX_CHATS_KEY, assign_queue, max_chats};
use super::rows::{
    conversation_summary, is_unique_violation, profile_from_row, questions_from_json, site_title,
};
use crate::clock::now_millis;
use crate::store::{Event, StoreError};
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, ShortcutScope,
    SiteSettings, TeamSettings,
};
use beseda_protocol::{ConversationId, OperatorId, OperatorProfile, RuleId, ShortcutId};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// The columns [`info_from_row`] reads, from `operators o`.
const INFO_COLUMNS: &str = "o.id, o.name, o.email, o.admin, o.photo_url, o.online,
    (SELECT COUNT(*) FROM conversations c WHERE c.assigned_to = o.id AND c.status = 'open'),
    o.disabled, o.language";

fn info_from_row(row: &Row<'_>) -> rusqlite::Result<OperatorInfo> {
    Ok(OperatorInfo {
        profile: profile_from_row(row)?,
        online: row.get(5)?,
        open_chats: u64::try_from(row.get::<_, i64>(6)?).unwrap_or(0),
        disabled: row.get(7)?,
    })
}

pub fn operators(connection: &Connection) -> Result<Vec<OperatorInfo>, StoreError> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {INFO_COLUMNS} FROM operators o ORDER BY o.name COLLATE NOCASE, o.id"
    ))?;
    let rows = statement.query_map([], info_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Disables an operator (or enables them again). Disabling ends all their sessions, sets them
/// offline and puts their open conversations back in the queue, where the operators still
/// available take them. Returns the operator and the token hashes of the sessions ended.
pub fn set_operator_disabled(
    connection: &Connection,
    operator_id: OperatorId,
    disabled: bool,
    events: &mut Vec<Event>,
) -> Result<(OperatorInfo, Vec<[u8; 32]>), StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE operators SET disabled = ?2, online = CASE WHEN ?2 THEN 0 ELSE online END
             WHERE id = ?1",
        )?
        .execute(params![operator_id.0, disabled])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        super::reports::availability_set(connection, operator_id, false, now_millis())?;
    }
    let mut ended = Vec::new();
    if disabled {
        ended = super::accounts::end_operator_sessions(connection, operator_id, None)?;
        let released: Vec<i64> = connection
            .prepare_cached(
                "UPDATE conversations SET assigned_to = NULL
                 WHERE assigned_to = ?1 AND status = 'open' RETURNING id",
            )?
            .query_map([operator_id.0], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for id in released {
            let summary = conversation_summary(connection, ConversationId(id))?;
            events.push(Event::ConversationChanged {
                visitor_id: summary.visitor.id.clone(),
                conversation: summary,
                created: false,
                status_changed: false,
            });
        }
        assign_queue(connection, events)?;
    }
    let info = connection
        .prepare_cached(&format!(
            "SELECT {INFO_COLUMNS} FROM operators o WHERE o.id = ?1"
        ))?
        .query_row([operator_id.0], info_from_row)?;
    Ok((info, ended))
}

pub fn update_operator(
    connection: &Connection,
    operator_id: OperatorId,
    update: &OperatorUpdate,
) -> Result<OperatorProfile, StoreError> {
    // An empty photo address removes the photo, an empty language the choice of one.
    let photo = update.photo_url.as_deref().map(str::trim);
    let language = update.language.as_deref().map(str::trim);
    let changed = connection
        .prepare_cached(
            "UPDATE operators SET name = COALESCE(?2, name),
             photo_url = CASE WHEN ?3 IS NULL THEN photo_url WHEN ?3 = '' THEN NULL ELSE ?3 END,
             admin = COALESCE(?4, admin),
             language = CASE WHEN ?5 IS NULL THEN language WHEN ?5 = '' THEN NULL ELSE ?5 END
             WHERE id = ?1",
        )?
        .execute(params![
            operator_id.0,
            update.name.as_deref().map(str::trim),
            photo,
            update.admin,
            language
        ])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(connection
        .prepare_cached(
            "SELECT id, name, email, admin, photo_url, language FROM operators WHERE id = ?1",
        )?
        .query_row([operator_id.0], profile_from_row)?)
}

fn shortcut_from_row(row: &Row<'_>) -> rusqlite::Result<Shortcut> {
    let owner: Option<i64> = row.get(1)?;
    Ok(Shortcut {
        id: ShortcutId(row.get(0)?),
        name: row.get(2)?,
        text: row.get(3)?,
        scope: if owner.is_some() {
            ShortcutScope::Personal
        } else {
            ShortcutScope::Team
        },
        owner_id: owner.map(OperatorId),
    })
}

/// The operator's personal shortcuts and the team's, by name.
pub fn shortcuts(
    connection: &Connection,
    operator_id: OperatorId,
) -> Result<Vec<Shortcut>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, owner_id, name, text FROM shortcuts WHERE owner_id IS NULL OR owner_id = ?1
         ORDER BY name COLLATE NOCASE, owner_id IS NULL, id",
    )?;
    let rows = statement.query_map([operator_id.0], shortcut_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn shortcut(connection: &Connection, id: ShortcutId) -> Result<Shortcut, StoreError> {
    Ok(connection
        .prepare_cached("SELECT id, owner_id, name, text FROM shortcuts WHERE id = ?1")?
        .query_row([id.0], shortcut_from_row)?)
}

/// Creates (`id` None) or replaces a shortcut; `owner` None makes it the team's.
pub fn save_shortcut(
    connection: &Connection,
    id: Option<ShortcutId>,
    owner: Option<OperatorId>,
    input: &ShortcutInput,
) -> Result<Shortcut, StoreError> {
    let owner = owner.map(|owner| owner.0);
    let result = match id {
        None => connection
            .prepare_cached(
                "INSERT INTO shortcuts (owner_id, name, text, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![owner, input.name, input.text, now_millis()])
            .map(|_| ShortcutId(connection.last_insert_rowid())),
        Some(id) => connection
            .prepare_cached(
                "UPDATE shortcuts SET owner_id = ?2, name = ?3, text = ?4 WHERE id = ?1",
            )?
            .execute(params![id.0, owner, input.name, input.text])
            .and_then(|changed| {
                if changed == 0 {
                    Err(rusqlite::Error::QueryReturnedNoRows)
                } else {
                    Ok(id)
                }
            }),
    };
    match result {
        Ok(id) => shortcut(connection, id),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::ShortcutTaken(input.name.clone()))
        }
        Err(error) => Err(error.into()),
    }
}

pub fn delete_shortcut(connection: &Connection, id: ShortcutId) -> Result<(), StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM shortcuts WHERE id = ?1")?
        .execute([id.0])?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

fn rule_from_row(row: &Row<'_>) -> rusqlite::Result<PriorityRule> {
    Ok(PriorityRule {
        id: RuleId(row.get(0)?),
        keyword: row.get(1)?,
        tag: row.get(2)?,
        priority: row.get(3)?,
        site: row.get(4)?,
    })
}

pub fn rules(connection: &Connection) -> Result<Vec<PriorityRule>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, keyword, tag, priority, site FROM rules ORDER BY priority DESC, id",
    )?;
    let rows = statement.query_map([], rule_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn save_rule(
    connection: &Connection,
    id: Option<RuleId>,
    input: &RuleInput,
) -> Result<PriorityRule, StoreError> {
    if let Some(site) = &input.site
        && site_title(connection, site)?.is_none()
    {
        return Err(StoreError::NoSuchSite(site.clone()));
    }
    let id = match id {
        None => {
            connection
                .prepare_cached(
                    "INSERT INTO rules (keyword, tag, priority, site) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    input.keyword,
                    input.tag,
                    input.priority,
                    input.site
                ])?;
            connection.last_insert_rowid()
        }
        Some(id) => {
            let changed = connection
                .prepare_cached(
                    "UPDATE rules SET keyword = ?2, tag = ?3, priority = ?4, site = ?5 WHERE id = ?1",
                )?
                .execute(params![id.0, input.keyword, input.tag, input.priority, input.site])?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            id.0
        }
    };
    Ok(connection
        .prepare_cached("SELECT id, keyword, tag, priority, site FROM rules WHERE id = ?1")?
        .query_row([id], rule_from_row)?)
}

pub fn delete_rule(connection: &Connection, id: RuleId) -> Result<(), StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM rules WHERE id = ?1")?
        .execute([id.0])?;
    if deleted == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub fn team_settings(connection: &Connection) -> Result<TeamSettings, StoreError> {
    Ok(TeamSettings {
        max_chats_per_operator: max_chats(connection)?,
    })
}

/// Saves the team's settings; a higher maximum hands waiting conversations out at once.
pub fn set_team_settings(
    connection: &Connection,
    settings: &TeamSettings,
    events: &mut Vec<Event>,
) -> Result<TeamSettings, StoreError> {
    connection
        .prepare_cached("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")?
        .execute(params![
            MAX_CHATS_KEY,
            settings.max_chats_per_operator.to_string().into_bytes()
        ])?;
    assign_queue(connection, events)?;
    team_settings(connection)
}

fn site_from_row(row: &Row<'_>) -> rusqlite::Result<SiteSettings> {
    Ok(SiteSettings {
        name: row.get(0)?,
        title: row.get(1)?,
        auto_message_delay_secs: row.get(2)?,
        auto_message_text: row.get(3)?,
        rating_enabled: row.get(4)?,
        suggested_questions: questions_from_json(&row.get::<_, String>(5)?),
        hours: row
            .get::<_, Option<String>>(6)?
            .and_then(|json| serde_json::from_str(&json).ok()),
        notify_email: row.get(7)?,
        retention_days: row.get(8)?,
        visitor_erase: row.get(9)?,
    })
}

const SITE_SELECT: &str =
    "SELECT name, title, auto_message_delay, auto_message_text, rating_enabled,
     suggested_questions, hours, notify_email, retention_days, visitor_erase FROM sites";

pub fn sites(connection: &Connection) -> Result<Vec<SiteSettings>, StoreError> {
    let sql = format!("{SITE_SELECT} ORDER BY name");
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([], site_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn update_site(
    connection: &Connection,
    name: &str,
    settings: &SiteSettings,
) -> Result<SiteSettings, StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE sites SET title = ?2, auto_message_delay = ?3, auto_message_text = ?4,
             rating_enabled = ?5, suggested_questions = ?6, hours = ?7, notify_email = ?8,
             retention_days = ?9, visitor_erase = ?10
             WHERE name = ?1",
        )?
        .execute(params![
            name,
            settings.title.trim(),
            settings.auto_message_delay_secs,
            settings.auto_message_text.trim(),
            settings.rating_enabled,
            serde_json::to_string(
                &settings
                    .suggested_questions
                    .iter()
                    .map(|question| question.trim())
                    .collect::<Vec<_>>()
            )
            .unwrap_or_else(|_| "[]".to_owned()),
            settings
                .hours
                .as_ref()
                .and_then(|hours| serde_json::to_string(hours).ok()),
            settings.notify_email.trim(),
            settings.retention_days,
            settings.visitor_erase
        ])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let sql = format!("{SITE_SELECT} WHERE name = ?1");
    connection
        .prepare_cached(&sql)?
        .query_row([name], site_from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}
