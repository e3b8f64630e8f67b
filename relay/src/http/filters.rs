//! The pieces every route is built from: the shared state, the caller's address, a JSON body,
//! who is signed in, and the shapes of a handler's answer. This module sits below the route
//! modules and imports none of them.
//!
//! Every route starts with its path and only then names its method: warp answers 405 when any
//! route's method filter refused a request, so a method checked before the path would turn
//! every unknown path into "method not allowed" (it must be 404).

use super::handlers;
use super::handlers::keys::KeyRequest;
use crate::App;
use crate::error::ApiError;
use crate::net::ClientAddr;
use beseda_protocol::{ErrorCode, OperatorProfile};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use warp::filters::BoxedFilter;
use warp::filters::path::FullPath;
use warp::{Filter, Rejection, Reply};

/// A route, or several combined: what each route function and each area's `routes` return.
pub type Route = BoxedFilter<(warp::reply::Response,)>;

/// The largest JSON body the API reads.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Routes combined into one, tried in the order given: the one way routes are put together.
macro_rules! one_of {
    ($first:expr $(, $rest:expr)* $(,)?) => {
        warp::Filter::boxed($first $(.or($rest).unify())*)
    };
}
pub(crate) use one_of;

/// The relay's shared state, for the handler.
pub fn with_app(app: Arc<App>) -> impl Filter<Extract = (Arc<App>,), Error = Infallible> + Clone {
    warp::any().map(move || app.clone())
}

/// The client's address, as the connection put it into the request (none in warp's own tests).
pub fn client_addr() -> impl Filter<Extract = (Option<ClientAddr>,), Error = Infallible> + Clone {
    warp::ext::optional::<ClientAddr>()
}

/// The request's JSON body, at most [`MAX_BODY_BYTES`]: an object (serde would read a struct
/// from an array too, `[null, null]` as a body of fields left out), 400 otherwise.
pub fn json_body<T: serde::de::DeserializeOwned + Send>()
-> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::body::content_length_limit(MAX_BODY_BYTES)
        .and(warp::body::json())
        .and_then(|value: serde_json::Value| async move {
            if !value.is_object() {
                return Err(warp::reject::custom(ApiError::Invalid(
                    ErrorCode::BadRequest,
                    "the JSON body must be an object".to_owned(),
                )));
            }
            serde_json::from_value(value).map_err(|error| {
                warp::reject::custom(ApiError::Invalid(
                    ErrorCode::BadRequest,
                    format!("the JSON body is not valid: {error}"),
                ))
            })
        })
}

/// The operator a request acts for, from `Authorization: Bearer TOKEN`: a signed-in operator's
/// session, or an API key acting as the admin who created it within its grant (403 beyond it);
/// 401 otherwise.
pub fn operator(
    app: Arc<App>,
) -> impl Filter<Extract = (OperatorProfile,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::query::<HashMap<String, String>>())
        .and(with_app(app))
        .and_then(
            |header: Option<String>,
             method: http::Method,
             path: FullPath,
             query: HashMap<String, String>,
             app: Arc<App>| async move {
                let token = bearer_token(header.as_deref())
                    .ok_or_else(|| warp::reject::custom(ApiError::Unauthorized))?;
                if handlers::keys::is_key(token) {
                    let request = KeyRequest {
                        method: &method,
                        path: path.as_str(),
                        site: query.get("site").map(String::as_str),
                    };
                    return handlers::keys::authenticate(&app, token, request)
                        .await
                        .map_err(warp::reject::custom);
                }
                handlers::account::authenticate(&app, token)
                    .await
                    .map(|(operator, _)| operator)
                    .map_err(warp::reject::custom)
            },
        )
}

/// The signed-in operator in person — a session, never an API key (403) — and the hash of their
/// session token (to end that session); 401 otherwise.
pub fn signed_in(
    app: Arc<App>,
) -> impl Filter<Extract = (OperatorProfile, [u8; 32]), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(with_app(app))
        .and_then(|header: Option<String>, app: Arc<App>| async move {
            let token = bearer_token(header.as_deref())
                .ok_or_else(|| warp::reject::custom(ApiError::Unauthorized))?;
            if handlers::keys::is_key(token) {
                return Err(warp::reject::custom(ApiError::Forbidden(
                    "an API key cannot do this: sign in as an operator",
                )));
            }
            handlers::account::authenticate(&app, token)
                .await
                .map_err(warp::reject::custom)
        })
        .untuple_one()
}

/// The signed-in operator if they are an admin; 401 without a sign-in, 403 for other operators.
pub fn admin(
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

/// The token of an `Authorization: Bearer TOKEN` header, if it names a non-empty one.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    header
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// A handler's outcome as `200` with its JSON, or the error's answer.
pub fn respond<T: serde::Serialize>(
    result: Result<T, ApiError>,
) -> Result<warp::reply::Response, Rejection> {
    result
        .map(|body| warp::reply::json(&body).into_response())
        .map_err(warp::reject::custom)
}

/// A handler's outcome as `201 Created` with its JSON, or the error's answer.
pub fn created<T: serde::Serialize>(
    result: Result<T, ApiError>,
) -> Result<warp::reply::Response, Rejection> {
    respond(result)
        .map(|reply| warp::reply::with_status(reply, http::StatusCode::CREATED).into_response())
}

/// A handler's outcome as `204 No Content`, or the error's answer.
pub fn no_content(result: Result<(), ApiError>) -> Result<warp::reply::Response, Rejection> {
    result
        .map(|()| http::StatusCode::NO_CONTENT.into_response())
        .map_err(warp::reject::custom)
}
