//! Routes of the operators' workflow on a conversation: join, assign (take over or transfer),
//! read marks and tags.

use super::{json, json_body, operator, with_app};
use crate::App;
use crate::error::ApiError;
use crate::validation::check_tags;
use beseda_protocol::api::{Assign, ReadMark, Tags};
use beseda_protocol::{ConversationId, OperatorProfile};
use std::sync::Arc;
use warp::filters::BoxedFilter;
use warp::{Filter, Reply};

pub fn routes(app: Arc<App>) -> BoxedFilter<(warp::reply::Response,)> {
    join(app.clone())
        .or(assign(app.clone()))
        .unify()
        .or(read(app.clone()))
        .unify()
        .or(tags(app))
        .unify()
        .boxed()
}

/// `POST /api/conversations/{id}/join` → the conversation (409 once resolved). The visitor is
/// told who is there for them (once per operator); a conversation nobody had becomes the caller's.
fn join(app: Arc<App>) -> BoxedFilter<(warp::reply::Response,)> {
    warp::path!("api" / "conversations" / i64 / "join")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, app: Arc<App>| async move {
                json(
                    app.store
                        .join(ConversationId(id), operator.id)
                        .await
                        .map_err(ApiError::store("conversation")),
                )
                .map(Reply::into_response)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/assign` `{ operatorId }` → the conversation: a transfer, or a
/// take-over with one's own id. The operator's maximum does not apply: people decided.
fn assign(app: Arc<App>) -> BoxedFilter<(warp::reply::Response,)> {
    warp::path!("api" / "conversations" / i64 / "assign")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<Assign>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: Assign, app: Arc<App>| async move {
                json(
                    app.store
                        .assign(ConversationId(id), body.operator_id)
                        .await
                        .map_err(ApiError::store("conversation")),
                )
                .map(Reply::into_response)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/read` `{ seq }` → 204: the caller has read up to `seq`.
fn read(app: Arc<App>) -> BoxedFilter<(warp::reply::Response,)> {
    warp::path!("api" / "conversations" / i64 / "read")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<ReadMark>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body: ReadMark, app: Arc<App>| async move {
                let id = ConversationId(id);
                let marked = async {
                    app.store
                        .conversation_summary(id)
                        .await
                        .map_err(ApiError::store("conversation"))?;
                    app.store
                        .mark_read(id, operator.id, body.seq)
                        .await
                        .map_err(ApiError::store("conversation"))
                };
                marked
                    .await
                    .map(|()| http::StatusCode::NO_CONTENT.into_response())
                    .map_err(warp::reject::custom)
            },
        )
        .boxed()
}

/// `PUT /api/conversations/{id}/tags` `{ tags }` → the conversation.
fn tags(app: Arc<App>) -> BoxedFilter<(warp::reply::Response,)> {
    warp::path!("api" / "conversations" / i64 / "tags")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<Tags>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: Tags, app: Arc<App>| async move {
                // Trimmed, and each tag once (in the order first given).
                let mut tags: Vec<String> = Vec::with_capacity(body.tags.len());
                for tag in body.tags.iter().map(|tag| tag.trim()) {
                    if !tags.iter().any(|kept| kept == tag) {
                        tags.push(tag.to_owned());
                    }
                }
                let result = match check_tags(&tags) {
                    Err(refusal) => Err(ApiError::invalid(refusal)),
                    Ok(()) => app
                        .store
                        .set_tags(ConversationId(id), tags)
                        .await
                        .map_err(ApiError::store("conversation")),
                };
                json(result).map(Reply::into_response)
            },
        )
        .boxed()
}
