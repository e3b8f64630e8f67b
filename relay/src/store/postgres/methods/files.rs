//! [`FileStore`](crate::store::FileStore) for [`PgStore`]: files sent in the chat.

use super::super::{PgStore, files};
use crate::store::{FilePart, FileTotals, NewFile, StoreFuture, StoredFile};

impl crate::store::FileStore for PgStore {
    fn store_file(&self, file: NewFile) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { files::store_file(&tx, &file).await })
    }

    fn file(&self, id: String, part: FilePart) -> StoreFuture<'_, Option<StoredFile>> {
        self.read(move |client| async move { files::file(&client, &id, part).await })
    }

    fn drop_files(&self, ids: Vec<String>) -> StoreFuture<'_, u64> {
        self.write(move |tx| async move { files::drop_files(&tx, &ids).await })
    }

    fn sweep_files(&self, created_before: i64) -> StoreFuture<'_, u64> {
        self.write(move |tx| async move { files::sweep_files(&tx, created_before).await })
    }

    fn file_totals(&self) -> StoreFuture<'_, FileTotals> {
        self.read(move |client| async move { files::file_totals(&client).await })
    }
}
