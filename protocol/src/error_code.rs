//! Machine-readable error codes, shared by WebSocket error frames and REST error bodies.

use serde::{Deserialize, Serialize};

/// Why the relay refused something. The human-readable message travels beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A frame that is not valid JSON of a known shape, or a binary frame.
    BadFrame,
    /// A request body or query that is not what the endpoint takes.
    BadRequest,
    /// The hello named a protocol version the relay does not speak.
    UnsupportedVersion,
    /// Something other than a hello arrived first, or a second hello arrived.
    HelloRequired,
    /// No hello arrived in time after the upgrade.
    HelloTimeout,
    /// The socket sent nothing, not even a pong, for too long.
    IdleTimeout,
    /// A visitor token that the relay did not sign, or that was altered.
    InvalidToken,
    /// The hello named a site this relay does not serve.
    UnknownSite,
    /// A message with no text.
    TextEmpty,
    /// A message longer than the relay accepts.
    TextTooLong,
    /// An email address that cannot be one.
    InvalidEmail,
    /// A shortcut's text uses an unknown variable or filter, or leaves a brace open.
    InvalidTemplate,
    /// A client message id that is missing, too long or has characters outside `[A-Za-z0-9_-]`.
    InvalidClientId,
    /// Too many messages, connections or sign-in attempts; try again later.
    RateLimited,
    /// A frame or body over the size limit.
    PayloadTooLarge,
    /// The visitor was blocked by the shop and may not write.
    Blocked,
    /// Missing or invalid operator credentials.
    Unauthorized,
    /// Valid credentials, but not allowed to do this.
    Forbidden,
    /// The page or object does not exist (or is not yours to see).
    NotFound,
    /// The HTTP method is not allowed on this path.
    MethodNotAllowed,
    /// The object already exists.
    Conflict,
    /// The relay is shutting down; reconnect shortly.
    ShuttingDown,
    /// Something went wrong inside the relay; details are in its log.
    Internal,
    /// The relay cannot take this now (too busy, or its storage failed for a moment); try again
    /// shortly, with the same client id where there is one.
    Unavailable,
    /// The request (its headers or its body) did not arrive in time.
    RequestTimeout,
    /// A file is larger than the relay accepts (`--file-max-bytes`).
    FileTooLarge,
    /// A file's bytes are of a kind the relay does not accept (`--file-types`), whatever its name
    /// says.
    UnsupportedType,
    /// A file does not decode as the kind its bytes claim.
    DamagedFile,
    /// The visitor sent as many files as an hour allows (`--files-per-visitor-hour`).
    TooManyFiles,
}

impl ErrorCode {
    /// Every code, for tests and for clients that list them.
    pub const ALL: [ErrorCode; 29] = [
        ErrorCode::BadFrame,
        ErrorCode::BadRequest,
        ErrorCode::UnsupportedVersion,
        ErrorCode::HelloRequired,
        ErrorCode::HelloTimeout,
        ErrorCode::IdleTimeout,
        ErrorCode::InvalidToken,
        ErrorCode::UnknownSite,
        ErrorCode::TextEmpty,
        ErrorCode::TextTooLong,
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidTemplate,
        ErrorCode::InvalidClientId,
        ErrorCode::RateLimited,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::ShuttingDown,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::RequestTimeout,
        ErrorCode::FileTooLarge,
        ErrorCode::UnsupportedType,
        ErrorCode::DamagedFile,
        ErrorCode::TooManyFiles,
        ErrorCode::Blocked,
    ];

    /// The code's name on the wire, without serde (the widget decodes frames by hand).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::HelloTimeout => "hello_timeout",
            ErrorCode::IdleTimeout => "idle_timeout",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::UnknownSite => "unknown_site",
            ErrorCode::TextEmpty => "text_empty",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidTemplate => "invalid_template",
            ErrorCode::InvalidClientId => "invalid_client_id",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::UnsupportedType => "unsupported_type",
            ErrorCode::DamagedFile => "damaged_file",
            ErrorCode::TooManyFiles => "too_many_files",
            ErrorCode::Blocked => "blocked",
        }
    }

    /// The code with this wire name.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        Some(match name {
            "bad_frame" => ErrorCode::BadFrame,
            "bad_request" => ErrorCode::BadRequest,
            "unsupported_version" => ErrorCode::UnsupportedVersion,
            "hello_required" => ErrorCode::HelloRequired,
            "hello_timeout" => ErrorCode::HelloTimeout,
            "idle_timeout" => ErrorCode::IdleTimeout,
            "invalid_token" => ErrorCode::InvalidToken,
            "unknown_site" => ErrorCode::UnknownSite,
            "text_empty" => ErrorCode::TextEmpty,
            "text_too_long" => ErrorCode::TextTooLong,
            "invalid_email" => ErrorCode::InvalidEmail,
            "invalid_template" => ErrorCode::InvalidTemplate,
            "invalid_client_id" => ErrorCode::InvalidClientId,
            "rate_limited" => ErrorCode::RateLimited,
            "payload_too_large" => ErrorCode::PayloadTooLarge,
            "unauthorized" => ErrorCode::Unauthorized,
            "forbidden" => ErrorCode::Forbidden,
            "not_found" => ErrorCode::NotFound,
            "method_not_allowed" => ErrorCode::MethodNotAllowed,
            "conflict" => ErrorCode::Conflict,
            "shutting_down" => ErrorCode::ShuttingDown,
            "internal" => ErrorCode::Internal,
            "unavailable" => ErrorCode::Unavailable,
            "request_timeout" => ErrorCode::RequestTimeout,
            "file_too_large" => ErrorCode::FileTooLarge,
            "unsupported_type" => ErrorCode::UnsupportedType,
            "damaged_file" => ErrorCode::DamagedFile,
            "too_many_files" => ErrorCode::TooManyFiles,
            "blocked" => ErrorCode::Blocked,
            _ => return None,
        })
    }
}
