//! `beseda-throwaway`: a throwaway PostgreSQL or nginx for tests written in other languages (the
//! browser tests). It starts the server, prints where it listens on one line, and stops it and
//! removes its directory when its standard input closes — so the server ends with the process
//! that started it, however that process ends.
//!
//! ```text
//! beseda-throwaway postgres                          # prints postgres://beseda@127.0.0.1:PORT/beseda
//! beseda-throwaway nginx --upstream ADDR [--upstream ADDR]…   # prints http://127.0.0.1:PORT
//! ```
//!
//! Given `pause` on a line of its input, a PostgreSQL is stopped until `resume`; each answers a
//! line (`paused`, `resumed`) once done, for tests of what clients do while their database is
//! away.

use beseda_throwaway::{Nginx, Postgres};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str = "usage: beseda-throwaway postgres\n       beseda-throwaway nginx --upstream ADDR [--upstream ADDR]...\n\nStarts the server, prints its URL on one line, and stops it when standard input closes.";

/// A server this program started; dropping it stops the server and removes its directory.
enum Server {
    Postgres(Postgres),
    Nginx(Nginx),
}

impl Server {
    /// What a client connects to.
    fn url(&self) -> String {
        match self {
            Server::Postgres(postgres) => postgres.url(),
            Server::Nginx(nginx) => format!("http://{}", nginx.addr()),
        }
    }
}

/// What the command line asks for.
enum Request {
    Postgres,
    Nginx(Vec<SocketAddr>),
}

/// Reads the command line; the error is the message to print above the usage.
fn parse(arguments: &[String]) -> Result<Request, String> {
    match arguments {
        [command] if command == "postgres" => Ok(Request::Postgres),
        [command, rest @ ..] if command == "nginx" => {
            let mut upstreams = Vec::new();
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                if flag != "--upstream" {
                    return Err(format!("unexpected argument {flag:?}"));
                }
                let value = rest.next().ok_or("--upstream needs an address")?;
                let upstream = value
                    .parse()
                    .map_err(|_| format!("{value:?} is not an address like 127.0.0.1:8081"))?;
                upstreams.push(upstream);
            }
            if upstreams.is_empty() {
                return Err("nginx needs at least one --upstream".to_owned());
            }
            Ok(Request::Nginx(upstreams))
        }
        [] => Err("which server?".to_owned()),
        [command, ..] => Err(format!("unknown command {command:?}")),
    }
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let request = match parse(&arguments) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("beseda-throwaway: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Starting panics with the server's own log when it fails; the exit status says so too.
    let server = match request {
        Request::Postgres => Server::Postgres(Postgres::start()),
        Request::Nginx(upstreams) => Server::Nginx(Nginx::balancing(&upstreams)),
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{}", server.url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody reads the address: nobody will use the server either.
        return ExitCode::FAILURE;
    }
    // Standard input's end (the starter exited, or closed the pipe) is the signal to stop; a
    // read error ends the wait the same way. Before that, PostgreSQL can be stopped for a while
    // and started again by a line each (`pause`, `resume`), each answered by a line once done.
    for line in std::io::stdin().lines() {
        let Ok(line) = line else { break };
        let answer = command(&server, line.trim());
        if writeln!(stdout, "{answer}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    drop(server);
    ExitCode::SUCCESS
}

/// Carries out one line of standard input; the answer is the line to print.
fn command(server: &Server, line: &str) -> &'static str {
    match (server, line) {
        (Server::Postgres(postgres), "pause") => {
            postgres.stop_for_now();
            "paused"
        }
        (Server::Postgres(postgres), "resume") => {
            postgres.start_again();
            "resumed"
        }
        _ => "unknown command: only PostgreSQL can be paused and resumed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_line_names_a_server_and_the_balancers_upstreams() {
        assert!(matches!(
            parse(&arguments("postgres")),
            Ok(Request::Postgres)
        ));
        let Ok(Request::Nginx(upstreams)) = parse(&arguments(
            "nginx --upstream 127.0.0.1:4001 --upstream 127.0.0.1:4002",
        )) else {
            panic!("two upstreams are a balancer");
        };
        assert_eq!(
            upstreams,
            [
                "127.0.0.1:4001".parse().unwrap(),
                "127.0.0.1:4002".parse().unwrap()
            ] as [SocketAddr; 2]
        );
    }

    #[test]
    fn a_wrong_command_line_is_refused_with_the_reason() {
        for (line, reason) in [
            ("", "which server?"),
            ("redis", "unknown command"),
            ("postgres --port 5", "unknown command"),
            ("nginx", "at least one --upstream"),
            ("nginx --upstream", "needs an address"),
            ("nginx --upstream localhost", "not an address"),
            ("nginx 127.0.0.1:4001", "unexpected argument"),
        ] {
            let Err(error) = parse(&arguments(line)) else {
                panic!("{line:?} was accepted");
            };
            assert!(error.contains(reason), "{line:?}: {error}");
        }
    }
}
