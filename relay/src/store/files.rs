//! Files sent in the chat: their bytes, stored before the message that carries them, and
//! [`FileStore`], the persistence of this aggregate.
//!
//! A file is stored on its own first (durably, in its own transaction), unattached; the message
//! that carries it attaches it in the message's transaction (`NewMessage::files`), which also
//! keeps the files' descriptions on the message. So a message never points at bytes that are
//! not stored, and bytes whose message never came (a crash between, a refused message, a
//! resend) stay unattached until [`FileStore::drop_files`] or the sweep deletes them.

use super::StoreFuture;
use beseda_protocol::{ConversationId, FileRef, VisitorId};

/// How long an unattached file is kept before the sweep deletes it.
pub const UNATTACHED_LIFETIME_MILLIS: i64 = 60 * 60 * 1000;

/// A file to store, unattached.
#[derive(Clone, Debug)]
pub struct NewFile {
    /// 128 random bits, URL-safe ([`new_file_id`]).
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
    pub thumbnail_type: Option<String>,
    /// Who uploaded it (`visitor:ID` or `operator:ID`), for the log of who stored what.
    pub uploader: String,
}

/// Which bytes of a file are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePart {
    Original,
    Thumbnail,
}

/// A stored, attached file with the conversation it belongs to (for the check of who may read
/// it).
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub conversation_id: ConversationId,
    pub visitor_id: VisitorId,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What the store holds of files, for `/metrics` and for checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileTotals {
    /// Files carried by a message.
    pub attached: u64,
    /// Files stored and not (yet) carried by any message.
    pub unattached: u64,
    /// The bytes of every stored file and thumbnail.
    pub bytes: u64,
}

/// Persistence of files.
pub trait FileStore: Send + Sync {
    /// Stores a file's bytes, unattached, committed before the future resolves.
    fn store_file(&self, file: NewFile) -> StoreFuture<'_, ()>;
    /// An attached file's bytes (or its thumbnail's) with its conversation; `None` when there is
    /// no such file (or thumbnail), or it is not attached to any message.
    fn file(&self, id: String, part: FilePart) -> StoreFuture<'_, Option<StoredFile>>;
    /// Deletes the unattached files among `ids` (attached ones stay); answers how many went.
    fn drop_files(&self, ids: Vec<String>) -> StoreFuture<'_, u64>;
    /// Deletes the files never attached that were stored before `created_before` (ms since
    /// the epoch); answers how many went.
    fn sweep_files(&self, created_before: i64) -> StoreFuture<'_, u64>;
    /// How many files are stored, attached or not, and their bytes.
    fn file_totals(&self) -> StoreFuture<'_, FileTotals>;
}

/// A new file id: 128 random bits as URL-safe text (base64url without padding, 22 characters).
pub fn new_file_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = crate::auth::random_bytes::<16>();
    let mut value = u128::from_be_bytes(bytes);
    let mut id = String::with_capacity(22);
    for _ in 0..22 {
        id.push(char::from(ALPHABET[(value & 63) as usize]));
        value >>= 6;
    }
    id
}

/// Whether a text can be a file id (so that nothing else reaches the database).
pub fn is_file_id(text: &str) -> bool {
    text.len() == 22
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The path a file is served at, relative to the relay.
pub fn file_url(id: &str) -> String {
    format!("/files/{id}")
}

/// The path a file's thumbnail is served at, relative to the relay.
pub fn thumbnail_url(id: &str) -> String {
    format!("/files/{id}/thumbnail")
}

/// The descriptions of a message's files, as kept in `messages.files` (`NULL` for none).
pub fn files_to_json(files: &[FileRef]) -> Option<String> {
    if files.is_empty() {
        None
    } else {
        Some(serde_json::to_string(files).expect("file descriptions always serialise"))
    }
}

/// A message's files from `messages.files`; a damaged value reads as none.
pub fn files_from_json(json: Option<&str>) -> Vec<FileRef> {
    json.and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

/// The ids of a message's files, for attaching them.
pub fn file_ids(files: &[FileRef]) -> Vec<String> {
    files.iter().map(|file| file.id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_url_safe_and_differ() {
        let first = new_file_id();
        let second = new_file_id();
        assert!(is_file_id(&first), "{first}");
        assert!(is_file_id(&second), "{second}");
        assert_ne!(first, second);
        assert!(!is_file_id("../../etc/passwd"));
        assert!(!is_file_id("short"));
    }

    #[test]
    fn descriptions_round_trip_and_none_is_null() {
        assert_eq!(files_to_json(&[]), None);
        let file = FileRef {
            id: new_file_id(),
            name: "parcel.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 1234,
            url: "/files/x".into(),
            thumbnail_url: None,
        };
        let json = files_to_json(std::slice::from_ref(&file));
        assert_eq!(files_from_json(json.as_deref()), vec![file]);
        assert!(files_from_json(Some("not json")).is_empty());
    }
}
