//! Letting a connection in, or answering it that the relay is full or its address holds its
//! maximum of connections.

use crate::App;
use crate::error::error_body;
use crate::limits::{ConnectionSlot, OpenConnection};
use beseda_protocol::ErrorCode;
use http::StatusCode;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// A connection let in: counted against the relay's whole cap and, unless it comes from a
/// trusted proxy, against its address's cap.
pub struct Admitted {
    pub(super) stream: TcpStream,
    pub(super) _open: OpenConnection,
    pub(super) slot: Option<ConnectionSlot>,
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
