//! `--history`: a generated history of 100,000 conversations (see `history.rs`), then every
//! report of `GET /api/reports/{name}` timed on it over the last 30 days and over the whole
//! history, through a relay serving that database.

use crate::http;
use crate::relay::{self, RelayProcess};
use anyhow::{Context, bail};
use std::path::Path;
use std::time::Instant;

/// Requests timed per report and range.
const REQUESTS: usize = 20;
/// What the issue asks of every report.
const TARGET_MS: f64 = 200.0;

/// A percentile of latencies sorted ascending (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// Generates the history into `path` unless it exists, then times the reports on it; prints
/// a table to standard output.
pub async fn run(
    binary: &Path,
    path: &Path,
    conversations: usize,
    messages: usize,
    days: i64,
) -> anyhow::Result<()> {
    if path.exists() {
        eprintln!("history: using {} as it is", path.display());
    } else {
        eprintln!(
            "history: writing {conversations} conversations and {messages} messages over {days} days into {}",
            path.display()
        );
        let written = crate::history::generate(path, conversations, messages, days).await?;
        eprintln!(
            "history: {} conversations and {} messages in {:.0} s ({:.0} messages/s)",
            written.conversations,
            written.messages,
            written.seconds,
            written.messages as f64 / written.seconds
        );
        relay::add_operator(binary, path.as_os_str())?;
    }
    let relay = RelayProcess::start(binary, path.as_os_str(), false)?;
    let token = login_when_migrated(&relay)
        .await
        .context("cannot sign in as the bench operator")?;
    let today = jiff_free_today();
    let ranges = [
        ("30 days", day_text(today - 29), day_text(today)),
        ("whole history", day_text(today - days), day_text(today)),
    ];
    println!(
        "Reports on {} ({conversations} conversations, {messages} messages)",
        path.display()
    );
    println!(
        "{:<14} {:<14} {:>9} {:>9} {:>9}",
        "report", "range", "p50 ms", "p95 ms", "≤ 200 ms"
    );
    let mut over = Vec::new();
    for name in [
        "hours",
        "volume",
        "response",
        "satisfaction",
        "operators",
        "prompts",
        "answers",
    ] {
        for (label, from, to) in &ranges {
            let request = format!("/api/reports/{name}?from={from}&to={to}");
            let mut times = Vec::with_capacity(REQUESTS);
            for _ in 0..REQUESTS {
                let started = Instant::now();
                let response =
                    http::request_as(relay.addr, "GET", &request, None, Some(&token)).await?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                if response.status != 200 {
                    bail!("{request} answered {}: {}", response.status, response.body);
                }
            }
            times.sort_by(f64::total_cmp);
            let (p50, p95) = (percentile(&times, 50.0), percentile(&times, 95.0));
            let within = p95 <= TARGET_MS;
            if !within {
                over.push(format!("{name} ({label})"));
            }
            println!(
                "{name:<14} {label:<14} {p50:>9.1} {p95:>9.1} {:>9}",
                if within { "yes" } else { "NO" }
            );
        }
    }
    let search = time_searches(&relay, &token).await?;
    drop(relay);
    if !over.is_empty() {
        eprintln!("over {TARGET_MS} ms at p95: {}", over.join(", "));
    }
    if search > SEARCH_TARGET_MS {
        eprintln!("full-text search over {SEARCH_TARGET_MS} ms at p95: {search:.1} ms");
    }
    Ok(())
}

/// Signs in once the relay answers: the first start on a history written by an older version
/// migrates it first (rebuilding derived tables of a million messages takes about half a minute
/// here), and requests wait for that. Only a request that timed out is tried again.
async fn login_when_migrated(relay: &RelayProcess) -> anyhow::Result<String> {
    let deadline = Instant::now() + std::time::Duration::from_secs(600);
    loop {
        match http::login(relay.addr, relay::OPERATOR_EMAIL, relay::OPERATOR_PASSWORD).await {
            Err(error)
                if Instant::now() < deadline && format!("{error:#}").contains("timed out") =>
            {
                eprintln!("history: the relay does not answer yet (migrating?); waiting");
            }
            result => return result,
        }
    }
}

/// What the issue asks of a full-text search, at p95.
const SEARCH_TARGET_MS: f64 = 50.0;

/// Searches as a manager types them: whole Czech words with and without diacritics, prefixes,
/// two words, words frequent in the history and rare ones (an order's number), with and without
/// a filter. Each is the first page, as the History page asks for it.
const SEARCHES: [&str; 16] = [
    "vrácení",
    "vraceni",
    "reklam",
    "poškozený balík",
    "poskozeny",
    "objednávku",
    "velikost XL",
    "doprava slovensko",
    "platební brána",
    "sekačka svah",
    "záruce",
    "adresu",
    "4711",
    "vyzvednout ostrava",
    "zklamaný",
    "neexistujícíslovo",
];

/// Times every search in [`SEARCHES`] [`REQUESTS`] times over the whole history, alone and
/// with a site filter; prints one line per search and the p95 over all of them, which it returns.
async fn time_searches(relay: &RelayProcess, token: &str) -> anyhow::Result<f64> {
    println!();
    println!("Full-text search, first page (GET /api/conversations?q=…)");
    println!(
        "{:<22} {:>9} {:>9} {:>9}",
        "words", "results", "p50 ms", "p95 ms"
    );
    let mut all = Vec::new();
    for words in SEARCHES {
        let query: String = url_encode(words);
        for filter in ["", "&site=obuv"] {
            let request = format!("/api/conversations?q={query}&limit=20{filter}");
            let mut times = Vec::with_capacity(REQUESTS);
            let mut results = 0;
            for _ in 0..REQUESTS {
                let started = Instant::now();
                let response =
                    http::request_as(relay.addr, "GET", &request, None, Some(token)).await?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                if response.status != 200 {
                    bail!("{request} answered {}: {}", response.status, response.body);
                }
                results = serde_json::from_str::<serde_json::Value>(&response.body)
                    .ok()
                    .and_then(|page| page.as_array().map(Vec::len))
                    .unwrap_or(0);
            }
            all.extend_from_slice(&times);
            times.sort_by(f64::total_cmp);
            let label = if filter.is_empty() {
                words.to_owned()
            } else {
                format!("{words} (one site)")
            };
            println!(
                "{label:<22} {results:>9} {:>9.1} {:>9.1}",
                percentile(&times, 50.0),
                percentile(&times, 95.0)
            );
        }
    }
    all.sort_by(f64::total_cmp);
    let p95 = percentile(&all, 95.0);
    println!(
        "all searches: p50 {:.1} ms, p95 {p95:.1} ms (≤ {SEARCH_TARGET_MS} ms: {})",
        percentile(&all, 50.0),
        if p95 <= SEARCH_TARGET_MS { "yes" } else { "NO" }
    );
    Ok(p95)
}

/// Percent-encodes a query parameter's value (UTF-8 bytes outside the unreserved set).
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Today as days since the epoch (UTC).
fn jiff_free_today() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    seconds.div_euclid(86_400)
}

/// A day since the epoch as YYYY-MM-DD (the civil-from-days algorithm).
fn day_text(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_dates() {
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(20_428), "2025-12-06");
        assert_eq!(day_text(20_819), "2027-01-01");
    }
}
