//! [`ReportStore`](crate::store::ReportStore) for [`PgStore`]: the facts the reports read.

use super::super::{PgStore, reports};
use crate::store::StoreFuture;
use crate::store::reports::{FactKinds, ReportFacts};

impl crate::store::ReportStore for PgStore {
    fn report_facts(
        &self,
        from: i64,
        to: i64,
        site: Option<String>,
        kinds: FactKinds,
    ) -> StoreFuture<'_, ReportFacts> {
        self.read(move |client| async move {
            reports::facts(&client, from, to, site.as_deref(), kinds).await
        })
    }
}
