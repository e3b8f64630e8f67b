//! Routes of the conversations: reading them, replying in them, resolving and reopening them.

use crate::App;
use crate::http::filters::{Route, json_body, one_of, operator, respond, with_app};
use crate::http::handlers::conversations;
use beseda_protocol::api::NewMessage;
use beseda_protocol::{ConversationId, ConversationStatus, OperatorProfile};
use serde::Deserialize;
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_conversations(app.clone()),
        get_conversation(app.clone()),
        post_message(app.clone()),
        resolve(app.clone()),
        reopen(app),
    ]
}

#[derive(Deserialize)]
struct StatusQuery {
    status: Option<ConversationStatus>,
}

/// `GET /api/conversations?status=open|resolved` → `[ConversationSummary]`, newest activity first
fn list_conversations(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<StatusQuery>())
        .and(with_app(app))
        .and_then(
            |operator: OperatorProfile, query: StatusQuery, app: Arc<App>| async move {
                respond(conversations::list(&app, operator.id, query.status).await)
            },
        )
        .boxed()
}

/// `GET /api/conversations/{id}` → `ConversationDetail` with every message
fn get_conversation(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64)
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            respond(conversations::conversation(&app, ConversationId(id)).await)
        })
        .boxed()
}

/// `POST /api/conversations/{id}/messages` `{ text, clientId? }` → 201 the stored message (200
/// when its `clientId` had been stored before)
fn post_message(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "messages")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<NewMessage>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body: NewMessage, app: Arc<App>| async move {
                conversations::post_message(&app, &operator, ConversationId(id), body)
                    .await
                    .map(|(message, created)| {
                        let status = if created {
                            http::StatusCode::CREATED
                        } else {
                            http::StatusCode::OK
                        };
                        warp::reply::with_status(warp::reply::json(&message), status)
                            .into_response()
                    })
                    .map_err(warp::reject::custom)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/resolve` → the conversation, resolved
fn resolve(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "resolve")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            let status = ConversationStatus::Resolved;
            respond(conversations::set_status(&app, ConversationId(id), status).await)
        })
        .boxed()
}

/// `POST /api/conversations/{id}/reopen` → the conversation, open again
fn reopen(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "reopen")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            let status = ConversationStatus::Open;
            respond(conversations::set_status(&app, ConversationId(id), status).await)
        })
        .boxed()
}
