//! One accepted TCP connection: a WebSocket upgrade goes straight to tokio-tungstenite, anything
//! else is HTTP served by hyper with the warp routes.
//!
//! warp's own WebSocket filter uses tokio-tungstenite's default 128 KiB read buffer per socket;
//! with thousands of idle visitors that is most of the relay's memory. Doing the upgrade here
//! lets each socket start with a 4 KiB buffer (it grows only for a large frame).

use crate::App;
use crate::error::error_body;
use crate::limits::ConnectionSlot;
use crate::session;
use beseda_protocol::ErrorCode;
use http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The bytes a WebSocket upgrade starts with; anything else is plain HTTP.
const UPGRADE_PREFIX: &[u8] = b"GET /ws/";

/// The client's address, put into each HTTP request's extensions for the handlers.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

/// The address limits are counted by: the TCP peer, or, when the peer is a trusted reverse proxy,
/// the last address its `X-Forwarded-For` names (the one the proxy itself saw).
pub fn client_ip(peer: IpAddr, headers: &http::HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Only the entry the proxy appended can be trusted; anything before it came from the client.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|entry| entry.trim().parse::<IpAddr>().ok())
        .unwrap_or(peer)
}

/// A WebSocket over a TCP stream whose first bytes were already read.
pub type Socket = WebSocketStream<PrefixedStream>;

/// Which socket endpoint an upgrade asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Visitor,
    Operator,
}

pub async fn handle<F>(
    stream: TcpStream,
    peer: SocketAddr,
    app: Arc<App>,
    routes: F,
    watcher: hyper_util::server::graceful::Watcher,
) where
    F: warp::Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let mut stream = stream;
    let mut prefix = [0u8; UPGRADE_PREFIX.len()];
    let mut filled = 0;
    let read_prefix = async {
        while filled < prefix.len() {
            match stream.read(&mut prefix[filled..]).await {
                Ok(0) | Err(_) => return false,
                Ok(read) => filled += read,
            }
            if !UPGRADE_PREFIX.starts_with(&prefix[..filled]) {
                break;
            }
        }
        true
    };
    match tokio::time::timeout(app.config.hello_timeout, read_prefix).await {
        Ok(true) => {}
        _ => return,
    }
    let stream = PrefixedStream::new(prefix[..filled].to_vec(), stream);
    if &prefix[..filled] == UPGRADE_PREFIX {
        drop(watcher);
        upgrade(stream, peer, app).await;
    } else {
        serve_http(stream, peer, app, routes, watcher).await;
    }
}

async fn serve_http<F>(
    stream: PrefixedStream,
    peer: SocketAddr,
    app: Arc<App>,
    routes: F,
    watcher: hyper_util::server::graceful::Watcher,
) where
    F: warp::Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let filter_service = warp::service(routes);
    let service =
        hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
            let ip = client_ip(peer.ip(), request.headers(), &app.config.trusted_proxies);
            request.extensions_mut().insert(ClientAddr(ip));
            app.metrics
                .http_requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut filter_service = filter_service.clone();
            tower_service::Service::call(&mut filter_service, request)
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(std::time::Duration::from_secs(30))
        .serve_connection(TokioIo::new(stream), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%error, "HTTP connection ended with an error");
    }
}

async fn upgrade(stream: PrefixedStream, peer: SocketAddr, app: Arc<App>) {
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(Some(app.config.max_frame_bytes))
        .max_frame_size(Some(app.config.max_frame_bytes));
    let mut admitted: Option<(Endpoint, ConnectionSlot, IpAddr)> = None;
    let check = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        admitted = Some(admit(&app, request, peer)?);
        Ok(response)
    };
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config));
    let socket = match tokio::time::timeout(app.config.hello_timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            tracing::debug!(%error, %peer, "WebSocket upgrade failed");
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
    let ip = client_ip(peer.ip(), request.headers(), &app.config.trusted_proxies);
    let slot = app.connection_cap.try_admit(ip).ok_or_else(|| {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many connections from your address",
        )
    })?;
    Ok((endpoint, slot, ip))
}

/// The widget may connect from the listed shop origins (any, when none are listed); the console
/// only from the relay's own origin, where it is served. Clients that send no `Origin` (not browsers)
/// are not subject to this check: it exists to stop other web pages from using a visitor's browser.
pub fn origin_allowed(allowed: &[String], endpoint: Endpoint, origin: &str, host: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    let listed = allowed
        .iter()
        .any(|entry| entry.trim_end_matches('/').eq_ignore_ascii_case(origin));
    let own = origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host));
    match endpoint {
        Endpoint::Visitor => allowed.is_empty() || listed || own,
        Endpoint::Operator => own,
    }
}

/// A TCP stream with some bytes already read from it, which are read again first.
pub struct PrefixedStream {
    prefix: Vec<u8>,
    position: usize,
    inner: TcpStream,
}

impl PrefixedStream {
    fn new(prefix: Vec<u8>, inner: TcpStream) -> PrefixedStream {
        PrefixedStream {
            prefix,
            position: 0,
            inner,
        }
    }
}

impl AsyncRead for PrefixedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.position < self.prefix.len() {
            let remaining = &self.prefix[self.position..];
            let count = remaining.len().min(buffer.remaining());
            buffer.put_slice(&remaining[..count]);
            self.position += count;
            if self.position == self.prefix.len() {
                // Free the prefix: an idle socket should hold no more than it must.
                self.prefix = Vec::new();
                self.position = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl AsyncWrite for PrefixedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(context, bytes)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(context, buffers)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_may_come_from_any_origin_when_none_are_listed() {
        assert!(origin_allowed(
            &[],
            Endpoint::Visitor,
            "https://evil.example",
            "relay.example"
        ));
    }

    #[test]
    fn visitors_must_come_from_a_listed_origin_when_some_are() {
        let allowed = vec!["https://shop.example".to_owned()];
        assert!(origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://shop.example",
            "relay.example"
        ));
        assert!(origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://SHOP.example/",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://evil.example",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "http://shop.example",
            "relay.example"
        ));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = [127, 0, 0, 1].into();
        let mut headers = http::HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(
            client_ip(proxy, &headers, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &headers, &[]),
            proxy,
            "an untrusted peer cannot choose its address"
        );
        assert_eq!(client_ip(proxy, &http::HeaderMap::new(), &[proxy]), proxy);
        let mut garbled = http::HeaderMap::new();
        garbled.append(
            "x-forwarded-for",
            "203.0.113.9, not-an-address".parse().unwrap(),
        );
        assert_eq!(
            client_ip(proxy, &garbled, &[proxy]),
            proxy,
            "a client-written entry is never used"
        );
    }

    #[test]
    fn the_console_socket_takes_only_the_relays_own_origin() {
        assert!(origin_allowed(
            &[],
            Endpoint::Operator,
            "https://relay.example",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &[],
            Endpoint::Operator,
            "https://evil.example",
            "relay.example"
        ));
    }
}
