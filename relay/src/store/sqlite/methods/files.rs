//! [`FileStore`](crate::store::FileStore) for [`SqliteStore`]: files sent in the chat.

use super::super::{SqliteStore, files};
use crate::store::{FilePart, FileTotals, NewFile, StoreFuture, StoredFile};

impl crate::store::FileStore for SqliteStore {
    fn store_file(&self, file: NewFile) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| files::store_file(connection, &file))
    }

    fn file(&self, id: String, part: FilePart) -> StoreFuture<'_, Option<StoredFile>> {
        self.read(move |connection| files::file(connection, &id, part))
    }

    fn drop_files(&self, ids: Vec<String>) -> StoreFuture<'_, u64> {
        self.write(move |connection, _| files::drop_files(connection, &ids))
    }

    fn sweep_files(&self, created_before: i64) -> StoreFuture<'_, u64> {
        self.write(move |connection, _| files::sweep_files(connection, created_before))
    }

    fn file_totals(&self) -> StoreFuture<'_, FileTotals> {
        self.read(files::file_totals)
    }
}
