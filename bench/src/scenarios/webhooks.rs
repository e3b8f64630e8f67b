//! `--webhooks`: does a slow webhook receiver slow the chat? The same paced load is measured
//! twice: without an endpoint, then with one subscribed to `message.created` that answers each
//! delivery after 2 seconds (a receiver on 127.0.0.1, so the relays run with
//! `--webhook-allow-private`). Delivery runs in its own task from the outbox rows, so the chat's
//! p99 should not move.

use super::Bench;
use super::load::{Load, period_for};
use crate::http;
use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How long the receiver takes to answer each delivery.
const SLOW_ANSWER: Duration = Duration::from_secs(2);

/// A receiver that reads a request, waits [`SLOW_ANSWER`], and answers 200.
async fn slow_receiver() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 8192];
                // The body is small; one read holds the request's head at least.
                if stream.read(&mut buffer).await.unwrap_or(0) == 0 {
                    return;
                }
                tokio::time::sleep(SLOW_ANSWER).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    Ok(addr)
}

/// The chat's delivery p99 (and p50) at `rate` without, then with, a slow endpoint; phases
/// `first_phase` and `first_phase + 1` of the recorder.
pub async fn compare(
    bench: &Bench,
    load: &Load,
    token: &str,
    rate: f64,
    window: Duration,
    first_phase: usize,
) -> anyhow::Result<()> {
    let period = period_for(load.visitors.opened, rate);
    let drain = Duration::from_secs(10);
    let without = load
        .run_phase(bench, first_phase, period, window, drain)
        .await?;
    let receiver = slow_receiver().await?;
    let body = format!(
        r#"{{"url":"http://{receiver}/hooks","events":["message.created"],"enabled":true}}"#
    );
    let created = http::request_as(
        bench.addr,
        "POST",
        "/api/webhooks",
        Some(&body),
        Some(token),
    )
    .await
    .context("cannot register the webhook")?;
    if created.status != 201 {
        bail!(
            "registering the webhook: {} {}",
            created.status,
            created.body
        );
    }
    let with = load
        .run_phase(bench, first_phase + 1, period, window, drain)
        .await?;
    println!("Webhooks: chat delivery at {rate} msg/s, a receiver answering in 2 s");
    println!("| | p50 | p99 | max | delivered |");
    println!("|---|---|---|---|---|");
    for (name, phase) in [
        ("without an endpoint", &without),
        ("with the slow endpoint", &with),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} of {} |",
            phase.delivery.ms(0.5),
            phase.delivery.ms(0.99),
            phase.delivery.max_ms(),
            phase.delivered,
            phase.expected_deliveries()
        );
    }
    Ok(())
}
