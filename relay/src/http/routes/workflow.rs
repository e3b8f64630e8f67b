//! Routes of the operators' workflow on a conversation: join, assign (take over or transfer),
//! read marks and tags.

use crate::App;
use crate::http::filters::{Route, json_body, no_content, one_of, operator, respond, with_app};
use crate::http::handlers::workflow;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::api::{Assign, ReadMark, Tags};
use beseda_protocol::{ConversationId, OperatorProfile};
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        join(app.clone()),
        assign(app.clone()),
        read(app.clone()),
        tags(app),
    ]
}

/// `POST /api/conversations/{id}/join` → the conversation (409 once resolved). The visitor is
/// told who is there for them (once per operator); a conversation nobody had becomes the caller's.
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/join",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    responses(
        (status = 200, description = "The conversation; the visitor is told who is there for them", body = ConversationSummary),
        Errors,
    ),
)]
fn join(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "join")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, app: Arc<App>| async move {
                respond(workflow::join(&app, ConversationId(id), operator.id).await)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/assign` `{ operatorId }` → the conversation: a transfer, or a
/// take-over with one's own id. The operator's maximum does not apply: people decided.
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/assign",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = Assign,
    responses(
        (status = 200, description = "The conversation, transferred or taken over", body = ConversationSummary),
        Errors,
    ),
)]
fn assign(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "assign")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<Assign>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: Assign, app: Arc<App>| async move {
                respond(workflow::assign(&app, ConversationId(id), body.operator_id).await)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/read` `{ seq }` → 204: the caller has read up to `seq`.
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/read",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = ReadMark,
    responses(
        (status = 204, description = "Read up to `seq`"),
        Errors,
    ),
)]
fn read(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "read")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<ReadMark>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body: ReadMark, app: Arc<App>| async move {
                no_content(
                    workflow::mark_read(&app, ConversationId(id), operator.id, body.seq).await,
                )
            },
        )
        .boxed()
}

/// `PUT /api/conversations/{id}/tags` `{ tags }` → the conversation.
#[utoipa::path(
    put,
    path = "/api/conversations/{id}/tags",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = Tags,
    responses(
        (status = 200, description = "The conversation with its tags", body = ConversationSummary),
        Errors,
    ),
)]
fn tags(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "tags")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<Tags>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: Tags, app: Arc<App>| async move {
                respond(workflow::set_tags(&app, ConversationId(id), body.tags).await)
            },
        )
        .boxed()
}
