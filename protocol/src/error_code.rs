//! Machine-readable error codes, shared by WebSocket error frames and REST error bodies.

use serde::{Deserialize, Serialize};

/// Why the relay refused something. The human-readable message travels beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// A client message id that is missing, too long or has characters outside `[A-Za-z0-9_-]`.
    InvalidClientId,
    /// Too many messages, connections or sign-in attempts; try again later.
    RateLimited,
    /// A frame or body over the size limit.
    PayloadTooLarge,
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
}
