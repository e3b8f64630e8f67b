//! Routes of the self-service answers: every operator reads them and their statistics, admins
//! add, change and delete them (403 for others).

use super::team::{Route, created, respond};
use super::{admin, json_body, operator, with_app};
use crate::App;
use crate::answers::{check_answer, trimmed};
use crate::error::ApiError;
use beseda_protocol::answers::{Answer, AnswerInput, LANGUAGES};
use beseda_protocol::{AnswerId, ErrorCode, OperatorProfile};
use serde::Deserialize;
use std::sync::Arc;
use warp::{Filter, Reply};

pub fn routes(app: Arc<App>) -> Route {
    [
        list_answers(app.clone()),
        answer_stats(app.clone()),
        create_answer(app.clone()),
        change_answer(app.clone()),
        delete_answer(app),
    ]
    .into_iter()
    .reduce(|all, route| all.or(route).unify().boxed())
    .expect("there are routes")
}

fn bad_request(message: String) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message)
}

#[derive(Deserialize)]
struct SiteQuery {
    site: Option<String>,
    language: Option<String>,
}

/// The site the query names, which must exist (404 otherwise).
async fn queried_site(app: &App, query: &SiteQuery) -> Result<String, ApiError> {
    let site = query
        .site
        .as_deref()
        .filter(|site| !site.is_empty())
        .ok_or_else(|| bad_request("name the site: ?site=NAME".to_owned()))?;
    match app.store.site_title(site).await? {
        Some(_) => Ok(site.to_owned()),
        None => Err(ApiError::NotFound("site")),
    }
}

fn checked(input: AnswerInput) -> Result<AnswerInput, ApiError> {
    let input = trimmed(input);
    check_answer(&input).map_err(ApiError::invalid)?;
    Ok(input)
}

/// `GET /api/answers?site=S&language=L` → the site's answers (in one language, or in all)
fn list_answers(app: Arc<App>) -> Route {
    warp::path!("api" / "answers")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                let result = async {
                    let site = queried_site(&app, &query).await?;
                    let language = query.language.as_deref().filter(|l| !l.is_empty());
                    if let Some(language) = language
                        && !LANGUAGES.contains(&language)
                    {
                        return Err(bad_request(format!(
                            "language is one of {}",
                            LANGUAGES.join(", ")
                        )));
                    }
                    Ok(app.store.answers(&site, language).await?)
                };
                respond(result.await)
            },
        )
        .boxed()
}

/// `GET /api/answers/stats?site=S` → `{ answers: [{ id, language, question, opened,
/// lastOpenedAt }], misses: [{ language, query, text, count, lastAt }] }`
fn answer_stats(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / "stats")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<SiteQuery>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, query: SiteQuery, app: Arc<App>| async move {
                let result = async {
                    let site = queried_site(&app, &query).await?;
                    Ok(app.store.answer_stats(&site).await?)
                };
                respond(result.await)
            },
        )
        .boxed()
}

/// `POST /api/answers` `{ site, language, question, keywords, answer }` → 201 the answer (admins)
fn create_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<AnswerInput>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: AnswerInput, app: Arc<App>| async move {
                created(save(&app, None, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/answers/{id}` `{ site, language, question, keywords, answer }` → the answer (admins)
fn change_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<AnswerInput>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: AnswerInput, app: Arc<App>| async move {
                respond(save(&app, Some(AnswerId(id)), body).await)
            },
        )
        .boxed()
}

async fn save(app: &App, id: Option<AnswerId>, body: AnswerInput) -> Result<Answer, ApiError> {
    let input = checked(body)?;
    let saved = match id {
        Some(id) => app.store.replace_answer(id, input).await,
        None => app.store.create_answer(input).await,
    }
    .map_err(ApiError::store("answer"))?;
    app.answers.changed();
    Ok(saved)
}

/// `DELETE /api/answers/{id}` → 204 (admins)
fn delete_answer(app: Arc<App>) -> Route {
    warp::path!("api" / "answers" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            let deleted = app
                .store
                .delete_answer(AnswerId(id))
                .await
                .map_err(ApiError::store("answer"));
            if deleted.is_ok() {
                app.answers.changed();
            }
            deleted
                .map(|()| http::StatusCode::NO_CONTENT.into_response())
                .map_err(warp::reject::custom)
        })
        .boxed()
}
