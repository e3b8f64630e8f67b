//! A relay under test as a child process: `serve` on an ephemeral port of 127.0.0.1, on a
//! database that [`add_operator`] has given the benchmark's operator account.

use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// The operator the bench signs in as.
pub const OPERATOR_EMAIL: &str = "bench@bench.example";
/// That operator's password, given to `operator add` on standard input.
pub const OPERATOR_PASSWORD: &str = "benchmark-password";

/// What the relay prints on standard output once it listens.
const LISTENING_PREFIX: &str = "Beseda relay listening on http://";

/// A running relay. Dropping it kills the process, so that every way out of the bench
/// (including errors) stops it.
pub struct RelayProcess {
    child: Child,
    /// Kept open so that the relay never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub addr: SocketAddr,
}

impl RelayProcess {
    /// Starts `serve` on `db` (a SQLite file or a `postgres://` URL) and waits for its listening
    /// line. Behind a balancer the relay trusts 127.0.0.1's `X-Forwarded-For`, as a deployment
    /// behind nginx would.
    pub fn start(binary: &Path, db: &OsStr, behind_balancer: bool) -> anyhow::Result<RelayProcess> {
        let mut command = Command::new(binary);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .args([
                "--connections-per-ip",
                "0",
                "--visitor-identities-per-hour",
                "0",
                "--conversations-per-hour",
                "0",
                "--visitor-messages-per-minute",
                "100000000",
                "--bootstrap-admin",
                "false",
                "--metrics-token",
                crate::http::METRICS_TOKEN,
                // `--webhooks` registers a receiver on 127.0.0.1.
                "--webhook-allow-private",
            ])
            .env("BESEDA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if behind_balancer {
            command.args(["--trusted-proxy", "127.0.0.1"]);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the relay's standard output was not captured");
        };
        // From here on, dropping `relay` kills the child.
        let mut relay = RelayProcess {
            child,
            _stdout: BufReader::new(stdout),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let mut line = String::new();
        let read = relay
            ._stdout
            .read_line(&mut line)
            .context("cannot read the relay's standard output")?;
        if read == 0 {
            bail!("the relay exited before it printed its listening address");
        }
        let address = line
            .trim()
            .strip_prefix(LISTENING_PREFIX)
            .with_context(|| format!("unexpected first line from the relay: {line:?}"))?;
        relay.addr = address
            .parse()
            .with_context(|| format!("cannot parse the relay's address {address:?}"))?;
        if !relay.addr.ip().is_loopback() {
            bail!("the relay listens on {}, not on 127.0.0.1", relay.addr);
        }
        Ok(relay)
    }

    /// The relay's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails if the relay has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => bail!("the relay exited unexpectedly ({status})"),
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes a new, empty directory under the system's temporary directory.
pub fn fresh_temp_dir() -> anyhow::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("beseda-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Runs `operator add` on `db` (a SQLite file or a `postgres://` URL), writing the password to
/// its standard input.
pub fn add_operator(binary: &Path, db: &OsStr) -> anyhow::Result<()> {
    let mut child = Command::new(binary)
        .args([
            "operator",
            "add",
            "--email",
            OPERATOR_EMAIL,
            "--name",
            "Bench",
            // An admin, who may register webhooks (`--webhooks`).
            "--admin",
            "--db",
        ])
        .arg(db)
        .env("BESEDA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{OPERATOR_PASSWORD}\n").as_bytes())
            .context("cannot write the password to `operator add`")?;
    }
    let output = child
        .wait_with_output()
        .context("`operator add` did not finish")?;
    if !output.status.success() {
        bail!(
            "`operator add` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
