//! Routes of the webhooks under `/api/webhooks` (admins only).

use crate::App;
use crate::http::filters::{
    Route, admin, created, json_body, no_content, one_of, respond, with_app,
};
use crate::http::handlers::webhooks;
use crate::http::openapi::schemas::*;
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        list(app.clone()),
        create(app.clone()),
        change(app.clone()),
        delete(app.clone()),
        rotate(app.clone()),
        deliveries(app.clone()),
        test(app.clone()),
        redeliver(app),
    ]
}

/// A handler's outcome as `202 Accepted` with its JSON (or nothing), or the error's answer.
fn accepted<T: serde::Serialize>(
    result: Result<T, crate::error::ApiError>,
) -> Result<warp::reply::Response, warp::Rejection> {
    respond(result)
        .map(|reply| warp::reply::with_status(reply, http::StatusCode::ACCEPTED).into_response())
}

/// `GET /api/webhooks` → every endpoint (admins)
#[utoipa::path(
    get,
    path = "/api/webhooks",
    tag = "webhooks",
    security(("session" = [])),
    responses(
        (status = 200, description = "Every endpoint (admins, signed in)", body = Vec<Webhook>),
        Errors,
    ),
)]
fn list(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, app: Arc<App>| async move { respond(webhooks::list(&app).await) },
        )
        .boxed()
}

/// `POST /api/webhooks` `{ url, events, enabled }` → 201 the endpoint with its `secret`
/// (admins)
#[utoipa::path(
    post,
    path = "/api/webhooks",
    tag = "webhooks",
    security(("session" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, description = "The endpoint with its signing `secret`, shown this once (admins, signed in)", body = CreatedWebhook),
        Errors,
    ),
)]
fn create(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(json_body::<NewWebhook>())
        .and(with_app(app))
        .and_then(
            |_: OperatorProfile, body: NewWebhook, app: Arc<App>| async move {
                created(webhooks::create(&app, body).await)
            },
        )
        .boxed()
}

/// `PUT /api/webhooks/{id}` `{ url, events, enabled }` → the endpoint (admins)
#[utoipa::path(
    put,
    path = "/api/webhooks/{id}",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
    ),
    request_body = NewWebhook,
    responses(
        (status = 200, description = "The endpoint; enabling it clears `disabledReason` (admins, signed in)", body = Webhook),
        Errors,
    ),
)]
fn change(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64)
        .and(warp::put())
        .and(admin(app.clone()))
        .and(json_body::<NewWebhook>())
        .and(with_app(app))
        .and_then(
            |id: i64, _: OperatorProfile, body: NewWebhook, app: Arc<App>| async move {
                respond(webhooks::change(&app, id, body).await)
            },
        )
        .boxed()
}

/// `DELETE /api/webhooks/{id}` → 204, its deliveries dropped (admins)
#[utoipa::path(
    delete,
    path = "/api/webhooks/{id}",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 204, description = "Deleted, with its pending deliveries (admins, signed in)"),
        Errors,
    ),
)]
fn delete(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64)
        .and(warp::delete())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            no_content(webhooks::delete(&app, id).await)
        })
        .boxed()
}

/// `POST /api/webhooks/{id}/rotate` → the endpoint with its new `secret` (admins)
#[utoipa::path(
    post,
    path = "/api/webhooks/{id}/rotate",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 200, description = "The endpoint with its new `secret`, shown this once; the previous one signs too for 24 hours (admins, signed in)", body = CreatedWebhook),
        Errors,
    ),
)]
fn rotate(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64 / "rotate")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            respond(webhooks::rotate(&app, id).await)
        })
        .boxed()
}

/// `GET /api/webhooks/{id}/deliveries` → the last 50 deliveries, newest first (admins)
#[utoipa::path(
    get,
    path = "/api/webhooks/{id}/deliveries",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 200, description = "The last 50 deliveries, newest first (admins, signed in)", body = Vec<WebhookDelivery>),
        Errors,
    ),
)]
fn deliveries(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64 / "deliveries")
        .and(warp::get())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            respond(webhooks::deliveries(&app, id).await)
        })
        .boxed()
}

/// `POST /api/webhooks/{id}/test` → 202 `{ eventId }` (admins)
#[utoipa::path(
    post,
    path = "/api/webhooks/{id}/test",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 202, description = "A `webhook.test` event queued for the endpoint (admins, signed in)", body = TestEvent),
        Errors,
    ),
)]
fn test(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64 / "test")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            accepted(webhooks::test(&app, id).await)
        })
        .boxed()
}

/// `POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver` → 202 (admins)
#[utoipa::path(
    post,
    path = "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    tag = "webhooks",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
        ("deliveryId" = i64, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "The same event, with the same id, queued again (admins, signed in)"),
        Errors,
    ),
)]
fn redeliver(app: Arc<App>) -> Route {
    warp::path!("api" / "webhooks" / i64 / "deliveries" / i64 / "redeliver")
        .and(warp::post())
        .and(admin(app.clone()))
        .and(with_app(app))
        .and_then(
            |id: i64, delivery_id: i64, _: OperatorProfile, app: Arc<App>| async move {
                webhooks::redeliver(&app, id, delivery_id)
                    .await
                    .map(|()| http::StatusCode::ACCEPTED.into_response())
                    .map_err(warp::reject::custom)
            },
        )
        .boxed()
}
