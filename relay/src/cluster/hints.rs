//! Hints relays tell each other outside the event log, over `NOTIFY beseda_hints`: nothing that
//! may not be lost. Typing (a later state replaces it), and changes to what relays cache (a
//! site's settings, the answers), which the caches' own expiry and the singletons' short sleeps
//! bound when a hint is lost. Each hint names the relay that sent it, which ignores its own.

use super::{Cluster, shared};
use crate::App;
use beseda_protocol::{ConversationId, VisitorId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

/// The channel hints go over.
const HINTS: &str = "beseda_hints";

/// What relays tell each other outside the event log: nothing that may not be lost.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "hint", rename_all = "snake_case")]
enum Hint {
    VisitorTyping {
        relay: String,
        conversation_id: ConversationId,
        typing: bool,
    },
    OperatorTyping {
        relay: String,
        site: String,
        visitor_id: VisitorId,
        typing: bool,
        name: String,
    },
    SiteChanged {
        relay: String,
        site: String,
        title: String,
    },
    AnswersChanged {
        relay: String,
    },
}

impl Cluster {
    /// A visitor started or stopped typing: this relay's consoles hear it, and the others'.
    pub fn visitor_typing(&self, app: &App, conversation_id: ConversationId, typing: bool) {
        app.hub.visitor_typing(conversation_id, typing);
        self.ring(Hint::VisitorTyping {
            relay: self.relay.clone(),
            conversation_id,
            typing,
        });
    }

    /// An operator started or stopped typing: the visitor's tabs hear it, on every relay.
    pub fn operator_typing(
        &self,
        app: &App,
        site: &str,
        visitor_id: &VisitorId,
        typing: bool,
        name: &str,
    ) {
        app.hub.operator_typing(site, visitor_id, typing, name);
        self.ring(Hint::OperatorTyping {
            relay: self.relay.clone(),
            site: site.to_owned(),
            visitor_id: visitor_id.clone(),
            typing,
            name: name.to_owned(),
        });
    }

    /// A site's settings changed: this relay's caches and waits follow, and the others'.
    pub fn site_changed(&self, app: &App, site: &str, title: &str) {
        site_changed_here(app, site, title);
        self.ring(Hint::SiteChanged {
            relay: self.relay.clone(),
            site: site.to_owned(),
            title: title.to_owned(),
        });
    }

    /// Answers were added, changed or deleted: every relay searches afresh.
    pub fn answers_changed(&self, app: &App) {
        app.answers.changed();
        self.ring(Hint::AnswersChanged {
            relay: self.relay.clone(),
        });
    }

    fn ring(&self, hint: Hint) {
        let Some(shared) = &self.shared else {
            return;
        };
        let Ok(payload) = serde_json::to_string(&hint) else {
            return;
        };
        let store = shared.store.clone();
        tokio::spawn(async move {
            let sent = store
                .with_connection(move |client| async move {
                    client
                        .execute("SELECT pg_notify($1, $2)", &[&HINTS, &payload])
                        .await?;
                    Ok(())
                })
                .await;
            if let Err(error) = sent {
                tracing::debug!(%error, "a hint could not be sent to the other relays");
            }
        });
    }
}

/// What a change of a site's settings means to this relay: widgets greet with the new title,
/// waits fall due at other times, the site may open or close now.
fn site_changed_here(app: &App, site: &str, title: &str) {
    app.known_sites
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(site.to_owned(), title.to_owned());
    app.auto_reply.wake();
    app.hours.wake();
}

/// Hears other relays' hints and acts on them.
pub(super) async fn listen_for_hints(app: Arc<App>) {
    let store = shared(&app).store.clone();
    let mut shutdown = app.shutdown.clone();
    loop {
        let (client, mut connection) = match store.dedicated_connection_parts().await {
            Ok(parts) => parts,
            Err(error) => {
                crate::store::health::warn_unless_outage(
                    &error,
                    "cannot connect to hear the other relays' hints",
                );
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = shutdown.wait_for(|stopping| *stopping) => return,
                }
            }
        };
        let (notes, mut heard) = mpsc::unbounded_channel();
        let driver = tokio::spawn(async move {
            let mut messages =
                futures_util::stream::poll_fn(move |context| connection.poll_message(context));
            while let Some(Ok(message)) = messages.next().await {
                if let AsyncMessage::Notification(note) = message
                    && notes.send(note.payload().to_owned()).is_err()
                {
                    break;
                }
            }
        });
        if client
            .batch_execute(&format!("LISTEN {HINTS}"))
            .await
            .is_ok()
        {
            loop {
                tokio::select! {
                    payload = heard.recv() => match payload {
                        Some(payload) => act_on(&app, &payload),
                        None => break,
                    },
                    _ = shutdown.wait_for(|stopping| *stopping) => {
                        driver.abort();
                        return;
                    }
                }
            }
        }
        driver.abort();
    }
}

fn act_on(app: &App, payload: &str) {
    let hint = match serde_json::from_str::<Hint>(payload) {
        Ok(hint) => hint,
        Err(error) => {
            tracing::debug!(%error, "an unreadable hint from another relay");
            return;
        }
    };
    let from_here = |relay: &str| relay == app.cluster.relay;
    match hint {
        Hint::VisitorTyping {
            relay,
            conversation_id,
            typing,
        } if !from_here(&relay) => app.hub.visitor_typing(conversation_id, typing),
        Hint::OperatorTyping {
            relay,
            site,
            visitor_id,
            typing,
            name,
        } if !from_here(&relay) => app.hub.operator_typing(&site, &visitor_id, typing, &name),
        Hint::SiteChanged { relay, site, title } if !from_here(&relay) => {
            site_changed_here(app, &site, &title)
        }
        Hint::AnswersChanged { relay } if !from_here(&relay) => app.answers.changed(),
        _ => {}
    }
}
