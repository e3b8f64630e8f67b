//! The SQL for privacy (see `store/privacy.rs`): export, erase, retention, blocks, audit log.

use super::conversations::conversation;
use super::history::notes;
use super::history::site_word;
use super::rows::messages_after_seq;
use crate::clock::{iso8601, now_millis};
use crate::store::history::{indexed_words, search_rowid, searchable_text};
use crate::store::privacy::{action_from_text, action_text, erased_event};
use crate::store::{AuditRecord, Event, Expired, StoreError};
use beseda_protocol::api::VisitorInfo;
use beseda_protocol::privacy::{
    AuditDetail, AuditEntry, AuditTarget, Block, ExportedAnswerView, ExportedConversation,
    ExportedEmail,
};
use beseda_protocol::{ConversationId, OperatorId, Seq, VisitorId};
use rusqlite::{Connection, OptionalExtension, Row, params};

pub fn conversations_of_email(
    connection: &Connection,
    email: &str,
) -> Result<Vec<ConversationId>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id FROM conversations WHERE visitor_email = ?1 COLLATE NOCASE ORDER BY id",
    )?;
    let rows = statement.query_map([email.trim()], |row| row.get(0).map(ConversationId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn export(
    connection: &Connection,
    conversations: &[ConversationId],
    audit: &AuditRecord,
) -> Result<Vec<ExportedConversation>, StoreError> {
    let mut exported = Vec::with_capacity(conversations.len());
    for &id in conversations {
        let detail = conversation(connection, id)?;
        let locale: Option<String> = connection
            .prepare_cached("SELECT locale FROM visitors WHERE site = ?1 AND visitor_id = ?2")?
            .query_row(params![detail.site, detail.visitor.id.0], |row| row.get(0))
            .optional()?
            .flatten();
        let emails = connection
            .prepare_cached(
                "SELECT kind, recipient, created_at, sent_at FROM mail_outbox
                 WHERE conversation_id = ?1 OR id IN (SELECT mm.mail_id FROM mail_messages mm
                     JOIN messages m ON m.id = mm.message_id WHERE m.conversation_id = ?1)
                 ORDER BY id",
            )?
            .query_map([id.0], |row| {
                Ok(ExportedEmail {
                    kind: row.get(0)?,
                    recipient: row.get(1)?,
                    created_at: iso8601(row.get(2)?),
                    sent_at: row.get::<_, Option<i64>>(3)?.map(iso8601),
                })
            })?
            .collect::<Result<_, _>>()?;
        let answer_views = connection
            .prepare_cached(
                "SELECT answer_id, at FROM report_answer_events
                 WHERE site = ?1 AND visitor_id = ?2 ORDER BY id",
            )?
            .query_map(params![detail.site, detail.visitor.id.0], |row| {
                Ok(ExportedAnswerView {
                    answer_id: row.get(0)?,
                    at: iso8601(row.get(1)?),
                })
            })?
            .collect::<Result<_, _>>()?;
        let blocked = block_of(connection, id)?;
        exported.push(ExportedConversation {
            notes: notes(connection, id)?,
            conversation: detail,
            locale,
            emails,
            answer_views,
            blocked,
        });
    }
    record_audit(connection, audit)?;
    Ok(exported)
}

pub fn erase(
    connection: &Connection,
    conversations: &[ConversationId],
    audit: &AuditRecord,
    events: &mut Vec<Event>,
) -> Result<u32, StoreError> {
    let mut erased = 0;
    for &id in conversations {
        let found: Option<(String, String)> = connection
            .prepare_cached("SELECT site, visitor_id FROM conversations WHERE id = ?1")?
            .query_row([id.0], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((site, visitor_id)) = found else {
            continue;
        };
        // The index holds no text to delete by (it is contentless): each indexed message's words are
        // given again, as they were indexed, so that FTS5's `secure-delete` removes them from
        // its pages instead of leaving a tombstone beside them until the next merge.
        let site_word = site_word(&site);
        let mut unindex = connection.prepare_cached(
            "INSERT INTO message_search (message_search, rowid, words) VALUES ('delete', ?1, ?2)",
        )?;
        let mut indexed =
            connection.prepare_cached("SELECT 1 FROM message_search_docsize WHERE id = ?1")?;
        for message in messages_after_seq(connection, id, Seq(0))? {
            // Only what was indexed (the relay's own texts are not): the index cannot be told
            // to delete what it never held.
            let rowid = search_rowid(id, message.seq.0)
                .filter(|rowid| indexed.exists([rowid]).unwrap_or(false));
            if let Some(rowid) = rowid {
                let words = format!("{} {site_word}", indexed_words(&searchable_text(&message)));
                unindex.execute(params![rowid, words])?;
            }
        }
        for sql in [
            // The shop's emails gather the messages of a whole site: this conversation's
            // leave them, and an email it named that still carries others' is theirs now.
            "DELETE FROM mail_messages WHERE message_id IN
                 (SELECT id FROM messages WHERE conversation_id = ?1)",
            "UPDATE mail_outbox SET conversation_id = (
                 SELECT m.conversation_id FROM mail_messages mm JOIN messages m ON m.id = mm.message_id
                 WHERE mm.mail_id = mail_outbox.id ORDER BY m.id LIMIT 1)
             WHERE conversation_id = ?1 AND kind = 'shop'
               AND EXISTS (SELECT 1 FROM mail_messages mm WHERE mm.mail_id = mail_outbox.id)",
            "DELETE FROM mail_messages WHERE mail_id IN
                 (SELECT id FROM mail_outbox WHERE conversation_id = ?1)",
            "DELETE FROM mail_outbox WHERE conversation_id = ?1",
            "DELETE FROM webhook_deliveries WHERE conversation_id = ?1",
            "DELETE FROM webhook_assignees WHERE conversation_id = ?1",
            "DELETE FROM files WHERE conversation_id = ?1",
            "DELETE FROM notes WHERE conversation_id = ?1",
            "DELETE FROM reviews WHERE conversation_id = ?1",
            "DELETE FROM reads WHERE conversation_id = ?1",
            "DELETE FROM messages WHERE conversation_id = ?1",
            "UPDATE report_episodes SET conversation_id = -conversation_id, rating_comment = NULL
             WHERE conversation_id = ?1",
            "UPDATE address_blocks SET conversation_id = NULL WHERE conversation_id = ?1",
            "DELETE FROM conversations WHERE id = ?1",
        ] {
            connection.prepare_cached(sql)?.execute([id.0])?;
        }
        for sql in [
            "UPDATE report_answer_events SET visitor_id = NULL WHERE site = ?1 AND visitor_id = ?2",
            "DELETE FROM visitors WHERE site = ?1 AND visitor_id = ?2",
        ] {
            connection
                .prepare_cached(sql)?
                .execute(params![site, visitor_id])?;
        }
        events.push(erased_event(id, site, &VisitorId(visitor_id)));
        erased += 1;
    }
    // An erase by email that found nothing is an act too; one of a missing conversation is not.
    if erased > 0 || conversations.is_empty() {
        record_audit(connection, audit)?;
    }
    Ok(erased)
}

pub fn expired(connection: &Connection, now: i64, limit: u32) -> Result<Vec<Expired>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT c.id, c.site FROM sites s JOIN conversations c
             ON c.status = 'resolved' AND c.site = s.name
            AND c.updated_at < ?1 - s.retention_days * 86400000
         WHERE s.retention_days IS NOT NULL
         ORDER BY c.updated_at LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now, limit], |row| {
        Ok(Expired {
            conversation_id: ConversationId(row.get(0)?),
            site: row.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const BLOCK_SELECT: &str = "SELECT c.id, c.site, c.visitor_id, c.visitor_name, c.visitor_email,
        COALESCE(o.name, ''), c.blocked_at, c.blocked_address_until
    FROM conversations c LEFT JOIN operators o ON o.id = c.blocked_by";

fn block_from_row(row: &Row<'_>) -> rusqlite::Result<Block> {
    let now = now_millis();
    Ok(Block {
        conversation_id: ConversationId(row.get(0)?),
        site: row.get(1)?,
        visitor: VisitorInfo {
            id: VisitorId(row.get(2)?),
            name: row.get(3)?,
            email: row.get(4)?,
        },
        blocked_by: row.get(5)?,
        blocked_at: iso8601(row.get(6)?),
        address_until: row
            .get::<_, Option<i64>>(7)?
            .filter(|until| *until > now)
            .map(iso8601),
    })
}

fn block_of(connection: &Connection, id: ConversationId) -> Result<Option<Block>, StoreError> {
    let sql = format!("{BLOCK_SELECT} WHERE c.id = ?1 AND c.blocked_at IS NOT NULL");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row([id.0], block_from_row)
        .optional()?)
}

pub fn block(
    connection: &Connection,
    id: ConversationId,
    by: OperatorId,
    address_until: Option<i64>,
    address: Option<[u8; 32]>,
    events: &mut Vec<Event>,
) -> Result<Block, StoreError> {
    let found: Option<(String, String)> = connection
        .prepare_cached(
            "UPDATE conversations SET blocked_at = ?2, blocked_by = ?3, blocked_address_until = ?4
             WHERE id = ?1 RETURNING site, visitor_id",
        )?
        .query_row(params![id.0, now_millis(), by.0, address_until], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let Some((site, visitor_id)) = found else {
        return Err(StoreError::NotFound);
    };
    if let (Some(until), Some(hash)) = (address_until, address) {
        block_address(connection, id, hash, until)?;
    }
    let detail = address_until
        .map_or(AuditDetail::None, |until| {
            AuditDetail::AddressUntil(iso8601(until))
        })
        .to_string();
    record_audit(
        connection,
        &AuditRecord {
            operator: Some(by),
            action: beseda_protocol::privacy::AuditAction::Block,
            target: AuditTarget::Conversation(id.0).to_string(),
            detail,
        },
    )?;
    events.push(Event::Blocked {
        conversation_id: id,
        site,
        visitor_id: VisitorId(visitor_id),
        blocked: true,
    });
    block_of(connection, id)?.ok_or(StoreError::NotFound)
}

pub fn unblock(
    connection: &Connection,
    id: ConversationId,
    by: OperatorId,
    events: &mut Vec<Event>,
) -> Result<bool, StoreError> {
    let found: Option<(String, String)> = connection
        .prepare_cached(
            "UPDATE conversations SET blocked_at = NULL, blocked_by = NULL,
                 blocked_address_until = NULL
             WHERE id = ?1 AND blocked_at IS NOT NULL RETURNING site, visitor_id",
        )?
        .query_row([id.0], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((site, visitor_id)) = found else {
        return Ok(false);
    };
    connection
        .prepare_cached("DELETE FROM address_blocks WHERE conversation_id = ?1")?
        .execute([id.0])?;
    record_audit(
        connection,
        &AuditRecord {
            operator: Some(by),
            action: beseda_protocol::privacy::AuditAction::Unblock,
            target: AuditTarget::Conversation(id.0).to_string(),
            detail: String::new(),
        },
    )?;
    events.push(Event::Blocked {
        conversation_id: id,
        site,
        visitor_id: VisitorId(visitor_id),
        blocked: false,
    });
    Ok(true)
}

pub fn block_address(
    connection: &Connection,
    id: ConversationId,
    hash: [u8; 32],
    until: i64,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO address_blocks (hash, conversation_id, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (hash) DO UPDATE SET conversation_id = excluded.conversation_id,
                 until = max(until, excluded.until)",
        )?
        .execute(params![hash.as_slice(), id.0, until])?;
    // Ended blocks go as others are written: nothing keeps an address past its block.
    connection
        .prepare_cached("DELETE FROM address_blocks WHERE until <= ?1")?
        .execute([now_millis()])?;
    Ok(())
}

pub fn address_blocked(
    connection: &Connection,
    hash: [u8; 32],
    now: i64,
) -> Result<bool, StoreError> {
    Ok(connection
        .prepare_cached("SELECT 1 FROM address_blocks WHERE hash = ?1 AND until > ?2")?
        .query_row(params![hash.as_slice(), now], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn blocks(connection: &Connection) -> Result<Vec<Block>, StoreError> {
    let sql = format!(
        "{BLOCK_SELECT} WHERE c.blocked_at IS NOT NULL ORDER BY c.blocked_at DESC, c.id DESC"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([], block_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn record_audit(connection: &Connection, audit: &AuditRecord) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO audit_log (at, operator_id, action, target, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            now_millis(),
            audit.operator.map(|operator| operator.0),
            action_text(audit.action),
            audit.target,
            audit.detail
        ])?;
    Ok(())
}

pub fn audit(
    connection: &Connection,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT a.id, a.at, o.name, a.action, a.target, a.detail
         FROM audit_log a LEFT JOIN operators o ON o.id = a.operator_id
         WHERE ?1 IS NULL OR a.id < ?1 ORDER BY a.id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![before, limit], |row| {
        Ok(AuditEntry {
            id: row.get(0)?,
            at: iso8601(row.get(1)?),
            operator: row.get(2)?,
            action: action_from_text(&row.get::<_, String>(3)?),
            target: row.get(4)?,
            detail: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn forget_deliveries(connection: &Connection, before: i64) -> Result<u64, StoreError> {
    let gone = connection
        .prepare_cached(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?1",
        )?
        .execute([before])?;
    Ok(u64::try_from(gone).unwrap_or(0))
}
