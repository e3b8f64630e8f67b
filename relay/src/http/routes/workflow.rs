//! Routes of the operators' workflow on a conversation: join, assign (take over or transfer),
//! read marks and tags.

use crate::App;
use crate::http::filters::{Route, json_body, no_content, one_of, operator, respond, with_app};
use crate::http::handlers::workflow;
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
