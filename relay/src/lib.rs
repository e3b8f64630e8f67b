//! The Beseda relay: stores every conversation in SQLite and forwards messages between the shop's
//! visitors (the widget) and its operators (the console).
//!
//! [`run`] serves one listener until its shutdown future resolves. See ARCHITECTURE.md for the
//! map of the modules and the invariants they keep.

mod answers;
mod assets;
pub mod auth;
mod autoreply;
mod catalog;
mod chat;
pub mod cli;
pub mod clock;
mod cluster;
pub mod config;
mod connection;
mod error;
mod fold;
mod frames;
mod hours;
mod http;
pub mod hub;
mod limits;
mod mail;
pub mod media;
mod metrics;
mod net;
mod presence;
mod privacy;
mod prompt_views;
mod reports;
mod session;
mod sessions;
pub mod store;
pub mod webhooks;

pub use config::Config;

use crate::auth::{VisitorTokens, random_bytes};
use crate::hub::Hub;
use crate::limits::{ConnectionCap, OpenConnections, PasswordChecks, SigninLimiter, WindowCounter};
use crate::metrics::Metrics;
use crate::store::Store;
use anyhow::Context;
use beseda_protocol::VisitorId;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// How long shutdown waits for the store to commit what is queued and close.
const STORE_CLOSE_WAIT: Duration = Duration::from_secs(15);
/// How long shutdown waits for open connections to close before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What every connection and request handler shares.
pub(crate) struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub visitor_tokens: VisitorTokens,
    pub metrics: Arc<Metrics>,
    /// Messages per visitor (site and visitor id) per minute.
    pub visitor_messages: WindowCounter<(String, VisitorId)>,
    /// Failed sign-ins per (email, address) and per address, with growing delays.
    pub signin: SigninLimiter,
    /// How many password hashes are checked at once.
    pub password_checks: PasswordChecks,
    /// Wrong current passwords per operator, when changing the password.
    pub password_failures: WindowCounter<beseda_protocol::OperatorId>,
    /// Open console sockets by session, to close them when their session ends.
    pub console_sockets: sessions::ConsoleSockets,
    /// Visitor tokens issued per client address per hour.
    pub visitor_identities: WindowCounter<std::net::IpAddr>,
    /// Conversations started per client address per hour.
    pub new_conversations: WindowCounter<std::net::IpAddr>,
    /// Open connections per address.
    pub connection_cap: ConnectionCap,
    /// Open connections in all.
    pub open_connections: OpenConnections,
    /// Titles of the sites known to exist. Sites are never deleted, so a positive answer can be
    /// kept; a miss asks the store again (a site added with `site add` appears at once).
    pub known_sites: std::sync::RwLock<std::collections::HashMap<String, String>>,
    /// Turns true once, when the relay starts shutting down.
    pub shutdown: watch::Receiver<bool>,
    pub presence: presence::Presence,
    /// Wakes the automatic-message task when a site's delay changes.
    pub auto_reply: Arc<autoreply::AutoReply>,
    /// Wakes the opening-hours task when a site's hours change.
    pub hours: Arc<hours::Hours>,
    /// The sites' self-service answers, ready for searching, and the visitors' search rate.
    pub answers: answers::Answers,
    /// Email over SMTP, when configured.
    pub mail: mail::Mail,
    /// Wakes the tasks that carry out the notices stored messages cause.
    pub notice_bell: chat::notices::NoticeBell,
    /// Signs the prompts' view ids and counts the widgets' reports of them.
    pub prompt_views: prompt_views::PromptViews,
    /// This relay's part among several on PostgreSQL (alone on SQLite).
    pub cluster: cluster::Cluster,
    /// The visitors' files an hour, and how many files are processed at once.
    pub file_limits: chat::files::FileLimits,
    /// Wakes the webhook delivery task.
    pub webhook_bell: Arc<webhooks::WebhookBell>,
    /// Wakes the retention task when a site's retention changes.
    pub retention_bell: tokio::sync::Notify,
}

/// Serves `listener` until `shutdown` resolves, then closes every socket with a close frame,
/// lets HTTP requests in flight finish, and commits everything queued before returning.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mail = mail::Mail::from_config(&config)?;
    let metrics = Arc::new(Metrics::default());
    let hub = Arc::new(Hub::new(metrics.clone()));
    let publisher = hub.clone();
    let auto_reply = Arc::new(autoreply::AutoReply::default());
    let observer = auto_reply.clone();
    let webhook_bell = Arc::new(webhooks::WebhookBell::default());
    let hook_ringer = webhook_bell.clone();
    let relay_id = auth::to_hex(&random_bytes::<8>());
    let opened = store::open_with(
        &config.db,
        &relay_id,
        Box::new(move |events| {
            observer.observe(&events);
            hook_ringer.ring_for(&events);
            publisher.publish(events);
        }),
        &config.storage,
    )
    .await
    .with_context(|| format!("cannot open the database {}", store::describe(&config.db)))?;
    let store: Arc<dyn Store> = opened.store;
    let cluster = match opened.postgres {
        Some(postgres) => cluster::Cluster::postgres(relay_id, postgres),
        None => cluster::Cluster::single(relay_id),
    };
    let secret = store
        .setting_or_insert("visitor_token_secret", random_bytes::<32>().to_vec())
        .await?;
    let secret: [u8; 32] = secret
        .try_into()
        .map_err(|_| anyhow::anyhow!("the stored visitor token secret is damaged"))?;
    let prompt_secret = store
        .setting_or_insert("prompt_view_secret", random_bytes::<32>().to_vec())
        .await?;
    let prompt_secret: [u8; 32] = prompt_secret
        .try_into()
        .map_err(|_| anyhow::anyhow!("the stored prompt view secret is damaged"))?;
    let online_operators = store.online_operators().await?;
    for operator_id in &online_operators {
        hub.set_online(*operator_id, true);
    }
    let address = listener.local_addr()?;
    if config.bootstrap_admin && store.operator_count().await? == 0 {
        bootstrap_admin(store.as_ref(), address).await?;
    }
    if config.allow_origins.is_empty() {
        tracing::warn!("no --allow-origin given: any web page may embed the widget");
    }

    let prompt_views =
        prompt_views::PromptViews::new(prompt_secret, config.prompt_events_per_minute);
    let (shutdown_sender, shutdown_receiver) = watch::channel(false);
    let app = Arc::new(App {
        visitor_messages: WindowCounter::new(
            config.visitor_messages_per_minute,
            Duration::from_secs(60),
        ),
        signin: SigninLimiter::new(
            config.login_attempts,
            config.login_attempts_per_ip,
            config.login_delay,
        ),
        password_checks: PasswordChecks::per_core(),
        password_failures: WindowCounter::new(config.login_attempts, Duration::from_secs(15 * 60)),
        console_sockets: sessions::ConsoleSockets::default(),
        visitor_identities: WindowCounter::new(
            config.visitor_identities_per_hour,
            Duration::from_secs(60 * 60),
        ),
        new_conversations: WindowCounter::new(
            config.conversations_per_hour,
            Duration::from_secs(60 * 60),
        ),
        connection_cap: ConnectionCap::new(config.connections_per_ip),
        open_connections: OpenConnections::new(connection_limit(config.max_connections)),
        known_sites: Default::default(),
        file_limits: chat::files::FileLimits::new(&config),
        config,
        store: store.clone(),
        hub,
        visitor_tokens: VisitorTokens::new(secret),
        prompt_views,
        metrics,
        shutdown: shutdown_receiver,
        presence: presence::Presence::default(),
        auto_reply: auto_reply.clone(),
        hours: Arc::new(hours::Hours::default()),
        answers: answers::Answers::default(),
        mail,
        notice_bell: Default::default(),
        webhook_bell,
        retention_bell: tokio::sync::Notify::new(),
        cluster,
    });
    cluster::Cluster::start(&app);
    spawn_store_probe(&app.store);
    if !store::postgres::is_postgres_url(&app.config.db.to_string_lossy())
        && app.config.db.as_os_str() != ":memory:"
    {
        store::disk::spawn_watch(
            &app.config.db,
            app.config.storage.disk_warn_bytes,
            app.config.storage.disk_check_interval,
            app.store.stats(),
        );
    }
    // Operators left online by the last run have no console yet: the grace period starts now.
    for operator_id in online_operators {
        presence::start_grace(&app, operator_id);
    }
    tokio::spawn(autoreply::run(app.clone(), auto_reply));
    tokio::spawn(hours::run(app.clone(), app.hours.clone()));
    tokio::spawn(mail::run(app.clone()));
    tokio::spawn(webhooks::run(app.clone()));
    tokio::spawn(privacy::run(app.clone()));
    tokio::spawn(chat::files::sweep(app.clone()));
    // Every connection task holds a clone of `alive`; when all are gone, `all_closed` ends.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let routes = http::routes(app.clone());
    tracing::info!(%address, "listening");

    if let Some(metrics_address) = app.config.metrics_listen {
        let metrics_listener = TcpListener::bind(metrics_address)
            .await
            .with_context(|| format!("cannot listen on {metrics_address} for metrics"))?;
        tracing::info!(address = %metrics_listener.local_addr()?, "serving metrics");
        tokio::spawn(connection::serve_metrics(metrics_listener, app.clone()));
    }

    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Some(admitted) = connection::admit_connection(&app, stream, peer) else {
                        continue;
                    };
                    let task = connection::handle(admitted, peer, app.clone(), routes.clone(), graceful.watcher());
                    let alive = alive.clone();
                    tokio::spawn(async move {
                        task.await;
                        drop(alive);
                    });
                }
                Err(error) => {
                    // Usually out of file descriptors: wait for some to be freed instead of spinning.
                    tracing::error!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }

    tracing::info!("shutting down");
    drop(listener);
    let _ = shutdown_sender.send(true);
    drop(alive);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        graceful.shutdown().await;
        all_closed.recv().await;
    })
    .await;
    if drained.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    drop(app);
    // Bounded: a database that is gone must not keep the relay from stopping; what was
    // committed is kept, and what was not was never acknowledged.
    let closed = tokio::time::timeout(
        STORE_CLOSE_WAIT,
        tokio::task::spawn_blocking(move || store.close()),
    )
    .await;
    if closed.is_err() {
        tracing::warn!("the store did not close in time; stopping with what is committed");
    }
    tracing::info!("stopped");
    Ok(())
}

/// While writes fail, tries a write that keeps nothing every so often, so that the outage ends
/// (and `/healthz` recovers) when the storage does, whether or not clients write meanwhile.
/// It holds the store only while probing: once the relay has let the store go, the task ends
/// and the database is closed (a command run next, such as `migrate`, finds it free).
fn spawn_store_probe(store: &Arc<dyn Store>) {
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(error::STORE_RETRY_AFTER);
        loop {
            ticks.tick().await;
            let Some(store) = store.upgrade() else { break };
            if store.stats().health.outage().is_some() {
                // The outcome is told to the store's health like any write's.
                let _ = store.probe().await;
            }
        }
    });
}

/// The cap on open connections: as configured, or the open-file limit less a reserve for the
/// database, its journal, email and the listener itself.
fn connection_limit(configured: usize) -> usize {
    if configured != 0 {
        return configured;
    }
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map_or(1024, |(soft, _)| soft)
        .min(1 << 20);
    let soft = usize::try_from(soft).unwrap_or(1024);
    let reserve = (soft / 20).max(64);
    soft.saturating_sub(reserve).max(16)
}

/// Creates the first admin on an empty database and prints its sign-in, once.
async fn bootstrap_admin(store: &dyn Store, address: std::net::SocketAddr) -> anyhow::Result<()> {
    let password = auth::to_hex(&random_bytes::<9>());
    let hash = tokio::task::spawn_blocking({
        let password = password.clone();
        move || auth::hash_password(&password)
    })
    .await?
    .map_err(|error| anyhow::anyhow!(error))?;
    let profile = store
        .add_operator("admin@localhost", "Admin", &hash, true)
        .await?;
    println!(
        "Created the first operator (admin). Sign in at http://{address}/console/ as {} with the password {password}\n\
         It is shown only this once; add more operators with `beseda-relay operator add`.",
        profile.email
    );
    Ok(())
}
