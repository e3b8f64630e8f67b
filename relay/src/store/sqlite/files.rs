//! The SQL of files on SQLite: storing a file unattached, attaching it to the message that
//! carries it (in the message's transaction), reading it with its conversation's visitor, and
//! deleting files never attached.

use crate::clock::now_millis;
use crate::store::{FilePart, FileTotals, NewFile, StoreError, StoredFile};
use beseda_protocol::{ConversationId, MessageId, VisitorId};
use rusqlite::{Connection, OptionalExtension, params};

/// Stores a file's bytes without a message.
pub fn store_file(connection: &Connection, file: &NewFile) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO files (id, name, content_type, size, bytes, thumbnail, thumbnail_type,
                                created_at, uploader)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            file.id,
            file.name,
            file.content_type,
            i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            file.bytes,
            file.thumbnail,
            file.thumbnail_type,
            now_millis(),
            file.uploader,
        ])?;
    Ok(())
}

/// Attaches stored, unattached files to a message just stored; `NotFound` (which rolls the
/// message back with its savepoint) when any of them is missing or attached already.
pub fn attach_files(
    connection: &Connection,
    ids: &[String],
    conversation_id: ConversationId,
    message_id: MessageId,
) -> Result<(), StoreError> {
    let mut statement = connection.prepare_cached(
        "UPDATE files SET conversation_id = ?2, message_id = ?3
         WHERE id = ?1 AND message_id IS NULL",
    )?;
    for id in ids {
        if statement.execute(params![id, conversation_id.0, message_id.0])? != 1 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

/// An attached file's bytes, or its thumbnail's, with its conversation's visitor.
pub fn file(
    connection: &Connection,
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
         WHERE f.id = ?1 AND f.message_id IS NOT NULL"
    );
    let found = connection
        .prepare_cached(&sql)?
        .query_row([id], |row| {
            Ok((
                ConversationId(row.get(0)?),
                VisitorId(row.get(1)?),
                row.get::<_, String>(2)?,
                row.get::<_, Option<Vec<u8>>>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    Ok(
        found.and_then(|(conversation_id, visitor_id, name, bytes, content_type)| {
            Some(StoredFile {
                conversation_id,
                visitor_id,
                name,
                content_type: content_type?,
                bytes: bytes?,
            })
        }),
    )
}

/// Deletes the unattached files among `ids`.
pub fn drop_files(connection: &Connection, ids: &[String]) -> Result<u64, StoreError> {
    let mut statement =
        connection.prepare_cached("DELETE FROM files WHERE id = ?1 AND message_id IS NULL")?;
    let mut dropped = 0;
    for id in ids {
        dropped += statement.execute([id])? as u64;
    }
    Ok(dropped)
}

/// Deletes the files never attached that were stored before `created_before`.
pub fn sweep_files(connection: &Connection, created_before: i64) -> Result<u64, StoreError> {
    let swept = connection
        .prepare_cached("DELETE FROM files WHERE message_id IS NULL AND created_at < ?1")?
        .execute([created_before])?;
    Ok(swept as u64)
}

/// How many files are stored, attached or not, and their bytes.
pub fn file_totals(connection: &Connection) -> Result<FileTotals, StoreError> {
    let (attached, unattached, bytes): (i64, i64, i64) = connection
        .prepare_cached(
            "SELECT count(message_id), count(*) - count(message_id),
                    COALESCE(sum(size + COALESCE(length(thumbnail), 0)), 0)
             FROM files",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(FileTotals {
        attached: u64::try_from(attached).unwrap_or(0),
        unattached: u64::try_from(unattached).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
    })
}
