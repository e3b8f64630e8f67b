//! A throwaway nginx: a configuration written into a temporary directory, nginx run on it in
//! the foreground as a child process, stopped when dropped.

use crate::watchdog::Watchdog;
use crate::{PATIENCE, free_port, read_log};
use std::ffi::OsStr;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The example configuration for two relays behind nginx, which the README shows.
const EXAMPLE: &str = include_str!("../../examples/nginx/beseda.conf");

/// The marks on the example's lines that hold the addresses a deployment changes.
const LISTEN_MARK: &str = "# @listen";
const RELAY_MARK: &str = "# @relay";

/// How often a balancer is started again on another port when its port was taken meanwhile.
const START_ATTEMPTS: u32 = 5;

/// How long to wait between looks at a starting nginx.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// An nginx of its own, stopped and deleted when dropped.
pub struct Nginx {
    port: u16,
    child: Child,
    /// Stops nginx and removes the directory if this process ends without dropping it.
    _watchdog: Watchdog,
    _directory: TempDir,
}

impl Nginx {
    /// Writes `config_text` to `nginx.conf` in a new temporary directory and runs nginx on it
    /// in the foreground (`-g 'daemon off;'`, so the text must not set `daemon`), with that
    /// directory as its prefix: relative paths in the text (pid, logs, temporary files) land
    /// there. Returns once the port of the first `listen` directive accepts connections.
    pub fn start(config_text: &str) -> Nginx {
        Nginx::try_start(config_text).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The example configuration, `examples/nginx/beseda.conf`, balancing `upstreams` instead
    /// of its two example relays and listening on a free 127.0.0.1 port.
    pub fn balancing(upstreams: &[SocketAddr]) -> Nginx {
        let mut last_error = String::new();
        for _ in 0..START_ATTEMPTS {
            let config = balancing_config(EXAMPLE, free_port(), upstreams);
            match Nginx::try_start(&config) {
                Ok(nginx) => return nginx,
                // Someone took the port between our look and nginx's bind: try another.
                Err(error) if error.contains("Address already in use") => last_error = error,
                Err(error) => panic!("{error}"),
            }
        }
        panic!("nginx did not start in {START_ATTEMPTS} attempts: {last_error}");
    }

    /// The port nginx listens on (its first `listen` directive).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`, for clients.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Starts nginx; the error says why it did not come up, with its error output.
    fn try_start(config_text: &str) -> Result<Nginx, String> {
        let port = listen_port(config_text)
            .ok_or("the nginx configuration has no `listen` directive with a port")?;
        let directory = tempfile::Builder::new()
            .prefix("beseda-nginx-")
            .tempdir()
            .map_err(|error| format!("no temporary directory for nginx: {error}"))?;
        let path = directory.path();
        // nginx started as root runs its workers as `nobody`, who must reach the temporary
        // files under the prefix. Nothing secret is kept there.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|error| format!("could not open up {}: {error}", path.display()))?;
        let config = path.join("nginx.conf");
        std::fs::write(&config, config_text)
            .map_err(|error| format!("could not write {}: {error}", config.display()))?;
        let error_log = path.join("error.log");
        let output_path = path.join("output.log");
        let output = File::create(&output_path)
            .map_err(|error| format!("could not create {}: {error}", output_path.display()))?;
        let mut prefix = path.as_os_str().to_owned();
        prefix.push("/");
        let mut child = Command::new(program())
            .arg("-p")
            .arg(&prefix)
            .arg("-e")
            .arg(&error_log)
            .arg("-c")
            .arg(&config)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(output)
            .spawn()
            .map_err(|error| format!("could not run nginx: {error}; run `make cluster-deps`"))?;
        let process_id = child.id().to_string();
        let watchdog = Watchdog::spawn(
            r#"kill -TERM "$1"; rm -rf "$2""#,
            &[OsStr::new(&process_id), path.as_os_str()],
        );
        let pid_file = pid_file(config_text, path);
        let failure = |why: String| {
            format!(
                "nginx did not start: {why}\n{}{}",
                read_log(&output_path),
                read_log(&error_log)
            )
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|error| failure(error.to_string()))?
            {
                return Err(failure(format!("it exited ({status})")));
            }
            // The pid file is written after every socket is bound, so a connection is nginx's
            // and not that of whoever else may hold the port while nginx retries its bind.
            let bound = pid_file.as_deref().is_none_or(Path::exists);
            if bound && TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                terminate(&mut child);
                return Err(failure(format!("port {port} not open in {PATIENCE:?}")));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        Ok(Nginx {
            port,
            child,
            _watchdog: watchdog,
            _directory: directory,
        })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        terminate(&mut self.child);
        // The directory goes with its field, after this: once nginx no longer writes into it.
    }
}

/// Stops nginx and waits for it. SIGTERM: the master stops its workers and exits; SIGKILL would
/// leave the workers running.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// The nginx program: Debian's, or the first on `PATH`.
fn program() -> PathBuf {
    let debian = Path::new("/usr/sbin/nginx");
    if debian.is_file() {
        debian.to_owned()
    } else {
        PathBuf::from("nginx")
    }
}

/// The port of the first `listen` directive (`listen 127.0.0.1:8080;` or `listen 8080;`).
fn listen_port(config_text: &str) -> Option<u16> {
    let line = config_text
        .lines()
        .map(str::trim_start)
        .find(|line| line.starts_with("listen ") || line.starts_with("listen\t"))?;
    let address = line["listen".len()..]
        .split_whitespace()
        .next()?
        .trim_end_matches(';');
    address.rsplit(':').next()?.parse().ok()
}

/// The pid file the configuration names, under `prefix` when relative.
fn pid_file(config_text: &str, prefix: &Path) -> Option<PathBuf> {
    let line = config_text
        .lines()
        .map(str::trim_start)
        .find(|line| line.starts_with("pid "))?;
    let path = line["pid".len()..].trim().trim_end_matches(';').trim();
    Some(prefix.join(path))
}

/// `template` with its `# @listen` line on `127.0.0.1:port` and its `# @relay` lines replaced
/// by one line per upstream, each shaped like the first of them.
fn balancing_config(template: &str, port: u16, upstreams: &[SocketAddr]) -> String {
    assert!(!upstreams.is_empty(), "nginx needs at least one upstream");
    let mut config = String::new();
    let mut listens = 0;
    let mut relays = 0;
    for line in template.lines() {
        if is_marked(line, LISTEN_MARK) {
            listens += 1;
            config.push_str(&replace_address(line, &format!("127.0.0.1:{port}")));
            config.push('\n');
        } else if is_marked(line, RELAY_MARK) {
            relays += 1;
            if relays == 1 {
                for upstream in upstreams {
                    config.push_str(&replace_address(line, &upstream.to_string()));
                    config.push('\n');
                }
            }
        } else {
            config.push_str(line);
            config.push('\n');
        }
    }
    assert!(
        listens == 1 && relays > 0,
        "the example nginx configuration lost its `{LISTEN_MARK}` line or `{RELAY_MARK}` lines"
    );
    config
}

/// Whether `line` is a directive that ends with `mark` (not a comment that mentions it).
fn is_marked(line: &str, mark: &str) -> bool {
    !line.trim_start().starts_with('#') && line.trim_end().ends_with(mark)
}

/// `line` (`    server 127.0.0.1:8081 max_fails=1;  # @relay`) with its directive's first
/// argument replaced by `address`.
fn replace_address(line: &str, address: &str) -> String {
    let directive_start = line.len() - line.trim_start().len();
    let directive_end = directive_start
        + line[directive_start..]
            .find(char::is_whitespace)
            .expect("a directive with an argument");
    let argument_start =
        directive_end + (line[directive_end..].len() - line[directive_end..].trim_start().len());
    let argument_end = argument_start
        + line[argument_start..]
            .find(|character: char| character.is_whitespace() || character == ';')
            .expect("an argument ended by a space or `;`");
    format!(
        "{}{address}{}",
        &line[..argument_start],
        &line[argument_end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::holder::{accepts_connections, hold_if_asked, kill_holder, wait_until};
    use std::collections::HashSet;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// An HTTP server on a free port that answers every request with `name`, in a thread that
    /// runs until the test process ends.
    fn responder(name: &'static str) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the responder's address");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{name}",
                    name.len()
                );
            }
        });
        addr
    }

    /// The body of `GET /` through nginx, which must answer 200.
    fn get(nginx: &Nginx) -> String {
        let mut stream = TcpStream::connect(nginx.addr()).expect("connect to nginx");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n")
            .expect("send a request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the response");
        assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
        let (_, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        body.to_owned()
    }

    /// Also the body of the copy that `a_balancer_stops_when_its_process_is_killed` starts:
    /// there it reports the balancer and waits to be killed.
    #[test]
    fn the_balancer_spreads_requests_over_both_upstreams_and_stops_when_dropped() {
        let nginx = Nginx::balancing(&[responder("first"), responder("second")]);
        let names: HashSet<String> = (0..10).map(|_| get(&nginx)).collect();
        assert_eq!(
            names,
            HashSet::from(["first".to_owned(), "second".to_owned()])
        );
        hold_if_asked(nginx.port(), nginx._directory.path());
        let addr = nginx.addr();
        drop(nginx);
        assert!(TcpStream::connect(addr).is_err(), "nginx still listens");
    }

    #[test]
    fn a_balancer_stops_when_its_process_is_killed() {
        let (port, directory) = kill_holder(
            "nginx::tests::the_balancer_spreads_requests_over_both_upstreams_and_stops_when_dropped",
        );
        wait_until("nginx stops", || !accepts_connections(port));
        wait_until("its directory is removed", || !directory.exists());
    }

    #[test]
    fn a_configuration_nginx_refuses_is_reported_with_its_error() {
        let error = Nginx::try_start(
            "events {}\nhttp { server {\n listen 127.0.0.1:1;\n no_such_directive on;\n} }\n",
        )
        .err()
        .expect("nginx refuses the configuration");
        assert!(error.contains("no_such_directive"), "{error}");
    }

    #[test]
    fn the_example_is_rewritten_for_the_given_relays_and_port() {
        let upstreams: Vec<SocketAddr> = vec![
            "127.0.0.1:4001".parse().unwrap(),
            "127.0.0.1:4002".parse().unwrap(),
            "127.0.0.1:4003".parse().unwrap(),
        ];
        let config = balancing_config(EXAMPLE, 5000, &upstreams);
        assert_eq!(listen_port(&config), Some(5000));
        let servers: Vec<&str> = config
            .lines()
            .map(str::trim)
            .filter(|line| is_marked(line, RELAY_MARK))
            .collect();
        assert_eq!(servers.len(), 3, "{config}");
        for (server, upstream) in servers.iter().zip(&upstreams) {
            assert!(
                server.starts_with(&format!("server {upstream} max_fails=1 fail_timeout=5s;")),
                "{server}"
            );
        }
        assert!(!config.contains("8081") && !config.contains("8082"));
    }
}
