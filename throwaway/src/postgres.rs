//! A throwaway PostgreSQL server: `initdb` into a temporary directory, `pg_ctl` on a free
//! 127.0.0.1 port, a database `beseda` and as many fresh ones as the tests want.

use crate::watchdog::Watchdog;
use crate::{free_port, read_log, run, running_as_root};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

/// Where Debian installs each PostgreSQL major version's programs (`/usr/lib/postgresql/15/bin`).
const INSTALLATIONS: &str = "/usr/lib/postgresql";

/// The role every database belongs to; trusted on 127.0.0.1 without a password.
const ROLE: &str = "beseda";

/// How often a start is retried with another port when the chosen one was taken meanwhile.
const START_ATTEMPTS: u32 = 5;

/// The server's settings: many relays hold many connections, and a connection whose client
/// died is noticed within a quarter second, so that its locks (advisory ones included) are
/// freed as soon as a relay is killed.
const SETTINGS: &str = "-c max_connections=300 -c client_connection_check_interval=250ms";
/// Durability is not what tests measure.
const FAST: &str = "-c fsync=off";
/// What a production server has, for benchmarks of what acknowledging only what is on disk
/// costs.
const DURABLE: &str = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on";

/// A PostgreSQL server of its own, stopped and deleted when dropped.
pub struct Postgres {
    port: u16,
    /// `FAST` or `DURABLE`.
    durability: &'static str,
    /// With TLS: the test CA's certificate (PEM), which signed the server's.
    certificate_authority: Option<PathBuf>,
    binaries: PathBuf,
    data: PathBuf,
    log: PathBuf,
    /// Stops the server and removes the directory if this process ends without dropping it.
    _watchdog: Watchdog,
    directory: TempDir,
}

impl Postgres {
    /// Creates a cluster in a new temporary directory, starts it on a free 127.0.0.1 port with
    /// its socket inside that directory, and creates the database `beseda`. Takes about a second.
    pub fn start() -> Postgres {
        Postgres::start_with(FAST, false)
    }

    /// [`start`](Self::start), with TLS on (`ssl=on`): the server's certificate names
    /// `127.0.0.1` and `localhost` and is signed by a CA made for this server alone (with the
    /// `openssl` program), whose certificate [`certificate_authority`](Self::certificate_authority)
    /// gives. Plain connections are still accepted.
    pub fn start_with_tls() -> Postgres {
        Postgres::start_with(FAST, true)
    }

    /// The PEM file of the CA that signed the server's certificate ([`start_with_tls`]
    /// only).
    ///
    /// [`start_with_tls`]: Self::start_with_tls
    pub fn certificate_authority(&self) -> Option<&Path> {
        self.certificate_authority.as_deref()
    }

    /// [`start`](Self::start), with durability on (`fsync`, `synchronous_commit`,
    /// `full_page_writes`), as a production server runs: for benchmarks.
    pub fn start_durable() -> Postgres {
        Postgres::start_with(DURABLE, false)
    }

    /// The server's process id (from its `postmaster.pid`), to read its memory and CPU.
    pub fn postmaster_pid(&self) -> u32 {
        std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse().ok())
            .expect("the server's postmaster.pid names its process")
    }

    fn start_with(durability: &'static str, tls: bool) -> Postgres {
        let binaries = newest_binaries();
        let directory = tempfile::Builder::new()
            .prefix("beseda-postgres-")
            .tempdir()
            .expect("a temporary directory for PostgreSQL");
        let path = directory.path();
        assert!(
            !path.to_string_lossy().contains(['\'', ' ']),
            "PostgreSQL's temporary directory needs a path without quotes or spaces: {}",
            path.display()
        );
        if running_as_root() {
            run(
                Command::new("chown").arg("postgres").arg(path),
                "give the PostgreSQL directory to the postgres user",
            );
        }
        let data = path.join("data");
        let log = path.join("postgres.log");
        // The watchdog comes first, so that no moment exists in which a killed process would
        // leave a server or a directory behind.
        let pg_ctl = binaries.join("pg_ctl");
        let mut stop_arguments: Vec<&OsStr> = vec![path.as_os_str()];
        if running_as_root() {
            stop_arguments.extend(["runuser", "-u", "postgres", "--"].map(OsStr::new));
        }
        stop_arguments.extend([pg_ctl.as_os_str(), OsStr::new("-D"), data.as_os_str()]);
        let watchdog = Watchdog::spawn(
            r#"dir=$1; shift; "$@" -m immediate stop; rm -rf "$dir""#,
            &stop_arguments,
        );
        run(
            server_command(&binaries, "initdb", path)
                .arg("-D")
                .arg(&data)
                .args(["-U", ROLE, "--auth=trust", "--no-sync"])
                .args(["--encoding=UTF8", "--locale=C"]),
            "create a PostgreSQL cluster",
        );
        let certificate_authority = tls.then(|| make_certificates(path));
        let mut server = Postgres {
            port: 0,
            durability,
            certificate_authority,
            binaries,
            data,
            log,
            _watchdog: watchdog,
            directory,
        };
        server.port = server.start_on_free_port();
        run(
            server.client_command("createdb").arg(ROLE),
            "create the database beseda",
        );
        server
    }

    /// One server for the whole test process, started by the first caller. Tests share it and
    /// each takes a [`fresh_database`](Self::fresh_database). A static is never dropped: its
    /// watchdog stops the server and removes its directory when the process ends.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        SHARED.get_or_init(Postgres::start)
    }

    /// The database `beseda`: `postgres://beseda@127.0.0.1:PORT/beseda`.
    pub fn url(&self) -> String {
        self.database_url(ROLE)
    }

    /// The port the server listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates a new, empty database with a name no other call (in any process) gives, and
    /// returns its URL.
    pub fn fresh_database(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let number = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("beseda_{}_{number}", std::process::id());
        run(
            self.client_command("createdb").arg(&name),
            "create a fresh database",
        );
        self.database_url(&name)
    }

    /// Runs SQL with `psql` on the database at `url` and returns what it printed, unaligned
    /// and without headers (`select 1` gives `"1\n"`). Panics with psql's error if it fails.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let output = run(
            Command::new(self.binaries.join("psql"))
                .args(["--no-psqlrc", "--tuples-only", "--no-align"])
                .args([
                    "--set",
                    "ON_ERROR_STOP=1",
                    "--dbname",
                    url,
                    "--command",
                    sql,
                ]),
            "run SQL with psql",
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Stops the server (a fast shutdown: clients are disconnected, everything committed is
    /// kept) and starts it again on the same port and directory. Every connection breaks, so a
    /// test that restarts should use a server of its own rather than the shared one.
    pub fn restart(&self) {
        run(
            self.server_command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "fast", "-w", "stop"]),
            "stop PostgreSQL for a restart",
        );
        if let Err(log) = self.start_server(self.port) {
            panic!(
                "PostgreSQL did not start again on port {}:\n{log}",
                self.port
            );
        }
    }

    /// Stops the server (a fast shutdown, as [`restart`](Self::restart) does) and leaves it
    /// stopped until [`start_again`](Self::start_again): for tests of what clients do while
    /// their database is away.
    pub fn stop_for_now(&self) {
        run(
            self.server_command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "fast", "-w", "stop"]),
            "stop PostgreSQL for a while",
        );
    }

    /// Starts a server stopped by [`stop_for_now`](Self::stop_for_now) again, on the same port
    /// and directory, waiting until it accepts connections.
    pub fn start_again(&self) {
        if let Err(log) = self.start_server(self.port) {
            panic!(
                "PostgreSQL did not start again on port {}:\n{log}",
                self.port
            );
        }
    }

    /// Stops the server at once and removes its directory, panicking if it would not stop.
    pub fn stop(self) {
        run(
            &mut self.stop_command(),
            "stop PostgreSQL (immediate shutdown)",
        );
        // Dropping stops the already stopped server again, which fails quietly.
    }

    /// The URL of the database `name` on this server.
    fn database_url(&self, name: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{name}", self.port)
    }

    /// Starts the server on one free port after another until one is still free when the
    /// server binds it; returns that port.
    fn start_on_free_port(&self) -> u16 {
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            match self.start_server(port) {
                Ok(()) => return port,
                Err(log) => last_log = log,
            }
        }
        panic!("PostgreSQL did not start in {START_ATTEMPTS} attempts:\n{last_log}");
    }

    /// `pg_ctl start`, waiting until the server accepts connections; the error is its log.
    fn start_server(&self, port: u16) -> Result<(), String> {
        let socket_directory = self.directory.path().display();
        let tls = if self.certificate_authority.is_some() {
            format!(
                "-c ssl=on -c ssl_cert_file='{socket_directory}/{SERVER_CERTIFICATE}' \
                 -c ssl_key_file='{socket_directory}/{SERVER_KEY}'"
            )
        } else {
            String::new()
        };
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k '{socket_directory}' {SETTINGS} {} {tls}",
            self.durability
        );
        let status = self
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-o", &options, "start"])
            .output()
            .map(|output| output.status.success());
        match status {
            Ok(true) => Ok(()),
            Ok(false) => Err(read_log(&self.log)),
            Err(error) => Err(format!("could not run pg_ctl: {error}")),
        }
    }

    /// `pg_ctl stop` in immediate mode: no checkpoint, the quickest way down.
    fn stop_command(&self) -> Command {
        let mut command = self.server_command("pg_ctl");
        command
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]);
        command
    }

    /// A server program (`initdb`, `pg_ctl`) run as the right user.
    fn server_command(&self, program: &str) -> Command {
        server_command(&self.binaries, program, self.directory.path())
    }

    /// A client program (`createdb`, `psql`) connecting over TCP as the role `beseda`.
    fn client_command(&self, program: &str) -> Command {
        let mut command = Command::new(self.binaries.join(program));
        command
            .args(["--host", "127.0.0.1", "--username", ROLE])
            .arg("--port")
            .arg(self.port.to_string());
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A failure means the server is down already (after `stop`): nothing is left to do.
        let _ = self.stop_command().output();
    }
}

/// A server program; as root through `runuser -u postgres`, since PostgreSQL refuses to run as
/// root. It runs in `directory`, which the postgres user can enter (the caller's may not be).
fn server_command(binaries: &Path, program: &str, directory: &Path) -> Command {
    let program = binaries.join(program);
    let mut command = if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    command.current_dir(directory);
    command
}

/// The server's certificate and key in its directory (with TLS).
const SERVER_CERTIFICATE: &str = "server.crt";
const SERVER_KEY: &str = "server.key";

/// Makes a CA and a server certificate for `127.0.0.1` and `localhost` signed by it, in
/// `directory`, with the `openssl` program; returns the CA's certificate. The key is readable by
/// the server's user alone, as PostgreSQL demands.
fn make_certificates(directory: &Path) -> PathBuf {
    let openssl = |arguments: &[&str], what: &str| {
        run(
            Command::new("openssl")
                .args(arguments)
                .current_dir(directory),
            what,
        );
    };
    let elliptic = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &elliptic,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=Beseda throwaway CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
        "make a test CA (needs the openssl program)",
    );
    openssl(
        &[
            &["req"][..],
            &elliptic,
            &[
                "-keyout",
                SERVER_KEY,
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
        "make the server's key",
    );
    std::fs::write(
        directory.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("write the server certificate's extensions");
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            SERVER_CERTIFICATE,
        ],
        "sign the server's certificate",
    );
    let key = directory.join(SERVER_KEY);
    if running_as_root() {
        run(
            Command::new("chown").arg("postgres").arg(&key),
            "give the server's key to the postgres user",
        );
    }
    run(
        Command::new("chmod").arg("600").arg(&key),
        "make the server's key private",
    );
    directory.join("ca.crt")
}

/// The programs of the newest PostgreSQL installed, e.g. `/usr/lib/postgresql/15/bin`.
fn newest_binaries() -> PathBuf {
    let entries = std::fs::read_dir(INSTALLATIONS).unwrap_or_else(|error| {
        panic!("no PostgreSQL in {INSTALLATIONS} ({error}): run `make cluster-deps`")
    });
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: Vec<u32> = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let binaries = entry.path().join("bin");
            binaries
                .join("initdb")
                .is_file()
                .then_some((version, binaries))
        })
        .max()
        .map(|(_, binaries)| binaries)
        .unwrap_or_else(|| {
            panic!("no PostgreSQL server in {INSTALLATIONS}: run `make cluster-deps`")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::holder::{accepts_connections, hold_if_asked, kill_holder, wait_until};

    #[test]
    fn every_fresh_database_is_another_empty_database() {
        let server = Postgres::start();
        assert_eq!(server.psql(&server.url(), "select 1"), "1\n");
        let first = server.fresh_database();
        let second = server.fresh_database();
        assert_ne!(first, second);
        for url in [&first, &second] {
            assert!(url.starts_with(&format!("postgres://beseda@127.0.0.1:{}/", server.port())));
            assert_eq!(server.psql(url, "select 1"), "1\n");
        }
        server.psql(&first, "create table notes (text text)");
        let tables = "select count(*) from pg_tables where tablename = 'notes'";
        assert_eq!(server.psql(&first, tables), "1\n");
        assert_eq!(server.psql(&second, tables), "0\n");
    }

    #[test]
    fn a_tls_server_proves_itself_with_its_test_cas_certificate() {
        let server = Postgres::start_with_tls();
        let ca = server
            .certificate_authority()
            .expect("a CA")
            .display()
            .to_string();
        for host in ["127.0.0.1", "localhost"] {
            let url = format!(
                "postgres://beseda@{host}:{}/beseda?sslmode=verify-full&sslrootcert={ca}",
                server.port()
            );
            let sql = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
            assert_eq!(server.psql(&url, sql), "t\n", "over {host}");
        }
        assert!(Postgres::start().certificate_authority().is_none());
    }

    #[test]
    fn a_restart_keeps_the_port_and_the_data() {
        let server = Postgres::start();
        let url = server.fresh_database();
        server.psql(
            &url,
            "create table notes (text text); insert into notes values ('kept')",
        );
        let port = server.port();
        server.restart();
        assert_eq!(server.port(), port);
        assert_eq!(server.psql(&url, "select text from notes"), "kept\n");
    }

    #[test]
    fn a_stopped_server_is_gone_with_its_directory() {
        let server = Postgres::start();
        let port = server.port();
        let directory = server.directory.path().to_owned();
        assert!(accepts_connections(port));
        server.stop();
        assert!(!accepts_connections(port), "the server still listens");
        assert!(
            !directory.exists(),
            "{} is still there",
            directory.display()
        );
    }

    /// Also the body of the copy that `the_shared_server_stops_when_its_process_is_killed`
    /// starts: there it reports the shared server and waits to be killed.
    #[test]
    fn the_shared_server_is_reused() {
        let first = Postgres::shared();
        let second = Postgres::shared();
        assert!(std::ptr::eq(first, second));
        assert_eq!(second.psql(&first.fresh_database(), "select 1"), "1\n");
        hold_if_asked(first.port(), first.directory.path());
    }

    #[test]
    fn the_shared_server_stops_when_its_process_is_killed() {
        let (port, directory) = kill_holder("postgres::tests::the_shared_server_is_reused");
        wait_until("the server stops", || !accepts_connections(port));
        wait_until("its directory is removed", || !directory.exists());
    }
}
