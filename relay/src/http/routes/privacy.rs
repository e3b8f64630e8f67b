//! Routes of privacy: export and erase a visitor's data, block and unblock, the blocked list and
//! the audit log.

use crate::App;
use crate::http::filters::{
    Route, admin, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::privacy;
use crate::http::openapi::schemas::*;
use beseda_protocol::ConversationId;
use std::collections::HashMap;
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        export_conversation(app.clone()),
        export_email(app.clone()),
        erase_conversation(app.clone()),
        erase_email(app.clone()),
        block(app.clone()),
        unblock(app.clone()),
        list_blocks(app.clone()),
        audit_log(app)
    ]
}

/// `GET /api/conversations/{id}/export` → everything held about the conversation's visitor
/// (admins)
#[utoipa::path(
    get,
    path = "/api/conversations/{id}/export",
    tag = "privacy",
    params(("id" = i64, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Everything held about the conversation's visitor, as one document; written to the audit log (admins)", body = PrivacyExport),
        Errors,
    ),
)]
fn export_conversation(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "export")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, admin: OperatorProfile, app: Arc<App>| async move {
                respond(privacy::export_conversation(&app, &admin, ConversationId(id)).await)
            },
        )
        .boxed()
}

/// `GET /api/privacy/export?email=` → everything held about the visitor who gave this email
/// (admins)
#[utoipa::path(
    get,
    path = "/api/privacy/export",
    tag = "privacy",
    params(("email" = String, Query, description = "The email address the visitor gave")),
    responses(
        (status = 200, description = "Every conversation the email address was given in, with everything tied to it; written to the audit log (admins)", body = PrivacyExport),
        Errors,
    ),
)]
fn export_email(app: Arc<App>) -> Route {
    warp::path!("api" / "privacy" / "export")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |admin: OperatorProfile, mut query: HashMap<String, String>, app: Arc<App>| async move {
                respond(privacy::export_email(&app, &admin, query.remove("email")).await)
            },
        )
        .boxed()
}

/// `DELETE /api/conversations/{id}` → 204: erased for good (admins)
#[utoipa::path(
    delete,
    path = "/api/conversations/{id}",
    tag = "privacy",
    params(("id" = i64, Path, description = "The conversation's id")),
    responses(
        (status = 204, description = "Erased for good with its messages, files, emails and webhook deliveries; the reports keep their anonymous counts (admins)"),
        Errors,
    ),
)]
fn erase_conversation(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, admin: OperatorProfile, app: Arc<App>| async move {
                no_content(privacy::erase_conversation(&app, &admin, ConversationId(id)).await)
            },
        )
        .boxed()
}

/// `POST /api/privacy/erase` `{ email }` → `{ conversations }`: every conversation the email was
/// given in, erased for good (admins)
#[utoipa::path(
    post,
    path = "/api/privacy/erase",
    tag = "privacy",
    request_body = EraseRequest,
    responses(
        (status = 200, description = "How many conversations were erased (admins)", body = Erased),
        Errors,
    ),
)]
fn erase_email(app: Arc<App>) -> Route {
    warp::path!("api" / "privacy" / "erase")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<EraseRequest>())
        .and(with_app(app))
        .and_then(
            |admin: OperatorProfile, request: EraseRequest, app: Arc<App>| async move {
                respond(privacy::erase_email(&app, &admin, request).await)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/block` `{ days? }` → the block: the visitor can send nothing;
/// with `days`, their address is blocked for that long too (operators)
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/block",
    tag = "privacy",
    params(("id" = i64, Path, description = "The conversation's id")),
    request_body = BlockRequest,
    responses(
        (status = 200, description = "The visitor is blocked (and their address, with days)", body = Block),
        Errors,
    ),
)]
fn block(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "block")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<BlockRequest>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, request: BlockRequest, app: Arc<App>| async move {
                respond(privacy::block(&app, &operator, ConversationId(id), request).await)
            },
        )
        .boxed()
}

/// `DELETE /api/conversations/{id}/block` → 204: unblocked, with their address (admins)
#[utoipa::path(
    delete,
    path = "/api/conversations/{id}/block",
    tag = "privacy",
    params(("id" = i64, Path, description = "The conversation's id")),
    responses(
        (status = 204, description = "The visitor and their address may write again (admins)"),
        Errors,
    ),
)]
fn unblock(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "block")
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, admin: OperatorProfile, app: Arc<App>| async move {
                no_content(privacy::unblock(&app, &admin, ConversationId(id)).await)
            },
        )
        .boxed()
}

/// `GET /api/blocks` → every blocked visitor, the latest first (admins)
#[utoipa::path(
    get,
    path = "/api/blocks",
    tag = "privacy",
    responses(
        (status = 200, description = "Every blocked visitor, the latest first (admins)", body = Vec<Block>),
        Errors,
    ),
)]
fn list_blocks(app: Arc<App>) -> Route {
    warp::path!("api" / "blocks")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|_: OperatorProfile, app: Arc<App>| async move {
            respond(privacy::blocks(&app).await)
        })
        .boxed()
}

/// `GET /api/audit?before=` → the audit log, newest first, 100 entries a page (admins)
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "privacy",
    params(("before" = Option<i64>, Query, description = "Entries older than this entry's id (the next page)")),
    responses(
        (status = 200, description = "Who exported, erased, blocked or changed retention, and when; newest first (admins)", body = Vec<AuditEntry>),
        Errors,
    ),
)]
fn audit_log(app: Arc<App>) -> Route {
    warp::path!("api" / "audit")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, mut query: HashMap<String, String>, app: Arc<App>| async move {
                respond(privacy::audit_log(&app, query.remove("before")).await)
            },
        )
        .boxed()
}
