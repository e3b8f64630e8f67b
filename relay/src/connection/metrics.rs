//! The routes of the separate metrics address (`--metrics-listen`), served on their own.

use crate::App;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;

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
