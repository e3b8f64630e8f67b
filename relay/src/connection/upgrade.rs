//! A WebSocket upgrade: checked (path, origin, shutdown, the address's connection slot) and
//! handed to the socket's session with a small read buffer.

use crate::App;
use crate::error::error_body;
use crate::limits::ConnectionSlot;
use crate::net::{Endpoint, PrefixedStream, client_ip, origin_allowed};
use crate::session;
use beseda_protocol::ErrorCode;
use http::StatusCode;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Completes the upgrade (or refuses it) and runs the socket's session.
pub(super) async fn upgrade(
    stream: PrefixedStream,
    peer: SocketAddr,
    app: Arc<App>,
    slot: Option<ConnectionSlot>,
) {
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(Some(app.config.max_frame_bytes))
        .max_frame_size(Some(app.config.max_frame_bytes));
    let mut admitted: Option<(Endpoint, ConnectionSlot, IpAddr)> = None;
    let mut slot = slot;
    let check = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        admitted = Some(admit(&app, request, peer, slot.take())?);
        Ok(response)
    };
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config));
    let socket = match tokio::time::timeout(app.config.hello_timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            tracing::debug!(%error, peer = %crate::net::truncated(peer.ip()), "WebSocket upgrade failed");
            return;
        }
        Err(_) => return,
    };
    let Some((endpoint, slot, client)) = admitted else {
        return;
    };
    match endpoint {
        Endpoint::Visitor => session::visitor::run(socket, app, slot, client).await,
        Endpoint::Operator => session::operator::run(socket, app, slot).await,
    }
}

/// Decides whether an upgrade may proceed: a known path, an allowed origin, a free connection
/// slot for the client's IP address, and a relay that is not shutting down. Answers the
/// client's address too: the visitor's limits per address count by it.
fn admit(
    app: &App,
    request: &Request,
    peer: SocketAddr,
    slot: Option<ConnectionSlot>,
) -> Result<(Endpoint, ConnectionSlot, IpAddr), ErrorResponse> {
    let refuse = |status: StatusCode, code: ErrorCode, message: &str| {
        app.metrics
            .upgrades_refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut response = ErrorResponse::new(Some(error_body(code, message)));
        *response.status_mut() = status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    };
    let endpoint = match request.uri().path() {
        "/ws/visitor" => Endpoint::Visitor,
        "/ws/operator" => Endpoint::Operator,
        _ => {
            return Err(refuse(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "no such WebSocket endpoint",
            ));
        }
    };
    if *app.shutdown.borrow() {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "the relay is shutting down",
        ));
    }
    if let Some(origin) = request.headers().get(http::header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let host = request
            .headers()
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or_default();
        if !origin_allowed(&app.config.allow_origins, endpoint, origin, host) {
            tracing::warn!(
                origin,
                ?endpoint,
                "refused an upgrade from an origin that is not allowed"
            );
            return Err(refuse(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this origin may not connect",
            ));
        }
    }
    // A direct connection already holds its address's slot; one through a trusted proxy is
    // counted now, by the address the proxy forwards.
    let ip = client_ip(peer.ip(), request.headers(), &app.config.trusted_proxies);
    if let Some(slot) = slot {
        return Ok((endpoint, slot, ip));
    }
    let slot = app.connection_cap.try_admit(ip).ok_or_else(|| {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many connections from your address",
        )
    })?;
    Ok((endpoint, slot, ip))
}
