//! A watchdog process that cleans up after this one however it ends: it blocks reading a pipe
//! whose writing end only this process holds, and when the pipe closes — a normal exit, a panic,
//! a SIGKILL — it runs its shell script. A static server is never dropped, and a killed test
//! drops nothing, so this is what keeps them from running on.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};

/// A running watchdog. Dropping it dismisses it without running its script: the owner's own
/// `Drop` has cleaned up already.
pub(crate) struct Watchdog {
    child: Child,
    /// The pipe's writing end. std opens it close-on-exec, so no other child (a server, a relay
    /// under test) inherits it and keeps it open after this process is gone.
    _stdin: ChildStdin,
}

impl Watchdog {
    /// Starts `sh` waiting for the end of its standard input, after which it runs `script` with
    /// `arguments` as `$1`, `$2`, … (passed apart from the script, so no quoting is needed).
    pub(crate) fn spawn(script: &str, arguments: &[&OsStr]) -> Watchdog {
        // `read` is a shell builtin: waiting costs no further process and no polling.
        let script = format!("while read -r _; do :; done; {script}");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("watchdog")
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // A group of its own: a Ctrl-C at the terminal interrupts the tests, not the
            // watchdog that must clean up after them.
            .process_group(0)
            .spawn()
            .expect("start a watchdog shell");
        let stdin = child.stdin.take().expect("the watchdog's standard input");
        Watchdog {
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
