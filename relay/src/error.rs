//! Errors of the HTTP API and their one mapping to a status code and a JSON body.
//!
//! Internal details (database errors and the like) are logged here and never sent to clients.

use crate::store::{ErrorKind, StoreError};
use beseda_protocol::ErrorCode;
use beseda_protocol::api::{ErrorBody, ErrorDetail};
use http::StatusCode;
use std::convert::Infallible;
use warp::reply::Response;
use warp::{Rejection, Reply};

/// Why an API call failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// A request that breaks a rule with its own error code (e.g. `text_too_long`): 400.
    #[error("{1}")]
    Invalid(ErrorCode, String),
    #[error("sign in first: send `Authorization: Bearer TOKEN`")]
    Unauthorized,
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// 429 with `Retry-After`: the client may try again after so many seconds.
    #[error("{message}; try again in {seconds} s")]
    RetryLater { seconds: u64, message: &'static str },
    #[error("internal error")]
    Internal(String),
    /// 503 with `Retry-After`: the storage failed for a moment; the same request (with the
    /// same client id) may be sent again after the delay.
    #[error("{UNAVAILABLE_MESSAGE}")]
    Unavailable,
    /// A refusal with its own status and code (a file too large, of a type not accepted, one
    /// too many).
    #[error("{2}")]
    Refused(StatusCode, ErrorCode, String),
}

impl warp::reject::Reject for ApiError {}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::store("object")(error)
    }
}

/// The error code and the text a socket client gets for a store error: the one mapping of store
/// errors for the sockets, as [`ApiError::store`] is for HTTP. `missing` names what was looked up
/// ("there is no conversation yet"). Internal errors are logged here, with `context`, and answered
/// with a generic text.
pub fn socket_error(error: &StoreError, missing: &str, context: &str) -> (ErrorCode, String) {
    match error.kind() {
        ErrorKind::NotFound => (ErrorCode::NotFound, missing.to_owned()),
        ErrorKind::Invalid => (ErrorCode::BadRequest, error.to_string()),
        ErrorKind::Conflict => (ErrorCode::Conflict, error.to_string()),
        ErrorKind::Blocked => (ErrorCode::Blocked, error.to_string()),
        // The store's health logs an outage once per episode, not once per request.
        ErrorKind::Unavailable => (ErrorCode::Unavailable, UNAVAILABLE_MESSAGE.to_owned()),
        ErrorKind::Internal => {
            tracing::error!(%error, "{context}");
            (ErrorCode::Internal, INTERNAL_MESSAGE.to_owned())
        }
    }
}

/// What a client is told when something failed inside the relay.
pub const INTERNAL_MESSAGE: &str = "that did not work; try again";

/// What a client is told when the storage failed for a moment.
pub const UNAVAILABLE_MESSAGE: &str =
    "the chat cannot store messages for a moment; send the same again shortly";

/// How long a client is asked to wait before trying again after a temporary storage failure:
/// long enough not to pile resends onto a struggling database, short enough that a visitor
/// barely notices a database restart.
pub const STORE_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// The delay an error code suggests before the same frame is sent again, if it suggests one.
pub fn retry_after(code: ErrorCode) -> Option<std::time::Duration> {
    (code == ErrorCode::Unavailable).then_some(STORE_RETRY_AFTER)
}

impl ApiError {
    /// A store error, with "not found" naming what was looked for.
    /// Names that are missing from a request (an unknown site) are the caller's 400; clashes
    /// with what is stored are 409; internal failures are 500 with nothing of their detail sent.
    pub fn store(what: &'static str) -> impl Fn(StoreError) -> ApiError {
        move |error| match error.kind() {
            ErrorKind::NotFound => ApiError::NotFound(what),
            ErrorKind::Invalid => ApiError::Invalid(ErrorCode::BadRequest, error.to_string()),
            ErrorKind::Conflict => ApiError::Conflict(error.to_string()),
            ErrorKind::Blocked => {
                ApiError::Refused(StatusCode::FORBIDDEN, ErrorCode::Blocked, error.to_string())
            }
            ErrorKind::Unavailable => ApiError::Unavailable,
            ErrorKind::Internal => ApiError::Internal(error.to_string()),
        }
    }

    /// A refusal from `validation.rs`: 400 with its code.
    pub fn invalid((code, message): (ErrorCode, String)) -> ApiError {
        ApiError::Invalid(code, message)
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Invalid(code, _) => (StatusCode::BAD_REQUEST, *code),
            ApiError::Unauthorized | ApiError::WrongCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            ApiError::RetryLater { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
            ApiError::Refused(status, code, _) => (*status, *code),
        }
    }
}

impl Reply for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(detail, "internal error in an API call");
        }
        let (status, code) = self.status_and_code();
        let mut response = error_reply(status, code, &self.to_string());
        let retry_after = match &self {
            ApiError::RetryLater { seconds, .. } => Some(*seconds),
            ApiError::Unavailable => Some(STORE_RETRY_AFTER.as_secs()),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

/// `{ "error": { "code": ..., "message": ... } }` as a string.
pub fn error_body(code: ErrorCode, message: &str) -> String {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
        },
    };
    serde_json::to_string(&body).expect("error bodies always serialise")
}

fn error_reply(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
        },
    };
    warp::reply::with_status(warp::reply::json(&body), status).into_response()
}

/// Turns every rejection, ours and warp's, into a JSON error with the right status.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    if let Some(error) = rejection.find::<ApiError>() {
        return Ok(error.clone().into_response());
    }
    let (status, code, message) = if rejection.is_not_found() {
        (
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such page".to_owned(),
        )
    } else if let Some(error) = rejection.find::<warp::filters::body::BodyDeserializeError>() {
        (
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!("the JSON body is not valid: {error}"),
        )
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "the request body is too large".to_owned(),
        )
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        (
            StatusCode::LENGTH_REQUIRED,
            ErrorCode::BadRequest,
            "send a Content-Length".to_owned(),
        )
    } else if rejection
        .find::<warp::reject::UnsupportedMediaType>()
        .is_some()
    {
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "send JSON with Content-Type: application/json".to_owned(),
        )
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        (
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "the query string is not valid".to_owned(),
        )
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        // warp reports this whenever some route's method filter refused the request; since every
        // route names its path before its method (see `http/filters.rs`), that route's path was
        // the request's: the path exists, its method does not.
        (
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "this method is not allowed here".to_owned(),
        )
    } else if rejection.find::<warp::reject::MissingHeader>().is_some()
        || rejection.find::<warp::reject::InvalidHeader>().is_some()
    {
        (
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "a required header is missing or invalid".to_owned(),
        )
    } else {
        tracing::error!(?rejection, "unhandled rejection");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error".to_owned(),
        )
    };
    Ok(error_reply(status, code, &message))
}
