//! [`StoreOptions`]: the `serve` flags about the database's room and soundness.

use clap::Args;
use std::time::Duration;

/// How much room the database may take, how the room left on its disk is watched, and whether
/// it is checked at start.
#[derive(Args, Clone, Debug)]
pub struct StoreOptions {
    /// The most bytes the SQLite database may hold (e.g. `200MB`, `2GB`; plain numbers are
    /// bytes). Past it, writes are answered `unavailable` (clients send them again later) until
    /// the relay is restarted with a larger cap or none. Without it, the disk is the limit.
    #[arg(
        long,
        env = "BESEDA_DB_MAX_BYTES",
        value_parser = parse_bytes,
        help_heading = "Storage"
    )]
    pub db_max_bytes: Option<u64>,

    /// Warn in the log (and in `/metrics`, `beseda_disk_free_bytes`) when the database's disk
    /// has less room than this (e.g. `500MB`; `0` turns the warning off).
    #[arg(
        long,
        env = "BESEDA_DISK_WARN_BYTES",
        default_value = "500MB",
        value_parser = parse_bytes,
        help_heading = "Storage"
    )]
    pub disk_warn_bytes: u64,

    /// How often the room left on the database's disk is measured.
    #[arg(
        long,
        env = "BESEDA_DISK_CHECK_INTERVAL",
        default_value = "30s",
        value_parser = crate::config::parse_duration,
        help_heading = "Storage"
    )]
    pub disk_check_interval: Duration,

    /// Check the SQLite database's pages at start (`PRAGMA quick_check`: about 2.5 s for a
    /// million messages) and refuse to serve a damaged one. `false` skips it.
    #[arg(
        long,
        env = "BESEDA_DB_CHECK",
        default_value_t = true,
        action = clap::ArgAction::Set,
        help_heading = "Storage"
    )]
    pub db_check: bool,
}

impl Default for StoreOptions {
    /// No cap and no check: what the relay's own commands and tests open a database with.
    fn default() -> StoreOptions {
        StoreOptions {
            db_max_bytes: None,
            disk_warn_bytes: 0,
            disk_check_interval: Duration::from_secs(30),
            db_check: false,
        }
    }
}

/// A size: a number of bytes, or a number followed by `KB`, `MB`, `GB` or `TB` (powers of
/// 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size, e.g. 500MB or 2GB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "tb" => 1000 * 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "`{text}`: the units are KB, MB, GB, TB, KiB, MiB, GiB, TiB"
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_with_their_units() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("500MB"), Ok(500_000_000));
        assert_eq!(parse_bytes("2 GiB"), Ok(2 << 30));
        assert!(parse_bytes("12 parsecs").is_err());
        assert!(parse_bytes("MB").is_err());
        assert!(parse_bytes("99999999999TB").is_err());
    }
}
