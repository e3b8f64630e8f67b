//! The SQL of the operators' workflow on a conversation on PostgreSQL: tags, transfers and
//! take-overs, joining (with the system message that tells the visitor who is there), read
//! marks and the visitor's rating — the twin of the SQLite workflow. The writes run inside the
//! writer's transaction ([`Tx`]), so a transfer and the queue it sets off commit together.

use super::Tx;
use super::conversations::append_message;
use super::queue::assign_queue;
use super::rows::{conversation_changed, conversation_summary, visitor_locale};
use super::sql::Sql;
use super::sql::to_json;
use crate::chat::texts;
use crate::store::{Event, MessageTarget, NewMessage, StoreError};
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::visitor::Agent;
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, OperatorId, Rating, Seq, VisitorId,
};
use tokio_postgres::error::SqlState;

pub async fn set_tags(
    tx: &Tx,
    conversation_id: ConversationId,
    tags: &[String],
) -> Result<ConversationSummary, StoreError> {
    let updated = tx
        .execute(
            "UPDATE conversations SET tags = $2 WHERE id = $1",
            &[&conversation_id.0, &to_json(&tags)?],
        )
        .await?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    conversation_changed(tx, conversation_id).await
}

/// Hands a conversation to an operator (a transfer, or a take-over when it is oneself).
pub async fn assign(
    tx: &Tx,
    conversation_id: ConversationId,
    operator_id: OperatorId,
) -> Result<ConversationSummary, StoreError> {
    let exists = tx
        .query_opt("SELECT id FROM operators WHERE id = $1", &[&operator_id.0])
        .await?;
    if exists.is_none() {
        return Err(StoreError::NoSuchOperator(operator_id));
    }
    let updated = tx
        .execute(
            "UPDATE conversations SET assigned_to = $2 WHERE id = $1",
            &[&conversation_id.0, &operator_id.0],
        )
        .await?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    let summary = conversation_changed(tx, conversation_id).await?;
    tx.emit(Event::QueuePosition {
        site: summary.site.clone(),
        visitor_id: summary.visitor.id.clone(),
        position: None,
    });
    // The previous operator may have room for the next one waiting.
    assign_queue(tx).await?;
    Ok(summary)
}

/// The operator opened the conversation: the visitor is told who is there for them (once per
/// operator), and a conversation nobody had is theirs.
pub async fn join(
    tx: &Tx,
    conversation_id: ConversationId,
    operator_id: OperatorId,
) -> Result<ConversationSummary, StoreError> {
    let row = tx
        .query_opt(
            "SELECT assigned_to, agent_id, site, visitor_id, status FROM conversations WHERE id = $1",
            &[&conversation_id.0],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let assigned_to: Option<i64> = row.get(0);
    let agent_id: Option<i64> = row.get(1);
    let site: String = row.get(2);
    let visitor_id = VisitorId(row.get(3));
    let status: String = row.get(4);
    // Reading a resolved conversation is not being there for the visitor: nothing to announce.
    if status != ConversationStatus::Open.as_str() {
        return Err(StoreError::NotOpen);
    }
    if assigned_to.is_none() {
        assign(tx, conversation_id, operator_id).await?;
    }
    if agent_id != Some(operator_id.0) {
        let operator = tx
            .query_opt(
                "SELECT name, photo_url FROM operators WHERE id = $1",
                &[&operator_id.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let (name, photo_url): (String, Option<String>) = (operator.get(0), operator.get(1));
        tx.execute(
            "UPDATE conversations SET agent_id = $2 WHERE id = $1",
            &[&conversation_id.0, &operator_id.0],
        )
        .await?;
        let locale = visitor_locale(tx, &site, &visitor_id).await?;
        append_message(
            tx,
            &NewMessage {
                files: Vec::new(),
                target: MessageTarget::Conversation(conversation_id),
                author: Author::System,
                operator_id: None,
                client_id: None,
                text: texts::joined(locale.as_deref(), &name),
                origin: None,
            },
        )
        .await?;
        tx.emit(Event::AgentJoined {
            site,
            visitor_id,
            agent: Agent { name, photo_url },
        });
    }
    conversation_summary(tx, conversation_id).await
}

pub async fn mark_read(
    tx: &Tx,
    conversation_id: ConversationId,
    operator_id: OperatorId,
    seq: Seq,
) -> Result<(), StoreError> {
    let seq = i64::try_from(seq.0).unwrap_or(i64::MAX);
    let marked = tx
        .execute(
            "INSERT INTO reads (conversation_id, operator_id, seq) VALUES ($1, $2, $3)
             ON CONFLICT (conversation_id, operator_id)
             DO UPDATE SET seq = GREATEST(reads.seq, excluded.seq)",
            &[&conversation_id.0, &operator_id.0, &seq],
        )
        .await;
    match marked {
        Ok(_) => Ok(()),
        // PostgreSQL checks the references SQLite does not: a mark of a conversation (or by an
        // operator) that does not exist is not found, not a database failure.
        Err(error) if error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::NotFound)
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn rate(
    tx: &Tx,
    site: &str,
    visitor_id: &VisitorId,
    rating: Rating,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    let found = tx
        .query_opt(
            "SELECT c.id, c.status, s.rating_enabled FROM conversations c JOIN sites s ON s.name = c.site
             WHERE c.site = $1 AND c.visitor_id = $2",
            &[&site, &visitor_id.0],
        )
        .await?;
    let Some(found) = found else {
        return Err(StoreError::NotFound);
    };
    let (id, status, enabled): (i64, String, bool) = (found.get(0), found.get(1), found.get(2));
    if !enabled {
        return Err(StoreError::RatingOff);
    }
    if status != "resolved" {
        return Err(StoreError::NotResolved);
    }
    tx.execute(
        "UPDATE conversations SET rating = $2, rating_comment = $3 WHERE id = $1",
        &[&id, &rating.as_str(), &comment],
    )
    .await?;
    super::reports::rated(tx, ConversationId(id), rating.as_str(), comment).await?;
    conversation_changed(tx, ConversationId(id)).await?;
    tx.emit(Event::Rated {
        site: site.to_owned(),
        visitor_id: visitor_id.clone(),
        rating,
        comment: comment.map(str::to_owned),
    });
    Ok(())
}
