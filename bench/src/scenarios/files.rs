//! `--files N`: N visitors upload one phone-sized JPEG photo each, all at once, through
//! `POST /visitor/files`, after one upload alone; the relay's throughput and how far its
//! resident memory rises above where it stood before. Every photo is decoded and re-encoded by
//! the relay, so the work is real; what must not happen is memory growing with the number of
//! uploads in flight times their size.

use crate::clients;
use crate::procfs;
use crate::relay::{self, RelayProcess};
use anyhow::{Context, bail};
use image::codecs::jpeg::JpegEncoder;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A phone camera's default photo: 12 megapixels.
const WIDTH: u32 = 4032;
const HEIGHT: u32 = 3024;
/// How often the relay's resident memory is read while uploads run.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// How long one upload may take, from connecting to the last byte of the answer.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);
/// The multipart boundary of every upload.
const BOUNDARY: &str = "beseda-bench-boundary-7d1f";

/// A 12-megapixel JPEG of about `megabytes`: a gradient with noise, at the first quality that
/// brings it down to that size.
fn photo(megabytes: f64) -> anyhow::Result<Vec<u8>> {
    let mut seed: u32 = 0x9e37_79b9;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed % 48) as i32 - 24
    };
    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let base = [(x * 255 / WIDTH) as i32, (y * 255 / HEIGHT) as i32, 128];
            for channel in base {
                pixels.push((channel + noise()).clamp(0, 255) as u8);
            }
        }
    }
    let target = (megabytes * 1e6) as usize;
    let mut smallest = Vec::new();
    for quality in [95, 90, 85, 80, 75, 70, 60, 50] {
        let mut encoded = Vec::new();
        JpegEncoder::new_with_quality(&mut encoded, quality).encode(
            &pixels,
            WIDTH,
            HEIGHT,
            image::ExtendedColorType::Rgb8,
        )?;
        smallest = encoded;
        if smallest.len() <= target {
            break;
        }
    }
    Ok(smallest)
}

/// One upload of `photo` as `photo.jpg`; answers the seconds it took.
async fn upload(
    addr: SocketAddr,
    token: &str,
    client_id: &str,
    photo: &[u8],
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut body = Vec::with_capacity(photo.len() + 512);
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"clientId\"\r\n\r\n{client_id}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(photo);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let head = format!(
            "POST /visitor/files HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await?;
        // As a browser on a fast network sends it: 64 KB at a time.
        for chunk in body.chunks(64 * 1024) {
            stream.write_all(chunk).await?;
        }
        stream.flush().await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        anyhow::Ok(answer)
    };
    let answer = tokio::time::timeout(UPLOAD_TIMEOUT, exchange)
        .await
        .context("an upload timed out")??;
    let status_line = String::from_utf8_lossy(&answer[..answer.len().min(64)]).into_owned();
    if !status_line.starts_with("HTTP/1.1 201") {
        let text = String::from_utf8_lossy(&answer);
        bail!(
            "an upload was answered {}",
            text.lines().next().unwrap_or("")
        );
    }
    Ok(started.elapsed().as_secs_f64())
}

/// What one round of uploads at once measured.
struct Round {
    uploads: usize,
    seconds: f64,
    median_seconds: f64,
    slowest_seconds: f64,
    /// Resident memory before the round and the highest reading during it, in KiB.
    before_kib: u64,
    peak_kib: u64,
}

/// `count` uploads at once, each by its own visitor, while the relay's memory is sampled.
async fn round(
    addr: SocketAddr,
    pid: u32,
    photo: Arc<Vec<u8>>,
    tokens: &[String],
    label: &str,
) -> anyhow::Result<Round> {
    let before_kib = procfs::memory(pid)?.rss_kib;
    let peak = Arc::new(AtomicU64::new(before_kib));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, running) = (peak.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                if let Ok(memory) = procfs::memory(pid) {
                    peak.fetch_max(memory.rss_kib, Ordering::Relaxed);
                }
                tokio::time::sleep(SAMPLE_EVERY).await;
            }
        })
    };
    let started = Instant::now();
    let uploads = tokens.iter().enumerate().map(|(index, token)| {
        let photo = photo.clone();
        let token = token.clone();
        let client_id = format!("bench-{label}-{index}");
        tokio::spawn(async move { upload(addr, &token, &client_id, &photo).await })
    });
    let mut seconds = Vec::with_capacity(tokens.len());
    for task in futures_util::future::join_all(uploads).await {
        seconds.push(task.context("an upload task failed")??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    sampler.await.ok();
    seconds.sort_by(f64::total_cmp);
    Ok(Round {
        uploads: tokens.len(),
        seconds: elapsed,
        median_seconds: seconds[seconds.len() / 2],
        slowest_seconds: seconds[seconds.len() - 1],
        before_kib,
        peak_kib: peak
            .load(Ordering::Relaxed)
            .max(procfs::memory(pid)?.rss_kib),
    })
}

/// Starts a relay on a fresh database; one visitor uploads a photo alone, then a fifth of
/// `count` at once, then `count` at once; prints a table to standard output. The memory each
/// further upload in flight adds is the rise's growth between the last two rounds.
pub async fn run(binary: &std::path::Path, count: usize, megabytes: f64) -> anyhow::Result<()> {
    if count < 2 {
        bail!("--files must be at least 2");
    }
    let photo = Arc::new(photo(megabytes)?);
    eprintln!(
        "files: a {WIDTH}×{HEIGHT} JPEG of {:.2} MB, {count} visitors",
        photo.len() as f64 / 1e6
    );
    let directory = relay::fresh_temp_dir()?;
    let db = directory.join("files.db");
    let relay = RelayProcess::start(binary, db.as_os_str(), false)?;
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        // The socket stays open, as a visitor's widget would be while it uploads.
        sockets.push(clients::visitor_welcome(relay.addr).await?);
    }
    let tokens: Vec<String> = sockets.iter().map(|(_, token)| token.clone()).collect();
    let mut rounds = Vec::new();
    let mut sizes = vec![1, (count / 5).max(2), count];
    sizes.dedup();
    for size in sizes {
        eprintln!("files: {size} upload(s) at once");
        let label = format!("round-{size}");
        rounds.push(
            round(
                relay.addr,
                relay.pid(),
                photo.clone(),
                &tokens[..size],
                &label,
            )
            .await?,
        );
    }
    drop(sockets);
    drop(relay);
    std::fs::remove_dir_all(&directory).ok();

    // Above the relay's memory before the first upload: what a round leaves held counts in the
    // next, as it would in a relay that had served uploads before.
    let resting = rounds[0].before_kib;
    let rise = |round: &Round| round.peak_kib.saturating_sub(resting) as f64 / 1024.0;
    println!();
    println!(
        "Uploads (POST /visitor/files, {:.1} MB JPEG of {WIDTH}×{HEIGHT}, decoded and re-encoded)",
        photo.len() as f64 / 1e6
    );
    println!(
        "{:<12} {:>9} {:>10} {:>10} {:>10} {:>12}",
        "at once", "seconds", "MB/s", "median s", "slowest s", "memory rise"
    );
    for round in &rounds {
        println!(
            "{:<12} {:>9.1} {:>10.1} {:>10.2} {:>10.2} {:>9.0} MB",
            round.uploads,
            round.seconds,
            round.uploads as f64 * photo.len() as f64 / 1e6 / round.seconds,
            round.median_seconds,
            round.slowest_seconds,
            rise(round)
        );
    }
    if let [.., fewer, most] = rounds.as_slice() {
        println!(
            "each further upload in flight: {:.2} MB of relay memory (each sends {:.1} MB)",
            (rise(most) - rise(fewer)) / (most.uploads - fewer.uploads) as f64,
            photo.len() as f64 / 1e6
        );
    }
    Ok(())
}
