//! Routes of the history: notes, reviews and their sample, transcripts. (The listing and the
//! detail are the conversations' own routes, which call the history's handlers.)

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::history::{self, Download};
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::history::{NewNote, ReviewInput};
use beseda_protocol::{ConversationId, OperatorProfile};
use std::collections::HashMap;
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        add_note(app.clone()),
        set_review(app.clone()),
        clear_review(app.clone()),
        sample(app.clone()),
        transcript(app),
    ]
}

/// A download as a reply: its content type, and nothing the browser may sniff or run.
pub fn download(download: Download) -> warp::reply::Response {
    let mut response =
        warp::reply::with_header(download.body, "content-type", download.content_type)
            .into_response();
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        http::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "content-security-policy",
        http::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}

/// `POST /api/conversations/{id}/notes` `{ text }` → 201 the note
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/notes",
    tag = "history",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = NewNote,
    responses(
        (status = 201, description = "The internal note", body = Note),
        Errors,
    ),
)]
fn add_note(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "notes")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<NewNote>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body: NewNote, app: Arc<App>| async move {
                created(history::add_note(&app, &operator, ConversationId(id), body).await)
            },
        )
        .boxed()
}

/// `PUT /api/conversations/{id}/review` `{ verdict: "good" | "coaching", comment }` → the
/// review (admins only)
#[utoipa::path(
    put,
    path = "/api/conversations/{id}/review",
    tag = "history",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "The review (admins)", body = Review),
        Errors,
    ),
)]
fn set_review(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "review")
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<ReviewInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, admin: OperatorProfile, body: ReviewInput, app: Arc<App>| async move {
                respond(history::set_review(&app, &admin, ConversationId(id), body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/conversations/{id}/review` → 204 (admins only; 404 without a review)
#[utoipa::path(
    delete,
    path = "/api/conversations/{id}/review",
    tag = "history",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    responses(
        (status = 204, description = "The review removed (admins)"),
        Errors,
    ),
)]
fn clear_review(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "review")
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(history::clear_review(&app, ConversationId(id)).await)
        })
        .boxed()
}

/// `GET /api/reviews/sample?operator=ID&week=2026-W49&n=5` → `ReviewSample` (admins only)
#[utoipa::path(
    get,
    path = "/api/reviews/sample",
    tag = "history",
    params(
        ("operator" = i64, Query, description = "The operator's id"),
        ("week" = Option<String>, Query, description = "An ISO week, e.g. `2026-W49`; this week when left out"),
        ("n" = Option<u32>, Query, description = "How many, 1 to 20; 5 when left out"),
    ),
    responses(
        (status = 200, description = "Conversations of the operator's week to review (admins)", body = ReviewSample),
        Errors,
    ),
)]
fn sample(app: Arc<App>) -> Route {
    warp::path!("api" / "reviews" / "sample")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: HashMap<String, String>, app: Arc<App>| async move {
                respond(history::sample(&app, &query).await)
            },
        )
        .boxed()
}

/// `GET /api/conversations/{id}/transcript?format=text|html&notes=true` → the transcript
#[utoipa::path(
    get,
    path = "/api/conversations/{id}/transcript",
    tag = "history",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
        ("format" = Option<String>, Query, description = "`text` (default) or `html`"),
        ("notes" = Option<bool>, Query, description = "With the internal notes"),
    ),
    responses(
        (status = 200, description = "The transcript", content((String = "text/plain"), (String = "text/html"))),
        Errors,
    ),
)]
fn transcript(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "transcript")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, query: HashMap<String, String>, app: Arc<App>| async move {
                history::transcript(&app, &operator, ConversationId(id), &query)
                    .await
                    .map(download)
                    .map_err(warp::reject::custom)
            },
        )
        .boxed()
}
