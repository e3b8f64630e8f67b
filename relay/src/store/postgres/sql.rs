//! What the PostgreSQL methods share: errors from the driver, and reading the few column types
//! the schema stores as text (JSON) into the relay's types.

use crate::store::StoreError;

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        StoreError::Database(error.to_string())
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
