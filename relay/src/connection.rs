//! One accepted TCP connection: a WebSocket upgrade goes straight to tokio-tungstenite, anything
//! else is HTTP served by hyper with the warp routes.
//!
//! warp's own WebSocket filter uses tokio-tungstenite's default 128 KiB read buffer per socket;
//! with thousands of idle visitors that is most of the relay's memory. Doing the upgrade here
//! lets each socket start with a 4 KiB buffer (it grows only for a large frame).

use crate::App;
use crate::error::error_body;
use crate::limits::{ConnectionSlot, OpenConnection};
use crate::session;
use beseda_protocol::ErrorCode;
use http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// A connection let in: counted against the relay's whole cap and, unless it comes from a
/// trusted proxy, against its address's cap.
pub struct Admitted {
    stream: TcpStream,
    _open: OpenConnection,
    slot: Option<ConnectionSlot>,
}

/// How many refusals may be under way at once; past that a connection is just closed.
const MAX_REFUSALS: usize = 256;
static REFUSALS: AtomicUsize = AtomicUsize::new(0);

/// Lets a new connection in, or answers it (503 when the relay is full, 429 when its address
/// holds its maximum of connections) and closes it. Connections from a trusted proxy are
/// counted per forwarded address when they upgrade, since the proxy speaks for many clients.
pub fn admit_connection(app: &App, stream: TcpStream, peer: SocketAddr) -> Option<Admitted> {
    let Some(open) = app.open_connections.try_open() else {
        tracing::warn!(
            limit = app.open_connections.limit(),
            "the relay is at its connection limit; refusing new connections"
        );
        refuse_connection(
            app,
            stream,
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the relay is busy; try again shortly",
        );
        return None;
    };
    let slot = if app.config.trusted_proxies.contains(&peer.ip()) {
        None
    } else {
        match app.connection_cap.try_admit(peer.ip()) {
            Some(slot) => Some(slot),
            None => {
                refuse_connection(
                    app,
                    stream,
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    "too many connections from your address",
                );
                return None;
            }
        }
    };
    let _ = stream.set_nodelay(true);
    Some(Admitted {
        stream,
        _open: open,
        slot,
    })
}

/// Answers a connection that is not let in with a short HTTP response, then closes it after the
/// client had a moment to read it (closing with unread request bytes would reset the connection
/// and lose the answer).
fn refuse_connection(
    app: &App,
    stream: TcpStream,
    status: StatusCode,
    code: ErrorCode,
    message: &'static str,
) {
    app.metrics
        .connections_refused
        .fetch_add(1, Ordering::Relaxed);
    if REFUSALS.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSALS {
        REFUSALS.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let body = error_body(code, message);
    let response = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        body.len()
    );
    tokio::spawn(async move {
        let mut stream = stream;
        let answered = async {
            use tokio::io::AsyncWriteExt;
            stream.write_all(response.as_bytes()).await?;
            stream.shutdown().await?;
            let mut sink = [0u8; 4096];
            let mut drained = 0;
            while drained < 64 * 1024 {
                match stream.read(&mut sink).await? {
                    0 => break,
                    read => drained += read,
                }
            }
            io::Result::Ok(())
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), answered).await;
        REFUSALS.fetch_sub(1, Ordering::AcqRel);
    });
}

pub async fn handle<F>(
    admitted: Admitted,
    peer: SocketAddr,
    app: Arc<App>,
    routes: F,
    watcher: hyper_util::server::graceful::Watcher,
) where
    F: warp::Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let Admitted {
        mut stream,
        _open,
        slot,
    } = admitted;
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
        upgrade(stream, peer, app, slot).await;
    } else {
        let _slot = slot;
        serve_http(stream, peer, app, routes, watcher).await;
    }
}

/// Serves `/metrics` and `/healthz` on the separate metrics address until the relay shuts down.
pub async fn serve_metrics(listener: tokio::net::TcpListener, app: Arc<App>) {
    let routes = crate::http::metrics_routes(app.clone());
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                };
                let filter_service = warp::service(routes.clone());
                let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let mut filter_service = filter_service.clone();
                    tower_service::Service::call(&mut filter_service, request)
                });
                let timeout = app.config.request_timeout;
                tokio::spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(timeout)
                        .serve_connection(TokioIo::new(stream), service);
                    let _ = tokio::time::timeout(timeout, connection).await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// A request body that fails once its deadline has passed, so that a client sending one byte a
/// second cannot hold a connection (and the relay's memory) for as long as it likes.
struct DeadlineBody {
    inner: hyper::body::Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl http_body::Body for DeadlineBody {
    type Data = bytes::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(context) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(context).is_ready() {
            self.timed_out.store(true, Ordering::Release);
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The answer to a request whose body did not arrive in time; the connection is closed after it.
fn request_timeout_response() -> warp::reply::Response {
    use warp::Reply;
    let reply = warp::reply::with_status(
        warp::reply::with_header(
            error_body(
                ErrorCode::RequestTimeout,
                "the request did not arrive in time",
            ),
            http::header::CONTENT_TYPE,
            "application/json",
        ),
        StatusCode::REQUEST_TIMEOUT,
    );
    warp::reply::with_header(reply, http::header::CONNECTION, "close").into_response()
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
    let request_timeout = app.config.request_timeout;
    let service =
        hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let ip = client_ip(peer.ip(), request.headers(), &app.config.trusted_proxies);
            let (mut parts, body) = request.into_parts();
            parts.extensions.insert(ClientAddr(ip));
            let timed_out = Arc::new(AtomicBool::new(false));
            let body = DeadlineBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(request_timeout)),
                timed_out: timed_out.clone(),
            };
            app.metrics.http_requests.fetch_add(1, Ordering::Relaxed);
            let mut filter_service = filter_service.clone();
            let response = tower_service::Service::call(
                &mut filter_service,
                http::Request::from_parts(parts, body),
            );
            async move {
                let response = response.await?;
                if timed_out.load(Ordering::Acquire) {
                    return Ok(request_timeout_response());
                }
                Ok::<_, std::convert::Infallible>(response)
            }
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(request_timeout)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%error, "HTTP connection ended with an error");
    }
}

async fn upgrade(
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
