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

    /// The database's room, the watch of its disk and its check at start.
    #[command(flatten)]
    pub storage: crate::store::StoreOptions,

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

    /// New visitors (visitor tokens issued) allowed per client address per hour (0: no
    /// limit). Every limit per visitor is per address only through this: a new identity is
    /// otherwise free. One office behind one address stays well below the default.
    #[arg(long, env = "BESEDA_VISITOR_IDENTITIES_PER_HOUR", default_value_t = 60)]
    pub visitor_identities_per_hour: u32,

    /// New conversations (first messages of visitors) allowed per client address per hour
    /// (0: no limit).
    #[arg(long, env = "BESEDA_CONVERSATIONS_PER_HOUR", default_value_t = 30)]
    pub conversations_per_hour: u32,

    /// The largest file accepted in the chat, in bytes (refused with 413 `file_too_large`).
    #[arg(long, env = "BESEDA_FILE_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub file_max_bytes: u64,

    /// Files one visitor may send per hour (refused with 429 `too_many_files`; 0: no limit).
    #[arg(long, env = "BESEDA_FILES_PER_VISITOR_HOUR", default_value_t = 20)]
    pub files_per_visitor_hour: u32,

    /// The kinds of file accepted in the chat, decided from their bytes (refused with 415
    /// `unsupported_type`): any of jpeg, png, webp, gif, heic, pdf, text.
    #[arg(
        long,
        env = "BESEDA_FILE_TYPES",
        value_delimiter = ',',
        default_value = "jpeg,png,webp,gif,heic,pdf,text",
        value_parser = parse_file_type
    )]
    pub file_types: Vec<String>,

    /// Prompt events (shown, dismissed, opened, conversation, order) one IP address may report
    /// per minute; more are refused with 429. A page view reports a handful at most.
    #[arg(long, env = "BESEDA_PROMPT_EVENTS_PER_MINUTE", default_value_t = 120)]
    pub prompt_events_per_minute: u32,

    /// Open connections (HTTP and WebSocket) allowed from one IP address, or one IPv6 /64
    /// (0: no limit). Behind a trusted proxy, WebSockets are counted by the forwarded address.
    #[arg(long, env = "BESEDA_CONNECTIONS_PER_IP", default_value_t = 50)]
    pub connections_per_ip: u32,

    /// Open connections allowed in all (0: the open-file limit, raised at start, less a reserve
    /// for the database and email). Past it a new connection gets 503 and is closed.
    #[arg(long, env = "BESEDA_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,

    /// How long a client may take to send a request's headers, and again its body; a slower
    /// request is answered 408 and its connection closed.
    #[arg(long, env = "BESEDA_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Failed sign-ins for one email from one address before each further attempt must wait
    /// (1 s, doubling with every failure, up to 15 minutes). Other addresses are not affected.
    #[arg(long, env = "BESEDA_LOGIN_ATTEMPTS", default_value_t = 5)]
    pub login_attempts: u32,

    /// Failed sign-ins from one address, over every email, before delays start likewise.
    #[arg(long, env = "BESEDA_LOGIN_ATTEMPTS_PER_IP", default_value_t = 20)]
    pub login_attempts_per_ip: u32,

    /// The first delay after the free failed sign-ins; each further failure doubles it, up to
    /// 15 minutes.
    #[arg(long, env = "BESEDA_LOGIN_DELAY", default_value = "1s", value_parser = parse_duration)]
    pub login_delay: Duration,

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

    /// An operator's session that is not used for this long ends (e.g. `12h`, `7d`); it ends
    /// 30 days after sign-in in any case.
    #[arg(long, env = "BESEDA_SESSION_IDLE", default_value = "7d", value_parser = parse_duration)]
    pub session_idle: Duration,

    /// Let webhooks go to loopback, private and link-local addresses (refused otherwise, so
    /// that an admin cannot make the relay reach into its own network).
    #[arg(long, env = "BESEDA_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,

    /// On an empty database, create a first admin operator and print its sign-in once.
    #[arg(long, env = "BESEDA_BOOTSTRAP_ADMIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub bootstrap_admin: bool,

    /// Serve `/metrics` (and `/healthz`) on this separate address too, e.g. `127.0.0.1:9090`,
    /// without a token. Without it or `--metrics-token`, the public port has no `/metrics`.
    #[arg(long, env = "BESEDA_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Serve `/metrics` on the public port to requests with `Authorization: Bearer TOKEN`.
    #[arg(
        long,
        env = "BESEDA_METRICS_TOKEN",
        hide_env_values = true,
        value_parser = parse_secret
    )]
    pub metrics_token: Option<Secret>,

    /// The SMTP server that sends email: the shop hears of messages left while nobody was
    /// online, and visitors who left get operators' replies. Without it, no email is sent.
    #[arg(
        long,
        env = "BESEDA_SMTP_HOST",
        requires = "mail_from",
        value_parser = parse_host,
        help_heading = "Email"
    )]
    pub smtp_host: Option<String>,

    /// The SMTP port [default: 25 with `--smtp-tls none`, 587 with `starttls`, 465 with `tls`].
    #[arg(long, env = "BESEDA_SMTP_PORT", help_heading = "Email")]
    pub smtp_port: Option<u16>,

    /// The SMTP user name, when the server asks to sign in.
    #[arg(
        long,
        env = "BESEDA_SMTP_USER",
        requires = "smtp_password",
        help_heading = "Email"
    )]
    pub smtp_user: Option<String>,

    /// The SMTP password. Prefer the environment variable: a flag's value can be seen by
    /// anyone on the machine who lists processes.
    #[arg(
        long,
        env = "BESEDA_SMTP_PASSWORD",
        hide_env_values = true,
        requires = "smtp_user",
        value_parser = parse_secret,
        help_heading = "Email"
    )]
    pub smtp_password: Option<Secret>,

    /// How the SMTP connection is secured: `starttls` (plain connection upgraded, the upgrade
    /// required), `tls` (TLS from the start) or `none` (only for a server on the same machine).
    #[arg(long, env = "BESEDA_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls, help_heading = "Email")]
    pub smtp_tls: SmtpTls,

    /// The sender of every email, e.g. `chat@shop.example` or `Shop <chat@shop.example>`.
    /// Emails to visitors carry the shop's name as the sender's name.
    #[arg(long, env = "BESEDA_MAIL_FROM", value_parser = parse_mailbox, help_heading = "Email")]
    pub mail_from: Option<lettre::message::Mailbox>,

    /// The least time between two emails to one address (to a visitor about their conversation,
    /// to the shop about all of a site's conversations); messages written in between are
    /// gathered into the next email.
    #[arg(long, env = "BESEDA_MAIL_INTERVAL", default_value = "5m", value_parser = parse_duration, help_heading = "Email")]
    pub mail_interval: Duration,

    /// The most emails a day the relay sends to one visitor's address (counted over the last
    /// 24 hours, kept in the database): an address a visitor types is anybody's, and the relay
    /// must not become a way to flood it. Replies beyond it wait in the console.
    #[arg(
        long,
        env = "BESEDA_MAIL_PER_ADDRESS_PER_DAY",
        default_value_t = 5,
        help_heading = "Email"
    )]
    pub mail_per_address_per_day: u32,

    /// The relay's public address, e.g. `https://chat.shop.example`: emails to the shop link to
    /// the conversation in the console.
    #[arg(long, env = "BESEDA_PUBLIC_URL", value_parser = parse_public_url, help_heading = "Email")]
    pub public_url: Option<String>,
}

/// How the connection to the SMTP server is secured.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// No encryption.
    None,
    /// STARTTLS, required: nothing is sent unless the upgrade succeeds.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

impl SmtpTls {
    /// The port each way is usually served on.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// A value that is never printed (`Debug` shows only that it is there).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(…)")
    }
}

fn parse_secret(text: &str) -> Result<Secret, String> {
    Ok(Secret(text.to_owned()))
}

/// Parses `chat@shop.example` or `Shop <chat@shop.example>`.
pub fn parse_mailbox(text: &str) -> Result<lettre::message::Mailbox, String> {
    text.trim().parse().map_err(|_| {
        format!("`{text}` is not an email address like chat@shop.example or \"Shop <chat@shop.example>\"")
    })
}

/// Accepts a host name (`smtp.example.com`) or an IP address.
pub fn parse_host(text: &str) -> Result<String, String> {
    let text = text.trim();
    let name = !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric() || character == '-')
        });
    if name || text.parse::<std::net::IpAddr>().is_ok() {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a host name like smtp.example.com or an IP address"
        ))
    }
}

/// Parses an `http(s)://` address and drops a trailing `/`.
pub fn parse_public_url(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.chars().any(char::is_whitespace) => {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "`{text}` is not an address like https://chat.shop.example"
        )),
    }
}

/// Parses `250ms`, `10s`, `2m`, `12h`, `7d` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|character: char| !character.is_ascii_digit()) {
        Some(index) => text.split_at(index),
        None => (text, "s"),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 500ms, 10s, 2m, 12h or 7d"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(number.saturating_mul(60 * 60))),
        "d" => Ok(Duration::from_secs(number.saturating_mul(24 * 60 * 60))),
        _ => Err(format!("`{text}`: the unit must be ms, s, m, h or d")),
    }
}

/// A kind of file `--file-types` may name.
fn parse_file_type(text: &str) -> Result<String, String> {
    let name = text.trim().to_ascii_lowercase();
    match crate::media::Kind::from_name(&name) {
        Some(_) => Ok(name),
        None => Err(format!(
            "`{text}`: the kinds are jpeg, png, webp, gif, heic, pdf and text"
        )),
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
        assert_eq!(parse_duration("5h"), Ok(Duration::from_secs(5 * 3600)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert!(parse_duration("5w").is_err());
    }

    #[test]
    fn mail_addresses_and_public_urls_are_checked() {
        assert_eq!(
            parse_mailbox("Shop <chat@shop.example>").map(|mailbox| mailbox.email.to_string()),
            Ok("chat@shop.example".to_owned())
        );
        assert!(parse_mailbox("chat@shop.example").is_ok());
        assert!(parse_mailbox("not an address").is_err());
        assert_eq!(
            parse_public_url("https://chat.shop.example/"),
            Ok("https://chat.shop.example".to_owned())
        );
        assert!(parse_public_url("chat.shop.example").is_err());
        assert!(parse_public_url("https://").is_err());
        assert_eq!(
            parse_host("smtp.example.com"),
            Ok("smtp.example.com".to_owned())
        );
        assert!(parse_host("127.0.0.1").is_ok() && parse_host("::1").is_ok());
        assert!(parse_host("bad host").is_err() && parse_host("smtp:25").is_err());
        assert!(parse_host("").is_err() && parse_host("-x.example").is_err());
    }

    #[test]
    fn file_types_are_checked() {
        assert_eq!(parse_file_type(" PDF "), Ok("pdf".to_owned()));
        assert!(parse_file_type("exe").is_err());
        let config = Config::with_db(":memory:".into());
        assert_eq!(config.file_types.len(), 7);
        assert_eq!(config.file_max_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn the_password_is_never_printed() {
        assert_eq!(format!("{:?}", Secret("hunter2".into())), "Secret(…)");
    }
}
