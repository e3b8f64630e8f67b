//! What the end-to-end tests share: a relay started in-process on `127.0.0.1:0` (or as a child
//! process that can be killed), and small HTTP and WebSocket clients speaking to it.

pub mod database;
pub mod http;
pub mod ledger;
pub mod postgres;
pub mod raw_socket;
pub mod receiver;
pub mod smtp;
pub mod socket;
pub mod workflow;

use beseda_relay::Config;
use beseda_relay::auth::hash_password;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use socket::Client;

/// The longest any test waits for something the relay should do at once.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// An operator every test relay has: Jana, an admin.
pub const JANA: (&str, &str) = ("jana@shop.example", "correct horse battery");
/// A second operator, Petr, not an admin.
pub const PETR: (&str, &str) = ("petr@shop.example", "another good password");

/// The bearer token test relays serve `/metrics` with.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// Whether the tests run their relays on PostgreSQL (`BESEDA_TEST_STORE=postgres`) instead of
/// SQLite files: the same test bodies on the other store.
pub fn on_postgres() -> bool {
    std::env::var("BESEDA_TEST_STORE").is_ok_and(|store| store == "postgres")
}

/// The database a test relay uses: a file in `directory`, or a fresh PostgreSQL database when
/// the tests run on PostgreSQL.
pub fn test_database(directory: &Path) -> PathBuf {
    if on_postgres() {
        PathBuf::from(postgres::fresh_database())
    } else {
        directory.join("beseda.db")
    }
}

/// Creates the database with the two test operators, as `beseda-relay operator add` would.
pub async fn prepare_database(path: &Path) {
    let store = beseda_relay::store::open(path, "test-setup", Box::new(|_| {}))
        .await
        .expect("open the test database")
        .store;
    for ((email, password), (name, admin)) in [JANA, PETR]
        .into_iter()
        .zip([("Jana", true), ("Petr", false)])
    {
        let hash = hash_password(password).expect("hash a password");
        store
            .add_operator(email, name, &hash, admin)
            .await
            .expect("add a test operator");
    }
    tokio::task::spawn_blocking(move || store.close())
        .await
        .expect("close the store");
}

/// A relay running inside the test process, on its own database file.
pub struct TestRelay {
    pub addr: SocketAddr,
    pub db: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _directory: TempDir,
}

impl TestRelay {
    /// A relay with the default configuration.
    pub async fn start() -> TestRelay {
        TestRelay::start_with(|_| {}).await
    }

    /// A relay whose configuration `adjust` may change first.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestRelay {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let db = test_database(directory.path());
        TestRelay::start_in(directory, db, adjust).await
    }

    /// A relay on a SQLite file whichever store the tests run on (for what only SQLite
    /// has, such as the source of `migrate`).
    pub async fn start_on_sqlite_with(adjust: impl FnOnce(&mut Config)) -> TestRelay {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let db = directory.path().join("beseda.db");
        TestRelay::start_in(directory, db, adjust).await
    }

    async fn start_in(
        directory: TempDir,
        db: PathBuf,
        adjust: impl FnOnce(&mut Config),
    ) -> TestRelay {
        prepare_database(&db).await;
        let mut config = Config::with_db(db.clone());
        config.bootstrap_admin = false;
        config.metrics_token = Some(beseda_relay::config::Secret(METRICS_TOKEN.to_owned()));
        adjust(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            beseda_relay::run(config, listener, async {
                let _ = stop.await;
            })
            .await
            .expect("the relay ran and stopped cleanly");
        });
        TestRelay {
            addr,
            db,
            shutdown: Some(shutdown),
            task: Some(task),
            _directory: directory,
        }
    }

    /// Signals shutdown and waits until the relay has closed everything and flushed its store.
    /// Returns the directory that holds the database, which lives as long as it is kept.
    pub async fn stop(mut self) -> TempDir {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(PATIENCE, task)
                .await
                .expect("the relay stopped in time")
                .expect("the relay task did not panic");
        }
        let placeholder = tempfile::tempdir().expect("a temporary directory");
        std::mem::replace(&mut self._directory, placeholder)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// A visitor socket after its hello on the `default` site, and the welcome it got.
    pub async fn visitor(&self) -> (Client, serde_json::Value) {
        Client::visitor(self.addr, None, None).await
    }

    /// Signs in over REST and returns the bearer token.
    pub async fn login(&self, (email, password): (&str, &str)) -> String {
        let response = http::post_json(
            self.addr,
            "/api/login",
            None,
            &serde_json::json!({ "email": email, "password": password }),
        )
        .await;
        assert_eq!(response.status, 200, "sign-in failed: {}", response.body);
        response.json()["token"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    /// An operator socket after its hello, and the welcome it got.
    pub async fn operator(&self, token: &str) -> (Client, serde_json::Value) {
        Client::operator(self.addr, token, None).await
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A relay running as a child process (the real command line), so it can be killed with SIGKILL.
pub struct RelayProcess {
    pub addr: SocketAddr,
    child: std::process::Child,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl RelayProcess {
    /// Starts `BINARY serve` on `db` and waits for its "listening" line. Tests pass
    /// `env!("CARGO_BIN_EXE_relay-process")`, which only test targets can see.
    pub fn start(binary: &str, db: &Path, extra_args: &[&str]) -> RelayProcess {
        RelayProcess::start_logging(binary, db, extra_args, std::process::Stdio::inherit())
    }

    /// [`start`](Self::start), with the relay's log (its standard error, warnings and worse)
    /// written to `log`.
    pub fn start_logging_to(
        binary: &str,
        db: &Path,
        extra_args: &[&str],
        log: &Path,
    ) -> RelayProcess {
        let file = std::fs::File::create(log).expect("create the relay's log file");
        RelayProcess::start_logging(binary, db, extra_args, file.into())
    }

    fn start_logging(
        binary: &str,
        db: &Path,
        extra_args: &[&str],
        stderr: std::process::Stdio,
    ) -> RelayProcess {
        use std::io::BufRead;
        // No first admin unless the test asks for one.
        let bootstrap: &[&str] = if extra_args.contains(&"--bootstrap-admin") {
            &[]
        } else {
            &["--bootstrap-admin", "false"]
        };
        let mut child = std::process::Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(bootstrap)
            .args(["--metrics-token", METRICS_TOKEN])
            .args(extra_args)
            .env("BESEDA_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start the relay process");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("the child's stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the relay: {line:?}"));
        RelayProcess {
            addr,
            child,
            stdout,
        }
    }

    /// The process id, to read its memory from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line the relay printed on standard output (empty at its end).
    pub fn next_line(&mut self) -> String {
        use std::io::BufRead;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read the relay's output");
        line
    }

    /// Kills the process with SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL the relay");
        self.child.wait().expect("reap the relay");
    }

    /// Sends SIGTERM, waits for the exit, and returns everything else the relay printed.
    pub fn terminate_and_read_rest(mut self) -> String {
        use std::io::Read;
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut rest = String::new();
        self.stdout
            .read_to_string(&mut rest)
            .expect("read the relay's output");
        let _ = self.child.wait();
        rest
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(status.success());
        self.child.wait().expect("wait for the relay").success()
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
