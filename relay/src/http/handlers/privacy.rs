//! Privacy: export and erase what is held about a visitor (admins), block a visitor (operators;
//! unblock: admins), the blocked list and the audit log (admins). Each act is written to the
//! audit log in the transaction that does it.

use crate::App;
use crate::clock::{iso8601, now_millis};
use crate::error::ApiError;
use crate::store::AuditRecord;
use beseda_protocol::privacy::{
    AuditAction, AuditDetail, AuditEntry, AuditTarget, Block, BlockRequest, EraseRequest, Erased,
    PrivacyExport,
};
use beseda_protocol::{ConversationId, ErrorCode, OperatorProfile};

/// The longest an address block lasts.
pub const MAX_BLOCK_DAYS: u32 = 365;

/// Audit entries per page.
const AUDIT_PAGE: u32 = 100;

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

fn bad_request(message: &str) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message.to_owned())
}

fn audit(by: &OperatorProfile, action: AuditAction, target: String, detail: String) -> AuditRecord {
    AuditRecord {
        operator: Some(by.id),
        action,
        target,
        detail,
    }
}

/// The email address a request names, checked.
fn email(given: &str) -> Result<String, ApiError> {
    let email = given.trim();
    crate::chat::validation::check_email(email).map_err(ApiError::invalid)?;
    Ok(email.to_owned())
}

pub async fn export_conversation(
    app: &App,
    by: &OperatorProfile,
    id: ConversationId,
) -> Result<PrivacyExport, ApiError> {
    let record = audit(
        by,
        AuditAction::Export,
        AuditTarget::Conversation(id.0).to_string(),
        String::new(),
    );
    let conversations = app
        .store
        .export(vec![id], record)
        .await
        .map_err(ApiError::store("conversation"))?;
    Ok(PrivacyExport {
        exported_at: iso8601(now_millis()),
        email: None,
        conversations,
    })
}

pub async fn export_email(
    app: &App,
    by: &OperatorProfile,
    given: Option<String>,
) -> Result<PrivacyExport, ApiError> {
    let given = given.ok_or_else(|| bad_request("name the visitor's email address: ?email="))?;
    let email = email(&given)?;
    let ids = app.store.conversations_of_email(email.clone()).await?;
    let detail = AuditDetail::Conversations(ids.len() as u64).to_string();
    let record = audit(
        by,
        AuditAction::Export,
        AuditTarget::Email.to_string(),
        detail,
    );
    let conversations = app
        .store
        .export(ids, record)
        .await
        .map_err(ApiError::store("conversation"))?;
    Ok(PrivacyExport {
        exported_at: iso8601(now_millis()),
        email: Some(email),
        conversations,
    })
}

pub async fn erase_conversation(
    app: &App,
    by: &OperatorProfile,
    id: ConversationId,
) -> Result<(), ApiError> {
    let record = audit(
        by,
        AuditAction::Erase,
        AuditTarget::Conversation(id.0).to_string(),
        String::new(),
    );
    match app.store.erase(vec![id], record).await? {
        0 => Err(ApiError::NotFound("conversation")),
        _ => Ok(()),
    }
}

pub async fn erase_email(
    app: &App,
    by: &OperatorProfile,
    request: EraseRequest,
) -> Result<Erased, ApiError> {
    let email = email(&request.email)?;
    let ids = app.store.conversations_of_email(email).await?;
    let detail = AuditDetail::Conversations(ids.len() as u64).to_string();
    let record = audit(
        by,
        AuditAction::Erase,
        AuditTarget::Email.to_string(),
        detail,
    );
    let erased = app.store.erase(ids, record).await?;
    Ok(Erased {
        conversations: erased,
    })
}

pub async fn block(
    app: &App,
    by: &OperatorProfile,
    id: ConversationId,
    request: BlockRequest,
) -> Result<Block, ApiError> {
    let address_until = match request.days {
        None => None,
        Some(days) if (1..=MAX_BLOCK_DAYS).contains(&days) => {
            Some(now_millis() + i64::from(days) * DAY_MILLIS)
        }
        Some(_) => {
            return Err(bad_request(&format!(
                "days lies between 1 and {MAX_BLOCK_DAYS}, or is left out to block the visitor alone"
            )));
        }
    };
    // The address of the visitor connected to this relay now; one connected elsewhere has it
    // blocked at their next hello (`session/visitor`).
    let address = match address_until {
        Some(_) => {
            let detail = app
                .store
                .conversation(id)
                .await
                .map_err(ApiError::store("conversation"))?;
            app.hub
                .visitor_address(&detail.site, &detail.visitor.id)
                .map(|address| app.visitor_tokens.address_hash(address))
        }
        None => None,
    };
    app.store
        .block(id, by.id, address_until, address)
        .await
        .map_err(ApiError::store("conversation"))
}

pub async fn unblock(app: &App, by: &OperatorProfile, id: ConversationId) -> Result<(), ApiError> {
    if app.store.unblock(id, by.id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("blocked conversation"))
    }
}

pub async fn blocks(app: &App) -> Result<Vec<Block>, ApiError> {
    Ok(app.store.blocks().await?)
}

pub async fn audit_log(app: &App, before: Option<String>) -> Result<Vec<AuditEntry>, ApiError> {
    let before = match before {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| bad_request("before is an audit entry's id"))?,
        ),
    };
    Ok(app.store.audit(before, AUDIT_PAGE).await?)
}

/// Writes a change of a site's retention or of its visitors' erasing to the audit log, and
/// wakes the retention task.
pub async fn site_changed(
    app: &App,
    by: &OperatorProfile,
    site: &str,
    before: (Option<u32>, bool),
    after: (Option<u32>, bool),
) -> Result<(), ApiError> {
    if before == after {
        return Ok(());
    }
    let detail = AuditDetail::Retention {
        days: (before.0, after.0),
        visitor_erase: (before.1, after.1),
    }
    .to_string();
    let record = audit(
        by,
        AuditAction::RetentionChange,
        AuditTarget::Site(site.to_owned()).to_string(),
        detail,
    );
    app.store.record_audit(record).await?;
    app.retention_bell.notify_one();
    Ok(())
}
