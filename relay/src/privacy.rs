//! Privacy's acts on visitors' data (export, erase, block) and the retention task. The store
//! does each in one transaction with its audit entry (`store/privacy.rs`); this decides who may
//! and what each means.

use crate::App;
use crate::clock::now_millis;
use crate::store::{AuditRecord, StoreError};
use beseda_protocol::privacy::{AuditAction, AuditDetail, AuditTarget};
use beseda_protocol::{ErrorCode, VisitorId};
use std::sync::Arc;

/// How many conversations the retention erases in one transaction.
const RETENTION_BATCH: u32 = 100;

/// How long a webhook delivery's body (a copy of its event) is kept once delivered or given up,
/// for the delivery log and "deliver again".
const DELIVERIES_KEPT: i64 = 30 * 24 * 60 * 60 * 1000;

/// How often the retention looks for conversations past their site's time.
const RETENTION_EVERY: i64 = 60 * 60 * 1000;

/// The retention task, on the cluster's leader: erases the conversations resolved longer ago
/// than their site keeps them, at start, every hour, and when a site's retention changes.
pub(crate) async fn run(app: Arc<App>) {
    crate::cluster::when_due(
        &app,
        "the conversations past their retention",
        || erase_expired(&app),
        || app.retention_bell.notified(),
    )
    .await;
}

/// Erases what is past its retention, a batch at a time, each batch with its audit entry per
/// site; answers when to look again.
async fn erase_expired(app: &App) -> Result<Option<i64>, StoreError> {
    let forgotten = app
        .store
        .forget_deliveries(now_millis() - DELIVERIES_KEPT)
        .await?;
    if forgotten > 0 {
        tracing::info!(forgotten, "webhook deliveries older than 30 days forgotten");
    }
    loop {
        let expired = app.store.expired(now_millis(), RETENTION_BATCH).await?;
        if expired.is_empty() {
            return Ok(Some(now_millis() + RETENTION_EVERY));
        }
        let mut sites: Vec<&str> = expired.iter().map(|one| one.site.as_str()).collect();
        sites.sort_unstable();
        sites.dedup();
        for site in sites {
            let ids: Vec<_> = expired
                .iter()
                .filter(|one| one.site == site)
                .map(|one| one.conversation_id)
                .collect();
            let count = ids.len();
            let audit = AuditRecord {
                operator: None,
                action: AuditAction::RetentionErase,
                target: AuditTarget::Site(site.to_owned()).to_string(),
                detail: AuditDetail::Conversations(count as u64).to_string(),
            };
            let erased = app.store.erase(ids, audit).await?;
            tracing::info!(site, erased, "conversations past their retention erased");
        }
    }
}

/// The visitor erases their own conversation from the widget, where their site allows it.
pub(crate) async fn visitor_erase(
    app: &App,
    site: &str,
    visitor_id: &VisitorId,
) -> Result<(), (ErrorCode, String)> {
    let failed = |error: StoreError| {
        crate::error::socket_error(
            &error,
            "there is no conversation",
            "a visitor's erase failed",
        )
    };
    let allowed = app
        .store
        .sites()
        .await
        .map_err(failed)?
        .into_iter()
        .any(|settings| settings.name == site && settings.visitor_erase);
    if !allowed {
        return Err((
            ErrorCode::Forbidden,
            "this shop does not let visitors erase their conversation".to_owned(),
        ));
    }
    let Some(conversation) = app
        .store
        .visitor_conversation(site, visitor_id)
        .await
        .map_err(failed)?
    else {
        return Err((ErrorCode::NotFound, "there is no conversation".to_owned()));
    };
    let audit = AuditRecord {
        operator: None,
        action: AuditAction::VisitorErase,
        target: AuditTarget::Conversation(conversation.id.0).to_string(),
        detail: String::new(),
    };
    app.store
        .erase(vec![conversation.id], audit)
        .await
        .map_err(failed)?;
    Ok(())
}
