//! The PostgreSQL side: the schema created, the tables written with binary `COPY` inside one
//! transaction, the identity sequences moved past the copied ids, and the tables read back in
//! key order for the verification.

use super::source::Source;
use super::tables::{TABLES, Table};
use super::values::{TableDigest, Value};
use crate::store::postgres::{self, WRITE_LOCK, schema};
use anyhow::{Context, bail};
use futures_util::{StreamExt, pin_mut};
use std::collections::BTreeSet;
use tokio::sync::mpsc;
use tokio_postgres::binary_copy::{BinaryCopyInWriter, BinaryCopyOutStream};
use tokio_postgres::{Client, GenericClient, IsolationLevel, Transaction};

/// Connects to the database `url` names, with the same settings (TLS, keepalives) as `serve`.
pub async fn connect(url: &str) -> anyhow::Result<Client> {
    let config = postgres::connection_config(url)?;
    let tls = postgres::tls(url)?;
    postgres::connect(&config, &tls)
        .await
        .context("cannot connect to the PostgreSQL database")
}

/// Creates (or upgrades) the schema, as `serve` does.
pub async fn create_schema(client: &mut Client) -> anyhow::Result<()> {
    schema::migrate(client)
        .await
        .context("cannot create the PostgreSQL schema")
}

/// Refuses a database whose schema is not this relay's, without changing it.
pub async fn check_schema_version(client: &Client) -> anyhow::Result<()> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await?
        .get(0);
    let version: Option<i64> = if exists {
        client
            .query_one("SELECT max(version) FROM schema_version", &[])
            .await?
            .get(0)
    } else {
        None
    };
    let latest = i64::try_from(schema::latest_version()).unwrap_or(i64::MAX);
    if version != Some(latest) {
        bail!(
            "the PostgreSQL database has schema version {}, not this relay's ({latest})",
            version.map_or_else(|| "none".to_owned(), |version| version.to_string())
        );
    }
    Ok(())
}

/// Copies every table in one transaction and commits; answers the rows copied per table.
/// Refused, with nothing changed, when the database already holds the data of a shop.
pub async fn copy(client: &mut Client, source: &Source) -> anyhow::Result<Vec<u64>> {
    check_columns(client).await?;
    let transaction = client.transaction().await?;
    // The cluster's write lock: no relay can write between the check and the commit.
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .await?;
    refuse_unless_empty(&transaction).await?;
    // What an empty database holds: the schema's own `default` site, and the settings a relay
    // that started on it created (its keys). The shop's own replace them, so that the tokens
    // and links it signed stay valid.
    transaction
        .batch_execute("DELETE FROM settings; DELETE FROM sites")
        .await?;
    let mut copied = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = copy_table(&transaction, source, table)
            .await
            .with_context(|| format!("cannot copy the table {}", table.name))?;
        copied.push(rows);
    }
    // The search index is derived from the messages, and folded by the relay.
    crate::store::postgres::history::index_existing(&transaction)
        .await
        .context("cannot index the copied messages for searching")?;
    for table in TABLES.iter().filter(|table| table.identity) {
        // The next id a relay takes is one past the largest copied (an empty table keeps its
        // sequence at its start). Table names are this module's constants, never input.
        transaction
            .batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), max(id)) FROM \"{0}\" HAVING count(*) > 0",
                table.name
            ))
            .await?;
    }
    transaction.commit().await?;
    Ok(copied)
}

/// Refuses to copy into a database that holds anything but the schema's own rows.
async fn refuse_unless_empty(transaction: &Transaction<'_>) -> anyhow::Result<()> {
    let mut held = Vec::new();
    for table in TABLES.iter().filter(|table| table.name != "settings") {
        let filter = if table.name == "sites" {
            " WHERE name <> 'default'"
        } else {
            ""
        };
        let count: i64 = transaction
            .query_one(
                &format!("SELECT count(*) FROM \"{}\"{filter}", table.name),
                &[],
            )
            .await?
            .get(0);
        if count > 0 {
            let rows = if count == 1 { "row" } else { "rows" };
            held.push(format!("{} ({count} {rows})", table.name));
        }
    }
    if !held.is_empty() {
        bail!(
            "the PostgreSQL database is not empty (it holds {}); migrate copies into an empty \
             database only, and changed nothing",
            held.join(", ")
        );
    }
    Ok(())
}

/// Streams one table from SQLite into a binary `COPY`; answers the rows written.
async fn copy_table(
    transaction: &Transaction<'_>,
    source: &Source,
    table: &'static Table,
) -> anyhow::Result<u64> {
    let types: Vec<_> = table
        .kinds()
        .into_iter()
        .map(|kind| kind.postgres_type())
        .collect();
    let sink = transaction
        .copy_in(&format!(
            "COPY \"{}\" ({}) FROM STDIN (FORMAT binary)",
            table.name,
            table.column_list()
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    let (sender, mut receiver) = mpsc::channel(2);
    let reader = source.stream(table, sender);
    let mut written: Result<(), tokio_postgres::Error> = Ok(());
    while let Some(chunk) = receiver.recv().await {
        for row in &chunk {
            let values: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = row
                .iter()
                .map(|value| value as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            written = writer.as_mut().write(&values).await;
            if written.is_err() {
                break;
            }
        }
        if written.is_err() {
            break;
        }
    }
    // Dropping the receiver stops a reader still sending after a failed write.
    drop(receiver);
    let read = reader.await.context("the SQLite reader failed")?;
    written?;
    read?;
    Ok(writer.finish().await?)
}

/// Refuses a database that lacks a column this command writes.
async fn check_columns(client: &Client) -> anyhow::Result<()> {
    let present: BTreeSet<(String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
              WHERE table_schema = current_schema()",
            &[],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    for table in TABLES {
        for (column, _) in table.columns {
            if !present.contains(&(table.name.to_owned(), (*column).to_owned())) {
                bail!(
                    "the PostgreSQL database has no column {}.{column}",
                    table.name
                );
            }
        }
    }
    Ok(())
}

/// Opens the transaction the verification reads in: one snapshot for every table.
pub async fn snapshot(client: &mut Client) -> anyhow::Result<Transaction<'_>> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// The row count and digest of `table`, read in the same order as from SQLite.
pub async fn digest(
    transaction: &Transaction<'_>,
    table: &'static Table,
) -> anyhow::Result<(u64, String)> {
    let kinds = table.kinds();
    let types: Vec<_> = kinds.iter().map(|kind| kind.postgres_type()).collect();
    let stream = transaction
        .copy_out(&format!(
            "COPY (SELECT {} FROM \"{}\" ORDER BY {}) TO STDOUT (FORMAT binary)",
            table.column_list(),
            table.name,
            table.order_by("\"C\"")
        ))
        .await?;
    let rows = BinaryCopyOutStream::new(stream, &types);
    pin_mut!(rows);
    let mut digest = TableDigest::new();
    let mut values = Vec::with_capacity(kinds.len());
    while let Some(row) = rows.next().await {
        let row = row?;
        values.clear();
        for (index, kind) in kinds.iter().enumerate() {
            values.push(Value::from_postgres(&row, index, *kind)?);
        }
        digest.add(&values);
    }
    Ok(digest.finish())
}

/// The conversations whose `last_seq` is not their largest message `seq` (a relay appending
/// to one would take a seq that is already used, or leave a gap): their ids and both numbers.
pub async fn sequence_mismatches(
    client: &impl GenericClient,
) -> anyhow::Result<Vec<(i64, i64, i64)>> {
    Ok(client
        .query(
            "SELECT c.id, c.last_seq, COALESCE(m.largest, 0)
               FROM conversations c
               LEFT JOIN (SELECT conversation_id, max(seq) AS largest
                            FROM messages GROUP BY conversation_id) m
                 ON m.conversation_id = c.id
              WHERE c.last_seq <> COALESCE(m.largest, 0)
              ORDER BY c.id
              LIMIT 10",
            &[],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect())
}

/// The identity tables whose sequence would hand out an id that is already taken: their
/// names, largest ids and the sequences' last values.
pub async fn identity_mismatches(
    client: &impl GenericClient,
) -> anyhow::Result<Vec<(&'static str, i64, i64)>> {
    let mut mismatches = Vec::new();
    for table in TABLES.iter().filter(|table| table.identity) {
        let row = client
            .query_one(
                &format!(
                    "SELECT COALESCE(max(id), 0),
                            COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{0}', 'id')::regclass), 0)
                       FROM \"{0}\"",
                    table.name
                ),
                &[],
            )
            .await?;
        let (largest, last): (i64, i64) = (row.get(0), row.get(1));
        if last < largest {
            mismatches.push((table.name, largest, last));
        }
    }
    Ok(mismatches)
}
