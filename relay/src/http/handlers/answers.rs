//! The self-service answers: every operator reads them and their statistics, admins add,
//! change and delete them.

use crate::App;
use crate::answers::{check_answer, trimmed};
use crate::error::ApiError;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats, LANGUAGES};
use beseda_protocol::{AnswerId, ErrorCode};

fn bad_request(message: String) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message)
}

/// The site a query names, which must exist (404 otherwise).
async fn queried_site(app: &App, site: Option<&str>) -> Result<String, ApiError> {
    let site = site
        .filter(|site| !site.is_empty())
        .ok_or_else(|| bad_request("name the site: ?site=NAME".to_owned()))?;
    match app.store.site_title(site).await? {
        Some(_) => Ok(site.to_owned()),
        None => Err(ApiError::NotFound("site")),
    }
}

/// The site's answers, in one language or in all.
pub async fn list(
    app: &App,
    site: Option<&str>,
    language: Option<&str>,
) -> Result<Vec<Answer>, ApiError> {
    let site = queried_site(app, site).await?;
    let language = language.filter(|language| !language.is_empty());
    if let Some(language) = language
        && !LANGUAGES.contains(&language)
    {
        return Err(bad_request(format!(
            "language is one of {}",
            LANGUAGES.join(", ")
        )));
    }
    Ok(app.store.answers(&site, language).await?)
}

/// How often each of the site's answers was opened, and what visitors looked for in vain.
pub async fn stats(app: &App, site: Option<&str>) -> Result<AnswerStats, ApiError> {
    let site = queried_site(app, site).await?;
    Ok(app.store.answer_stats(&site).await?)
}

/// Adds an answer; widgets see it at once.
pub async fn create(app: &App, body: AnswerInput) -> Result<Answer, ApiError> {
    save(app, None, body).await
}

/// Changes an answer; widgets see it at once.
pub async fn change(app: &App, id: AnswerId, body: AnswerInput) -> Result<Answer, ApiError> {
    save(app, Some(id), body).await
}

async fn save(app: &App, id: Option<AnswerId>, body: AnswerInput) -> Result<Answer, ApiError> {
    let input = trimmed(body);
    check_answer(&input).map_err(ApiError::invalid)?;
    let saved = match id {
        Some(id) => app.store.replace_answer(id, input).await,
        None => app.store.create_answer(input).await,
    }
    .map_err(ApiError::store("answer"))?;
    app.cluster.answers_changed(app);
    Ok(saved)
}

/// Deletes an answer; widgets no longer find it.
pub async fn delete(app: &App, id: AnswerId) -> Result<(), ApiError> {
    app.store
        .delete_answer(id)
        .await
        .map_err(ApiError::store("answer"))?;
    app.cluster.answers_changed(app);
    Ok(())
}
