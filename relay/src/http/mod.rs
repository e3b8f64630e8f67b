//! The HTTP side of the relay, in the shape of warp's todos example: the routes (warp filters,
//! one function each, the route as its doc comment) in `routes/`, one module per area; the
//! handlers they call in `handlers/`, which know nothing of warp; and the pieces every route is
//! built from in `filters.rs`, which imports neither. Routes are combined one way, with
//! `filters::one_of!`, and their errors turned into JSON once, by `error::recover`.

mod filters;
mod handlers;
mod openapi;
mod routes;

use crate::App;
use crate::error::recover;
use filters::one_of;
use std::convert::Infallible;
use std::sync::Arc;
use warp::Filter;
use warp::filters::path::FullPath;

/// Every HTTP route of the public port, with errors turned into JSON.
pub fn routes(
    app: Arc<App>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone + Send + Sync + 'static
{
    let routes = one_of![
        routes::system::routes(app.clone()),
        routes::account::routes(app.clone()),
        routes::conversations::routes(app.clone()),
        routes::files::routes(app.clone()),
        routes::history::routes(app.clone()),
        routes::workflow::routes(app.clone()),
        routes::team::routes(app.clone()),
        routes::shortcuts::routes(app.clone()),
        routes::prompts::routes(app.clone()),
        routes::reports::routes(app.clone()),
        routes::keys::routes(app.clone()),
        routes::answers::routes(app.clone()),
        routes::webhooks::routes(app.clone()),
        routes::privacy::routes(app),
        routes::assets::assets(),
    ];
    warp::path::full()
        .and(routes.recover(recover).unify())
        .map(with_allow)
}

/// A 405 names the methods its path takes, as the OpenAPI document gives them.
fn with_allow(path: FullPath, mut response: warp::reply::Response) -> warp::reply::Response {
    if response.status() == http::StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = openapi::allowed_methods(path.as_str())
        && let Ok(value) = http::HeaderValue::from_str(&allow)
    {
        response.headers_mut().insert(http::header::ALLOW, value);
    }
    response
}

/// The routes of the separate metrics address (`--metrics-listen`): `GET /metrics` without a
/// token, and `GET /healthz`.
pub fn metrics_routes(
    app: Arc<App>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone + Send + Sync + 'static
{
    routes::system::metrics_address_routes(app)
        .recover(recover)
        .unify()
}
