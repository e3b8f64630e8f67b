//! Routes of the self-service answers: every operator reads them and their statistics, admins
//! add, change and delete them (403 for others).

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, operator, respond, with_app,
};
use crate::http::handlers::answers;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::answers::AnswerInput;
use beseda_protocol::{AnswerId, OperatorProfile};
use serde::Deserialize;
use std::sync::Arc;
use warp::Filter;

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list_answers(app.clone()),
        answer_stats(app.clone()),
        create_answer(app.clone()),
        change_answer(app.clone()),
        delete_answer(app),
    ]
}

#[derive(Deserialize)]
struct SiteQuery {
    site: Option<String>,
    language: Option<String>,
}

/// `GET /api/answers?site=S&language=L` → the site's answers (in one language, or in all)
#[utoipa::path(
    get,
    path = "/api/answers",
    tag = "answers",
    params(
        ("site" = Option<String>, Query, description = "The site"),
        ("language" = Option<String>, Query, description = "One language, e.g. `cs`; every language when left out"),
    ),
    responses(
        (status = 200, description = "The site's answers", body = Vec<Answer>),
        Errors,
    ),
)]
fn list_answers(app: Arc<App>) -> Route {
    warp::path!("api" / "answers")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                let site = query.site.as_deref();
                respond(answers::list(&app, site, query.language.as_deref()).await)
            },
        )
        .boxed()
}

/// `GET /api/answers/stats?site=S` → `{ answers: [{ id, language, question, opened,
/// lastOpenedAt }], misses: [{ language, query, text, count, lastAt }] }`
#[utoipa::path(
    get,
    path = "/api/answers/stats",
    tag = "answers",
    params(
        ("site" = Option<String>, Query, description = "The site"),
    ),
    responses(
        (status = 200, description = "How often each answer was opened, and the searches nothing answered", body = AnswerStats),
        Errors,
    ),
)]
fn answer_stats(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / "stats")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                respond(answers::stats(&app, query.site.as_deref()).await)
            },
        )
        .boxed()
}

/// `POST /api/answers` `{ site, language, question, keywords, answer }` → 201 the answer (admins)
#[utoipa::path(
    post,
    path = "/api/answers",
    tag = "answers",
    request_body = AnswerInput,
    responses(
        (status = 201, description = "The new answer (admins)", body = Answer),
        Errors,
    ),
)]
fn create_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<AnswerInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: AnswerInput, app: Arc<App>| async move {
                created(answers::create(&app, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/answers/{id}` `{ site, language, question, keywords, answer }` → the answer (admins)
#[utoipa::path(
    put,
    path = "/api/answers/{id}",
    tag = "answers",
    params(
        ("id" = i64, Path, description = "The answer's id"),
    ),
    request_body = AnswerInput,
    responses(
        (status = 200, description = "The answer, changed (admins)", body = Answer),
        Errors,
    ),
)]
fn change_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<AnswerInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: AnswerInput, app: Arc<App>| async move {
                respond(answers::change(&app, AnswerId(id), body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/answers/{id}` → 204 (admins)
#[utoipa::path(
    delete,
    path = "/api/answers/{id}",
    tag = "answers",
    params(
        ("id" = i64, Path, description = "The answer's id"),
    ),
    responses(
        (status = 204, description = "Deleted (admins)"),
        Errors,
    ),
)]
fn delete_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(answers::delete(&app, AnswerId(id)).await)
        })
        .boxed()
}
