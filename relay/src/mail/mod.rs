//! Email over SMTP: the shop hears of messages left while nobody could answer (the contact form,
//! or any visitor message while no operator is online or the shop is closed), and a visitor who
//! has left (no open widget) gets operators' replies at the address they gave.
//!
//! Nothing waits on the SMTP server. An email is queued in the transaction that stores its
//! message (`store/outbox.rs`), so a crash or a server that is down loses nothing; one task
//! sends what is due, retries failures with exponential backoff, and sleeps until the next email
//! falls due or until a new one is queued. An email may be sent twice if the relay dies between
//! the server's acceptance and the record of it: at least once, never lost.

mod compose;
mod transport;

use crate::App;
use crate::clock::now_millis;
use crate::config::Config;
use crate::store::{MailNotice, MailOutcome, MailTo, PendingMail, StoreError};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use transport::{Attempt, Sender};

/// The first retry comes this soon after a failure; each later one waits twice as long...
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// ...up to this.
const LONGEST_RETRY: Duration = Duration::from_secs(15 * 60);
/// An email that could not be sent for this long is given up (and logged).
const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// Emails read from the store at a time.
const BATCH: u32 = 16;

/// The relay's email: off without `--smtp-host`.
pub struct Mail {
    sender: Option<Sender>,
    public_url: Option<String>,
    /// The shop's origins (`--allow-origin`): the only pages an email links to.
    allow_origins: Vec<String>,
    interval: Duration,
    per_address_per_day: u32,
}

impl Mail {
    /// Email as the flags describe it; says at start whether it is on.
    pub fn from_config(config: &Config) -> anyhow::Result<Mail> {
        let sender = Sender::from_config(config)?;
        match (&config.smtp_host, &sender) {
            (Some(host), Some(_)) => tracing::info!(
                host,
                port = config
                    .smtp_port
                    .unwrap_or_else(|| config.smtp_tls.default_port()),
                tls = ?config.smtp_tls,
                "email is on"
            ),
            _ => tracing::warn!(
                "no --smtp-host given: email is off; messages left while nobody is online wait in the console"
            ),
        }
        Ok(Mail {
            sender,
            public_url: config.public_url.clone(),
            allow_origins: config.allow_origins.clone(),
            interval: config.mail_interval,
            per_address_per_day: config.mail_per_address_per_day,
        })
    }

    pub fn enabled(&self) -> bool {
        self.sender.is_some()
    }

    /// The email to `to` that a notice asks for, with this relay's limits; none while email is
    /// off.
    pub fn notice(&self, to: MailTo) -> Option<MailNotice> {
        self.enabled().then_some(MailNotice {
            to,
            interval: self.interval,
            per_address_per_day: self.per_address_per_day,
        })
    }
}

/// The mail task: sends what is due, then sleeps until the next email falls due, one is queued,
/// or the relay shuts down. Runs only when email is on.
pub async fn run(app: Arc<App>) {
    let Some(sender) = app.mail.sender.as_ref() else {
        return;
    };
    crate::cluster::when_due(
        &app,
        "the mail outbox",
        || send_due(&app, sender),
        || app.notice_bell.email_recorded(),
    )
    .await;
}

/// Emails every admin a notice of the relay's own, in English like the console (best effort:
/// sent at once, not queued; a failure is logged). Nothing without email.
pub async fn tell_admins(app: &App, subject: &str, body: &str) {
    let Some(sender) = app.mail.sender.as_ref() else {
        return;
    };
    let operators = match app.store.operators().await {
        Ok(operators) => operators,
        Err(error) => {
            tracing::warn!(%error, "cannot read the admins to email");
            return;
        }
    };
    for operator in operators {
        if !operator.profile.admin || operator.disabled {
            continue;
        }
        let composed = compose::Composed {
            to: operator.profile.email.clone(),
            reply_to: None,
            from_name: None,
            subject: subject.to_owned(),
            body: body.to_owned(),
        };
        if let failed @ (Attempt::Failed(_) | Attempt::Refused(_)) = sender.send(&composed).await {
            tracing::warn!(?failed, "cannot email an admin");
        }
    }
}

/// Sends every email that is due; answers when the next one will be.
async fn send_due(app: &App, sender: &Sender) -> Result<Option<i64>, StoreError> {
    loop {
        let due = app.store.mail_due(now_millis(), BATCH).await?;
        if due.is_empty() {
            return app.store.next_mail_due().await;
        }
        for mail in due {
            let composed = compose::compose(
                &mail,
                app.mail.public_url.as_deref(),
                &app.mail.allow_origins,
            );
            let outcome = judge(&mail, sender.send(&composed).await, now_millis());
            count(app, &mail, &outcome);
            app.store.mail_attempted(mail.id, outcome).await?;
            if *app.shutdown.borrow() {
                return Ok(None);
            }
        }
    }
}

/// What an attempt means for the email: sent, another try later, or given up.
fn judge(mail: &PendingMail, attempt: Attempt, now: i64) -> MailOutcome {
    match attempt {
        Attempt::Sent => MailOutcome::Sent,
        Attempt::Refused(error) => MailOutcome::GaveUp { error },
        Attempt::Failed(error) => {
            let give_up_at = mail
                .created_at
                .saturating_add(i64::try_from(GIVE_UP_AFTER.as_millis()).unwrap_or(i64::MAX));
            if now >= give_up_at {
                MailOutcome::GaveUp { error }
            } else {
                let wait = retry_delay(mail.attempts);
                let at = now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
                MailOutcome::Retry { at, error }
            }
        }
    }
}

/// How long to wait after the failure that follows `attempts` earlier ones: 1 s, 2 s, 4 s, …
/// up to 15 minutes.
fn retry_delay(attempts: u32) -> Duration {
    FIRST_RETRY
        .saturating_mul(1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX))
        .min(LONGEST_RETRY)
}

fn count(app: &App, mail: &PendingMail, outcome: &MailOutcome) {
    let metrics = &app.metrics;
    match outcome {
        MailOutcome::Sent => {
            metrics.mail_sent.fetch_add(1, Ordering::Relaxed);
        }
        MailOutcome::Retry { error, at } => {
            metrics.mail_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                %error,
                recipient = %mail.recipient,
                retry_in_ms = at - now_millis(),
                "an email could not be sent; it will be tried again"
            );
        }
        MailOutcome::GaveUp { error } => {
            metrics.mail_failures.fetch_add(1, Ordering::Relaxed);
            metrics.mail_given_up.fetch_add(1, Ordering::Relaxed);
            tracing::error!(
                %error,
                recipient = %mail.recipient,
                conversation = mail.conversation_id.0,
                "an email was given up"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MailId;
    use beseda_protocol::ConversationId;

    fn pending(attempts: u32, created_at: i64) -> PendingMail {
        PendingMail {
            id: MailId(1),
            to: MailTo::Shop,
            recipient: "shop@shop.example".into(),
            conversation_id: ConversationId(1),
            site_title: "Shop".into(),
            shop_email: None,
            visitor_name: None,
            visitor_email: None,
            locale: None,
            page_url: None,
            messages: Vec::new(),
            more: Vec::new(),
            attempts,
            created_at,
        }
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_limit() {
        assert_eq!(retry_delay(0), Duration::from_secs(1));
        assert_eq!(retry_delay(1), Duration::from_secs(2));
        assert_eq!(retry_delay(5), Duration::from_secs(32));
        assert_eq!(retry_delay(12), LONGEST_RETRY);
        assert_eq!(retry_delay(u32::MAX), LONGEST_RETRY);
    }

    #[test]
    fn a_failure_is_retried_until_the_email_is_too_old_and_a_refusal_is_final() {
        let now = 10_000_000_000;
        match judge(&pending(3, now - 1000), Attempt::Failed("down".into()), now) {
            MailOutcome::Retry { at, .. } => assert_eq!(at, now + 8000),
            other => panic!("expected a retry, got {other:?}"),
        }
        let old = now - i64::try_from(GIVE_UP_AFTER.as_millis()).unwrap();
        assert!(matches!(
            judge(&pending(300, old), Attempt::Failed("down".into()), now),
            MailOutcome::GaveUp { .. }
        ));
        assert!(matches!(
            judge(&pending(0, now), Attempt::Refused("550".into()), now),
            MailOutcome::GaveUp { .. }
        ));
        assert!(matches!(
            judge(&pending(0, now), Attempt::Sent, now),
            MailOutcome::Sent
        ));
    }
}
