//! [`ReportStore`](crate::store::ReportStore) for [`SqliteStore`]: the facts the reports read.

use super::super::{SqliteStore, reports};
use crate::store::StoreFuture;
use crate::store::reports::{FactKinds, ReportFacts};

impl crate::store::ReportStore for SqliteStore {
    fn report_facts(
        &self,
        from: i64,
        to: i64,
        site: Option<String>,
        kinds: FactKinds,
    ) -> StoreFuture<'_, ReportFacts> {
        self.read(move |connection| reports::facts(connection, from, to, site.as_deref(), kinds))
    }
}
