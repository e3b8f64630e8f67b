//! A real SMTP server for the tests: aiosmtpd (a Python package, installed by `make test`)
//! running `smtp_sink.py`, which writes every email it accepts, decoded, as a JSON file that
//! the tests read back.

use crate::PATIENCE;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tempfile::TempDir;

/// An email as the server received it (`from`, `to`, `replyTo`, `subject`, `body`, …).
pub type Email = Value;

/// A free port on 127.0.0.1 right now (for a server to be started there later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Where the emails are written; outlives the servers, so one can be stopped and another
/// started on the same port and directory.
pub struct Mailbox {
    directory: TempDir,
}

impl Default for Mailbox {
    fn default() -> Self {
        Mailbox::new()
    }
}

impl Mailbox {
    pub fn new() -> Mailbox {
        Mailbox {
            directory: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.directory.path()
    }

    /// Every email received so far, in the order received.
    pub fn emails(&self) -> Vec<Email> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.path())
            .expect("read the mailbox")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "json")
            })
            .filter(|path| {
                !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("read an email");
                serde_json::from_str(&text).expect("an email as JSON")
            })
            .collect()
    }

    /// Waits until emails to `address` number `count`, and returns them; panics after
    /// [`PATIENCE`] (or after `patience` when given).
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Email> {
        self.wait_for_within(address, count, PATIENCE).await
    }

    pub async fn wait_for_within(
        &self,
        address: &str,
        count: usize,
        patience: std::time::Duration,
    ) -> Vec<Email> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let emails = self.emails_to(address);
            if emails.len() >= count {
                return emails;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{count} email(s) to {address} did not arrive in time; the mailbox holds {:#?}",
                self.emails()
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// The emails whose envelope goes to `address`.
    pub fn emails_to(&self, address: &str) -> Vec<Email> {
        self.emails()
            .into_iter()
            .filter(|email| {
                email["envelopeTo"]
                    .as_array()
                    .is_some_and(|to| to.iter().any(|to| to == address))
            })
            .collect()
    }
}

/// A running aiosmtpd on 127.0.0.1, writing into a [`Mailbox`]; stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    child: Child,
}

impl SmtpServer {
    /// Starts the server on `port` and waits until it listens.
    pub fn start(port: u16, mailbox: &Mailbox) -> SmtpServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(mailbox.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start python3 with aiosmtpd (`make test` installs it: pip3 install aiosmtpd)");
        let stdout = child.stdout.take().expect("the server's standard output");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's first line");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start (is aiosmtpd installed?)"
        );
        SmtpServer { port, child }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
