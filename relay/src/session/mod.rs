//! The life of one WebSocket after its upgrade: hello, then a loop over the socket, the outbox,
//! the ping timer and the shutdown signal (one task per socket, as in mini-redis's `Handler`).
//!
//! The two endpoints differ only in how they greet and what their frames mean; each implements
//! [`Handler`] and shares [`pump`].

pub mod operator;
mod order;
mod throttle;
pub mod visitor;

use crate::App;
use crate::hub::Outbound;
use crate::net::Socket;
use beseda_protocol::ErrorCode;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use std::future::Future;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// What a handler wants after a frame.
pub enum Flow {
    Continue,
    /// Send this error frame, then close with this code.
    Close(ErrorCode, String, CloseCode),
}

/// One endpoint's meaning of frames.
pub trait Handler: Send {
    /// Handles one text frame from the client.
    fn on_text(&mut self, socket: &mut Socket, text: &str) -> impl Future<Output = Flow> + Send;
    /// Whether a frame from the hub should reach the client (false for what the welcome had).
    fn wants(&self, outbound: &Outbound) -> bool;
    /// An error frame in this endpoint's protocol.
    fn error_frame(&self, code: ErrorCode, message: &str) -> String;
}

/// Sends an already serialised frame; a failed send ends the session.
pub async fn answer(socket: &mut Socket, frame: String) -> Flow {
    match socket.send(WsMessage::text(frame)).await {
        Ok(()) => Flow::Continue,
        Err(_) => Flow::Close(
            ErrorCode::Internal,
            "send failed".to_owned(),
            CloseCode::Error,
        ),
    }
}

/// Runs `cleanup` when dropped: keeps the hub and the gauges right on every way out of a session.
pub fn scopeguard<F: FnOnce() -> R, R>(cleanup: F) -> impl Drop {
    struct Guard<F: FnOnce() -> R, R>(Option<F>);
    impl<F: FnOnce() -> R, R> Drop for Guard<F, R> {
        fn drop(&mut self) {
            if let Some(cleanup) = self.0.take() {
                cleanup();
            }
        }
    }
    Guard(Some(cleanup))
}

/// Sends a protocol frame as JSON.
pub async fn send_json<T: Serialize>(socket: &mut Socket, frame: &T) -> bool {
    let text = crate::frames::to_json(frame);
    socket.send(WsMessage::text(text)).await.is_ok()
}

/// Sends an error frame, then a close frame, and waits (briefly) for the client's close.
pub async fn refuse(socket: &mut Socket, error_frame: String, close_code: CloseCode, reason: &str) {
    let _ = socket.send(WsMessage::text(error_frame)).await;
    let close = CloseFrame {
        code: close_code,
        reason: reason.chars().take(100).collect::<String>().into(),
    };
    let _ = socket.close(Some(close)).await;
    // Drain until the client answers the close (or goes away), so the close frame is delivered.
    let drain = async { while let Some(Ok(_)) = socket.next().await {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
}

/// Waits for the first text frame (the hello), within the hello timeout; gives up at once when
/// the relay starts shutting down.
pub async fn first_text(socket: &mut Socket, app: &App) -> Result<String, (ErrorCode, String)> {
    let wait = async {
        while let Some(frame) = socket.next().await {
            match frame {
                Ok(WsMessage::Text(text)) => return Ok(text.as_str().to_owned()),
                Ok(WsMessage::Binary(_)) => {
                    return Err((ErrorCode::BadFrame, "frames must be JSON text".to_owned()));
                }
                Ok(WsMessage::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
        Err((
            ErrorCode::HelloRequired,
            "the socket closed before its hello".to_owned(),
        ))
    };
    let mut shutdown = app.shutdown.clone();
    tokio::select! {
        hello = tokio::time::timeout(app.config.hello_timeout, wait) => {
            hello.unwrap_or_else(|_| Err((ErrorCode::HelloTimeout, "no hello arrived in time".to_owned())))
        }
        () = stopping(&mut shutdown) => Err((ErrorCode::ShuttingDown, "the relay is restarting; reconnect shortly".to_owned())),
    }
}

/// The most frames written to a socket before one flush.
const FRAMES_PER_FLUSH: usize = 64;

/// Writes `first` and whatever else is already waiting in the outbox, then flushes once: under
/// load one system call carries many frames.
async fn forward<H: Handler>(
    socket: &mut Socket,
    inbox: &mut mpsc::Receiver<Outbound>,
    handler: &H,
    first: Outbound,
) -> Result<(), WsError> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(outbound) = next {
        if let Outbound::End(frame) = outbound {
            let _ = socket.feed(WsMessage::Text(frame)).await;
            let close = CloseFrame {
                code: CloseCode::Normal,
                reason: "the conversation was erased".into(),
            };
            socket.close(Some(close)).await?;
            return Err(WsError::ConnectionClosed);
        }
        if handler.wants(&outbound) {
            let (Outbound::Message { frame, .. } | Outbound::Frame(frame) | Outbound::End(frame)) =
                outbound;
            socket.feed(WsMessage::Text(frame)).await?;
            written += 1;
        }
        next = if written < FRAMES_PER_FLUSH {
            inbox.try_recv().ok()
        } else {
            None
        };
    }
    socket.flush().await
}

/// Resolves once the relay starts shutting down (at once if it already has).
async fn stopping(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, so it never lives across an `.await`.
    let _ = shutdown.wait_for(|stopping| *stopping).await.map(|_| ());
}

/// Runs the socket until either side closes it, the client idles out, the hub drops it for
/// being too slow, or the relay shuts down.
pub async fn pump<H: Handler>(
    socket: &mut Socket,
    inbox: &mut mpsc::Receiver<Outbound>,
    handler: &mut H,
    app: &App,
) {
    let mut shutdown = app.shutdown.clone();
    let mut last_heard = Instant::now();
    let mut ticker = tokio::time::interval(app.config.ping_interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.reset();
    loop {
        tokio::select! {
            incoming = socket.next() => {
                let frame = match incoming {
                    None => return,
                    Some(Ok(frame)) => frame,
                    Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                        let message = format!("a frame of {size} bytes is over the limit of {max_size}");
                        refuse(socket, handler.error_frame(ErrorCode::PayloadTooLarge, &message), CloseCode::Size, "frame too large").await;
                        return;
                    }
                    Some(Err(error)) => {
                        tracing::debug!(%error, "socket read failed");
                        return;
                    }
                };
                last_heard = Instant::now();
                match frame {
                    WsMessage::Text(text) => {
                        // Boxed so that the idle socket's task does not carry the handling state.
                        let flow = Box::pin(handler.on_text(socket, text.as_str())).await;
                        if let Flow::Close(code, message, close_code) = flow {
                            refuse(socket, handler.error_frame(code, &message), close_code, &message).await;
                            return;
                        }
                    }
                    WsMessage::Binary(_) => {
                        let frame = handler.error_frame(ErrorCode::BadFrame, "frames must be JSON text");
                        if socket.send(WsMessage::text(frame)).await.is_err() {
                            return;
                        }
                    }
                    WsMessage::Close(_) => {
                        let _ = socket.close(None).await;
                        return;
                    }
                    _ => {}
                }
            }
            outbound = inbox.recv() => match outbound {
                Some(outbound) => {
                    if forward(socket, inbox, handler, outbound).await.is_err() {
                        return;
                    }
                }
                None => {
                    let message = "this connection fell behind; reconnect to resume";
                    refuse(socket, handler.error_frame(ErrorCode::RateLimited, message), CloseCode::Again, message).await;
                    return;
                }
            },
            _ = ticker.tick() => {
                if last_heard.elapsed() >= app.config.idle_timeout {
                    let message = "nothing heard from this socket for too long";
                    refuse(socket, handler.error_frame(ErrorCode::IdleTimeout, message), CloseCode::Away, message).await;
                    return;
                }
                if socket.send(WsMessage::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            () = stopping(&mut shutdown) => {
                let message = "the relay is restarting; reconnect shortly";
                refuse(socket, handler.error_frame(ErrorCode::ShuttingDown, message), CloseCode::Restart, message).await;
                return;
            }
        }
    }
}
