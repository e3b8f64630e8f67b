//! One column's value as both databases agree on it, written to PostgreSQL's binary `COPY`, and
//! the digest of a table's rows, computed from these values alike on both sides.

use super::tables::Kind;
use sha2::{Digest as _, Sha256};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// A value read from either database, already in the kind its column has.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Boolean(bool),
    Text(String),
    Bytes(Vec<u8>),
    Real(f64),
}

impl Value {
    /// Reads a SQLite value as a column of `kind`. SQLite keeps whatever type it was given, so
    /// the few lenient cases are the ones SQLite's own affinity allows: a `BLOB` column may
    /// hold text (its bytes are copied), a `REAL` one an integer. Anything else is refused,
    /// since PostgreSQL would store it differently.
    pub fn from_sqlite(value: rusqlite::types::ValueRef<'_>, kind: Kind) -> Result<Value, String> {
        use rusqlite::types::ValueRef;
        let text = |bytes: &[u8]| {
            String::from_utf8(bytes.to_vec()).map_err(|_| "text that is not UTF-8".to_owned())
        };
        match (value, kind) {
            (ValueRef::Null, _) => Ok(Value::Null),
            (ValueRef::Integer(number), Kind::Integer) => Ok(Value::Integer(number)),
            (ValueRef::Integer(0), Kind::Boolean) => Ok(Value::Boolean(false)),
            (ValueRef::Integer(1), Kind::Boolean) => Ok(Value::Boolean(true)),
            (ValueRef::Text(bytes), Kind::Text) => {
                let text = text(bytes)?;
                // PostgreSQL's text cannot hold the NUL character.
                if text.contains('\0') {
                    return Err("text with a NUL character".to_owned());
                }
                Ok(Value::Text(text))
            }
            (ValueRef::Blob(bytes) | ValueRef::Text(bytes), Kind::Bytes) => {
                Ok(Value::Bytes(bytes.to_vec()))
            }
            (ValueRef::Real(number), Kind::Real) => Ok(Value::Real(number)),
            (ValueRef::Integer(number), Kind::Real) => Ok(Value::Real(number as f64)),
            (other, kind) => Err(format!("{:?} where {kind:?} belongs", other.data_type())),
        }
    }

    /// Reads column `index` of a PostgreSQL binary `COPY` row as a column of `kind`.
    pub fn from_postgres(
        row: &tokio_postgres::binary_copy::BinaryCopyOutRow,
        index: usize,
        kind: Kind,
    ) -> Result<Value, tokio_postgres::Error> {
        Ok(match kind {
            Kind::Integer => row
                .try_get::<Option<i64>>(index)?
                .map_or(Value::Null, Value::Integer),
            Kind::Boolean => row
                .try_get::<Option<bool>>(index)?
                .map_or(Value::Null, Value::Boolean),
            Kind::Text => row
                .try_get::<Option<String>>(index)?
                .map_or(Value::Null, Value::Text),
            Kind::Bytes => row
                .try_get::<Option<Vec<u8>>>(index)?
                .map_or(Value::Null, Value::Bytes),
            Kind::Real => row
                .try_get::<Option<f64>>(index)?
                .map_or(Value::Null, Value::Real),
        })
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        column_type: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(number) => number.to_sql(column_type, out),
            Value::Boolean(flag) => flag.to_sql(column_type, out),
            Value::Text(text) => text.as_str().to_sql(column_type, out),
            Value::Bytes(bytes) => bytes.as_slice().to_sql(column_type, out),
            Value::Real(number) => number.to_sql(column_type, out),
        }
    }

    /// Every value goes to the column of its own kind (the `COPY` names the types), and
    /// `to_sql` of the inner value checks the type again.
    fn accepts(_column_type: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A table's row count and the SHA-256 of its rows in key order, each value written with its
/// kind and, for text and bytes, its length, so that no two different tables of rows write the
/// same bytes.
pub struct TableDigest {
    rows: u64,
    hasher: Sha256,
}

impl TableDigest {
    pub fn new() -> TableDigest {
        TableDigest {
            rows: 0,
            hasher: Sha256::new(),
        }
    }

    /// Adds the next row.
    pub fn add(&mut self, row: &[Value]) {
        self.rows += 1;
        for value in row {
            match value {
                Value::Null => self.hasher.update([0]),
                Value::Integer(number) => {
                    self.hasher.update([1]);
                    self.hasher.update(number.to_be_bytes());
                }
                Value::Boolean(flag) => self.hasher.update([2, u8::from(*flag)]),
                Value::Text(text) => {
                    self.hasher.update([3]);
                    self.hasher.update((text.len() as u64).to_be_bytes());
                    self.hasher.update(text.as_bytes());
                }
                Value::Bytes(bytes) => {
                    self.hasher.update([4]);
                    self.hasher.update((bytes.len() as u64).to_be_bytes());
                    self.hasher.update(bytes);
                }
                Value::Real(number) => {
                    self.hasher.update([5]);
                    self.hasher.update(number.to_bits().to_be_bytes());
                }
            }
        }
    }

    /// The row count and the digest in hexadecimal.
    pub fn finish(self) -> (u64, String) {
        let digest = self.hasher.finalize();
        let hex = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        (self.rows, hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::ValueRef;

    #[test]
    fn sqlite_values_convert_only_where_postgresql_stores_the_same() {
        assert_eq!(
            Value::from_sqlite(ValueRef::Integer(1), Kind::Boolean),
            Ok(Value::Boolean(true))
        );
        assert!(Value::from_sqlite(ValueRef::Integer(2), Kind::Boolean).is_err());
        assert_eq!(
            Value::from_sqlite(ValueRef::Text(b"4"), Kind::Bytes),
            Ok(Value::Bytes(b"4".to_vec()))
        );
        assert_eq!(
            Value::from_sqlite(ValueRef::Integer(3), Kind::Real),
            Ok(Value::Real(3.0))
        );
        assert!(Value::from_sqlite(ValueRef::Text(b"a\0b"), Kind::Text).is_err());
        assert!(Value::from_sqlite(ValueRef::Text(b"7"), Kind::Integer).is_err());
        assert_eq!(
            Value::from_sqlite(ValueRef::Null, Kind::Integer),
            Ok(Value::Null)
        );
    }

    #[test]
    fn rows_that_differ_anywhere_have_different_digests() {
        let digest = |rows: &[Vec<Value>]| {
            let mut digest = TableDigest::new();
            for row in rows {
                digest.add(row);
            }
            digest.finish()
        };
        let text = |text: &str| Value::Text(text.to_owned());
        let base = digest(&[vec![text("ab"), text("c")]]);
        assert_eq!(base, digest(&[vec![text("ab"), text("c")]]));
        assert_ne!(base, digest(&[vec![text("a"), text("bc")]]));
        assert_ne!(
            base,
            digest(&[vec![text("ab"), Value::Bytes(b"c".to_vec())]])
        );
        assert_ne!(
            digest(&[vec![Value::Null]]),
            digest(&[vec![Value::Integer(0)]])
        );
        assert_ne!(
            digest(&[vec![Value::Integer(1)]]),
            digest(&[vec![Value::Boolean(true)]])
        );
        assert_ne!(base.1, digest(&[]).1);
    }
}
