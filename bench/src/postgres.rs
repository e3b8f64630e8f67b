//! The benchmark's own PostgreSQL: a cluster in a temporary directory on a free 127.0.0.1 port,
//! run with `fsync=on` and `synchronous_commit=on`, because the benchmark measures what it costs
//! to acknowledge only what is on disk. (The tests' throwaway server turns fsync off for speed,
//! which would make every figure here too good.) Stopped when dropped, and by a watchdog shell
//! if the benchmark dies without dropping it.

use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// Where Debian installs each PostgreSQL major version's programs.
const INSTALLATIONS: &str = "/usr/lib/postgresql";
/// The role and database the relays use; trusted on 127.0.0.1 without a password.
const ROLE: &str = "beseda";
/// Durability on, as a production server has it; room for several relays' connections.
const SETTINGS: &str = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on \
                        -c max_connections=300 -c client_connection_check_interval=250ms";

/// A running PostgreSQL server of the benchmark's own.
pub struct DurablePostgres {
    binaries: PathBuf,
    directory: PathBuf,
    data: PathBuf,
    port: u16,
    /// Stops the server if the benchmark ends without dropping this (a SIGKILL, say).
    _watchdog: Watchdog,
}

impl DurablePostgres {
    /// Creates a cluster (`initdb`), starts it and creates the database `beseda`.
    pub fn start() -> anyhow::Result<DurablePostgres> {
        let binaries = newest_binaries()?;
        let directory = crate::relay::fresh_temp_dir()?;
        if running_as_root()? {
            // PostgreSQL refuses to run as root; its own user must own the directory.
            run(Command::new("chown").arg("postgres").arg(&directory))?;
        }
        let data = directory.join("data");
        let pg_ctl = binaries.join("pg_ctl");
        // The watchdog comes first, so that no moment exists in which a killed benchmark would
        // leave a server running.
        let mut stop: Vec<&OsStr> = vec![directory.as_os_str()];
        if running_as_root()? {
            stop.extend(["runuser", "-u", "postgres", "--"].map(OsStr::new));
        }
        stop.extend([pg_ctl.as_os_str(), OsStr::new("-D"), data.as_os_str()]);
        let watchdog = Watchdog::spawn(
            r#"dir=$1; shift; "$@" -m immediate stop; rm -rf "$dir""#,
            &stop,
        )?;
        let mut server = DurablePostgres {
            binaries,
            directory,
            data,
            port: 0,
            _watchdog: watchdog,
        };
        run(server
            .server_command("initdb")
            .arg("-D")
            .arg(&server.data)
            .args(["-U", ROLE, "--auth=trust", "--encoding=UTF8", "--locale=C"]))?;
        server.port = free_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} {SETTINGS}",
            server.port,
            server.directory.display()
        );
        run(server
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&server.data)
            .arg("-l")
            .arg(server.directory.join("postgres.log"))
            .args(["-w", "-o", &options, "start"]))?;
        run(server.client_command("createdb").arg(ROLE))?;
        let fsync = server.sql("SHOW fsync")?;
        if fsync.trim() != "on" {
            bail!("PostgreSQL runs with fsync={}, not on", fsync.trim());
        }
        Ok(server)
    }

    /// `postgres://beseda@127.0.0.1:PORT/beseda`.
    pub fn url(&self) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{ROLE}", self.port)
    }

    /// The postmaster's process id, from the first line of `postmaster.pid`.
    pub fn postmaster_pid(&self) -> anyhow::Result<u32> {
        let path = self.data.join("postmaster.pid");
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path:?}"))?;
        text.lines()
            .next()
            .and_then(|line| line.trim().parse().ok())
            .with_context(|| format!("no process id in {path:?}"))
    }

    /// Runs SQL with `psql` on the database `beseda`; returns its unaligned output.
    pub fn sql(&self, sql: &str) -> anyhow::Result<String> {
        let output = run(Command::new(self.binaries.join("psql"))
            .args([
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--field-separator= ",
            ])
            .args([
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                &self.url(),
                "--command",
                sql,
            ]))?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn server_command(&self, program: &str) -> Command {
        let program = self.binaries.join(program);
        let mut command = if running_as_root().unwrap_or(false) {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.current_dir(&self.directory);
        command
    }

    fn client_command(&self, program: &str) -> Command {
        let mut command = Command::new(self.binaries.join(program));
        command
            .args(["--host", "127.0.0.1", "--username", ROLE, "--port"])
            .arg(self.port.to_string());
        command
    }
}

impl Drop for DurablePostgres {
    fn drop(&mut self) {
        // A fast shutdown: no client is left to care, and it checkpoints nothing it need not.
        let _ = self
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// A shell that waits for the end of a pipe only this process writes to, then runs its script:
/// the pipe closes however the benchmark ends. Dropping it dismisses it unrun.
struct Watchdog {
    child: Child,
    _stdin: ChildStdin,
}

impl Watchdog {
    fn spawn(script: &str, arguments: &[&OsStr]) -> anyhow::Result<Watchdog> {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("while read -r _; do :; done; {script}"))
            .arg("watchdog")
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C interrupts the benchmark, not its cleanup.
            .process_group(0)
            .spawn()
            .context("cannot start a watchdog shell")?;
        let stdin = child.stdin.take().context("the watchdog has no input")?;
        Ok(Watchdog {
            child,
            _stdin: stdin,
        })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn running_as_root() -> anyhow::Result<bool> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("cannot run `id -u`")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// Runs a command to its end; its error output becomes the error.
fn run(command: &mut Command) -> anyhow::Result<std::process::Output> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output)
}

/// The newest PostgreSQL installed, e.g. `/usr/lib/postgresql/15/bin`.
fn newest_binaries() -> anyhow::Result<PathBuf> {
    let entries = std::fs::read_dir(INSTALLATIONS)
        .with_context(|| format!("no PostgreSQL in {INSTALLATIONS}: run `make cluster-deps`"))?;
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let binaries = entry.path().join("bin");
            Path::new(&binaries.join("initdb"))
                .is_file()
                .then_some((version, binaries))
        })
        .max()
        .map(|(_, binaries)| binaries)
        .with_context(|| format!("no PostgreSQL server in {INSTALLATIONS}"))
}

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

impl DurablePostgres {
    /// Reads `pg_stat_database` (for the database `beseda`) and `pg_stat_wal`.
    pub fn stats(&self) -> anyhow::Result<DatabaseStats> {
        let text = self.sql(
            "SELECT d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
                    w.wal_records, w.wal_bytes::bigint, w.wal_sync
             FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = 'beseda'",
        )?;
        let numbers: Vec<u64> = text
            .split_whitespace()
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
