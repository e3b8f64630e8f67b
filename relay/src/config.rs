//! The relay's configuration: every `serve` flag, each with its environment variable.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How the relay listens, stores and protects itself.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address and port to listen on. Put a TLS-terminating proxy in front for `https://`.
    #[arg(long, env = "BESEDA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The SQLite database file (created if missing). `:memory:` keeps everything in memory.
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    pub db: PathBuf,

    /// A shop origin allowed to embed the widget, e.g. `https://shop.example` (repeatable).
    /// With none, every origin is allowed and the relay warns at start.
    #[arg(
        long = "allow-origin",
        env = "BESEDA_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,

    /// A reverse proxy whose `X-Forwarded-For` names the real client (repeatable). Connections
    /// from other addresses are counted by their own address.
    #[arg(
        long = "trusted-proxy",
        env = "BESEDA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// The longest message text accepted, in characters.
    #[arg(long, env = "BESEDA_MAX_TEXT_CHARS", default_value_t = 4000)]
    pub max_text_chars: usize,

    /// The largest WebSocket frame (and message) accepted, in bytes.
    #[arg(long, env = "BESEDA_MAX_FRAME_BYTES", default_value_t = 32 * 1024)]
    pub max_frame_bytes: usize,

    /// Messages one visitor may send per minute, over all their tabs.
    #[arg(long, env = "BESEDA_VISITOR_MESSAGES_PER_MINUTE", default_value_t = 30)]
    pub visitor_messages_per_minute: u32,

    /// Open WebSocket connections allowed from one IP address (0: no limit).
    #[arg(long, env = "BESEDA_CONNECTIONS_PER_IP", default_value_t = 50)]
    pub connections_per_ip: u32,

    /// Failed sign-ins allowed per email and per IP address in 15 minutes before 429.
    #[arg(long, env = "BESEDA_LOGIN_ATTEMPTS", default_value_t = 5)]
    pub login_attempts: u32,

    /// How long a new socket may take to upgrade and send its hello (e.g. `10s`, `500ms`).
    #[arg(long, env = "BESEDA_HELLO_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub hello_timeout: Duration,

    /// How often the relay pings an open socket.
    #[arg(long, env = "BESEDA_PING_INTERVAL", default_value = "25s", value_parser = parse_duration)]
    pub ping_interval: Duration,

    /// A socket that sends nothing, not even a pong, for this long is closed.
    #[arg(long, env = "BESEDA_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// An operator whose consoles are all closed goes offline after this long (unless a console
    /// comes back first), so that visitors never wait on someone who has left.
    #[arg(long, env = "BESEDA_AVAILABILITY_GRACE", default_value = "60s", value_parser = parse_duration)]
    pub availability_grace: Duration,

    /// On an empty database, create a first admin operator and print its sign-in once.
    #[arg(long, env = "BESEDA_BOOTSTRAP_ADMIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub bootstrap_admin: bool,
}

/// Parses `250ms`, `10s`, `2m` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|character: char| !character.is_ascii_digit()) {
        Some(index) => text.split_at(index),
        None => (text, "s"),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 500ms, 10s or 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!("`{text}`: the unit must be ms, s or m")),
    }
}

impl Config {
    /// A configuration with every default, for the given database file.
    pub fn with_db(db: PathBuf) -> Config {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            config: Config,
        }
        let mut config = <Wrapper as clap::Parser>::parse_from(["beseda-relay"]).config;
        config.db = db;
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
