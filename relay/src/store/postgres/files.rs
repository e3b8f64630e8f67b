//! The SQL of files on PostgreSQL, one function for each of `sqlite/files.rs`: storing a file
//! unattached, attaching it to the message that carries it (in the message's transaction),
//! reading it with its conversation's visitor, and deleting files never attached.

use super::sql::Sql;
use crate::clock::now_millis;
use crate::store::{FilePart, FileTotals, NewFile, StoreError, StoredFile};
use beseda_protocol::{ConversationId, MessageId, VisitorId};

/// Stores a file's bytes without a message.
pub async fn store_file(client: &impl Sql, file: &NewFile) -> Result<(), StoreError> {
    let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
    client
        .execute(
            "INSERT INTO files (id, name, content_type, size, bytes, thumbnail, thumbnail_type,
                                created_at, uploader)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &file.id,
                &file.name,
                &file.content_type,
                &size,
                &file.bytes,
                &file.thumbnail,
                &file.thumbnail_type,
                &now_millis(),
                &file.uploader,
            ],
        )
        .await?;
    Ok(())
}

/// Attaches stored, unattached files to a message just stored (one statement for all); `NotFound`
/// (which rolls the message back with its savepoint) when any of them is missing or attached
/// already.
pub async fn attach_files(
    client: &impl Sql,
    ids: &[String],
    conversation_id: ConversationId,
    message_id: MessageId,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let attached = client
        .execute(
            "UPDATE files SET conversation_id = $2, message_id = $3
             WHERE id = ANY($1::text[]) AND message_id IS NULL",
            &[&ids, &conversation_id.0, &message_id.0],
        )
        .await?;
    if attached == ids.len() as u64 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// An attached file's bytes, or its thumbnail's, with its conversation's visitor.
pub async fn file(
    client: &impl Sql,
    id: &str,
    part: FilePart,
) -> Result<Option<StoredFile>, StoreError> {
    let bytes = match part {
        FilePart::Original => "f.bytes, f.content_type",
        FilePart::Thumbnail => "f.thumbnail, f.thumbnail_type",
    };
    let sql = format!(
        "SELECT f.conversation_id, c.visitor_id, f.name, {bytes}
         FROM files f JOIN conversations c ON c.id = f.conversation_id
         WHERE f.id = $1 AND f.message_id IS NOT NULL"
    );
    let Some(row) = client.query_opt(&sql, &[&id]).await? else {
        return Ok(None);
    };
    let bytes: Option<Vec<u8>> = row.try_get(3)?;
    let content_type: Option<String> = row.try_get(4)?;
    let (Some(bytes), Some(content_type)) = (bytes, content_type) else {
        return Ok(None);
    };
    Ok(Some(StoredFile {
        conversation_id: ConversationId(row.try_get(0)?),
        visitor_id: VisitorId(row.try_get(1)?),
        name: row.try_get(2)?,
        content_type,
        bytes,
    }))
}

/// Deletes the unattached files among `ids`.
pub async fn drop_files(client: &impl Sql, ids: &[String]) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "DELETE FROM files WHERE id = ANY($1::text[]) AND message_id IS NULL",
            &[&ids],
        )
        .await?)
}

/// Deletes the files never attached that were stored before `created_before`.
pub async fn sweep_files(client: &impl Sql, created_before: i64) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "DELETE FROM files WHERE message_id IS NULL AND created_at < $1",
            &[&created_before],
        )
        .await?)
}

/// How many files are stored, attached or not, and their bytes.
pub async fn file_totals(client: &impl Sql) -> Result<FileTotals, StoreError> {
    let row = client
        .query_one(
            "SELECT count(message_id), count(*) - count(message_id),
                    COALESCE(sum(size + COALESCE(length(thumbnail), 0)), 0)::BIGINT
             FROM files",
            &[],
        )
        .await?;
    let figure = |index: usize| -> Result<u64, StoreError> {
        Ok(u64::try_from(row.try_get::<_, i64>(index)?).unwrap_or(0))
    };
    Ok(FileTotals {
        attached: figure(0)?,
        unattached: figure(1)?,
        bytes: figure(2)?,
    })
}
