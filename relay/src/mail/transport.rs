//! The SMTP side: the lettre transport built from the `serve` flags, and one attempt to send a
//! composed email, judged as sent, worth retrying, or refused for good.

use super::compose::Composed;
use crate::config::{Config, SmtpTls};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP command may take before the attempt counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// What came of one attempt.
#[derive(Debug)]
pub enum Attempt {
    Sent,
    /// Worth trying again: no connection, a timeout, a 4xx answer, a failed sign-in.
    Failed(String),
    /// The server refused this email for good (5xx), or it cannot be written at all.
    Refused(String),
}

/// Sends composed emails through one SMTP server, from one address.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Sender {
    /// The transport the flags describe; `None` without `--smtp-host` (email is off).
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Sender>> {
        let Some(host) = config.smtp_host.as_deref() else {
            return Ok(None);
        };
        let from = config
            .mail_from
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--smtp-host needs --mail-from"))?;
        let tls = match config.smtp_tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(TlsParameters::new(host.to_owned())?),
            SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(host.to_owned())?),
        };
        let port = config
            .smtp_port
            .unwrap_or_else(|| config.smtp_tls.default_port());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT));
        if let (Some(user), Some(password)) = (&config.smtp_user, &config.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.0.clone()));
        }
        Ok(Some(Sender {
            transport: builder.build(),
            from,
        }))
    }

    pub async fn send(&self, composed: &Composed) -> Attempt {
        let message = match self.message(composed) {
            Ok(message) => message,
            Err(error) => return Attempt::Refused(error),
        };
        match self.transport.send(message).await {
            Ok(_) => Attempt::Sent,
            Err(error) => {
                // A failed sign-in (530, 534, 535) is the relay's configuration, not this
                // email's fault: keep the email for when the password is put right.
                let sign_in = error
                    .status()
                    .is_some_and(|code| matches!(code.to_string().as_str(), "530" | "534" | "535"));
                if error.is_permanent() && !sign_in {
                    Attempt::Refused(error.to_string())
                } else {
                    Attempt::Failed(error.to_string())
                }
            }
        }
    }

    fn message(&self, composed: &Composed) -> Result<Message, String> {
        let from = Mailbox::new(
            composed
                .from_name
                .clone()
                .or_else(|| self.from.name.clone()),
            self.from.email.clone(),
        );
        let to: Mailbox = composed
            .to
            .parse()
            .map_err(|error| format!("the address {:?} cannot be used: {error}", composed.to))?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(composed.subject.clone());
        if let Some(reply_to) = composed.reply_to.as_deref()
            && let Ok(reply_to) = reply_to.parse::<Mailbox>()
        {
            builder = builder.reply_to(reply_to);
        }
        builder
            .header(ContentType::TEXT_PLAIN)
            .body(composed.body.clone())
            .map_err(|error| format!("the email cannot be written: {error}"))
    }
}
