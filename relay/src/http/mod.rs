//! The HTTP side of the relay: routes (warp filters, one function each, the route as its doc
//! comment) in this file; the handlers they call in `handlers.rs`.

mod account;
mod answers;
mod handlers;
mod prompts;
mod shortcuts;
mod team;
mod workflow;

use crate::App;
use crate::connection::ClientAddr;
use crate::error::{ApiError, recover};
use beseda_protocol::api::{Availability, LoginRequest, NewMessage};
use beseda_protocol::{ConversationId, ConversationStatus, OperatorProfile};
use serde::Deserialize;
use std::sync::Arc;
use warp::{Filter, Rejection, Reply};

/// The largest JSON body the API reads.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Every HTTP route, with errors turned into JSON.
pub fn routes(
    app: Arc<App>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible>
+ Clone
+ Send
+ Sync
+ 'static {
    healthz()
        .or(metrics(app.clone()))
        .or(login(app.clone()))
        .or(me(app.clone()))
        .or(list_conversations(app.clone()))
        .or(get_conversation(app.clone()))
        .or(post_message(app.clone()))
        .or(resolve(app.clone()))
        .or(reopen(app.clone()))
        .or(put_availability(app.clone()))
        .or(workflow::routes(app.clone()))
        .or(team::routes(app.clone()))
        .or(account::routes(app.clone()))
        .or(answers::routes(app))
        .or(assets())
        .map(Reply::into_response)
        .recover(recover)
        .unify()
}

pub(crate) fn with_app(
    app: Arc<App>,
) -> impl Filter<Extract = (Arc<App>,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || app.clone())
}

fn client_addr()
-> impl Filter<Extract = (Option<ClientAddr>,), Error = std::convert::Infallible> + Clone {
    warp::ext::optional::<ClientAddr>()
}

pub(crate) fn json_body<T: serde::de::DeserializeOwned + Send>()
-> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::body::content_length_limit(MAX_BODY_BYTES).and(warp::body::json())
}

/// The signed-in operator, from `Authorization: Bearer TOKEN`; 401 otherwise.
pub(crate) fn operator(
    app: Arc<App>,
) -> impl Filter<Extract = (OperatorProfile,), Error = Rejection> + Clone {
    signed_in(app).map(|operator: OperatorProfile, _: [u8; 32]| operator)
}

/// The signed-in operator and the hash of their session token (to end that session); 401
/// otherwise.
pub(crate) fn signed_in(
    app: Arc<App>,
) -> impl Filter<Extract = (OperatorProfile, [u8; 32]), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(with_app(app))
        .and_then(|header: Option<String>, app: Arc<App>| async move {
            let token = header
                .as_deref()
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|token| !token.is_empty())
                .ok_or(warp::reject::custom(ApiError::Unauthorized))?;
            handlers::authenticate(&app, token)
                .await
                .map_err(warp::reject::custom)
        })
        .untuple_one()
}

/// The signed-in operator if they are an admin; 401 without a sign-in, 403 for other operators.
pub(crate) fn admin(
    app: Arc<App>,
) -> impl Filter<Extract = (OperatorProfile,), Error = Rejection> + Clone {
    operator(app).and_then(|operator: OperatorProfile| async move {
        if operator.admin {
            Ok(operator)
        } else {
            Err(warp::reject::custom(ApiError::Forbidden(
                "only an admin may do this",
            )))
        }
    })
}

/// A handler's outcome as a JSON reply.
pub(crate) fn json<T: serde::Serialize>(
    result: Result<T, ApiError>,
) -> Result<warp::reply::Json, Rejection> {
    result
        .map(|body| warp::reply::json(&body))
        .map_err(warp::reject::custom)
}

/// `GET /healthz` → `200 ok`
fn healthz() -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("healthz").and(warp::get()).map(|| "ok")
}

/// `GET /metrics` → Prometheus text format, on the public port only with
/// `Authorization: Bearer METRICS_TOKEN` (`--metrics-token`); without a token configured there is
/// no such page here (see `--metrics-listen`).
fn metrics(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("metrics")
        .and(warp::get())
        .and(warp::header::optional::<String>("authorization"))
        .and(with_app(app))
        .and_then(|header: Option<String>, app: Arc<App>| async move {
            let Some(expected) = &app.config.metrics_token else {
                return Err(warp::reject::not_found());
            };
            let given = header
                .as_deref()
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or_default();
            if !crate::auth::same_secret(given, &expected.0) {
                return Err(warp::reject::custom(ApiError::Unauthorized));
            }
            Ok(metrics_reply(&app))
        })
}

fn metrics_reply(app: &App) -> impl Reply + use<> {
    let body = handlers::metrics(app);
    warp::reply::with_header(body, "content-type", "text/plain; version=0.0.4")
}

/// The routes of the separate metrics address (`--metrics-listen`): `GET /metrics` without a
/// token, and `GET /healthz`.
pub fn metrics_routes(
    app: Arc<App>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible>
+ Clone
+ Send
+ Sync
+ 'static {
    healthz()
        .map(Reply::into_response)
        .or(warp::path!("metrics")
            .and(warp::get())
            .and(with_app(app))
            .map(|app: Arc<App>| metrics_reply(&app).into_response()))
        .unify()
        .recover(recover)
        .unify()
}

/// `POST /api/login` `{ email, password }` → `{ token, operator }`
fn login(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "login")
        .and(warp::post())
        .and(json_body::<LoginRequest>())
        .and(client_addr())
        .and(with_app(app))
        .and_then(
            |request: LoginRequest, addr: Option<ClientAddr>, app: Arc<App>| async move {
                handlers::login(&app, request, addr)
                    .await
                    .map(|body| warp::reply::json(&body))
                    .map_err(warp::reject::custom)
            },
        )
}

/// `GET /api/me` → the signed-in operator
fn me(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "me")
        .and(warp::get())
        .and(operator(app))
        .map(|operator: OperatorProfile| warp::reply::json(&operator))
}

#[derive(Deserialize)]
struct StatusQuery {
    status: Option<ConversationStatus>,
}

/// `GET /api/conversations?status=open|resolved` → `[ConversationSummary]`, newest activity first
fn list_conversations(
    app: Arc<App>,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "conversations")
        .and(warp::get())
        .and(operator(app.clone()))
        .and(warp::query::<StatusQuery>())
        .and(with_app(app))
        .and_then(
            |operator: OperatorProfile, query: StatusQuery, app: Arc<App>| async move {
                app.store
                    .conversations(query.status, Some(operator.id))
                    .await
                    .map(|list| warp::reply::json(&list))
                    .map_err(|error| warp::reject::custom(ApiError::from(error)))
            },
        )
}

/// `GET /api/conversations/{id}` → `ConversationDetail` with every message
fn get_conversation(
    app: Arc<App>,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "conversations" / i64)
        .and(warp::get())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(|id: i64, _: OperatorProfile, app: Arc<App>| async move {
            handlers::conversation(&app, ConversationId(id))
                .await
                .map(|body| warp::reply::json(&body))
                .map_err(warp::reject::custom)
        })
}

/// `POST /api/conversations/{id}/messages` `{ text, clientId? }` → the stored message
fn post_message(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "conversations" / i64 / "messages")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(json_body::<NewMessage>())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body: NewMessage, app: Arc<App>| async move {
                handlers::post_message(&app, &operator, ConversationId(id), body)
                    .await
                    .map(|(message, created)| {
                        let status = if created {
                            http::StatusCode::CREATED
                        } else {
                            http::StatusCode::OK
                        };
                        warp::reply::with_status(warp::reply::json(&message), status)
                    })
                    .map_err(warp::reject::custom)
            },
        )
}

/// `POST /api/conversations/{id}/resolve` → the conversation, resolved
fn resolve(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    set_status(app, "resolve", ConversationStatus::Resolved)
}

/// `POST /api/conversations/{id}/reopen` → the conversation, open again
fn reopen(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    set_status(app, "reopen", ConversationStatus::Open)
}

fn set_status(
    app: Arc<App>,
    action: &'static str,
    status: ConversationStatus,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path("api")
        .and(warp::path("conversations"))
        .and(warp::path::param::<i64>())
        .and(warp::path(action))
        .and(warp::path::end())
        .and(warp::post())
        .and(operator(app.clone()))
        .and(with_app(app))
        .and_then(
            move |id: i64, _: OperatorProfile, app: Arc<App>| async move {
                app.store
                    .set_status(ConversationId(id), status)
                    .await
                    .map(|summary| warp::reply::json(&summary))
                    .map_err(|error| warp::reject::custom(ApiError::from(error)))
            },
        )
}

/// `GET /widget.js`, `GET /widget/{file}`, `GET /demo/{file}`, `GET /console/{file}` → files
/// built into the relay; `GET /console` and `GET /console/` → the operator console;
/// `GET /` → the demo shop
fn assets() -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    /// The console's page may run only its own code and talk only to this relay; its other
    /// files are named by content hash and never change.
    fn console_headers(path: &str, headers: &mut http::HeaderMap) {
        use http::{HeaderValue, header};
        if path == "console/index.html" {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                     img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; \
                     form-action 'self'; frame-ancestors 'none'",
                ),
            );
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
        } else {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }

    warp::get()
        .or(warp::head())
        .unify()
        .and(warp::path::full())
        .and(warp::header::optional::<String>("accept-encoding"))
        .and_then(
            |path: warp::path::FullPath, accept_encoding: Option<String>| async move {
                let path = path.as_str().trim_start_matches('/');
                if path.is_empty() && crate::assets::find("demo/index.html").is_some() {
                    return Ok(crate::assets::redirect("/demo/"));
                }
                let path = match path {
                    "demo" | "demo/" => "demo/index.html",
                    "console" | "console/" => "console/index.html",
                    path => path,
                };
                let servable = path == "widget.js"
                    || path.starts_with("widget/")
                    || path.starts_with("demo/")
                    || path.starts_with("console/");
                match crate::assets::find(path).filter(|_| servable) {
                    Some(asset) => {
                        let mut response =
                            crate::assets::respond(asset, accept_encoding.as_deref());
                        if path.starts_with("console/") {
                            console_headers(path, response.headers_mut());
                        }
                        Ok(response)
                    }
                    None if path == "widget.js" => Err(warp::reject::custom(ApiError::NotFound(
                        "the widget (this relay was built without it: build with `make build`)",
                    ))),
                    None if path == "console/index.html" => {
                        Err(warp::reject::custom(ApiError::NotFound(
                            "the console (this relay was built without it: build with `make build`)",
                        )))
                    }
                    None => Err(warp::reject::not_found()),
                }
            },
        )
}

/// `PUT /api/me/availability` `{ online }` → `{ online }`
fn put_availability(
    app: Arc<App>,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("api" / "me" / "availability")
        .and(warp::put())
        .and(operator(app.clone()))
        .and(json_body::<Availability>())
        .and(with_app(app))
        .and_then(
            |operator: OperatorProfile, body: Availability, app: Arc<App>| async move {
                handlers::set_availability(&app, &operator, body)
                    .await
                    .map(|body| warp::reply::json(&body))
                    .map_err(warp::reject::custom)
            },
        )
}
