//! PostgreSQL's own counters, read before and after each phase: the benchmark's server is the
//! throwaway one started with durability on (`Postgres::start_durable`), because the benchmark
//! measures what it costs to acknowledge only what is on disk.

use anyhow::{Context, bail};
use beseda_throwaway::Postgres;

/// PostgreSQL's own counters for the database and its write-ahead log, as the statistics views
/// show them. Backends report them at the end of a transaction at most once a second (and when
/// idle after up to ten), so a reading may lag the truth by that much.
#[derive(Clone, Copy, Debug, Default)]
pub struct DatabaseStats {
    pub transactions_committed: u64,
    pub transactions_rolled_back: u64,
    pub blocks_read: u64,
    pub blocks_hit: u64,
    pub wal_records: u64,
    pub wal_bytes: u64,
    /// How often the log was flushed to disk (`wal_sync`): the fsyncs that durability costs.
    pub wal_syncs: u64,
}

impl DatabaseStats {
    /// The change from `before` to `self`.
    pub fn since(&self, before: &DatabaseStats) -> DatabaseStats {
        DatabaseStats {
            transactions_committed: self
                .transactions_committed
                .saturating_sub(before.transactions_committed),
            transactions_rolled_back: self
                .transactions_rolled_back
                .saturating_sub(before.transactions_rolled_back),
            blocks_read: self.blocks_read.saturating_sub(before.blocks_read),
            blocks_hit: self.blocks_hit.saturating_sub(before.blocks_hit),
            wal_records: self.wal_records.saturating_sub(before.wal_records),
            wal_bytes: self.wal_bytes.saturating_sub(before.wal_bytes),
            wal_syncs: self.wal_syncs.saturating_sub(before.wal_syncs),
        }
    }
}

/// Reads `pg_stat_database` (for the database `beseda`) and `pg_stat_wal`.
pub fn stats(postgres: &Postgres) -> anyhow::Result<DatabaseStats> {
    let text = postgres.psql(
        &postgres.url(),
        "SELECT d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
                w.wal_records, w.wal_bytes::bigint, w.wal_sync
         FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = 'beseda'",
    );
    // psql prints one row, its columns separated by `|`.
    let numbers: Vec<u64> = text
        .split(|c: char| c == '|' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot parse PostgreSQL's statistics {text:?}"))?;
    let [committed, rolled_back, read, hit, records, bytes, syncs] = numbers[..] else {
        bail!("unexpected statistics from PostgreSQL: {text:?}");
    };
    Ok(DatabaseStats {
        transactions_committed: committed,
        transactions_rolled_back: rolled_back,
        blocks_read: read,
        blocks_hit: hit,
        wal_records: records,
        wal_bytes: bytes,
        wal_syncs: syncs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_since_a_reading_are_the_differences() {
        let before = DatabaseStats {
            transactions_committed: 10,
            transactions_rolled_back: 1,
            blocks_read: 5,
            blocks_hit: 100,
            wal_records: 40,
            wal_bytes: 4_000,
            wal_syncs: 3,
        };
        let after = DatabaseStats {
            transactions_committed: 25,
            transactions_rolled_back: 1,
            blocks_read: 7,
            blocks_hit: 160,
            wal_records: 90,
            wal_bytes: 9_500,
            wal_syncs: 8,
        };
        let change = after.since(&before);
        assert_eq!(change.transactions_committed, 15);
        assert_eq!(change.transactions_rolled_back, 0);
        assert_eq!(change.blocks_read, 2);
        assert_eq!(change.blocks_hit, 60);
        assert_eq!(change.wal_records, 50);
        assert_eq!(change.wal_bytes, 5_500);
        assert_eq!(change.wal_syncs, 5);
    }
}
