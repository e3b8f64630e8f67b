//! Plain HTTP on an accepted connection: hyper with the warp routes, each request tagged with the
//! client's address and its body given a deadline.

use crate::App;
use crate::error::error_body;
use crate::net::{ClientAddr, PrefixedStream, client_ip};
use beseda_protocol::ErrorCode;
use http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

/// The most a connection reads ahead of its request's handler (hyper's default is about
/// 400 KB); request heads larger than this are refused.
const READ_BUFFER_BYTES: usize = 64 * 1024;

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

/// Serves HTTP requests on the connection until it closes or the relay shuts down.
pub(super) async fn serve_http<F>(
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
        // What one connection reads ahead of its handler: 64 KB instead of hyper's 400, which
        // fifty uploads at once would each fill.
        .max_buf_size(READ_BUFFER_BYTES)
        .timer(TokioTimer::new())
        .header_read_timeout(request_timeout)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%error, "HTTP connection ended with an error");
    }
}
