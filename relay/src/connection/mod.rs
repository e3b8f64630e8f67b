//! One accepted TCP connection: a WebSocket upgrade goes straight to tokio-tungstenite, anything
//! else is HTTP served by hyper with the warp routes.
//!
//! warp's own WebSocket filter uses tokio-tungstenite's default 128 KiB read buffer per socket;
//! with thousands of idle visitors that is most of the relay's memory. Doing the upgrade here
//! lets each socket start with a 4 KiB buffer (it grows only for a large frame).

mod admission;
mod metrics;
mod serve;
mod upgrade;

pub use admission::{Admitted, admit_connection};
pub use metrics::serve_metrics;

use crate::App;
use crate::net::PrefixedStream;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// The bytes a WebSocket upgrade starts with; anything else is plain HTTP.
const UPGRADE_PREFIX: &[u8] = b"GET /ws/";

/// Serves one admitted connection: reads its first bytes to tell a WebSocket upgrade from plain
/// HTTP, then hands it to the one or the other.
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
        upgrade::upgrade(stream, peer, app, slot).await;
    } else {
        let _slot = slot;
        serve::serve_http(stream, peer, app, routes, watcher).await;
    }
}
