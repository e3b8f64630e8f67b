//! Routes of the manager's reports: `GET /api/reports/{name}` for everyone signed in.

use crate::App;
use crate::http::filters::{Route, operator, with_app};
use crate::http::handlers::reports::{self, ReportBody, ReportQuery};
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use beseda_protocol::OperatorProfile;
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    report(app)
}

/// `GET /api/reports/{name}?from=YYYY-MM-DD&to=YYYY-MM-DD&site=S[&format=csv]` → the report
/// of the days from `from` to `to` (both included) and of the same number of days before;
/// with `format=csv`, its table as `text/csv` (UTF-8 with a byte order mark).
#[utoipa::path(
    get,
    path = "/api/reports/{name}",
    tag = "reports",
    params(
        ("name" = String, Path, description = "The report: `hours`, `volume`, `response`, `satisfaction`, `operators`, `prompts` or `answers`"),
        ("from" = Option<String>, Query, description = "The first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "The last day, YYYY-MM-DD"),
        ("site" = Option<String>, Query, description = "One site; every site when left out"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`"),
    ),
    responses(
        (status = 200, description = "The report of the days and of as many days before, or its table as CSV", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        Errors,
    ),
)]
fn report(app: Arc<App>) -> Route {
    warp::path!("api" / "reports" / String)
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<ReportQuery>())
        .and(with_app(app))
        .and_then(
            |name: String, _: OperatorProfile, query: ReportQuery, app: Arc<App>| async move {
                match reports::report(&app, &name, query).await {
                    Ok(ReportBody::Json(value)) => Ok(warp::reply::json(&value).into_response()),
                    Ok(ReportBody::Csv(text)) => Ok(warp::reply::with_header(
                        warp::reply::with_header(text, "content-type", "text/csv; charset=utf-8"),
                        "content-disposition",
                        format!("attachment; filename=\"{name}.csv\""),
                    )
                    .into_response()),
                    Err(error) => Err(warp::reject::custom(error)),
                }
            },
        )
        .boxed()
}
