//! The relay's own pages: whether it is up, and its figures.

use crate::App;
use crate::http::filters::{Route, bearer_token, one_of, with_app};
use crate::http::handlers;
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use std::sync::Arc;
use warp::{Filter, Reply};

/// The system pages of the public port.
pub fn routes(app: Arc<App>) -> Route {
    one_of![healthz(app.clone()), metrics(app), openapi()]
}

/// The routes of the separate metrics address (`--metrics-listen`): `GET /metrics` without a
/// token, and `GET /healthz`.
pub fn metrics_address_routes(app: Arc<App>) -> Route {
    one_of![healthz(app.clone()), open_metrics(app)]
}

/// `GET /healthz` → `200 ok`, or `503 storage unavailable: REASON` while writes fail
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    security(()),
    responses(
        (status = 200, description = "`ok`", content_type = "text/plain", body = String),
        (status = 503, description = "`storage unavailable: REASON` while writes fail", content_type = "text/plain", body = String),
        Errors,
    ),
)]
fn healthz(app: Arc<App>) -> Route {
    warp::path!("healthz")
        .and(warp::get())
        .and(with_app(app))
        .map(|app: Arc<App>| {
            let (status, text) = handlers::system::health(&app);
            warp::reply::with_status(text, status).into_response()
        })
        .boxed()
}

/// `GET /metrics` → Prometheus text format, on the public port only with
/// `Authorization: Bearer METRICS_TOKEN` (`--metrics-token`); without a token configured there is
/// no such page here (see `--metrics-listen`).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "system",
    security(("metrics" = [])),
    responses(
        (status = 200, description = "Prometheus text format; only with `--metrics-token` (no such page here otherwise)", content_type = "text/plain", body = String),
        Errors,
    ),
)]
fn metrics(app: Arc<App>) -> Route {
    warp::path!("metrics")
        .and(warp::get())
        .and(warp::header::optional::<String>("authorization"))
        .and(with_app(app))
        .and_then(|header: Option<String>, app: Arc<App>| async move {
            let given = bearer_token(header.as_deref()).unwrap_or_default();
            match handlers::system::public_metrics(&app, given) {
                Ok(Some(text)) => Ok(metrics_reply(text)),
                Ok(None) => Err(warp::reject::not_found()),
                Err(error) => Err(warp::reject::custom(error)),
            }
        })
        .boxed()
}

/// `GET /api/openapi.json` → this API as an OpenAPI 3.1 document (no sign-in)
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "system",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API", body = serde_json::Value),
        Errors,
    ),
)]
fn openapi() -> Route {
    warp::path!("api" / "openapi.json")
        .and(warp::get())
        .map(|| {
            warp::reply::with_header(
                crate::http::openapi::json(),
                "content-type",
                "application/json",
            )
            .into_response()
        })
        .boxed()
}

/// `GET /metrics` → Prometheus text format, on the metrics address (no token)
fn open_metrics(app: Arc<App>) -> Route {
    warp::path!("metrics")
        .and(warp::get())
        .and(with_app(app))
        .map(|app: Arc<App>| metrics_reply(handlers::system::metrics(&app)))
        .boxed()
}

fn metrics_reply(text: String) -> warp::reply::Response {
    warp::reply::with_header(text, "content-type", "text/plain; version=0.0.4").into_response()
}
