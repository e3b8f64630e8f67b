//! Routes of the conversations: reading them, replying in them, resolving and reopening them.

use crate::App;
use crate::http::filters::{Route, json_body, one_of, operator, respond, with_app};
use crate::http::handlers::conversations;
use crate::http::handlers::history::{self, Listing};
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::api::NewMessage;
use beseda_protocol::{ConversationId, ConversationStatus, OperatorProfile};
use std::collections::HashMap;
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

/// `GET /api/conversations?status=open|resolved` → `[ConversationSummary]`, the most urgent
/// first; with any of `q`, `site`, `operator`, `tag`, `rating`, `reviewed`, `from`, `to`,
/// `limit`, `cursor`, `format` the history instead: `[HistoryItem]` newest first, or CSV with
/// `format=csv`
#[utoipa::path(
    get,
    path = "/api/conversations",
    tag = "conversations",
    params(
        ("status" = Option<ConversationStatus>, Query, description = "Open or resolved; without any of the history's parameters the queue, most urgent first"),
        ("q" = Option<String>, Query, description = "Full text, ignoring case and diacritics (history)"),
        ("site" = Option<String>, Query, description = "One site (history)"),
        ("operator" = Option<i64>, Query, description = "Assigned to this operator (history)"),
        ("tag" = Option<String>, Query, description = "With this tag (history)"),
        ("rating" = Option<Rating>, Query, description = "Rated so (history)"),
        ("reviewed" = Option<bool>, Query, description = "Reviewed or not (history)"),
        ("from" = Option<String>, Query, description = "From this day, YYYY-MM-DD (history)"),
        ("to" = Option<String>, Query, description = "To this day, YYYY-MM-DD, included (history)"),
        ("limit" = Option<u32>, Query, description = "How many at most (history)"),
        ("cursor" = Option<String>, Query, description = "The `cursor` of the last item of the previous page (history)"),
        ("format" = Option<String>, Query, description = "`csv` for the history as a CSV download"),
    ),
    responses(
        (status = 200, description = "The conversations: the queue (`ConversationSummary`) or the history, newest first (`HistoryItem`), or the history as CSV", content((Vec<ListedConversation> = "application/json"), (String = "text/csv"))),
        Errors,
    ),
)]
fn list_conversations(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |operator: OperatorProfile, query: HashMap<String, String>, app: Arc<App>| async move {
                if history::is_history_query(&query) {
                    return match history::list(&app, &operator, &query).await {
                        Ok(Listing::Items(items)) => respond(Ok(items)),
                        Ok(Listing::Csv(csv)) => Ok(super::history::download(csv)),
                        Err(error) => Err(warp::reject::custom(error)),
                    };
                }
                let status = match query.get("status") {
                    Some(status) => {
                        Some(history::parse_status(status).map_err(warp::reject::custom)?)
                    }
                    None => None,
                };
                respond(conversations::list(&app, operator.id, status).await)
            },
        )
        .boxed()
}

/// `GET /api/conversations/{id}` → `ConversationDetail` with every message, its `notes` and
/// (for admins and its operator) its `review`
#[utoipa::path(
    get,
    path = "/api/conversations/{id}",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    responses(
        (status = 200, description = "The conversation with every message, its notes and (for admins and its operator) its review", body = ConversationWithNotes),
        Errors,
    ),
)]
fn get_conversation(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64)
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, app: Arc<App>| async move {
                respond(history::conversation(&app, &operator, ConversationId(id)).await)
            },
        )
        .boxed()
}

/// `POST /api/conversations/{id}/messages` `{ text, clientId? }` → 201 the stored message (200
/// when its `clientId` had been stored before)
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/messages",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = NewMessage,
    responses(
        (status = 201, description = "The stored message", body = Message),
        (status = 200, description = "The message stored before with the same `clientId`", body = Message),
        Errors,
    ),
)]
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
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/resolve",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    responses(
        (status = 200, description = "The conversation, resolved", body = ConversationSummary),
        Errors,
    ),
)]
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
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/reopen",
    tag = "conversations",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    responses(
        (status = 200, description = "The conversation, open again", body = ConversationSummary),
        Errors,
    ),
)]
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
