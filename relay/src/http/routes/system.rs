//! The relay's own pages: whether it is up, and its figures.

use crate::App;
use crate::http::filters::{Route, bearer_token, one_of, with_app};
use crate::http::handlers;
use std::sync::Arc;
use warp::{Filter, Reply};

/// The system pages of the public port.
pub fn routes(app: Arc<App>) -> Route {
    one_of![healthz(app.clone()), metrics(app)]
}

/// The routes of the separate metrics address (`--metrics-listen`): `GET /metrics` without a
/// token, and `GET /healthz`.
pub fn metrics_address_routes(app: Arc<App>) -> Route {
    one_of![healthz(app.clone()), open_metrics(app)]
}

/// `GET /healthz` → `200 ok`, or `503 storage unavailable: REASON` while writes fail
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
