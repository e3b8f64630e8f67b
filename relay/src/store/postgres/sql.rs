//! What the PostgreSQL methods share: errors from the driver, and reading the few column types
//! the schema stores as text (JSON) into the relay's types, and the statement cache ([`Sql`]).

use crate::store::{Outage, StoreError};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Error, Row, Statement};

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        match outage_of(&error) {
            Some(outage) => StoreError::Unavailable(outage, error.to_string()),
            None => StoreError::Database(error.to_string()),
        }
    }
}

/// The outage a driver error is, if it passes by itself: a connection lost, refused or closed;
/// a server shutting down, starting or in recovery (`57P01`–`57P03`); a connection exception
/// (`08…`); a serialization failure or deadlock; a server out of disk (`53100`).
pub(crate) fn outage_of(error: &tokio_postgres::Error) -> Option<Outage> {
    use tokio_postgres::error::SqlState;
    if let Some(code) = error.code() {
        let code = code.code();
        return if code.starts_with("08") {
            Some(Outage::Connection)
        } else if code.starts_with("57P") {
            Some(Outage::Restarting)
        } else if code == SqlState::T_R_SERIALIZATION_FAILURE.code()
            || code == SqlState::T_R_DEADLOCK_DETECTED.code()
        {
            Some(Outage::Conflict)
        } else if code == SqlState::DISK_FULL.code() {
            Some(Outage::DiskFull)
        } else if code.starts_with("53") {
            Some(Outage::Busy)
        } else {
            None
        };
    }
    // Without a server's code: the connection closed, or could not be made (refused, reset,
    // timed out), which the driver reports as an I/O error beneath its own.
    let io_beneath = std::error::Error::source(error)
        .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some());
    (error.is_closed() || io_beneath).then_some(Outage::Connection)
}

/// Why no pooled connection could be had: the database cannot be reached, or none became free.
pub fn pool_error(error: deadpool_postgres::PoolError) -> StoreError {
    use deadpool_postgres::PoolError;
    match error {
        PoolError::Timeout(_) => StoreError::Unavailable(Outage::PoolTimeout, error.to_string()),
        PoolError::Backend(backend) => StoreError::from(backend),
        other => StoreError::Unavailable(Outage::Connection, other.to_string()),
    }
}

/// The name of the unique constraint (or index) a failed statement violated, if that is why it
/// failed.
pub fn unique_violation(error: &tokio_postgres::Error) -> Option<&str> {
    let database_error = error.as_db_error()?;
    if *database_error.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
        Some(database_error.constraint().unwrap_or(""))
    } else {
        None
    }
}

/// Decodes a JSON text column.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Database(format!("a stored JSON value is damaged: {error}")))
}

/// Encodes a value for a JSON text column.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Database(format!("cannot encode a value: {error}")))
}

/// A connection the store's SQL runs on, whose statements are prepared once per connection and
/// then only bound and executed: one round trip a statement instead of two (prepare, execute).
/// The writer's transaction ([`Tx`](super::Tx)) and the pooled connections cache them; a bare
/// [`Client`] prepares each time. The store's functions take `&impl Sql`, so that one function
/// serves reads on the pool and the writer's transaction alike.
pub trait Sql: Send + Sync {
    /// The connection the statements run on.
    fn client(&self) -> &Client;

    /// `sql` prepared on this connection (from the cache when it has been prepared before).
    fn statement(&self, sql: &str) -> impl Future<Output = Result<Statement, Error>> + Send;

    fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, Error>> + Send {
        async move {
            let statement = self.statement(sql).await?;
            self.client().query(&statement, params).await
        }
    }

    fn query_one(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Row, Error>> + Send {
        async move {
            let statement = self.statement(sql).await?;
            self.client().query_one(&statement, params).await
        }
    }

    fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, Error>> + Send {
        async move {
            let statement = self.statement(sql).await?;
            self.client().query_opt(&statement, params).await
        }
    }

    fn execute(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, Error>> + Send {
        async move {
            let statement = self.statement(sql).await?;
            self.client().execute(&statement, params).await
        }
    }
}

impl Sql for Client {
    fn client(&self) -> &Client {
        self
    }

    fn statement(&self, sql: &str) -> impl Future<Output = Result<Statement, Error>> + Send {
        self.prepare(sql)
    }
}

impl Sql for deadpool_postgres::Object {
    fn client(&self) -> &Client {
        self
    }

    fn statement(&self, sql: &str) -> impl Future<Output = Result<Statement, Error>> + Send {
        self.prepare_cached(sql)
    }
}

/// Statements prepared on one connection, by their text.
#[derive(Default)]
pub struct Statements(Mutex<HashMap<String, Statement>>);

impl Statements {
    /// `sql` prepared on `client`, from the cache or prepared now and kept.
    pub async fn prepare(&self, client: &Client, sql: &str) -> Result<Statement, Error> {
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(sql)
            .cloned();
        if let Some(statement) = cached {
            return Ok(statement);
        }
        let statement = client.prepare(sql).await?;
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}
