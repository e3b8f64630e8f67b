//! The SQL for privacy (see `store/privacy.rs`): export, erase, retention, blocks, audit log.

use super::Tx;
use super::conversations::conversation;
use super::history::notes;
use super::sql::Sql;
use crate::clock::{iso8601, now_millis};
use crate::store::privacy::{action_from_text, action_text, erased_event};
use crate::store::{AuditRecord, Event, Expired, StoreError};
use beseda_protocol::api::VisitorInfo;
use beseda_protocol::privacy::{
    AuditAction, AuditDetail, AuditEntry, AuditTarget, Block, ExportedAnswerView,
    ExportedConversation, ExportedEmail,
};
use beseda_protocol::{ConversationId, OperatorId, VisitorId};
use tokio_postgres::Row;

pub async fn conversations_of_email(
    client: &impl Sql,
    email: &str,
) -> Result<Vec<ConversationId>, StoreError> {
    Ok(client
        .query(
            "SELECT id FROM conversations WHERE lower(visitor_email) = lower($1) ORDER BY id",
            &[&email.trim()],
        )
        .await?
        .iter()
        .map(|row| ConversationId(row.get(0)))
        .collect())
}

pub async fn export(
    tx: &Tx,
    conversations: &[ConversationId],
    audit: &AuditRecord,
) -> Result<Vec<ExportedConversation>, StoreError> {
    let mut exported = Vec::with_capacity(conversations.len());
    for &id in conversations {
        let detail = conversation(tx, id).await?;
        let locale: Option<String> = tx
            .query_opt(
                "SELECT locale FROM visitors WHERE site = $1 AND visitor_id = $2",
                &[&detail.site, &detail.visitor.id.0],
            )
            .await?
            .and_then(|row| row.get(0));
        let emails = tx
            .query(
                "SELECT kind, recipient, created_at, sent_at FROM mail_outbox
                 WHERE conversation_id = $1 OR id IN (SELECT mm.mail_id FROM mail_messages mm
                     JOIN messages m ON m.id = mm.message_id WHERE m.conversation_id = $1)
                 ORDER BY id",
                &[&id.0],
            )
            .await?
            .iter()
            .map(|row| ExportedEmail {
                kind: row.get(0),
                recipient: row.get(1),
                created_at: iso8601(row.get(2)),
                sent_at: row.get::<_, Option<i64>>(3).map(iso8601),
            })
            .collect();
        let answer_views = tx
            .query(
                "SELECT answer_id, at FROM report_answer_events
                 WHERE site = $1 AND visitor_id = $2 ORDER BY id",
                &[&detail.site, &detail.visitor.id.0],
            )
            .await?
            .iter()
            .map(|row| ExportedAnswerView {
                answer_id: row.get(0),
                at: iso8601(row.get(1)),
            })
            .collect();
        let blocked = block_of(tx, id).await?;
        exported.push(ExportedConversation {
            notes: notes(tx, id).await?,
            conversation: detail,
            locale,
            emails,
            answer_views,
            blocked,
        });
    }
    record_audit(tx, audit).await?;
    Ok(exported)
}

pub async fn erase(
    tx: &Tx,
    conversations: &[ConversationId],
    audit: &AuditRecord,
) -> Result<u32, StoreError> {
    let mut erased_count = 0;
    for &id in conversations {
        let Some(row) = tx
            .query_opt(
                "SELECT site, visitor_id FROM conversations WHERE id = $1 FOR UPDATE",
                &[&id.0],
            )
            .await?
        else {
            continue;
        };
        let (site, visitor_id): (String, String) = (row.get(0), row.get(1));
        for sql in [
            "DELETE FROM message_search WHERE conversation_id = $1",
            // The shop's emails gather the messages of a whole site: this conversation's
            // leave them, and an email it named that still carries others' is theirs now.
            "DELETE FROM mail_messages WHERE message_id IN
                 (SELECT id FROM messages WHERE conversation_id = $1)",
            "UPDATE mail_outbox SET conversation_id = (
                 SELECT m.conversation_id FROM mail_messages mm JOIN messages m ON m.id = mm.message_id
                 WHERE mm.mail_id = mail_outbox.id ORDER BY m.id LIMIT 1)
             WHERE conversation_id = $1 AND kind = 'shop'
               AND EXISTS (SELECT 1 FROM mail_messages mm WHERE mm.mail_id = mail_outbox.id)",
            "DELETE FROM mail_messages WHERE mail_id IN
                 (SELECT id FROM mail_outbox WHERE conversation_id = $1)",
            "DELETE FROM mail_outbox WHERE conversation_id = $1",
            "DELETE FROM webhook_deliveries WHERE conversation_id = $1",
            "DELETE FROM webhook_assignees WHERE conversation_id = $1",
            "DELETE FROM files WHERE conversation_id = $1",
            "DELETE FROM notes WHERE conversation_id = $1",
            "DELETE FROM reviews WHERE conversation_id = $1",
            "DELETE FROM reads WHERE conversation_id = $1",
            "DELETE FROM messages WHERE conversation_id = $1",
            "UPDATE report_episodes SET conversation_id = -conversation_id, rating_comment = NULL
             WHERE conversation_id = $1",
            "UPDATE address_blocks SET conversation_id = NULL WHERE conversation_id = $1",
            "DELETE FROM conversations WHERE id = $1",
        ] {
            tx.execute(sql, &[&id.0]).await?;
        }
        for sql in [
            "UPDATE report_answer_events SET visitor_id = NULL WHERE site = $1 AND visitor_id = $2",
            "DELETE FROM visitors WHERE site = $1 AND visitor_id = $2",
        ] {
            tx.execute(sql, &[&site, &visitor_id]).await?;
        }
        // The cluster's event log keeps copies of the conversation's events for a few minutes:
        // each becomes the erase itself, so that nothing of them stays and the relays reading
        // the log find no gap in it.
        let erased = erased_event(id, site, &VisitorId(visitor_id.clone()));
        let placeholder = serde_json::to_string(&erased)
            .map_err(|error| StoreError::Database(error.to_string()))?;
        let pattern = format!("\"(conversation_id|conversationId)\":{}[,}}]", id.0);
        tx.execute(
            "UPDATE event_log SET payload = $1
             WHERE strpos(payload, $2) > 0 OR payload ~ $3",
            &[&placeholder, &visitor_id, &pattern],
        )
        .await?;
        // The cluster's rate windows are kept by the visitor's id too.
        tx.execute(
            "DELETE FROM rate_windows WHERE strpos(key, $1) > 0",
            &[&visitor_id],
        )
        .await?;
        tx.emit(erased);
        erased_count += 1;
    }
    // An erase by email that found nothing is an act too; one of a missing conversation is not.
    if erased_count > 0 || conversations.is_empty() {
        record_audit(tx, audit).await?;
    }
    Ok(erased_count)
}

pub async fn expired(client: &impl Sql, now: i64, limit: u32) -> Result<Vec<Expired>, StoreError> {
    Ok(client
        .query(
            "SELECT c.id, c.site FROM sites s JOIN conversations c
                 ON c.status = 'resolved' AND c.site = s.name
                AND c.updated_at < $1 - s.retention_days * 86400000
             WHERE s.retention_days IS NOT NULL
             ORDER BY c.updated_at LIMIT $2",
            &[&now, &i64::from(limit)],
        )
        .await?
        .iter()
        .map(|row| Expired {
            conversation_id: ConversationId(row.get(0)),
            site: row.get(1),
        })
        .collect())
}

const BLOCK_SELECT: &str = "SELECT c.id, c.site, c.visitor_id, c.visitor_name, c.visitor_email,
        COALESCE(o.name, ''), c.blocked_at, c.blocked_address_until
    FROM conversations c LEFT JOIN operators o ON o.id = c.blocked_by";

fn block_from_row(row: &Row) -> Block {
    let now = now_millis();
    Block {
        conversation_id: ConversationId(row.get(0)),
        site: row.get(1),
        visitor: VisitorInfo {
            id: VisitorId(row.get(2)),
            name: row.get(3),
            email: row.get(4),
        },
        blocked_by: row.get(5),
        blocked_at: iso8601(row.get(6)),
        address_until: row
            .get::<_, Option<i64>>(7)
            .filter(|until| *until > now)
            .map(iso8601),
    }
}

async fn block_of(client: &impl Sql, id: ConversationId) -> Result<Option<Block>, StoreError> {
    let sql = format!("{BLOCK_SELECT} WHERE c.id = $1 AND c.blocked_at IS NOT NULL");
    Ok(client
        .query_opt(&sql, &[&id.0])
        .await?
        .map(|row| block_from_row(&row)))
}

pub async fn block(
    tx: &Tx,
    id: ConversationId,
    by: OperatorId,
    address_until: Option<i64>,
    address: Option<[u8; 32]>,
) -> Result<Block, StoreError> {
    let Some(row) = tx
        .query_opt(
            "UPDATE conversations SET blocked_at = $2, blocked_by = $3, blocked_address_until = $4
             WHERE id = $1 RETURNING site, visitor_id",
            &[&id.0, &now_millis(), &by.0, &address_until],
        )
        .await?
    else {
        return Err(StoreError::NotFound);
    };
    let (site, visitor_id): (String, String) = (row.get(0), row.get(1));
    if let (Some(until), Some(hash)) = (address_until, address) {
        block_address(tx, id, hash, until).await?;
    }
    let detail = address_until
        .map_or(AuditDetail::None, |until| {
            AuditDetail::AddressUntil(iso8601(until))
        })
        .to_string();
    record_audit(
        tx,
        &AuditRecord {
            operator: Some(by),
            action: AuditAction::Block,
            target: AuditTarget::Conversation(id.0).to_string(),
            detail,
        },
    )
    .await?;
    tx.emit(Event::Blocked {
        conversation_id: id,
        site,
        visitor_id: VisitorId(visitor_id),
        blocked: true,
    });
    block_of(tx, id).await?.ok_or(StoreError::NotFound)
}

pub async fn unblock(tx: &Tx, id: ConversationId, by: OperatorId) -> Result<bool, StoreError> {
    let Some(row) = tx
        .query_opt(
            "UPDATE conversations SET blocked_at = NULL, blocked_by = NULL,
                 blocked_address_until = NULL
             WHERE id = $1 AND blocked_at IS NOT NULL RETURNING site, visitor_id",
            &[&id.0],
        )
        .await?
    else {
        return Ok(false);
    };
    let (site, visitor_id): (String, String) = (row.get(0), row.get(1));
    tx.execute(
        "DELETE FROM address_blocks WHERE conversation_id = $1",
        &[&id.0],
    )
    .await?;
    record_audit(
        tx,
        &AuditRecord {
            operator: Some(by),
            action: AuditAction::Unblock,
            target: AuditTarget::Conversation(id.0).to_string(),
            detail: String::new(),
        },
    )
    .await?;
    tx.emit(Event::Blocked {
        conversation_id: id,
        site,
        visitor_id: VisitorId(visitor_id),
        blocked: false,
    });
    Ok(true)
}

pub async fn block_address(
    client: &impl Sql,
    id: ConversationId,
    hash: [u8; 32],
    until: i64,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO address_blocks (hash, conversation_id, until) VALUES ($1, $2, $3)
             ON CONFLICT (hash) DO UPDATE SET conversation_id = excluded.conversation_id,
                 until = GREATEST(address_blocks.until, excluded.until)",
            &[&hash.as_slice(), &id.0, &until],
        )
        .await?;
    // Ended blocks go as others are written: nothing keeps an address past its block.
    client
        .execute(
            "DELETE FROM address_blocks WHERE until <= $1",
            &[&now_millis()],
        )
        .await?;
    Ok(())
}

pub async fn address_blocked(
    client: &impl Sql,
    hash: [u8; 32],
    now: i64,
) -> Result<bool, StoreError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM address_blocks WHERE hash = $1 AND until > $2",
            &[&hash.as_slice(), &now],
        )
        .await?
        .is_some())
}

pub async fn blocks(client: &impl Sql) -> Result<Vec<Block>, StoreError> {
    let sql = format!(
        "{BLOCK_SELECT} WHERE c.blocked_at IS NOT NULL ORDER BY c.blocked_at DESC, c.id DESC"
    );
    Ok(client
        .query(&sql, &[])
        .await?
        .iter()
        .map(block_from_row)
        .collect())
}

pub async fn record_audit(client: &impl Sql, audit: &AuditRecord) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO audit_log (at, operator_id, action, target, detail)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &now_millis(),
                &audit.operator.map(|operator| operator.0),
                &action_text(audit.action),
                &audit.target,
                &audit.detail,
            ],
        )
        .await?;
    Ok(())
}

pub async fn audit(
    client: &impl Sql,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(client
        .query(
            "SELECT a.id, a.at, o.name, a.action, a.target, a.detail
             FROM audit_log a LEFT JOIN operators o ON o.id = a.operator_id
             WHERE $1::BIGINT IS NULL OR a.id < $1 ORDER BY a.id DESC LIMIT $2",
            &[&before, &i64::from(limit)],
        )
        .await?
        .iter()
        .map(|row| AuditEntry {
            id: row.get(0),
            at: iso8601(row.get(1)),
            operator: row.get(2),
            action: action_from_text(row.get(3)),
            target: row.get(4),
            detail: row.get(5),
        })
        .collect())
}

pub async fn forget_deliveries(client: &impl Sql, before: i64) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1",
            &[&before],
        )
        .await?)
}
