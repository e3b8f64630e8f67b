//! Visitor and operator sockets: connecting with a hello, and the task that runs each socket.
//!
//! Every socket task follows a shared [`Plan`]: idle (read frames, which also answers the
//! relay's pings), send at a paced schedule, or stop. Sends follow absolute deadlines and carry
//! their scheduled time, so a late sender still measures from when it should have sent (no
//! coordinated omission).

use crate::frames::{self, Incoming, MessageField};
use crate::recorder::Recorder;
use anyhow::{Context, bail};
use beseda_protocol::{ClientMessageId, PROTOCOL_VERSION, operator, visitor};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A client WebSocket.
pub type Ws = WebSocketStream<TcpStream>;

/// How long a connection may take from `connect` to the welcome.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the socket tasks should do now.
#[derive(Clone, Copy, Debug)]
pub enum Plan {
    Idle,
    /// Visitors send one message every `period`, each at its own offset within the period,
    /// from `start` until `end`; their messages belong to `phase`.
    Send {
        phase: usize,
        start: Instant,
        period: Duration,
        end: Instant,
    },
    Stop,
}

/// Where visitor `index` of `count` sends within each period, so that sends are spread evenly.
pub fn offset(index: usize, count: usize, period: Duration) -> Duration {
    let nanos = period.as_nanos() * index as u128 / count.max(1) as u128;
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// How many messages a visitor at `offset` sends in a window of `window`: one at every
/// `offset + k * period` before the window ends.
pub fn planned_sends(offset: Duration, period: Duration, window: Duration) -> u64 {
    if offset >= window || period.is_zero() {
        return 0;
    }
    let span = (window - offset).as_nanos() - 1;
    u64::try_from(span / period.as_nanos() + 1).unwrap_or(u64::MAX)
}

async fn open(addr: SocketAddr, path: &str, config: WebSocketConfig) -> anyhow::Result<Ws> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{addr}{path}");
    let (socket, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .with_context(|| format!("the WebSocket upgrade of {path} failed"))?;
    Ok(socket)
}

/// Reads until the first text frame.
async fn first_text(socket: &mut Ws) -> anyhow::Result<String> {
    while let Some(frame) = socket.next().await {
        match frame.context("the socket failed before the welcome")? {
            WsMessage::Text(text) => return Ok(text.as_str().to_owned()),
            WsMessage::Close(close) => bail!("the relay closed the socket: {close:?}"),
            _ => {}
        }
    }
    bail!("the socket closed before the welcome")
}

/// Opens a visitor socket and waits for the welcome.
pub async fn connect_visitor(addr: SocketAddr) -> anyhow::Result<Ws> {
    Ok(visitor_welcome(addr).await?.0)
}

/// Opens a visitor socket, waits for the welcome and answers the socket and the visitor's token.
pub async fn visitor_welcome(addr: SocketAddr) -> anyhow::Result<(Ws, String)> {
    let connect = async {
        // Visitors receive small frames; a small read buffer keeps 10,000 of them cheap here.
        let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
        let mut socket = open(addr, "/ws/visitor", config).await?;
        let hello = visitor::ToRelay::Hello {
            version: PROTOCOL_VERSION,
            site: "default".to_owned(),
            token: None,
            last_seq: None,
            page: None,
            locale: None,
        };
        socket
            .send(WsMessage::text(serde_json::to_string(&hello)?))
            .await?;
        let text = first_text(&mut socket).await?;
        match serde_json::from_str::<visitor::FromRelay>(&text) {
            Ok(visitor::FromRelay::Welcome { token, .. }) => Ok((socket, token)),
            Ok(visitor::FromRelay::Error { code, message, .. }) => {
                bail!("the visitor hello was refused: {code:?}: {message}")
            }
            _ => bail!("expected a welcome, got {text}"),
        }
    };
    tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .context("a visitor connection timed out")?
}

/// Opens an operator socket with the bearer token and waits for the welcome.
pub async fn connect_operator(addr: SocketAddr, token: &str) -> anyhow::Result<Ws> {
    let connect = async {
        let mut socket = open(addr, "/ws/operator", WebSocketConfig::default()).await?;
        let hello = operator::ToRelay::Hello {
            version: PROTOCOL_VERSION,
            token: token.to_owned(),
            last_message_id: None,
            last_position: None,
        };
        socket
            .send(WsMessage::text(serde_json::to_string(&hello)?))
            .await?;
        let text = first_text(&mut socket).await?;
        match serde_json::from_str::<operator::FromRelay>(&text) {
            Ok(operator::FromRelay::Welcome { .. }) => Ok(socket),
            Ok(operator::FromRelay::Error { code, message, .. }) => {
                bail!("the operator hello was refused: {code:?}: {message}")
            }
            _ => bail!("expected a welcome, got {text}"),
        }
    };
    tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .context("an operator connection timed out")?
}

/// Where a visitor is in its current send schedule.
struct Schedule {
    phase: usize,
    next: Instant,
    period: Duration,
    end: Instant,
    sequence: u64,
}

/// Runs visitor `index` of `count` until the plan says stop or the relay closes the socket.
pub async fn run_visitor(
    index: usize,
    count: usize,
    mut socket: Ws,
    mut plans: watch::Receiver<Plan>,
    recorder: Arc<Recorder>,
) {
    let mut schedule: Option<Schedule> = None;
    loop {
        let deadline = schedule.as_ref().map(|schedule| schedule.next);
        let due = async {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = socket.next() => {
                if !on_frame(frame, &recorder, on_visitor_frame) {
                    recorder.visitors_closed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
            () = due => {
                if let Some(current) = schedule.as_mut() {
                    if send_due(index, &mut socket, current, &recorder).await.is_err() {
                        recorder.visitors_closed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    if current.next >= current.end {
                        schedule = None;
                    }
                }
            }
            changed = plans.changed() => {
                let plan = *plans.borrow_and_update();
                match plan {
                    _ if changed.is_err() => return close(socket).await,
                    Plan::Stop => return close(socket).await,
                    Plan::Idle => schedule = None,
                    Plan::Send { phase, start, period, end } => {
                        schedule = Some(Schedule {
                            phase,
                            next: start + offset(index, count, period),
                            period,
                            end,
                            sequence: 0,
                        });
                    }
                }
            }
        }
    }
}

/// Sends every message whose deadline has passed (all of them, if the task fell behind).
async fn send_due(
    index: usize,
    socket: &mut Ws,
    schedule: &mut Schedule,
    recorder: &Recorder,
) -> anyhow::Result<()> {
    let now = Instant::now();
    while schedule.next <= now && schedule.next < schedule.end {
        let scheduled_ns = recorder.ns_at(schedule.next);
        let frame = visitor::ToRelay::Send {
            client_id: ClientMessageId(frames::client_id(schedule.phase, index, schedule.sequence)),
            text: frames::text(scheduled_ns),
        };
        socket
            .send(WsMessage::text(serde_json::to_string(&frame)?))
            .await?;
        recorder.record_sent(schedule.phase, scheduled_ns);
        schedule.sequence += 1;
        schedule.next += schedule.period;
    }
    Ok(())
}

/// Starts the task of an operator socket, counted in `operators_open` while it runs.
pub fn spawn_operator(
    socket: Ws,
    plans: watch::Receiver<Plan>,
    recorder: Arc<Recorder>,
) -> JoinHandle<()> {
    recorder.operators_open.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        run_operator(socket, plans, &recorder).await;
        recorder.operators_open.fetch_sub(1, Ordering::Relaxed);
    })
}

/// Runs an operator socket until the plan says stop or the relay closes it.
async fn run_operator(mut socket: Ws, mut plans: watch::Receiver<Plan>, recorder: &Recorder) {
    loop {
        tokio::select! {
            frame = socket.next() => {
                if !on_frame(frame, recorder, on_operator_frame) {
                    recorder.record_operator_closed();
                    return;
                }
            }
            changed = plans.changed() => {
                if changed.is_err() || matches!(*plans.borrow_and_update(), Plan::Stop) {
                    return close(socket).await;
                }
            }
        }
    }
}

/// Handles one read result; false when the socket is finished.
fn on_frame<E>(
    frame: Option<Result<WsMessage, E>>,
    recorder: &Recorder,
    handle: fn(&Recorder, Incoming<'_>),
) -> bool {
    match frame {
        Some(Ok(WsMessage::Text(text))) => {
            match serde_json::from_str::<Incoming<'_>>(text.as_str()) {
                Ok(incoming) => handle(recorder, incoming),
                Err(_) => {
                    recorder.unparsed_frames.fetch_add(1, Ordering::Relaxed);
                }
            }
            true
        }
        Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => false,
        Some(Ok(_)) => true,
    }
}

fn on_visitor_frame(recorder: &Recorder, incoming: Incoming<'_>) {
    match (incoming.kind, incoming.message) {
        ("ack", Some(MessageField::Stored(message))) => {
            let phase = incoming.client_id.and_then(frames::phase_of);
            match (phase, frames::scheduled_ns_of(&message.text)) {
                (Some(phase), Some(scheduled_ns)) => recorder.record_ack(phase, scheduled_ns),
                _ => {
                    recorder.unparsed_frames.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        ("error", _) => record_error(recorder, incoming.client_id, incoming.code),
        _ => {}
    }
}

fn on_operator_frame(recorder: &Recorder, incoming: Incoming<'_>) {
    match (incoming.kind, incoming.message) {
        ("message", Some(MessageField::Stored(message))) => {
            let phase = message.client_id.and_then(frames::phase_of);
            match (phase, frames::scheduled_ns_of(&message.text)) {
                (Some(phase), Some(scheduled_ns)) => recorder.record_delivery(phase, scheduled_ns),
                _ => {
                    recorder.unparsed_frames.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        ("error", _) => record_error(recorder, incoming.client_id, incoming.code),
        _ => {}
    }
}

fn record_error(recorder: &Recorder, client_id: Option<&str>, code: Option<&str>) {
    let phase = client_id.and_then(frames::phase_of);
    recorder.record_error(phase, code.unwrap_or("(no code)"));
}

/// Closes a socket politely and waits briefly for the relay's close.
async fn close(mut socket: Ws) {
    let _ = socket.close(None).await;
    let drain = async { while let Some(Ok(_)) = socket.next().await {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_sends_match_the_schedule() {
        let period = Duration::from_millis(400);
        let window = Duration::from_secs(10);
        assert_eq!(planned_sends(Duration::ZERO, period, window), 25);
        assert_eq!(
            planned_sends(Duration::from_millis(399), period, window),
            25
        );
        assert_eq!(planned_sends(Duration::from_millis(10), period, window), 25);
        let total: u64 = (0..2000)
            .map(|index| planned_sends(offset(index, 2000, period), period, window))
            .sum();
        assert_eq!(total, 50_000);
    }
}
